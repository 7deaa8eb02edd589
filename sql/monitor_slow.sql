-- Slow-query capture: the ring, its view and function, parameters only on
-- request and only for those allowed, privileges.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pothos_perf;
RESET client_min_messages;
SELECT pothos_perf.slow_queries_reset() >= 0 AS reset;
CREATE TABLE mon_big AS SELECT g AS id, g % 100 AS k FROM generate_series(1, 20000) g;
ANALYZE mon_big;

-- Below the threshold (1 s by default) nothing is recorded.
SELECT count(*) FROM mon_big WHERE id = 1;
SELECT count(*) AS held FROM pothos_perf.slow_queries WHERE query LIKE '%mon_big%';

-- Threshold 0 captures every execution.
SET pothos_perf.slow_query_threshold = 0;
SELECT count(*) FROM mon_big WHERE id = 7;
SELECT count(*) FROM mon_big WHERE id = 8;
PREPARE mon_p(int) AS SELECT k FROM mon_big WHERE id = $1;
EXECUTE mon_p(5);
SET pothos_perf.capture_params = on;
EXECUTE mon_p(6);
RESET pothos_perf.capture_params;
SET pothos_perf.capture_plans = off;
SELECT k FROM mon_big WHERE id = 9 AND k = 9;
RESET pothos_perf.capture_plans;
RESET pothos_perf.slow_query_threshold;

SELECT query, execution_count, duration_ms >= average_duration_ms AS max_ge_avg,
       occurred_at IS NOT NULL AS has_time, rows, plan IS NOT NULL AS has_plan,
       cardinality(recommendations) AS recs,
       recommendations[1] LIKE 'Sequential scan on public.mon_big reads about%' AS index_advice,
       params
  FROM pothos_perf.get_slow_queries(include_params => true)
 WHERE query LIKE '%mon_big%'
 ORDER BY query COLLATE "C";
-- The view never shows parameter values.
SELECT count(*) FILTER (WHERE params IS NOT NULL) AS with_params, count(*) > 0 AS rows
  FROM pothos_perf.slow_queries WHERE query LIKE '%mon_big%';
-- The plan is the EXPLAIN of the executed plan.
SELECT plan LIKE 'Aggregate%Seq Scan on mon_big%' AS plan_text
  FROM pothos_perf.slow_queries WHERE query = 'SELECT count(*) FROM mon_big WHERE id = $1';

-- Arguments: a threshold above every duration, a row limit, NULLs, bad values.
SELECT count(*) FROM pothos_perf.get_slow_queries(threshold_ms => 1e9);
SELECT count(*) FROM pothos_perf.get_slow_queries(max_rows => 1);
SELECT count(*) > 0 AS defaults FROM pothos_perf.get_slow_queries(NULL, NULL, NULL);
SELECT count(*) FROM pothos_perf.get_slow_queries(max_rows => 0);
SELECT * FROM pothos_perf.get_slow_queries(max_rows => -1);
SELECT * FROM pothos_perf.get_slow_queries(threshold_ms => 'NaN');

-- Columns of the view.
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'pothos_perf.slow_queries'::regclass AND attnum > 0
 ORDER BY attnum;

-- Privileges: another role sees its own statements; other roles' texts,
-- plans and parameters stay hidden; capture_params and reset are not for it.
CREATE ROLE regress_mon_user;
GRANT SELECT ON mon_big TO regress_mon_user;
SET pothos_perf.slow_query_threshold = 0;
SET pothos_perf.capture_params = on;
SET ROLE regress_mon_user;
PREPARE mon_q(int) AS SELECT k FROM mon_big WHERE id = $1;
EXECUTE mon_q(42);
SELECT query, params, plan IS NOT NULL AS has_plan
  FROM pothos_perf.get_slow_queries(include_params => true)
 WHERE query LIKE '%mon_big%'
 ORDER BY query COLLATE "C";
SELECT count(*) > 0 AS others_hidden,
       bool_and(queryid IS NULL AND plan IS NULL AND params IS NULL AND recommendations IS NULL) AS all_hidden
  FROM pothos_perf.get_slow_queries(include_params => true)
 WHERE query = '<insufficient privilege>';
SET pothos_perf.capture_params = off;
SELECT pothos_perf.slow_queries_reset();
RESET ROLE;
RESET pothos_perf.capture_params;
RESET pothos_perf.slow_query_threshold;
-- The superuser sees the role's parameters when asking for them.
SELECT r.rolname, s.params
  FROM pothos_perf.get_slow_queries(include_params => true) s JOIN pg_roles r ON r.oid = s.userid
 WHERE s.query LIKE 'PREPARE mon_q%';

SELECT pothos_perf.slow_queries_reset() > 0 AS reset;
SELECT count(*) AS after_reset FROM pothos_perf.slow_queries;
DROP OWNED BY regress_mon_user;
DROP ROLE regress_mon_user;
DROP TABLE mon_big;
