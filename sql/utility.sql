-- Utility statements: tracked when track_utility is on, with the row counts
-- of COPY and CREATE TABLE AS; EXECUTE is charged to the prepared statement.
SELECT pothos_perf.reset() >= 0 AS reset;

CREATE TABLE pp_u (a int);
CREATE TABLE pp_u2 AS SELECT g AS a FROM generate_series(1, 7) g;
COPY pp_u2 TO STDOUT;
PREPARE pp_q(int) AS SELECT count(*) FROM pp_u2 WHERE a > $1;
EXECUTE pp_q(1);
EXECUTE pp_q(5);
EXPLAIN (COSTS OFF) SELECT * FROM pp_u2;
SET work_mem = '8MB';
RESET work_mem;
SET pothos_perf.track_utility = off;
CREATE TABLE pp_untracked (a int);
DROP TABLE pp_untracked;
RESET pothos_perf.track_utility;
DROP TABLE pp_u;

SELECT query, calls, rows FROM pothos_perf.statements
 WHERE query NOT LIKE '%pothos_perf%'
 ORDER BY query COLLATE "C";

-- Every parameter has a one-dot name, which postgresql.auto.conf (like
-- postgresql.conf) accepts: ALTER SYSTEM takes them all.
ALTER SYSTEM SET pothos_perf.n_plus_one_min_repeats = 7;
ALTER SYSTEM RESET pothos_perf.n_plus_one_min_repeats;
ALTER SYSTEM SET pothos_perf.advisor_min_improvement TO DEFAULT;
ALTER SYSTEM RESET pothos_perf.advisor_min_improvement;
ALTER SYSTEM SET pothos_perf.track_planning = on;
ALTER SYSTEM RESET pothos_perf.track_planning;
