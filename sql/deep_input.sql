-- Deeply nested statements: analysed as deep as the server plans them;
-- deeper than its stack allows is the server's own clear error, never XX000.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pothos_perf;
RESET client_min_messages;

CREATE TABLE deep_t (a int PRIMARY KEY, b int);

-- n nested subqueries of one shape.
CREATE FUNCTION deep_scalar(n int) RETURNS text LANGUAGE sql
  AS $$ SELECT 'SELECT ' || repeat('(SELECT ', n) || '1' || repeat(')', n) $$;
CREATE FUNCTION deep_exists(n int) RETURNS text LANGUAGE sql
  AS $$ SELECT 'SELECT a FROM deep_t WHERE ' || repeat('EXISTS (SELECT 1 FROM deep_t WHERE b = 1 AND ', n)
               || 'true' || repeat(')', n) $$;
CREATE FUNCTION deep_in(n int) RETURNS text LANGUAGE sql
  AS $$ SELECT 'SELECT a FROM deep_t WHERE b IN (' || repeat('SELECT b FROM deep_t WHERE b IN (', n)
               || 'SELECT 1' || repeat(')', n) || ')' $$;

SELECT n, shape, q.original_query = f AS same_text, q.estimated_cost > 0 AS costed,
       cardinality(q.rules) >= 0 AS has_rules
  FROM (VALUES (252), (600)) v(n),
       LATERAL (VALUES ('scalar', deep_scalar(n)), ('exists', deep_exists(n)), ('in', deep_in(n))) s(shape, f),
       LATERAL pothos_perf.analyze_query(f) q
 ORDER BY n, shape;

SELECT n, p.estimated_cost > 0 AS costed, p.execution_plan IS NOT NULL AS has_plan
  FROM (VALUES (252), (1500)) v(n), LATERAL pothos_perf.analyze_performance(deep_scalar(n)) p
 ORDER BY n;

SELECT count(*) > 1000 AS plan_lines
  FROM pothos_perf.hypothetical_explain(deep_in(500), ARRAY['CREATE INDEX ON deep_t (b)']);

-- Deeper than the server's stack (or its parser) takes: its own SQLSTATE.
CREATE FUNCTION deep_sqlstate(f text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT 1 FROM %s(%L)', f, q);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN CASE WHEN SQLSTATE IN ('54001', '42601') THEN 'too deep' ELSE SQLSTATE || ': ' || SQLERRM END;
END $$;
SELECT f, deep_sqlstate(f, deep_scalar(20000)) AS scalar, deep_sqlstate(f, deep_exists(20000)) AS exists_
  FROM (VALUES ('pothos_perf.analyze_query'), ('pothos_perf.analyze_performance')) v(f)
 ORDER BY f;

-- The statements themselves, run deep: tracked like any other.
SELECT pothos_perf.reset() >= 0 AS reset;
\set ECHO none
SELECT deep_scalar(1500) \gexec
SELECT deep_exists(600) \gexec
\set ECHO all
SELECT count(*) AS tracked FROM pothos_perf.statements
 WHERE query LIKE 'SELECT (SELECT (SELECT%' OR query LIKE 'SELECT a FROM deep_t WHERE EXISTS (SELECT%';
SELECT length(pothos_perf.metrics()) > 0 AS metrics;

DROP FUNCTION deep_scalar(int), deep_exists(int), deep_in(int), deep_sqlstate(text, text);
DROP TABLE deep_t;
