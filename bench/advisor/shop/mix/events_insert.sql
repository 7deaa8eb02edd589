-- the click stream: a batch of 100 events
\set c random(1, 50000 * :scale)
INSERT INTO events (customer_id, kind, created_at, payload) SELECT :c + g % 7, (ARRAY['view', 'click', 'cart', 'search', 'purchase'])[1 + (g + :c) % 5], timestamp '2025-12-01' + (:c + g) * interval '1 second', repeat('p', 60) FROM generate_series(1, 100) g;
