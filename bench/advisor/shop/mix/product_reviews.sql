-- a product page: the five newest reviews
\set p random(1, 10000 * :scale)
SELECT rating, created_at, left(body, 40) FROM reviews WHERE product_id = :p ORDER BY created_at DESC LIMIT 5;
