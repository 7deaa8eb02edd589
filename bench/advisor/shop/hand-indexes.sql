-- bench/advisor/shop/hand-indexes.sql -- the index set chosen by hand for the
-- shop mix (mix.conf), written before the advisor was tuned on it; the
-- reference the advisors are measured against. One index per line.
-- The database's collation is not C (C.UTF-8): LIKE 'prefix%' needs
-- text_pattern_ops. events gets nothing: 40 batches of 100 rows are
-- appended for every 2 reads, and its one read filters on a column with 5
-- values; an index would add WAL to every insert for little.
CREATE INDEX ON customers (lower(email));
CREATE INDEX ON products (name text_pattern_ops);
CREATE INDEX ON products (category_id, price);
CREATE INDEX ON orders (status, created_at);
CREATE INDEX ON orders (customer_id, created_at);
CREATE INDEX ON orders (date_trunc('day', created_at));
CREATE INDEX ON orders (created_at) WHERE shipped_at IS NULL;
CREATE INDEX ON order_items (order_id);
CREATE INDEX ON order_items (product_id) INCLUDE (qty);
CREATE INDEX ON reviews (product_id, created_at);
CREATE INDEX ON reviews (customer_id);
