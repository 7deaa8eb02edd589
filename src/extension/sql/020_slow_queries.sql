-- pothos_perf: slow-query capture.

CREATE FUNCTION pothos_perf.get_slow_queries(
    threshold_ms float8 DEFAULT NULL,
    max_rows int DEFAULT 50,
    include_params boolean DEFAULT false,
    OUT queryid bigint,
    OUT query text,
    OUT duration_ms float8,
    OUT occurred_at timestamptz,
    OUT execution_count bigint,
    OUT average_duration_ms float8,
    OUT recommendations text[],
    OUT plan text,
    OUT params text,
    OUT userid oid,
    OUT dbid oid,
    OUT rows bigint,
    OUT application_name text
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pothos_perf_get_slow_queries'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.get_slow_queries(float8, int, boolean) IS
  'Recent slow executions aggregated per fingerprint, slowest first: duration_ms is the slowest, occurred_at the latest; plan, params, rows of the slowest.';

CREATE VIEW pothos_perf.slow_queries AS
  SELECT * FROM pothos_perf.get_slow_queries();

COMMENT ON VIEW pothos_perf.slow_queries IS
  'Recent executions at or above pothos_perf.slow_query_threshold, per fingerprint (without parameter values).';

CREATE FUNCTION pothos_perf.slow_queries_reset()
RETURNS bigint
AS 'MODULE_PATHNAME', 'pothos_perf_slow_queries_reset'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.slow_queries_reset() IS
  'Forgets the recorded slow executions; returns how many were held.';

REVOKE ALL ON FUNCTION pothos_perf.slow_queries_reset() FROM PUBLIC;

GRANT SELECT ON pothos_perf.slow_queries TO PUBLIC;
