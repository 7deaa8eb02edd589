-- pothos_perf: query analysis.

CREATE FUNCTION pothos_perf.analyze_query(
    query text,
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
SET transaction_read_only = on;

COMMENT ON FUNCTION pothos_perf.analyze_query(text) IS
  'Parses and plans (never executes) one statement and applies the query rules; performance_gain is the estimated % from planner costs with the suggested B-tree indexes pretended to exist and the rewrite applied.';

CREATE FUNCTION pothos_perf.analyze_performance(
    query text,
    allow_writes boolean DEFAULT false,
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
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION pothos_perf.analyze_performance(text, boolean) IS
  'Runs EXPLAIN (ANALYZE, BUFFERS) of one statement in a subtransaction that is rolled back (writes only with allow_writes) and applies the plan rules.';
