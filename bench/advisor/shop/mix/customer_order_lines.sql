-- everything a customer bought
\set c random(1, 50000 * :scale)
SELECT o.id, p.name, oi.qty FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id WHERE o.customer_id = :c;
