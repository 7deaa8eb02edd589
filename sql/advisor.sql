-- The index advisor: recommendations for an equality filter, a two-column
-- filter (most selective column first), a foreign-key join and ORDER BY ...
-- LIMIT; none when an index (or a wider one) already serves the query or
-- when the table's writes would cost more than the index saves;
-- hypothetical_explain and its errors; privileges; statements never sampled,
-- expression keys, INCLUDE columns, the WAL budget of write-heavy tables. Costs and sizes are
-- shown as booleans, so the output does not depend on the machine.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pothos_perf;
RESET client_min_messages;
SET pothos_perf.advisor_sample_rate = 1;
SET max_parallel_workers_per_gather = 0;

CREATE TABLE adv_users (id int PRIMARY KEY, email text NOT NULL, region int NOT NULL);
CREATE TABLE adv_lists (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES adv_users, title text NOT NULL);
CREATE TABLE adv_items (id int PRIMARY KEY, list_id int NOT NULL REFERENCES adv_lists, status int NOT NULL,
                        shop int NOT NULL, created int NOT NULL, archived_at int);
CREATE TABLE adv_events (id int NOT NULL, kind int NOT NULL, payload text NOT NULL);
INSERT INTO adv_users SELECT g, 'user' || g || '@example.com', g % 20 FROM generate_series(1, 5000) g;
INSERT INTO adv_lists SELECT g, 1 + (g * 7) % 5000, 'list ' || g FROM generate_series(1, 10000) g;
INSERT INTO adv_items SELECT g, 1 + (g * 13) % 10000, g % 5, g % 400, g, CASE WHEN g % 50 = 0 THEN NULL ELSE g END
  FROM generate_series(1, 20000) g;
ANALYZE adv_users, adv_lists, adv_items;

-- Loading the data is not the workload.
CREATE FUNCTION adv_fresh() RETURNS boolean LANGUAGE sql AS
  $$ SELECT pothos_perf.advisor_reset(); SELECT pothos_perf.reset() >= 0 $$;
CREATE VIEW adv_recs AS
  SELECT table_name, columns, index_ddl, affected_queries,
         cost_after < cost_before AS cheaper, improvement_pct >= 10 AS improves,
         estimated_size_bytes > 0 AS sized, cardinality(queryids) AS ids, reason
    FROM pothos_perf.recommend_indexes();

-- 1. Equality filter.
SELECT adv_fresh();
SELECT id FROM adv_users WHERE email = 'user42@example.com';
SELECT id FROM adv_users WHERE email = 'user43@example.com';
SELECT column_name, kind, samples, rows_returned, rows_filtered
  FROM pothos_perf.advisor_predicates ORDER BY column_name COLLATE "C";
SELECT * FROM adv_recs ORDER BY index_ddl COLLATE "C";
SELECT max, entries, evictions FROM pothos_perf.advisor_info();

-- 2. Two equality columns: the one with more distinct values first.
SELECT adv_fresh();
SELECT count(*) FROM adv_items WHERE status = 2 AND shop = 7;
SELECT count(*) FROM adv_items WHERE status = 3 AND shop = 8;
SELECT table_name, columns, index_ddl, cheaper, improves FROM adv_recs ORDER BY index_ddl COLLATE "C";

-- 3. Foreign-key join: the items of a user's lists.
SELECT adv_fresh();
SELECT count(*) FROM adv_lists l JOIN adv_items i ON i.list_id = l.id WHERE l.owner_id = 7;
SELECT count(*) FROM adv_lists l JOIN adv_items i ON i.list_id = l.id WHERE l.owner_id = 8;
SELECT column_name, kind FROM pothos_perf.advisor_predicates WHERE kind = 'join key'
 ORDER BY column_name COLLATE "C";
SELECT table_name, columns, index_ddl, cheaper, reason FROM adv_recs ORDER BY index_ddl COLLATE "C";

-- 4. ORDER BY ... LIMIT after an equality filter.
SELECT adv_fresh();
SELECT id FROM adv_items WHERE shop = 3 ORDER BY created DESC LIMIT 5;
SELECT column_name, kind, sort_position, descending FROM pothos_perf.advisor_predicates
 ORDER BY kind COLLATE "C", column_name COLLATE "C";
SELECT table_name, columns, index_ddl, cheaper, reason FROM adv_recs ORDER BY index_ddl COLLATE "C";

-- 4b. A hot constant predicate: a partial index is smaller and as good.
SELECT adv_fresh();
SELECT count(*) FROM adv_items WHERE shop = 50 AND archived_at IS NULL;
SELECT count(*) FROM adv_items WHERE shop = 100 AND archived_at IS NULL;
SELECT table_name, columns, index_ddl, cheaper, reason FROM adv_recs ORDER BY index_ddl COLLATE "C";

-- 5. A suitable index exists: nothing to recommend for the equality filter,
--    nor for the two-column filter once a wider index starts with its columns.
CREATE INDEX adv_users_email ON adv_users (email);
CREATE INDEX adv_items_wide ON adv_items (shop, status, created);
SELECT adv_fresh();
SELECT id FROM adv_users WHERE email = 'user42@example.com';
SELECT count(*) FROM adv_items WHERE status = 2 AND shop = 7;
SELECT count(*) AS recommendations FROM adv_recs;
DROP INDEX adv_users_email, adv_items_wide;

-- 6. Write-heavy table: 20 000 rows written, one lookup. An index would save
--    less than it costs to maintain.
SELECT adv_fresh();
INSERT INTO adv_events SELECT g, g % 1000, 'event ' || g FROM generate_series(1, 20000) g;
ANALYZE adv_events;
SELECT count(*) FROM adv_events WHERE kind = 3;
SELECT count(*) > 0 AS collected FROM pothos_perf.advisor_predicates WHERE column_name = 'kind';
SELECT count(*) AS recommendations FROM adv_recs WHERE table_name = 'adv_events';
--    The same lookup on a read-only copy of the table is worth an index.
CREATE TABLE adv_events_ro AS SELECT * FROM adv_events;
ANALYZE adv_events_ro;
SELECT adv_fresh();
SELECT count(*) FROM adv_events_ro WHERE kind = 3;
SELECT table_name, columns FROM adv_recs;

-- 7. Threshold: min_improvement_pct filters, the view follows the GUC.
SELECT adv_fresh();
SELECT id FROM adv_users WHERE email = 'user42@example.com';
SELECT count(*) AS at_100 FROM pothos_perf.recommend_indexes(100);
SET pothos_perf.advisor_min_improvement = 100;
SELECT count(*) AS view_at_100 FROM pothos_perf.index_recommendations;
RESET pothos_perf.advisor_min_improvement;
SELECT count(*) AS view_default FROM pothos_perf.index_recommendations;
SELECT * FROM pothos_perf.recommend_indexes(-1);

-- 8. hypothetical_explain plans with the pretended index, nothing is created.
SELECT regexp_replace("QUERY PLAN", '  \(cost=.*$', '') AS plan
  FROM pothos_perf.hypothetical_explain('SELECT id FROM adv_items WHERE list_id = 42',
                                        ARRAY['CREATE INDEX ON adv_items (list_id)']);
SELECT regexp_replace("QUERY PLAN", '  \(cost=.*$', '') AS plan
  FROM pothos_perf.hypothetical_explain('SELECT id FROM adv_items WHERE shop = 3 AND archived_at IS NULL',
                                        ARRAY['CREATE INDEX items_open ON adv_items (shop) WHERE archived_at IS NULL']);
SELECT regexp_replace("QUERY PLAN", '  \(cost=.*$', '') AS plan
  FROM pothos_perf.hypothetical_explain('SELECT id FROM adv_items WHERE list_id = 42', '{}');
SELECT count(*) AS real_indexes FROM pg_indexes WHERE tablename = 'adv_items';
EXPLAIN (COSTS OFF) SELECT id FROM adv_items WHERE list_id = 42;

-- 9. Bad input: clear errors.
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDX ON adv_items (id)']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['DROP TABLE adv_items']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON adv_nosuch (a)']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON adv_items (nosuch)']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON adv_items USING hash (id)']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON adv_items ((id + 1))']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON adv_items ((id + random()))']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON adv_items (id); CREATE INDEX ON adv_items (shop)']);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY[NULL]);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1; SELECT 2', '{}');
SELECT * FROM pothos_perf.hypothetical_explain('DROP TABLE adv_items', '{}');
SELECT * FROM pothos_perf.hypothetical_explain('SELECT nosuch FROM adv_items', '{}');

-- 10. Privileges: a statement is re-planned only as the role that recorded
--     it, so a role gets advice from the statements of roles it may act as
--     (superusers: all), and only on relations it may read; other roles'
--     statement ids are hidden; the collected data and the reset are not for
--     PUBLIC; EXPLAIN needs the table privilege.
SELECT adv_fresh();
CREATE ROLE regress_adv_app;
GRANT SELECT ON adv_users TO regress_adv_app;
SET ROLE regress_adv_app;
SELECT id FROM adv_users WHERE email = 'user42@example.com';
RESET ROLE;
CREATE ROLE regress_adv_reader;
SET ROLE regress_adv_reader;
SELECT count(*) AS recommendations FROM pothos_perf.index_recommendations;
RESET ROLE;
GRANT regress_adv_app TO regress_adv_reader;
SET ROLE regress_adv_reader;
SELECT table_name, columns, affected_queries, cardinality(queryids) AS visible_ids
  FROM pothos_perf.index_recommendations;
RESET ROLE;
REVOKE SELECT ON adv_users FROM regress_adv_app;
SET ROLE regress_adv_reader;
SELECT count(*) AS recommendations FROM pothos_perf.index_recommendations;
SELECT count(*) FROM pothos_perf.advisor_predicates;
SELECT pothos_perf.advisor_reset();
SELECT * FROM pothos_perf.hypothetical_explain('SELECT id FROM adv_users WHERE email = $$x$$', '{}');
RESET ROLE;
SELECT table_name, columns FROM pothos_perf.index_recommendations;
DROP ROLE regress_adv_reader;
DROP ROLE regress_adv_app;

-- 11. Existing indexes that cost writes for nothing.
CREATE TABLE adv_red (a int, b int, c int);
CREATE INDEX adv_red_a ON adv_red (a);
CREATE INDEX adv_red_ab ON adv_red (a, b);
CREATE INDEX adv_red_ab2 ON adv_red (a, b);
CREATE INDEX adv_red_a_desc ON adv_red (a DESC);
CREATE UNIQUE INDEX adv_red_c ON adv_red (c);
CREATE INDEX adv_red_b_part ON adv_red (b) WHERE c IS NULL;
SELECT index_name, columns, kind, covered_by, drop_ddl
  FROM pothos_perf.redundant_indexes() WHERE table_name = 'public.adv_red' ORDER BY index_name COLLATE "C";
DROP TABLE adv_red;

-- 12. Sampling below rate 1 takes a fingerprint at most once per 100 ms per
-- backend (by statement start time: the 40 lookups of one DO block share it),
-- so a hot statement costs one plan walk, not one per sampled call. At rate 1
-- every execution is inspected.
SELECT adv_fresh();
SET pothos_perf.track = 'all';
SET pothos_perf.advisor_sample_rate = 0.999999;
DO $$ BEGIN FOR i IN 1..40 LOOP PERFORM id FROM adv_users WHERE region = i % 20; END LOOP; END $$;
SELECT column_name, samples FROM pothos_perf.advisor_predicates WHERE column_name = 'region';
SET pothos_perf.advisor_sample_rate = 1;
DO $$ BEGIN FOR i IN 1..40 LOOP PERFORM id FROM adv_users WHERE region = i % 20; END LOOP; END $$;
SELECT column_name, samples FROM pothos_perf.advisor_predicates WHERE column_name = 'region';
RESET pothos_perf.track;

-- 12b. Rate 0 samples nothing; a new rate applies from the next execution
-- (sampling draws the gap to the next sampled execution, and a change of the
-- rate starts a new gap).
SELECT adv_fresh();
SET pothos_perf.advisor_sample_rate = 0;
SELECT count(*) AS region_3 FROM adv_users WHERE region = 3;
SELECT count(*) AS uses_while_off FROM pothos_perf.advisor_predicates WHERE column_name = 'region';
SET pothos_perf.advisor_sample_rate = 1;
SELECT count(*) AS region_3 FROM adv_users WHERE region = 3;
SELECT column_name, samples FROM pothos_perf.advisor_predicates WHERE column_name = 'region';

-- 13. System catalogs are never collected: no index can be created on them.
SELECT adv_fresh();
SELECT count(*) AS procs FROM pg_proc WHERE prosrc = 'no such source' AND provolatile = 'v';
SELECT count(*) AS catalog_uses FROM pothos_perf.advisor_predicates WHERE relid < 16384;

-- 14. Coverage: a statement no execution of which was sampled is seen all
-- the same (its generic plan, planned from the stored text).
SELECT adv_fresh();
SET pothos_perf.advisor_sample_rate = 0;
SELECT id FROM adv_users WHERE email = 'user42@example.com';
SELECT count(*) FROM adv_lists l JOIN adv_items i ON i.list_id = l.id WHERE l.owner_id = 7;
SELECT count(*) AS sampled_uses FROM pothos_perf.advisor_predicates;
SELECT table_name, columns, index_ddl, cheaper, reason FROM adv_recs ORDER BY index_ddl COLLATE "C";
CREATE TEMP TABLE adv_unsampled AS SELECT index_ddl FROM pothos_perf.recommend_indexes();
--    Sampling every execution of the same statements gives the same advice.
SET pothos_perf.advisor_sample_rate = 1;
SELECT adv_fresh();
SELECT id FROM adv_users WHERE email = 'user42@example.com';
SELECT count(*) FROM adv_lists l JOIN adv_items i ON i.list_id = l.id WHERE l.owner_id = 7;
SELECT count(*) > 0 AS sampled FROM pothos_perf.advisor_predicates;
SELECT count(*) AS differences
  FROM ((SELECT index_ddl FROM pothos_perf.recommend_indexes() EXCEPT SELECT index_ddl FROM adv_unsampled)
        UNION ALL
        (SELECT index_ddl FROM adv_unsampled EXCEPT SELECT index_ddl FROM pothos_perf.recommend_indexes())) d;
DROP TABLE adv_unsampled;

-- 15. Expression keys: lower(col) = lower(...), a cast, and date_trunc with a unit
-- that normalization turned into a parameter (the unit's hash was recorded
-- when the statement was first seen). date_trunc of a timestamptz is not
-- immutable: no index can hold it.
CREATE TABLE adv_orders (id int PRIMARY KEY, placed timestamp NOT NULL, placed_tz timestamptz NOT NULL,
                         total int NOT NULL);
INSERT INTO adv_orders SELECT g, timestamp '2025-01-01' + g * interval '10 minutes',
                              timestamptz '2025-01-01 00:00+00' + g * interval '10 minutes', g % 100
  FROM generate_series(1, 20000) g;
ANALYZE adv_orders;
SELECT adv_fresh();
SELECT id FROM adv_users WHERE lower(email) = lower('USER42@example.com');
SELECT count(*) FROM adv_orders WHERE date_trunc('day', placed) = '2025-02-03';
SELECT count(*) FROM adv_orders WHERE date_trunc('day', placed_tz) = '2025-02-03 00:00+00';
SELECT sum(total) FROM adv_orders WHERE placed::date = '2025-02-04';
SELECT table_name, columns, index_ddl, cheaper, reason FROM adv_recs ORDER BY index_ddl COLLATE "C";
SELECT regexp_replace("QUERY PLAN", '  \(cost=.*$', '') AS plan
  FROM pothos_perf.hypothetical_explain('SELECT id FROM adv_users WHERE lower(email) = $$u@x$$',
                                        ARRAY['CREATE INDEX ON adv_users (lower(email))']);

-- 16. INCLUDE: the columns a statement reads beside its keys make an
-- index-only scan possible (all-visible pages after VACUUM).
VACUUM ANALYZE adv_items;
SELECT adv_fresh();
SELECT count(*), sum(status) FROM adv_items WHERE list_id = 42;
SELECT count(*), sum(status) FROM adv_items WHERE list_id = 43;
SELECT table_name, columns, index_ddl, cheaper, reason FROM adv_recs ORDER BY index_ddl COLLATE "C";

-- 17. A write-heavy table (20 INSERTs for 2 reads): an index whose WAL per
-- inserted row would grow by more than advisor_max_wal_increase (10 %) is
-- not recommended, although the reads' saving outweighs the time of the
-- writes (with the budget lifted it is); the write cost is shown.
CREATE TABLE adv_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind int NOT NULL, at int NOT NULL);
INSERT INTO adv_log (kind, at) SELECT g % 100, g FROM generate_series(1, 50000) g;
VACUUM ANALYZE adv_log;
SELECT adv_fresh();
SET pothos_perf.track = 'all';
DO $$ BEGIN FOR i IN 1..20 LOOP INSERT INTO adv_log (kind, at) VALUES (i % 100, i); END LOOP; END $$;
RESET pothos_perf.track;
SELECT count(*) FROM adv_log WHERE kind = 7;
SELECT count(*) FROM adv_log WHERE kind = 8;
SELECT count(*) AS recommendations FROM adv_recs WHERE table_name = 'public.adv_log';
SET pothos_perf.advisor_max_wal_increase = 1000;
SELECT table_name, columns, write_cost > 0 AS write_cost_shown, index_writes AS index_writes,
       wal_increase_pct > 10 AS wal_above_10_pct
  FROM pothos_perf.recommend_indexes() WHERE table_name = 'public.adv_log';
RESET pothos_perf.advisor_max_wal_increase;

DROP VIEW adv_recs;
DROP FUNCTION adv_fresh();
DROP TABLE adv_events, adv_events_ro, adv_items, adv_lists, adv_users, adv_orders, adv_log;

-- metrics() exports how many indexes the last recommend_indexes() call
-- recommended (without re-planning the workload on every scrape).
SELECT count(*) AS last_recs FROM pothos_perf.recommend_indexes(10) \gset
SELECT pothos_perf.metrics() LIKE ('%' || E'\npothos_database_index_recommendations ' || :last_recs || E'\n%') AS metrics_has_recommendations;

-- 18. LIKE 'prefix%' in a database whose collation is not C: a plain btree
-- cannot serve it, text_pattern_ops can. The pattern is a parameter in the
-- stored text: the advice prices it as a prefix search.
SELECT current_database() AS regress_db \gset
CREATE DATABASE adv_utf8 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.utf8';
\c adv_utf8
SET client_min_messages = warning;
CREATE EXTENSION pothos_perf;
RESET client_min_messages;
CREATE TABLE adv_products (id int PRIMARY KEY, name text NOT NULL, price int NOT NULL);
INSERT INTO adv_products SELECT g, 'product ' || g, g % 100 FROM generate_series(1, 20000) g;
ANALYZE adv_products;
SELECT pothos_perf.reset() IS NOT NULL AS reset;
SELECT count(*) FROM adv_products WHERE name LIKE 'product 1234%';
SELECT table_name, columns, index_ddl FROM pothos_perf.recommend_indexes();
\c :regress_db
DROP DATABASE adv_utf8;
