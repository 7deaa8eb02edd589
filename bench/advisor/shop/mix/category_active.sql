-- a category page: cheapest active products
\set g random(1, 200 * :scale)
SELECT id, name, price FROM products WHERE category_id = :g AND active ORDER BY price LIMIT 10;
