-- a report: orders and revenue of one day
\set m random(1, 11)
\set d random(1, 28)
SELECT count(*), sum(total) FROM orders WHERE date_trunc('day', created_at) = '2025-:m-:d';
