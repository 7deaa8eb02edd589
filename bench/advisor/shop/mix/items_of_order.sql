-- the lines of one order
\set o random(1, 200000 * :scale)
SELECT product_id, qty, price FROM order_items WHERE order_id = :o;
