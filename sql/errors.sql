-- Statements that end in an error are counted per fingerprint, in planning,
-- execution and utility alike; the nesting level is right afterwards.
SELECT pothos_perf.reset() >= 0 AS reset;

CREATE TABLE pp_err (id int PRIMARY KEY, d int);
INSERT INTO pp_err VALUES (1, 0);
-- execution errors
SELECT 10 / d FROM pp_err WHERE id = 1;
SELECT 10 / d FROM pp_err WHERE id = 1;
SELECT 10 / d FROM pp_err WHERE id = 1;
INSERT INTO pp_err VALUES (1, 5);
INSERT INTO pp_err VALUES (1, 6);
-- utility error
CREATE TABLE pp_err (x int);
-- an error inside a function, caught there: the outer statement succeeds
CREATE FUNCTION pp_safe_div(a int, b int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN a / b;
EXCEPTION WHEN division_by_zero THEN
  RETURN NULL;
END $$;
SELECT pp_safe_div(1, 0) IS NULL AS caught;
-- a success after the errors still counts as a call
SELECT 10 / d FROM pp_err WHERE id = 1 AND d <> 0;

SELECT query, calls, errors FROM pothos_perf.statements
 WHERE query NOT LIKE '%pothos_perf%'
 ORDER BY query COLLATE "C";

-- After all those errors, top-level statements are still seen as top level.
SELECT 'still top' AS probe;
SELECT toplevel FROM pothos_perf.statements WHERE query = 'SELECT $1 AS probe';
