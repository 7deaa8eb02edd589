-- pothos_perf: the index advisor (hypothetical indexes, recommendations).

-- The statement and the tables index_ddl names are resolved with the
-- caller's search_path (the last argument; its default is evaluated in the
-- caller's context); everything else with the pinned one. Not STRICT, so
-- that a NULL search_path is an error: a NULL query or index_ddl gives no
-- rows, as before.
CREATE FUNCTION pothos_perf.hypothetical_explain(
    query text,
    index_ddl text[],
    search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS TABLE ("QUERY PLAN" text)
AS 'MODULE_PATHNAME', 'pothos_perf_hypothetical_explain'
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET transaction_read_only = on
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.hypothetical_explain(text, text[], text) IS
  'EXPLAIN of one statement planned as if the CREATE INDEX statements in index_ddl had run (nothing is created or executed). The statement and the tables of index_ddl are resolved with search_path (default: the caller''s).';

CREATE FUNCTION pothos_perf.recommend_indexes(
    min_improvement_pct float8 DEFAULT 10,
    OUT table_name text,
    OUT columns text[],
    OUT index_ddl text,
    OUT estimated_size_bytes bigint,
    OUT cost_before float8,
    OUT cost_after float8,
    OUT improvement_pct float8,
    OUT affected_queries integer,
    OUT queryids bigint[],
    OUT reason text,
    OUT write_cost float8,
    OUT saved_ms float8,
    OUT index_writes float8,
    OUT wal_increase_pct float8,
    OUT note text
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pothos_perf_recommend_indexes'
LANGUAGE C CALLED ON NULL INPUT VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.recommend_indexes(float8) IS
  'Indexes for this database''s workload (every statement of the store, sampled or not), checked by re-planning its statements with hypothetical indexes; a set chosen by time saved per byte net of the time its writes cost. On a standby, note says to run index_ddl on the primary (NULL on a primary).';

CREATE VIEW pothos_perf.index_recommendations AS
  SELECT * FROM pothos_perf.recommend_indexes(
      current_setting('pothos_perf.advisor_min_improvement')::float8);

COMMENT ON VIEW pothos_perf.index_recommendations IS
  'recommend_indexes() with pothos_perf.advisor_min_improvement.';

CREATE FUNCTION pothos_perf.get_advisor_predicates(
    OUT queryid bigint,
    OUT relid oid,
    OUT column_name text,
    OUT kind text,
    OUT sort_position integer,
    OUT descending boolean,
    OUT samples bigint,
    OUT rows_returned float8,
    OUT rows_filtered float8
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pothos_perf_advisor_predicates'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE VIEW pothos_perf.advisor_predicates AS
  SELECT * FROM pothos_perf.get_advisor_predicates();

COMMENT ON VIEW pothos_perf.advisor_predicates IS
  'Column uses the index advisor collected in this database (sampled executions): filters, join keys, ORDER BY ... LIMIT columns.';

CREATE FUNCTION pothos_perf.advisor_info(
    OUT max bigint,
    OUT entries bigint,
    OUT evictions bigint,
    OUT updates bigint
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_advisor_info'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION pothos_perf.advisor_reset(all_databases boolean DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'pothos_perf_advisor_reset'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION pothos_perf.advisor_reset(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION pothos_perf.get_advisor_predicates() FROM PUBLIC;
REVOKE ALL ON pothos_perf.advisor_predicates FROM PUBLIC;
GRANT SELECT ON pothos_perf.index_recommendations TO PUBLIC;

CREATE FUNCTION pothos_perf.redundant_indexes(
    OUT table_name text,
    OUT index_name text,
    OUT columns text[],
    OUT kind text,
    OUT covered_by text,
    OUT scans bigint,
    OUT size_bytes bigint,
    OUT drop_ddl text
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pothos_perf_redundant_indexes'
LANGUAGE C STRICT VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pothos_perf.redundant_indexes() IS
  'Existing indexes that cost writes for nothing: duplicate (same definition as covered_by), prefix (a wider btree, covered_by, serves its lookups), unused (never scanned since the statistics were reset; not unique, not primary key).';
