-- the warehouse: oldest orders not shipped yet
\set m random(2, 11)
SELECT id, customer_id, created_at FROM orders WHERE shipped_at IS NULL AND created_at < '2025-:m-15' ORDER BY created_at LIMIT 50;
