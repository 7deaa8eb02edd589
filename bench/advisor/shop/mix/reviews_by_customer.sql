-- a customer's reviews
\set c random(1, 50000 * :scale)
SELECT id, product_id, rating FROM reviews WHERE customer_id = :c;
