-- Trust: every function pins search_path (the three that plan the caller's
-- own statement take the caller's path as an argument and resolve only that
-- statement with it); hijacking functions and operators in the caller's path
-- are never called by internal queries;
-- recorded statements are re-planned as the role that recorded them, in a
-- read-only security-restricted operation; a role sees figures only for
-- relations it may read; statements handed to the analysis functions run
-- read-only unless writes are allowed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pothos_perf;
RESET client_min_messages;
SET max_parallel_workers_per_gather = 0;

-- 1. Every function of the extension pins search_path.
SELECT p.proname, p.proconfig
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'pothos_perf'
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
 ORDER BY p.proname COLLATE "C";

-- 2. Hijacks: exact-match functions and operators in public, searched before
--    pg_catalog, each logging its call.
CREATE TABLE sec_hijack_log (fn text);
CREATE FUNCTION sec_log(fn text) RETURNS boolean LANGUAGE sql AS
  $$ INSERT INTO public.sec_hijack_log VALUES (fn) RETURNING true $$;
CREATE FUNCTION public.to_jsonb(text[]) RETURNS jsonb LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('to_jsonb') THEN '"hijacked"'::jsonb END $$;
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('current_setting') THEN '1' END $$;
CREATE FUNCTION public.pg_database_size(name) RETURNS bigint LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('pg_database_size') THEN 1::bigint END $$;
CREATE FUNCTION public.round(numeric, integer) RETURNS numeric LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('round') THEN 0::numeric END $$;
CREATE FUNCTION public.format_type(oid, integer) RETURNS text LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('format_type') THEN 'hijacked' END $$;
CREATE FUNCTION public.quote_ident(text) RETURNS text LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('quote_ident') THEN 'hijacked' END $$;
CREATE FUNCTION public.octet_length(text) RETURNS integer LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('octet_length') THEN 0 END $$;
CREATE FUNCTION public.pg_get_indexdef(oid, integer, boolean) RETURNS text LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('pg_get_indexdef') THEN 'hijacked' END $$;
CREATE FUNCTION public.pg_relation_size(oid) RETURNS bigint LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('pg_relation_size') THEN 0::bigint END $$;
CREATE FUNCTION public.generate_series(integer, smallint) RETURNS SETOF integer LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('generate_series') THEN 1 END $$;
CREATE FUNCTION public.sec_cat(text, oid) RETURNS text LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('text || oid') THEN 'hijacked' END $$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = oid, FUNCTION = public.sec_cat);
CREATE FUNCTION public.sec_oideq(oid, oid) RETURNS boolean LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('oid = oid') THEN $1 OPERATOR(pg_catalog.=) $2 END $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.sec_oideq);
CREATE FUNCTION public.sec_inc(bigint) RETURNS bigint LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('count(*)') THEN $1 OPERATOR(pg_catalog.+) 1 END $$;
CREATE AGGREGATE public.count(*) (SFUNC = public.sec_inc, STYPE = bigint, INITCOND = '0');
-- (The comparison a hypothetical partial index's predicate is made of.)
CREATE FUNCTION public.sec_int4gt(integer, integer) RETURNS boolean LANGUAGE sql AS
  $$ SELECT CASE WHEN public.sec_log('int > int') THEN $1 OPERATOR(pg_catalog.>) $2 END $$;
CREATE OPERATOR public.> (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.sec_int4gt);

CREATE TABLE sec_t (a int, b int, c int);
INSERT INTO sec_t SELECT g, g % 10, g FROM generate_series(1, 1000) g;
CREATE INDEX sec_t_a ON sec_t (a);
CREATE INDEX sec_t_ab ON sec_t (a, b);
ANALYZE sec_t;

SET search_path = public, pg_catalog;
-- They do win for an ordinary query on this search_path.
SELECT to_jsonb(ARRAY['x']) AS plain_query, count(*) AS plain_count FROM (VALUES (1)) v;
SELECT fn, pg_catalog.count(*) AS calls FROM sec_hijack_log GROUP BY fn ORDER BY fn COLLATE "C";
TRUNCATE sec_hijack_log;

-- The extension's functions call none of them.
SELECT pothos_perf.health() ? 'status' AS health;
SELECT pothos_perf.introspect_schema('public') -> 'tables' IS NOT NULL AS introspect;
SELECT pothos_perf.metrics() LIKE '%pothos_database_%' AS metrics;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 2 AS redundant FROM pothos_perf.redundant_indexes();
SELECT (pothos_perf.analyze_query('SELECT b FROM sec_t WHERE c IS NULL')).original_query IS NOT NULL AS analyze_query;
SELECT (pothos_perf.analyze_performance('SELECT b FROM sec_t WHERE c IS NULL')).estimated_cost OPERATOR(pg_catalog.>) 0
       AS analyze_performance;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS hypothetical
  FROM pothos_perf.hypothetical_explain('SELECT b FROM sec_t WHERE c IS NULL',
                                        ARRAY['CREATE INDEX ON sec_t (c) WHERE c IS NULL']);
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0 AS recommendations FROM pothos_perf.index_recommendations;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0 AS findings FROM pothos_perf.n_plus_one;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0 AS statements FROM pothos_perf.statements;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>=) 0 AS slow FROM pothos_perf.slow_queries;
SELECT pg_catalog.count(*) AS hijack_calls FROM sec_hijack_log;
-- The three that take the caller's statement resolve it with the caller's
-- path (sec_t is reachable only through it) and nothing else: the partial
-- index's predicate is pg_catalog's >, which the statement's OPERATOR(...)
-- implies, so the plan uses the pretended index.
SELECT original_query, index_suggestions
  FROM pothos_perf.analyze_query('SELECT b FROM sec_t WHERE c OPERATOR(pg_catalog.>) 900');
SELECT actual_rows, estimated_rows OPERATOR(pg_catalog.>) 0 AS estimated
  FROM pothos_perf.analyze_performance('SELECT b FROM sec_t WHERE c OPERATOR(pg_catalog.>) 900');
SET enable_seqscan = off;
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS uses_hypothetical
  FROM pothos_perf.hypothetical_explain('SELECT b FROM sec_t WHERE c OPERATOR(pg_catalog.>) 900',
                                        ARRAY['CREATE INDEX sec_hypo_c ON sec_t (c) WHERE c > 500'])
 WHERE "QUERY PLAN" LIKE '%sec_hypo_c%';
RESET enable_seqscan;
SELECT pg_catalog.count(*) AS hijack_calls FROM sec_hijack_log;
RESET search_path;
DROP OPERATOR public.> (integer, integer);
DROP AGGREGATE public.count(*);
DROP OPERATOR public.= (oid, oid);
DROP OPERATOR public.|| (text, oid);

-- 2b. The caller's search_path: the default argument is the caller's (it is
--     evaluated before the function's own SET applies), an explicit one is
--     used instead, NULL or a malformed one is refused.
CREATE SCHEMA sec_sch;
CREATE TABLE sec_sch.sec_only (x int);
INSERT INTO sec_sch.sec_only VALUES (1), (2), (3);
SET search_path = sec_sch;
SELECT original_query FROM pothos_perf.analyze_query('SELECT x FROM sec_only');
SELECT actual_rows FROM pothos_perf.analyze_performance('SELECT x FROM sec_only');
SELECT pg_catalog.count(*) > 0 AS planned FROM pothos_perf.hypothetical_explain('SELECT x FROM sec_only', '{}');
RESET search_path;
SELECT original_query FROM pothos_perf.analyze_query('SELECT x FROM sec_only');
SELECT original_query FROM pothos_perf.analyze_query('SELECT x FROM sec_only', search_path => 'sec_sch');
SELECT actual_rows FROM pothos_perf.analyze_performance('SELECT x FROM sec_only WHERE x > 1', search_path => 'sec_sch');
SET enable_seqscan = off;
SELECT count(*) > 0 AS uses_hypothetical
  FROM pothos_perf.hypothetical_explain('SELECT x FROM sec_only WHERE x = 2',
                                        ARRAY['CREATE INDEX sec_only_x ON sec_only (x)'], search_path => 'sec_sch')
 WHERE "QUERY PLAN" LIKE '%sec_only_x%';
RESET enable_seqscan;
-- The index's table is the caller's to name, in the caller's path too.
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', ARRAY['CREATE INDEX ON sec_only (x)']);
-- The caller's SQL function, parsed when the planner inlines it or when it
-- runs, sees the caller's path as well.
SET check_function_bodies = off;
CREATE FUNCTION sec_sch.sec_count_only() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT count(*) FROM sec_only $$;
RESET check_function_bodies;
SELECT original_query FROM pothos_perf.analyze_query('SELECT sec_count_only()', search_path => 'sec_sch');
SELECT actual_rows FROM pothos_perf.analyze_performance('SELECT sec_count_only()', search_path => 'sec_sch');
SELECT count(*) > 0 AS planned
  FROM pothos_perf.hypothetical_explain('SELECT sec_count_only()', '{}', search_path => 'sec_sch');
-- NULL and malformed paths.
SELECT * FROM pothos_perf.analyze_query('SELECT 1', NULL);
SELECT * FROM pothos_perf.analyze_performance('SELECT 1', false, NULL);
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', '{}', NULL);
SELECT * FROM pothos_perf.analyze_query('SELECT 1', '"sec_sch');
SELECT * FROM pothos_perf.analyze_performance('SELECT 1', search_path => 'a b');
SELECT * FROM pothos_perf.hypothetical_explain('SELECT 1', '{}', ',');
DO $$
BEGIN
  PERFORM pothos_perf.analyze_query('SELECT 1', NULL);
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'invalid_parameter_value: %', SQLERRM;
END $$;
-- An empty path is a path: nothing of the caller's resolves.
SELECT * FROM pothos_perf.analyze_query('SELECT b FROM sec_t', '');
-- A NULL query or index_ddl still gives no rows from hypothetical_explain.
SELECT count(*) AS null_query FROM pothos_perf.hypothetical_explain(NULL, '{}');
SELECT count(*) AS null_ddl FROM pothos_perf.hypothetical_explain('SELECT 1', NULL);
DROP SCHEMA sec_sch CASCADE;

-- 3. Re-planning runs other roles' code as that role. A role's IMMUTABLE
--    function, evaluated when the statement is planned, refuses to run as
--    anyone else: the advice for her statement exists only because it was
--    planned as her, and a caller who may not act as her gets none.
CREATE ROLE regress_mallory;
CREATE SCHEMA sec_msch AUTHORIZATION regress_mallory;
CREATE TABLE sec_pub (id int, a int);
INSERT INTO sec_pub SELECT g, g FROM generate_series(1, 20000) g;
ANALYZE sec_pub;
GRANT SELECT ON sec_pub TO regress_mallory;
SET ROLE regress_mallory;
CREATE FUNCTION sec_msch.f() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  IF current_user <> 'regress_mallory' THEN
    RAISE EXCEPTION 'f() ran as %', current_user;
  END IF;
  RETURN 4242;
END $$;
RESET ROLE;
SELECT pothos_perf.advisor_reset();
SELECT pothos_perf.reset() >= 0 AS reset;
SET pothos_perf.advisor_sample_rate = 1;
SET ROLE regress_mallory;
SELECT count(*) FROM sec_pub WHERE a = sec_msch.f();
SELECT count(*) FROM sec_pub WHERE a = sec_msch.f();
RESET ROLE;
RESET pothos_perf.advisor_sample_rate;
SELECT table_name, columns FROM pothos_perf.index_recommendations WHERE table_name = 'public.sec_pub';
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_mallory';
CREATE ROLE regress_other;
GRANT SELECT ON sec_pub TO regress_other;
SET ROLE regress_other;
SELECT count(*) AS recommendations FROM pothos_perf.index_recommendations;
RESET ROLE;

-- 4. Per-table figures only for relations the caller may read.
SET ROLE regress_other;
SELECT count(*) AS redundant_without_select FROM pothos_perf.redundant_indexes() WHERE table_name = 'public.sec_t';
RESET ROLE;
GRANT SELECT ON sec_t TO regress_other;
SET ROLE regress_other;
SELECT count(*) AS redundant_with_select FROM pothos_perf.redundant_indexes() WHERE table_name = 'public.sec_t';
SELECT pothos_perf.metrics();
RESET ROLE;

-- 5. Read-only means read-only: without allow_writes, locking clauses (also
--    in a subquery) and functions that write fail as in a READ ONLY
--    transaction; with it they run and are rolled back. analyze_query and
--    hypothetical_explain never write, even from a function the planner
--    folds.
CREATE TABLE sec_w (x int);
CREATE FUNCTION sec_writer() RETURNS int LANGUAGE sql AS $$ INSERT INTO public.sec_w VALUES (1) RETURNING x $$;
-- (Mislabelled IMMUTABLE: the planner folds it, and what it calls writes.)
CREATE FUNCTION sec_folded_writer() RETURNS int IMMUTABLE LANGUAGE plpgsql AS
  $$ BEGIN RETURN public.sec_writer() + 1; END $$;
SELECT * FROM pothos_perf.analyze_performance('SELECT * FROM (SELECT * FROM sec_t FOR UPDATE) s');
SELECT * FROM pothos_perf.analyze_performance('SELECT sec_writer()');
SELECT (pothos_perf.analyze_performance('SELECT sec_writer()', allow_writes => true)).actual_rows;
SELECT * FROM pothos_perf.analyze_query('SELECT a FROM sec_t WHERE a = sec_folded_writer()');
SELECT count(*) FROM pothos_perf.hypothetical_explain('SELECT a FROM sec_t WHERE a = sec_folded_writer()', '{}');
SELECT count(*) AS rows_written FROM sec_w;
-- The state ends with the call.
INSERT INTO sec_w VALUES (3);
SELECT count(*) AS rows_written FROM sec_w;

DROP TABLE sec_pub, sec_t, sec_w, sec_hijack_log;
DROP FUNCTION sec_writer(), sec_folded_writer(), sec_log(text), public.to_jsonb(text[]),
  public.current_setting(text), public.pg_database_size(name), public.round(numeric, integer),
  public.format_type(oid, integer), public.quote_ident(text), public.octet_length(text),
  public.pg_get_indexdef(oid, integer, boolean), public.pg_relation_size(oid),
  public.generate_series(integer, smallint), public.sec_cat(text, oid), public.sec_oideq(oid, oid),
  public.sec_inc(bigint), public.sec_int4gt(integer, integer);
DROP SCHEMA sec_msch CASCADE;
DROP ROLE regress_mallory, regress_other;
