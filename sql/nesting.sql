-- track = top counts only what clients send; track = all also what functions
-- run inside, as separate entries with toplevel = false.
SELECT pothos_perf.reset() >= 0 AS reset;

CREATE FUNCTION pp_count(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE c bigint;
BEGIN
  SELECT count(*) INTO c FROM pg_class WHERE relpages >= n;
  RETURN c;
END $$;

SET pothos_perf.track = 'top';
SELECT pp_count(1) >= 0 AS ok;
SELECT pp_count(2) >= 0 AS ok;
SELECT query, calls, errors, toplevel FROM pothos_perf.statements
 WHERE query LIKE '%pp_count%' OR query LIKE '%relpages%'
 ORDER BY query COLLATE "C", toplevel;

SET pothos_perf.track = 'all';
SELECT pp_count(3) >= 0 AS ok;
SELECT pp_count(4) >= 0 AS ok;
SELECT pp_count(5) >= 0 AS ok;
SELECT query, calls, errors, toplevel FROM pothos_perf.statements
 WHERE query LIKE '%pp_count%' OR query LIKE '%relpages%'
 ORDER BY query COLLATE "C", toplevel;

SET pothos_perf.track = 'none';
SELECT pp_count(6) >= 0 AS ok;
RESET pothos_perf.track;
SELECT sum(calls) AS calls_after_none FROM pothos_perf.statements
 WHERE query LIKE 'SELECT pp_count%';

-- Disabled entirely: nothing is recorded.
SET pothos_perf.enabled = off;
SELECT pp_count(7) >= 0 AS ok;
RESET pothos_perf.enabled;
SELECT sum(calls) AS calls_after_disabled FROM pothos_perf.statements
 WHERE query LIKE 'SELECT pp_count%';
