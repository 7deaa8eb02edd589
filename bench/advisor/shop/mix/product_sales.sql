-- a product page: units sold
\set p random(1, 10000 * :scale)
SELECT count(*), sum(qty) FROM order_items WHERE product_id = :p;
