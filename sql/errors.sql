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
-- planning errors: constant folding divides by zero, twice at top level and
-- once inside a transaction block after a savepoint (the error aborts the
-- subtransaction, not the transaction)
SELECT d FROM pp_err WHERE d = 7 / 0;
SELECT d FROM pp_err WHERE d = 8 / 0;
BEGIN;
SAVEPOINT s1;
SELECT d FROM pp_err WHERE d = 9 / 0;
ROLLBACK TO SAVEPOINT s1;
COMMIT;
-- an error raised and caught inside a function that planning evaluates
-- (immutable, constant argument): the statement itself succeeds
CREATE FUNCTION pp_fold(b int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
BEGIN
  RETURN 100 / b;
EXCEPTION WHEN division_by_zero THEN
  RETURN -1;
END $$;
SELECT count(*) FROM pp_err WHERE d > pp_fold(0);
-- executor start errors: a role without the privilege to read the table
CREATE ROLE pp_err_reader;
GRANT SELECT ON pothos_perf.statements TO pp_err_reader;
SET ROLE pp_err_reader;
SELECT d FROM pp_err;
SELECT d FROM pp_err;
RESET ROLE;

SELECT query, calls, errors FROM pothos_perf.statements
 WHERE query NOT LIKE '%pothos_perf%'
 ORDER BY query COLLATE "C", errors;

-- After all those errors, top-level statements are still seen as top level.
SELECT 'still top' AS probe;
SELECT toplevel FROM pothos_perf.statements WHERE query = 'SELECT $1 AS probe';
-- and so is a statement that follows an error in planning or executor start
SELECT d FROM pp_err WHERE d = 1 / 0;
SELECT 'after planning error'::text AS probe2, 2 AS two;
SELECT toplevel, calls FROM pothos_perf.statements WHERE query = 'SELECT $1::text AS probe2, $2 AS two';
DROP FUNCTION pp_fold(int);
REVOKE SELECT ON pothos_perf.statements FROM pp_err_reader;
DROP ROLE pp_err_reader;
