-- Constants become $n; statements differing only in constants share an entry.
SELECT pothos_perf.reset() >= 0 AS reset;

SELECT 1 AS one;
SELECT 2 AS one;
SELECT 'abc'::text AS s, 42 AS n, -7 AS neg, 1.5e3 AS f;
SELECT 'xyz'::text AS s, 43 AS n, -8 AS neg, 2.5e3 AS f;
SELECT relname FROM pg_class WHERE relname IN ('pg_class', 'pg_proc', 'pg_type') ORDER BY 1;
SELECT relname FROM pg_class WHERE relname IN ('pg_am', 'pg_attribute', 'pg_index') ORDER BY 1;
-- A different number of IN-list elements is a different statement.
SELECT relname FROM pg_class WHERE relname IN ('pg_class') ORDER BY 1;
-- Several statements in one query string: each gets its own text.
SELECT 10 AS a, 'm' AS b \; SELECT 20 AS b, 30 AS c, 40 AS d;
-- Existing parameters keep their numbers; constants get the next ones.
PREPARE pp_p(int) AS SELECT $1 + 100 AS x;
EXECUTE pp_p(1);
EXECUTE pp_p(2);
DEALLOCATE pp_p;

-- Request-tag comments (sqlcommenter) are cut from the stored text: the
-- first two share one entry whose text names no request.
SELECT 'a' || 'b' AS tagged /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/;
SELECT 'c' || 'd' AS tagged /*traceparent='00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/;
/*application='todo',request_id='r-1'*/ SELECT now() IS NOT NULL AS tagged_no_constants;
SELECT 7 * 3 AS kept /* an ordinary comment stays */;

SELECT query, calls
  FROM pothos_perf.statements
 WHERE query NOT LIKE '%pothos_perf%'
 ORDER BY query COLLATE "C";

-- Texts are kept once per entry, cut to pothos_perf.max_query_text bytes.
SELECT length(string_agg('x', '')) FROM generate_series(1, 3000) AS long_statement_with_a_long_text
  WHERE 'padding padding padding padding padding padding padding padding padding padding' <> repeat('y', 3000);
SELECT current_setting('pothos_perf.max_query_text') AS max_text,
       max(length(query)) <= 2048 AS within_limit
  FROM pothos_perf.statements;
