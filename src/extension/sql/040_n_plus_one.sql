-- pothos_perf: N+1 detection.

CREATE FUNCTION pothos_perf.get_n_plus_one(
    showtext boolean DEFAULT true,
    OUT kind text,
    OUT userid oid,
    OUT dbid oid,
    OUT parent_queryid bigint,
    OUT parent_query text,
    OUT queryid bigint,
    OUT query text,
    OUT occurrences bigint,
    OUT total_repeats bigint,
    OUT max_repeats bigint,
    OUT distinct_params bigint,
    OUT wasted_time_ms float8,
    OUT round_trips_saved bigint,
    OUT parent_rows bigint,
    OUT repeats_per_parent_row float8,
    OUT sibling_lookups integer,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz,
    OUT suggested_query text,
    OUT suggestion text,
    -- every child of the finding (n_plus_one: the lookups run per row of the
    -- same parent executions, at most 4; element 1 is queryid/query above)
    OUT child_queryids bigint[],
    OUT child_queries text[],
    OUT child_total_repeats bigint[],
    OUT child_wasted_time_ms float8[],
    OUT child_suggested_queries text[]
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pothos_perf_n_plus_one'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE  -- parses texts in subtransactions
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.get_n_plus_one(boolean) IS
  'Confirmed N+1 findings (seen in at least pothos_perf.n_plus_one_min_occurrences units of work).';

CREATE VIEW pothos_perf.n_plus_one AS
  SELECT * FROM pothos_perf.get_n_plus_one(true);

COMMENT ON VIEW pothos_perf.n_plus_one IS
  'Statements repeated per row inside units of work (n_plus_one, duplicate_query, row_by_row_dml, server_side_loop), with their parent query and a batched rewrite; the lookups run per row of the same parent executions are one finding (child_* arrays).';

CREATE FUNCTION pothos_perf.n_plus_one_info(
    OUT window_size bigint,
    OUT events bigint,
    OUT max_findings bigint,
    OUT findings bigint,
    OUT evictions bigint,
    OUT stats_reset timestamptz,
    OUT listed bigint,
    OUT round_trips_saved bigint
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_n_plus_one_info'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE  -- reads shared memory only: no sweep, no parse
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.n_plus_one_info() IS
  'The detection window and the findings table; listed: findings confirmed in min_occurrences units (the rows of n_plus_one, counted without analysing the window first); round_trips_saved: the sum of their round_trips_saved.';

CREATE FUNCTION pothos_perf.n_plus_one_reset()
RETURNS bigint
AS 'MODULE_PATHNAME', 'pothos_perf_n_plus_one_reset'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.n_plus_one_reset() IS
  'Forgets every N+1 finding (and the statements already in the detection window); returns how many were removed.';

REVOKE ALL ON FUNCTION pothos_perf.n_plus_one_reset() FROM PUBLIC;

GRANT SELECT ON pothos_perf.n_plus_one TO PUBLIC;
GRANT EXECUTE ON FUNCTION pothos_perf.n_plus_one_info() TO PUBLIC;
