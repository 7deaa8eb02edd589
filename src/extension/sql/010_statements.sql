-- pothos_perf: statement statistics (the foundation).
\echo Use "CREATE EXTENSION pothos_perf" to load this file. \quit

GRANT USAGE ON SCHEMA pothos_perf TO PUBLIC;

CREATE FUNCTION pothos_perf.get_statements(
    showtext boolean DEFAULT true,
    OUT userid oid,
    OUT dbid oid,
    OUT toplevel boolean,
    OUT queryid bigint,
    OUT query text,
    OUT calls bigint,
    OUT errors bigint,
    OUT total_exec_time float8,
    OUT min_exec_time float8,
    OUT max_exec_time float8,
    OUT mean_exec_time float8,
    OUT stddev_exec_time float8,
    OUT p50_exec_time float8,
    OUT p95_exec_time float8,
    OUT p99_exec_time float8,
    OUT plans bigint,
    OUT total_plan_time float8,
    OUT min_plan_time float8,
    OUT max_plan_time float8,
    OUT mean_plan_time float8,
    OUT stddev_plan_time float8,
    OUT rows bigint,
    OUT shared_blks_hit bigint,
    OUT shared_blks_read bigint,
    OUT shared_blks_dirtied bigint,
    OUT shared_blks_written bigint,
    OUT local_blks_hit bigint,
    OUT local_blks_read bigint,
    OUT local_blks_dirtied bigint,
    OUT local_blks_written bigint,
    OUT temp_blks_read bigint,
    OUT temp_blks_written bigint,
    OUT blk_read_time float8,
    OUT blk_write_time float8,
    OUT wal_records bigint,
    OUT wal_fpi bigint,
    OUT wal_bytes numeric,
    OUT slow_calls bigint,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pothos_perf_statements'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.get_statements(boolean) IS
  'Per-fingerprint statement statistics; showtext => false skips the query texts.';

CREATE VIEW pothos_perf.statements AS
  SELECT * FROM pothos_perf.get_statements(true);

COMMENT ON VIEW pothos_perf.statements IS
  'Per-fingerprint statement statistics with latency percentiles (times in milliseconds).';

CREATE FUNCTION pothos_perf.get_statements_info(
    OUT max bigint,
    OUT entries bigint,
    OUT dealloc bigint,
    OUT stats_reset timestamptz
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_statements_info'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE VIEW pothos_perf.statements_info AS
  SELECT * FROM pothos_perf.get_statements_info();

CREATE FUNCTION pothos_perf.reset(
    userid oid DEFAULT 0,
    dbid oid DEFAULT 0,
    queryid bigint DEFAULT 0
)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pothos_perf_reset'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.reset(oid, oid, bigint) IS
  'Removes the statistics of matching statements (0 matches any); returns how many entries were removed.';

REVOKE ALL ON FUNCTION pothos_perf.reset(oid, oid, bigint) FROM PUBLIC;

GRANT SELECT ON pothos_perf.statements, pothos_perf.statements_info TO PUBLIC;
