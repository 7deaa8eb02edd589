-- pothos_perf: query analysis.

-- Each function pins its own search_path; the names in the caller's
-- statement are resolved with the caller's, which the last argument carries
-- (its default is evaluated in the caller's context, before the function's
-- SET applies).

CREATE FUNCTION pothos_perf.analyze_query(
    query text,
    search_path text DEFAULT pg_catalog.current_setting('search_path'),
    OUT original_query text,
    OUT optimized_query text,
    OUT improvements text[],
    OUT potential_issues text[],
    OUT performance_gain float8,
    OUT rules text[],
    OUT index_suggestions text[],
    OUT estimated_cost float8,
    OUT estimated_cost_after float8
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_analyze_query'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
SET transaction_read_only = on
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.analyze_query(text, text) IS
  'Parses and plans (never executes) one statement and applies the query rules; performance_gain is the estimated % from planner costs with the suggested B-tree indexes pretended to exist and the rewrite applied. The statement is resolved with search_path (default: the caller''s).';

CREATE FUNCTION pothos_perf.analyze_performance(
    query text,
    allow_writes boolean DEFAULT false,
    search_path text DEFAULT pg_catalog.current_setting('search_path'),
    OUT execution_time float8,
    OUT planning_time float8,
    OUT estimated_cost float8,
    OUT actual_rows float8,
    OUT estimated_rows float8,
    OUT buffer_hits bigint,
    OUT buffer_reads bigint,
    OUT is_optimized boolean,
    OUT recommendations text[],
    OUT execution_plan json,
    OUT rules text[]
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_analyze_performance'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.analyze_performance(text, boolean, text) IS
  'Runs EXPLAIN (ANALYZE, BUFFERS) of one statement in a subtransaction that is rolled back (writes only with allow_writes) and applies the plan rules. The statement is resolved and run with search_path (default: the caller''s).';
