-- bench/advisor/shop/load.sql -- the shop's data; psql variable :scale
-- (1 = 50 000 customers, 10 000 products, 200 000 orders, 600 000 order
-- items, 100 000 reviews, 200 000 events). Deterministic (setseed).
SELECT setseed(0.17);
INSERT INTO customers
SELECT g, 'User' || g || '@Example.com', 'customer ' || g,
       (ARRAY['de','fr','us','uk','es','it','nl','pl'])[1 + g % 8],
       timestamp '2024-01-01' + (g * interval '9 minutes')
  FROM generate_series(1, 50000 * :scale) g;
INSERT INTO products
SELECT g, 'SKU-' || lpad(g::text, 7, '0'),
       (ARRAY['Widget','Gadget','Sprocket','Gizmo','Doohickey','Thingamajig','Whatsit','Contraption'])[1 + (g * 7) % 8]
         || ' ' || g || ' ' || left(md5(g::text), 8),
       1 + g % (200 * :scale), round((5 + random() * 200)::numeric, 2), g % 10 <> 0,
       repeat('lorem ipsum ', 10)
  FROM generate_series(1, 10000 * :scale) g;
-- 2 % of orders are still pending, 1.5 % not shipped yet.
INSERT INTO orders
SELECT g, 1 + (g::bigint * 7919) % (50000 * :scale),
       CASE WHEN g % 50 = 0 THEN 'pending' WHEN g % 50 = 1 THEN 'cancelled'
            WHEN g % 50 < 10 THEN 'shipped' ELSE 'delivered' END,
       timestamp '2025-01-01' + (g * interval '150 seconds'),
       CASE WHEN g % 67 = 0 THEN NULL ELSE timestamp '2025-01-02' + (g * interval '150 seconds') END,
       round((10 + random() * 500)::numeric, 2), NULL
  FROM generate_series(1, 200000 * :scale) g;
INSERT INTO order_items
SELECT g, 1 + (g - 1) / 3, 1 + (g::bigint * 104729) % (10000 * :scale), 1 + g % 4, round((5 + random() * 200)::numeric, 2)
  FROM generate_series(1, 600000 * :scale) g;
INSERT INTO reviews
SELECT g, 1 + (g * 31) % (10000 * :scale), 1 + (g * 17) % (50000 * :scale), 1 + g % 5,
       timestamp '2025-01-01' + (g * interval '5 minutes'), repeat('review text ', 8)
  FROM generate_series(1, 100000 * :scale) g;
INSERT INTO events (customer_id, kind, created_at, payload)
SELECT 1 + (g * 13) % (50000 * :scale), (ARRAY['view','click','cart','search','purchase'])[1 + g % 5],
       timestamp '2025-06-01' + (g * interval '10 seconds'), repeat('p', 60)
  FROM generate_series(1, 200000 * :scale) g;
