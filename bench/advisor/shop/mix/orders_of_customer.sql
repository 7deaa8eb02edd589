-- "my orders": the latest ten
\set c random(1, 50000 * :scale)
SELECT id, status, total, created_at FROM orders WHERE customer_id = :c ORDER BY created_at DESC LIMIT 10;
