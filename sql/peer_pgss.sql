-- Peer check: the same workload seen by pg_stat_statements and by pothos_perf
-- (with auto_explain and pg_qualstats loaded too, and parallel query on).
-- For every (userid, dbid, queryid, toplevel) both track, calls and rows
-- must be equal.
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pothos_perf;
SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset, pothos_perf.reset() >= 0 AS reset;

CREATE TABLE peer_t (id int PRIMARY KEY, grp int, v text);
INSERT INTO peer_t SELECT g, g % 10, md5(g::text) FROM generate_series(1, 20000) g;
ANALYZE peer_t;
-- parallel aggregate and scan
SELECT grp, count(*) FROM peer_t GROUP BY grp ORDER BY grp;
SELECT count(*) FROM peer_t WHERE v LIKE 'a%';
-- point lookups with different constants
SELECT v FROM peer_t WHERE id = 1;
SELECT v FROM peer_t WHERE id = 2;
SELECT v FROM peer_t WHERE id = 3;
-- writes
UPDATE peer_t SET v = 'x' WHERE grp = 3;
DELETE FROM peer_t WHERE id > 19990;
INSERT INTO peer_t VALUES (30001, 1, 'a'), (30002, 2, 'b');
-- prepared statements
PREPARE peer_p(int) AS SELECT count(*) FROM peer_t WHERE grp = $1;
EXECUTE peer_p(1);
EXECUTE peer_p(2);
EXECUTE peer_p(3);
-- nested statements (tracked by neither at top level)
CREATE FUNCTION peer_f(int) RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM peer_t WHERE grp = $1';
SELECT peer_f(4), peer_f(5);
DO $$ BEGIN PERFORM count(*) FROM peer_t; END $$;
-- utility and COPY
CREATE TABLE peer_c AS SELECT * FROM peer_t WHERE id <= 100;
COPY peer_c TO STDOUT WITH (FORMAT csv, HEADER false) \g /dev/null
VACUUM peer_c;
-- an error
SELECT 1 / (id - id) FROM peer_t WHERE id = 1;
-- a cursor fetched in pieces
BEGIN;
DECLARE peer_cur CURSOR FOR SELECT id FROM peer_t ORDER BY id;
FETCH 5 FROM peer_cur;
FETCH 5 FROM peer_cur;
CLOSE peer_cur;
COMMIT;

-- Compare.
CREATE TEMP TABLE peer_cmp AS
SELECT s.query, s.calls AS pgss_calls, p.calls AS pp_calls, s.rows AS pgss_rows, p.rows AS pp_rows
  FROM pg_stat_statements s
  JOIN pothos_perf.statements p USING (userid, dbid, queryid, toplevel)
 WHERE s.query NOT LIKE '%peer_cmp%' AND s.query NOT LIKE '%pg_stat_statements%';
SELECT count(*) >= 20 AS enough_common_entries FROM peer_cmp;
SELECT query, pgss_calls, pp_calls, pgss_rows, pp_rows FROM peer_cmp
 WHERE pgss_calls <> pp_calls OR pgss_rows <> pp_rows
 ORDER BY query COLLATE "C";
-- Each statement of the workload is known to both, with the same numbers.
SELECT query, pp_calls, pp_rows FROM peer_cmp
 WHERE query LIKE '%peer_%' ORDER BY query COLLATE "C";
-- Statements pg_stat_statements has and we do not (none expected).
SELECT s.query FROM pg_stat_statements s
  LEFT JOIN pothos_perf.statements p USING (userid, dbid, queryid, toplevel)
 WHERE p.queryid IS NULL AND s.query NOT LIKE '%peer_cmp%' AND s.query NOT LIKE '%pg_stat_statements%'
 ORDER BY s.query COLLATE "C";
