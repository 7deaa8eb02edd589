-- type-ahead search on the product name
\set p random(1, 999)
SELECT id, name, price FROM products WHERE name LIKE 'Gadget :p%' ORDER BY name LIMIT 20;
