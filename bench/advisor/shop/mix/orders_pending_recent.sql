-- the back office: newest pending orders since a day
\set d random(1, 28)
SELECT id, customer_id, total FROM orders WHERE status = 'pending' AND created_at > '2025-07-:d' ORDER BY created_at DESC LIMIT 20;
