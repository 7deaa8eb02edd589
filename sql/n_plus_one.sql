-- N+1 detection: view shape, the kinds of findings, batched rewrites for
-- simple-protocol loops, confirmation, reset, privileges. Units of work are
-- separated by request tags (SET pothos_perf.request_id) so that nothing
-- depends on timing.
CREATE EXTENSION IF NOT EXISTS pothos_perf;
SET pothos_perf.n_plus_one_min_occurrences = 1;
SET pothos_perf.track = 'all';
SET pothos_perf.n_plus_one_idle_gap = '1h';  -- no unit ends by a pause on a slow machine
SELECT pothos_perf.n_plus_one_reset() >= 0 AS reset;

-- View shape (DESIGN.md section 2 columns, plus round trips, siblings and the children).
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'pothos_perf.n_plus_one'::regclass AND attnum > 0
  ORDER BY attnum;

CREATE TABLE np_lists (id int PRIMARY KEY, owner_id int NOT NULL, name text);
CREATE TABLE np_todos (id int PRIMARY KEY, list_id int NOT NULL, title text, created_at int);
CREATE TABLE np_members (list_id int, user_id int, role text, PRIMARY KEY (list_id, user_id));
CREATE TABLE np_users (id int PRIMARY KEY, name text);
CREATE TABLE np_log (user_id int, note text);
INSERT INTO np_users SELECT g, 'u' || g FROM generate_series(1, 20) g;
INSERT INTO np_lists SELECT g, g, 'l' || g FROM generate_series(1, 20) g;
INSERT INTO np_todos SELECT g, g % 20 + 1, 't' || g, g FROM generate_series(1, 200) g;
INSERT INTO np_members SELECT l, u, 'r' FROM generate_series(1, 20) l, generate_series(1, 3) u;

-- has-many loop: todos per list, 6 lists
SET pothos_perf.request_id = 'has-many';
SELECT count(*) FROM (SELECT id FROM np_lists WHERE id <= 6) s;
SELECT id FROM np_lists WHERE id <= 6;
SELECT title FROM np_todos WHERE list_id = 1 ORDER BY created_at;
SELECT title FROM np_todos WHERE list_id = 2 ORDER BY created_at;
SELECT title FROM np_todos WHERE list_id = 3 ORDER BY created_at;
SELECT title FROM np_todos WHERE list_id = 4 ORDER BY created_at;
SELECT title FROM np_todos WHERE list_id = 5 ORDER BY created_at;
SELECT title FROM np_todos WHERE list_id = 6 ORDER BY created_at;

-- belongs-to loop with a second lookup per row (interleaved A B A B) and a
-- LIMIT 1 lookup per key
SET pothos_perf.request_id = 'interleaved';
SELECT id, owner_id FROM np_lists WHERE id BETWEEN 11 AND 15;
SELECT name FROM np_users WHERE id = 11;
SELECT id, title FROM np_todos WHERE list_id = 11 ORDER BY created_at DESC LIMIT 1;
SELECT name FROM np_users WHERE id = 12;
SELECT id, title FROM np_todos WHERE list_id = 12 ORDER BY created_at DESC LIMIT 1;
SELECT name FROM np_users WHERE id = 13;
SELECT id, title FROM np_todos WHERE list_id = 13 ORDER BY created_at DESC LIMIT 1;
SELECT name FROM np_users WHERE id = 14;
SELECT id, title FROM np_todos WHERE list_id = 14 ORDER BY created_at DESC LIMIT 1;
SELECT name FROM np_users WHERE id = 15;
SELECT id, title FROM np_todos WHERE list_id = 15 ORDER BY created_at DESC LIMIT 1;

-- composite key: membership per (list, user)
SET pothos_perf.request_id = 'composite';
SELECT list_id, user_id FROM np_members WHERE list_id IN (7, 8);
SELECT role FROM np_members WHERE list_id = 7 AND user_id = 1;
SELECT role FROM np_members WHERE list_id = 7 AND user_id = 2;
SELECT role FROM np_members WHERE list_id = 7 AND user_id = 3;
SELECT role FROM np_members WHERE list_id = 8 AND user_id = 1;
SELECT role FROM np_members WHERE list_id = 8 AND user_id = 2;
SELECT role FROM np_members WHERE list_id = 8 AND user_id = 3;

-- duplicate query: same parameters again and again
SET pothos_perf.request_id = 'duplicate';
SELECT name FROM np_users WHERE id = 3;
SELECT name FROM np_users WHERE id = 3;
SELECT name FROM np_users WHERE id = 3;
SELECT name FROM np_users WHERE id = 3;
SELECT name FROM np_users WHERE id = 3;

-- row-by-row inserts
SET pothos_perf.request_id = 'row-by-row';
INSERT INTO np_log VALUES (1, 'a');
INSERT INTO np_log VALUES (2, 'b');
INSERT INTO np_log VALUES (3, 'c');
INSERT INTO np_log VALUES (4, 'd');
INSERT INTO np_log VALUES (5, 'e');

-- server-side loop: a function looking up one row per iteration
SET pothos_perf.request_id = 'server-side';
CREATE FUNCTION np_names(n int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text := ''; nm text;
BEGIN
  FOR i IN 1..n LOOP
    SELECT name INTO nm FROM np_users WHERE id = i;
    r := r || nm;
  END LOOP;
  RETURN r;
END $$;
SELECT length(np_names(8)) > 0 AS looped;

-- negatives: batched fetch, chunked IN batches, a single-row load, bulk insert
SET pothos_perf.request_id = 'negatives';
SELECT id FROM np_lists WHERE id <= 10;
SELECT count(*) FROM np_todos WHERE list_id = ANY('{1,2,3,4,5,6,7,8,9,10}'::int[]);
SELECT count(*) FROM np_todos WHERE list_id IN (1, 2);
SELECT count(*) FROM np_todos WHERE list_id IN (3, 4);
SELECT count(*) FROM np_todos WHERE list_id IN (5, 6);
SELECT count(*) FROM np_todos WHERE list_id IN (7, 8);
SELECT count(*) FROM np_todos WHERE list_id IN (9, 10);
SELECT name FROM np_users WHERE id = 1;
SELECT title FROM np_todos WHERE id = 1;
INSERT INTO np_log SELECT g, 'bulk' FROM generate_series(1, 10) g;
INSERT INTO np_log SELECT g, 'bulk' FROM generate_series(1, 10) g;
INSERT INTO np_log SELECT g, 'bulk' FROM generate_series(1, 10) g;
INSERT INTO np_log SELECT g, 'bulk' FROM generate_series(1, 10) g;
INSERT INTO np_log SELECT g, 'bulk' FROM generate_series(1, 10) g;
RESET pothos_perf.request_id;

SELECT kind, parent_query, query, occurrences, total_repeats, max_repeats, distinct_params,
       round_trips_saved, parent_rows, round(repeats_per_parent_row::numeric, 2) AS per_row,
       sibling_lookups, wasted_time_ms >= 0 AS timed,
       first_seen <= last_seen AS seen
  FROM pothos_perf.n_plus_one
 ORDER BY kind COLLATE "C", query COLLATE "C";

SELECT kind, query, suggested_query, suggestion
  FROM pothos_perf.n_plus_one
 ORDER BY kind COLLATE "C", query COLLATE "C";

-- Interleaved lookups (A B A B, two per parent row) are ONE finding: both
-- children listed in order of first execution, each with its batched query,
-- and the round trips saved counting both (2 x (5 - 1)).
SELECT parent_query, sibling_lookups, child_queries, child_total_repeats,
       cardinality(child_queryids) AS ids, child_queryids[1] = queryid AS first_is_queryid,
       cardinality(child_wasted_time_ms) AS times, round_trips_saved, occurrences
  FROM pothos_perf.n_plus_one
 WHERE kind = 'n_plus_one' AND sibling_lookups > 0;
SELECT unnest(child_suggested_queries) AS child_suggested_query
  FROM pothos_perf.n_plus_one
 WHERE kind = 'n_plus_one' AND sibling_lookups > 0;
-- Every other finding lists its one repeated statement.
SELECT kind, count(*) AS findings, bool_and(child_queryids = ARRAY[queryid]) AS one_child,
       bool_and(child_total_repeats = ARRAY[total_repeats]) AS same_repeats
  FROM pothos_perf.n_plus_one
 WHERE sibling_lookups = 0
 GROUP BY kind ORDER BY kind COLLATE "C";

-- Confirmation: with the default (3 units) nothing seen once is listed.
RESET pothos_perf.n_plus_one_min_occurrences;
SELECT count(*) AS confirmed FROM pothos_perf.n_plus_one;
SET pothos_perf.n_plus_one_min_occurrences = 1;

-- Bad settings get clear errors.
SET pothos_perf.n_plus_one_min_repeats = 1;
SET pothos_perf.n_plus_one_idle_gap = -5;

-- Every finding counts at most its child's executions and time; metrics()
-- exports the listed findings and the round trips they would save from
-- n_plus_one_info(), without the view.
SELECT count(*) AS listed_rows, sum(round_trips_saved) AS saved_rows FROM pothos_perf.n_plus_one \gset
SELECT listed = :listed_rows AS listed_matches_view, listed > 0 AS has_listed,
       round_trips_saved = :saved_rows AS saved_matches_view, round_trips_saved > 0 AS has_saved
  FROM pothos_perf.n_plus_one_info();
SELECT count(*) AS over_counted
  FROM pothos_perf.n_plus_one n
  JOIN (SELECT userid, dbid, queryid, sum(calls) AS calls, sum(total_exec_time) AS total_exec_time
          FROM pothos_perf.statements GROUP BY 1, 2, 3) s USING (userid, dbid, queryid)
 WHERE n.total_repeats > s.calls OR n.wasted_time_ms > s.total_exec_time * 1.001 + 0.01;
SELECT pothos_perf.metrics() ~ ('pothos_database_n_plus_one_findings ' || :listed_rows || '\n') AS metric_is_listed;
SELECT pothos_perf.metrics() ~ ('pothos_database_n_plus_one_round_trips_saved ' || :saved_rows || '\n') AS metric_is_saved;

-- Privileges: another role sees no finding of statements it did not record
-- (the findings name tables it may not read), and may not reset.
CREATE ROLE np_reader;
SET ROLE np_reader;
SELECT count(*) AS listed FROM pothos_perf.n_plus_one;
SELECT pothos_perf.n_plus_one_reset();
SELECT window_size > 0 AS has_window, findings > 0 AS has_findings FROM pothos_perf.n_plus_one_info();
RESET ROLE;
DROP ROLE np_reader;

-- Reset forgets findings, including units still in the window.
SELECT pothos_perf.n_plus_one_reset() > 0 AS removed;
SELECT count(*) AS after_reset FROM pothos_perf.n_plus_one;
SELECT findings, evictions FROM pothos_perf.n_plus_one_info();

-- sqlcommenter comments carry the tag (the trace id); their span id changes
-- with every statement, and a comment is not a parameter: five lookups of one
-- key are a duplicate, five lookups of five keys an N+1 (statements without
-- bound parameters are told apart by their text, comments left out).
CREATE TABLE np_c (id int PRIMARY KEY, v text);
INSERT INTO np_c SELECT g, 'v' || g FROM generate_series(1, 10) g;
SELECT id FROM np_c WHERE id <= 5 ORDER BY id /*traceparent='00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000001-01'*/;
SELECT v FROM np_c WHERE id = 7 /*traceparent='00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000002-01'*/;
SELECT v FROM np_c WHERE id = 7 /*traceparent='00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000003-01'*/;
SELECT v FROM np_c WHERE id = 7 /*traceparent='00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000004-01'*/;
SELECT v FROM np_c WHERE id = 7 /*traceparent='00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000005-01'*/;
SELECT v FROM np_c WHERE id = 7 /*traceparent='00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000006-01'*/;
SELECT id FROM np_c WHERE id <= 5 ORDER BY id /*traceparent='00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-0000000000000001-01'*/;
SELECT v FROM np_c WHERE id = 1 /*traceparent='00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-0000000000000002-01'*/;
SELECT v FROM np_c WHERE id = 2 /*traceparent='00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-0000000000000003-01'*/;
SELECT v FROM np_c WHERE id = 3 /*traceparent='00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-0000000000000004-01'*/;
SELECT v FROM np_c WHERE id = 4 /*traceparent='00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-0000000000000005-01'*/;
SELECT v FROM np_c WHERE id = 5 /*traceparent='00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-0000000000000006-01'*/;
SELECT kind, query, total_repeats, distinct_params
  FROM pothos_perf.n_plus_one
 WHERE query LIKE '%np_c%'
 ORDER BY kind COLLATE "C";

-- With bound parameters the text of an execution is searched for a tag only
-- if some parse of the statement may have held one: here the child lookup is
-- first prepared and run without a comment, then prepared again with the
-- comments of two requests whose units interleave. Each request's tag keeps
-- its own unit: two occurrences of five lookups each (with the tags missed,
-- the two requests would be one unit).
SELECT pothos_perf.n_plus_one_reset() >= 0 AS reset;
PREPARE np_child(int) AS SELECT v FROM np_c WHERE id = $1;
EXECUTE np_child(9);
SELECT 1 AS unit_end FROM pg_sleep(0.3);
PREPARE np_parent_c AS SELECT id FROM np_c WHERE id <= 5 ORDER BY id /*traceparent='00-cccccccccccccccccccccccccccccccc-0000000000000001-01'*/;
PREPARE np_child_c(int) AS SELECT v FROM np_c WHERE id = $1 /*traceparent='00-cccccccccccccccccccccccccccccccc-0000000000000002-01'*/;
PREPARE np_parent_d AS SELECT id FROM np_c WHERE id <= 5 ORDER BY id /*traceparent='00-dddddddddddddddddddddddddddddddd-0000000000000001-01'*/;
PREPARE np_child_d(int) AS SELECT v FROM np_c WHERE id = $1 /*traceparent='00-dddddddddddddddddddddddddddddddd-0000000000000002-01'*/;
EXECUTE np_parent_c;
EXECUTE np_parent_d;
EXECUTE np_child_c(1);
EXECUTE np_child_d(1);
EXECUTE np_child_c(2);
EXECUTE np_child_d(2);
EXECUTE np_child_c(3);
EXECUTE np_child_d(3);
EXECUTE np_child_c(4);
EXECUTE np_child_d(4);
EXECUTE np_child_c(5);
EXECUTE np_child_d(5);
SELECT kind, query, occurrences, total_repeats, max_repeats, distinct_params
  FROM pothos_perf.n_plus_one
 WHERE query LIKE '%np_c%'
 ORDER BY kind COLLATE "C";
DEALLOCATE ALL;

-- Top-level statements that read no table, return fewer than min_repeats
-- rows and run no tracked nested statement are neither lookups nor parents,
-- and are left out of the window: of the statements below (the first one
-- included) only the table lookup and the ten-row set-returning SELECT enter
-- it. (The server-side loop above keeps its table-less parent, whose nested
-- lookups entered the window.)
SELECT events AS events_before FROM pothos_perf.n_plus_one_info() \gset
SELECT 1 AS one;
SELECT now() IS NOT NULL AS has_now;
SELECT v FROM np_c WHERE id = 1;
SELECT count(*) AS ten FROM (SELECT generate_series(1, 10)) s;
SELECT generate_series(1, 10) AS g ORDER BY g DESC LIMIT 10;
SELECT events - :events_before AS entered FROM pothos_perf.n_plus_one_info();
DROP TABLE np_c;

-- Provenance: a lookup is a loop iteration of a parent only when its key is
-- a value the parent returned. Keys are compared by value across types:
-- int4 ids looked up as bigint and numeric parameters, varchar codes as
-- text, uuids; keys that repeat (each todo's owner) still make an N+1, with
-- advice to pass the distinct keys; writes keyed by the parent's rows are
-- row_by_row_dml with that parent.
SELECT pothos_perf.n_plus_one_reset() >= 0 AS reset;
CREATE TABLE np_p_users (id bigint PRIMARY KEY, code varchar(8), token uuid, name text);
CREATE TABLE np_p_todos (id int PRIMARY KEY, owner_id int, owner_code varchar(8), owner_token uuid, done bool);
INSERT INTO np_p_users SELECT g, 'c' || g, ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'u' || g
  FROM generate_series(1, 20) g;
INSERT INTO np_p_todos SELECT g, g % 3 + 1, 'c' || (g % 3 + 1), ('00000000-0000-0000-0000-' || lpad((g % 3 + 1)::text, 12, '0'))::uuid, false
  FROM generate_series(1, 30) g;
PREPARE np_todos_of(int) AS SELECT id, owner_id, owner_code, owner_token FROM np_p_todos WHERE id <= $1 ORDER BY id;
PREPARE np_user_num(numeric) AS SELECT name FROM np_p_users WHERE id = $1;
PREPARE np_user_code(text) AS SELECT name FROM np_p_users WHERE code = $1;
PREPARE np_user_token(uuid) AS SELECT name FROM np_p_users WHERE token = $1;
PREPARE np_done(int) AS UPDATE np_p_todos SET done = true WHERE id = $1;
SET pothos_perf.request_id = 'provenance-owners';
EXECUTE np_todos_of(6);
EXECUTE np_user_num(2); EXECUTE np_user_code('c2'); EXECUTE np_user_token('00000000-0000-0000-0000-000000000002');
EXECUTE np_user_num(3); EXECUTE np_user_code('c3'); EXECUTE np_user_token('00000000-0000-0000-0000-000000000003');
EXECUTE np_user_num(1); EXECUTE np_user_code('c1'); EXECUTE np_user_token('00000000-0000-0000-0000-000000000001');
EXECUTE np_user_num(2); EXECUTE np_user_code('c2'); EXECUTE np_user_token('00000000-0000-0000-0000-000000000002');
EXECUTE np_user_num(3); EXECUTE np_user_code('c3'); EXECUTE np_user_token('00000000-0000-0000-0000-000000000003');
EXECUTE np_user_num(1); EXECUTE np_user_code('c1'); EXECUTE np_user_token('00000000-0000-0000-0000-000000000001');
EXECUTE np_done(1); EXECUTE np_done(2); EXECUTE np_done(3); EXECUTE np_done(4); EXECUTE np_done(5);
-- the same lookups, with keys no parent returned: a duplicate and nothing
SET pothos_perf.request_id = 'provenance-none';
EXECUTE np_todos_of(6);
EXECUTE np_user_num(17); EXECUTE np_user_num(17); EXECUTE np_user_num(17); EXECUTE np_user_num(17);
EXECUTE np_user_num(17); EXECUTE np_user_num(17);
EXECUTE np_user_code('c11'); EXECUTE np_user_code('c12'); EXECUTE np_user_code('c13'); EXECUTE np_user_code('c14');
EXECUTE np_user_code('c15'); EXECUTE np_user_code('c16');
RESET pothos_perf.request_id;
SELECT kind, parent_query, query, total_repeats, distinct_params, parent_rows, sibling_lookups, child_total_repeats
  FROM pothos_perf.n_plus_one
 WHERE query LIKE '%np_p_%'
 ORDER BY kind COLLATE "C", query COLLATE "C";
SELECT suggestion ~ 'keys repeat \(at most 3 distinct among up to 6 lookups\)' AS distinct_advice
  FROM pothos_perf.n_plus_one WHERE kind = 'n_plus_one' AND query LIKE '%np_p_users%';

-- A lookup that returned rows is no parent of the lookups after it unless
-- its rows hold their keys: per list, its todos (many rows) and its owner.
-- With rows hashed for no execution (sample rate 0), there is no N+1.
SELECT pothos_perf.n_plus_one_reset() >= 0 AS reset;
SET pothos_perf.request_id = 'provenance-siblings';
SELECT id, owner_id FROM np_lists WHERE id BETWEEN 16 AND 20 ORDER BY id;
SELECT id FROM np_todos WHERE list_id = 16 ORDER BY id;
SELECT name FROM np_users WHERE id = 16;
SELECT id FROM np_todos WHERE list_id = 17 ORDER BY id;
SELECT name FROM np_users WHERE id = 17;
SELECT id FROM np_todos WHERE list_id = 18 ORDER BY id;
SELECT name FROM np_users WHERE id = 18;
SELECT id FROM np_todos WHERE list_id = 19 ORDER BY id;
SELECT name FROM np_users WHERE id = 19;
SELECT id FROM np_todos WHERE list_id = 20 ORDER BY id;
SELECT name FROM np_users WHERE id = 20;
SET pothos_perf.n_plus_one_sample_rate = 0;
SET pothos_perf.request_id = 'provenance-unsampled';
SELECT id, owner_id FROM np_lists WHERE id BETWEEN 16 AND 20 ORDER BY id;
SELECT name FROM np_users WHERE id = 16;
SELECT name FROM np_users WHERE id = 17;
SELECT name FROM np_users WHERE id = 18;
SELECT name FROM np_users WHERE id = 19;
SELECT name FROM np_users WHERE id = 20;
RESET pothos_perf.request_id;
RESET pothos_perf.n_plus_one_sample_rate;
SELECT kind, parent_query, child_queries, child_total_repeats, occurrences
  FROM pothos_perf.n_plus_one
 ORDER BY kind COLLATE "C", query COLLATE "C";
DEALLOCATE ALL;
DROP TABLE np_p_users, np_p_todos;

DROP FUNCTION np_names(int);
DROP TABLE np_lists, np_todos, np_members, np_users, np_log;
