-- pothos_perf: health, schema introspection and Prometheus metrics.

-- Helpers (C): statement-store totals and the health verdict.
CREATE FUNCTION pothos_perf._performance_numbers(
    OUT total_queries bigint,
    OUT total_exec_time float8,
    OUT slow_queries_last_hour bigint,
    OUT queries_per_second float8
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_performance_numbers'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION pothos_perf._health_eval(
    connections_total bigint,
    connections_active bigint,
    connections_idle bigint,
    connections_idle_in_transaction bigint,
    max_connections bigint,
    average_query_time float8,
    slow_queries_last_hour bigint,
    cache_hit_ratio float8,
    cache_block_accesses bigint,
    deadlocks bigint,
    locks_total bigint,
    locks_waiting bigint,
    longest_transaction_seconds float8,
    OUT status text,
    OUT connections_status text,
    OUT performance_status text,
    OUT database_status text,
    OUT reasons text[]
)
RETURNS record
AS 'MODULE_PATHNAME', 'pothos_perf_health_eval'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION pothos_perf._metrics_text(
    connections_active bigint,
    connections_idle bigint,
    n_plus_one_findings bigint,
    n_plus_one_round_trips_saved bigint
)
RETURNS text
AS 'MODULE_PATHNAME', 'pothos_perf_metrics_text'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

-- PARALLEL RESTRICTED: pg_stat_activity and pg_stat_database are restricted.
CREATE FUNCTION pothos_perf.health()
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
WITH act AS (
    SELECT pg_catalog.count(*) AS total,
           pg_catalog.count(*) FILTER (WHERE state = 'active') AS active,
           pg_catalog.count(*) FILTER (WHERE state = 'idle') AS idle,
           pg_catalog.count(*) FILTER (WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_xact,
           extract(epoch FROM pg_catalog.max(pg_catalog.clock_timestamp() - xact_start))::float8 AS longest_xact
      FROM pg_catalog.pg_stat_activity
     WHERE backend_type = 'client backend'),
db AS (
    SELECT numbackends, deadlocks, blks_hit, blks_read
      FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database()),
lk AS (
    SELECT pg_catalog.count(*) AS total, pg_catalog.count(*) FILTER (WHERE NOT granted) AS waiting FROM pg_catalog.pg_locks),
perf AS (
    SELECT total_queries, slow_queries_last_hour, queries_per_second,
           CASE WHEN total_queries > 0 THEN total_exec_time / total_queries ELSE 0 END AS avg_ms
      FROM pothos_perf._performance_numbers()),
mc AS (
    SELECT pg_catalog.current_setting('max_connections')::bigint AS max,
           pg_catalog.current_setting('max_connections')::bigint
             - pg_catalog.current_setting('superuser_reserved_connections')::bigint AS usable),
-- Replication: this server's role; on a standby, how far its replay is
-- behind what it received (bytes) and how old the last transaction it
-- replayed is while it is behind (seconds; 0 once it has replayed all it
-- received); on either, the standbys streaming from it with their replay lag.
-- pg_stat_replication shows a standby's details only to roles with
-- pg_read_all_stats: the others see its name, every other field NULL.
rep AS (
    SELECT pg_catalog.pg_is_in_recovery() AS standby,
           pg_catalog.pg_last_wal_receive_lsn() AS received,
           pg_catalog.pg_last_wal_replay_lsn() AS replayed,
           pg_catalog.pg_last_xact_replay_timestamp() AS replayed_at),
rep_standbys AS (
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'name', r.application_name,
               'clientAddr', r.client_addr,
               'state', r.state,
               'syncState', r.sync_state,
               'replayLsn', r.replay_lsn,
               'replayLagBytes', pg_catalog.pg_wal_lsn_diff(
                   CASE WHEN rep.standby THEN rep.replayed ELSE pg_catalog.pg_current_wal_lsn() END, r.replay_lsn),
               'replayLagSeconds', extract(epoch FROM r.replay_lag)::float8)
               ORDER BY r.application_name COLLATE "C", r.pid), '[]'::jsonb) AS list
      FROM rep, pg_catalog.pg_stat_replication r),
ev AS (
    SELECT e.*
      FROM act, db, lk, perf, mc,
           pothos_perf._health_eval(act.total, act.active, act.idle, act.idle_xact, mc.usable,
               perf.avg_ms, perf.slow_queries_last_hour,
               CASE WHEN db.blks_hit + db.blks_read > 0
                    THEN db.blks_hit::float8 / (db.blks_hit + db.blks_read) END,
               db.blks_hit + db.blks_read, db.deadlocks, lk.total, lk.waiting, act.longest_xact) e)
SELECT pg_catalog.jsonb_build_object(
    'status', ev.status,
    'reasons', pg_catalog.to_jsonb(ev.reasons),
    'timestamp', pg_catalog.to_jsonb(pg_catalog.clock_timestamp()),
    'connections', pg_catalog.jsonb_build_object(
        'total', act.total, 'active', act.active, 'idle', act.idle,
        'idleInTransaction', act.idle_xact, 'maxConnections', mc.max,
        'status', ev.connections_status),
    'performance', pg_catalog.jsonb_build_object(
        'averageQueryTime', pg_catalog.round(perf.avg_ms::numeric, 3),
        'slowQueryCount', perf.slow_queries_last_hour,
        'totalQueries', perf.total_queries,
        'queriesPerSecond', pg_catalog.round(perf.queries_per_second::numeric, 3),
        'status', ev.performance_status),
    'database', pg_catalog.jsonb_build_object(
        'name', pg_catalog.current_database(),
        'size', pg_catalog.pg_database_size(pg_catalog.current_database()),
        'sizePretty', pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(pg_catalog.current_database())),
        'connections', db.numbackends,
        'locksCount', lk.total,
        'locksWaiting', lk.waiting,
        'deadlocksCount', db.deadlocks,
        'cacheHitRatio', CASE WHEN db.blks_hit + db.blks_read > 0
                              THEN pg_catalog.round(db.blks_hit::numeric / (db.blks_hit + db.blks_read), 4) END,
        'status', ev.database_status),
    'replication', pg_catalog.jsonb_build_object(
        'role', CASE WHEN rep.standby THEN 'standby' ELSE 'primary' END,
        'receivedLsn', rep.received,
        'replayedLsn', rep.replayed,
        'replayLagBytes', CASE WHEN rep.standby
                               THEN greatest(pg_catalog.pg_wal_lsn_diff(rep.received, rep.replayed), 0) END,
        'replayLagSeconds', CASE WHEN rep.standby THEN
                                 CASE WHEN rep.received IS NOT NULL AND rep.received <= rep.replayed THEN 0
                                      ELSE greatest(extract(epoch FROM
                                               pg_catalog.clock_timestamp() - rep.replayed_at)::float8, 0) END END,
        'lastReplayedAt', rep.replayed_at,
        'standbys', rep_standbys.list))
  FROM act, db, lk, perf, mc, ev, rep, rep_standbys
$$;

COMMENT ON FUNCTION pothos_perf.health() IS
  'Health of the server and this database: status (healthy | degraded | unhealthy) with reasons, connections, performance (statement store, slow executions in the last hour, statements per second over the last minute), database, replication (role primary | standby, replay lag on a standby, the standbys streaming from this server).';

CREATE FUNCTION pothos_perf.introspect_schema(schema text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    wanted text := introspect_schema.schema;
BEGIN
    IF pg_catalog.octet_length(wanted) >= 64 THEN
        RAISE EXCEPTION 'introspect_schema: schema name is too long (% bytes; at most 63)', pg_catalog.octet_length(wanted)
            USING ERRCODE = 'name_too_long';
    END IF;
    IF wanted IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = wanted) THEN
        RAISE EXCEPTION 'introspect_schema: schema "%" does not exist', wanted
            USING ERRCODE = 'invalid_schema_name';
    END IF;
    RETURN (
    WITH rels AS (
        SELECT c.oid, n.nspname, c.relname, c.relkind,
               -- the key of the table in the result: its name, with its
               -- schema unless it is the schema asked for (or public)
               CASE WHEN n.nspname = coalesce(wanted, 'public') THEN c.relname::text
                    ELSE n.nspname || '.' || c.relname END AS key
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm', 'f', 'v')
           AND CASE WHEN wanted IS NULL
                    THEN n.nspname NOT IN ('pg_catalog', 'information_schema', 'pothos_perf')
                         AND n.nspname !~ '^pg_(toast|temp_)'
                    ELSE n.nspname = wanted END),
    fks AS (
        -- each foreign key seen from both of its tables
        SELECT r.oid AS relid, con.conname, con.conrelid = r.oid AS outgoing,
               CASE WHEN con.conrelid = r.oid THEN con.confrelid ELSE con.conrelid END AS other,
               con.conrelid, con.conkey, con.confrelid, con.confkey, con.confdeltype
          FROM rels r
          JOIN pg_catalog.pg_constraint con
            ON con.contype = 'f' AND (con.conrelid = r.oid OR con.confrelid = r.oid))
    SELECT pg_catalog.jsonb_build_object(
        'schema', wanted,
        'tables', coalesce(pg_catalog.jsonb_object_agg(r.key, pg_catalog.jsonb_build_object(
            'schema', r.nspname,
            'name', r.relname,
            'kind', CASE r.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'
                                   WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
                                   ELSE 'view' END,
            'columns', (
                SELECT coalesce(pg_catalog.jsonb_object_agg(a.attname, pg_catalog.jsonb_build_object(
                    'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                    'nullable', NOT a.attnotnull,
                    'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid),
                    'unique', EXISTS (
                        SELECT 1 FROM pg_catalog.pg_index i
                         WHERE i.indrelid = r.oid AND i.indisunique AND i.indnkeyatts = 1
                           AND i.indkey[0] = a.attnum AND i.indpred IS NULL),
                    'position', a.attnum)), '{}'::jsonb)
                  FROM pg_catalog.pg_attribute a
                  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped),
            'indexes', (
                SELECT coalesce(pg_catalog.jsonb_object_agg(ic.relname, pg_catalog.jsonb_build_object(
                    'columns', (SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true) ORDER BY k)
                                  FROM pg_catalog.generate_series(1, i.indnkeyatts::int) k),
                    'unique', i.indisunique,
                    'primary', i.indisprimary,
                    'method', am.amname,
                    'partial', i.indpred IS NOT NULL)), '{}'::jsonb)
                  FROM pg_catalog.pg_index i
                  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
                 WHERE i.indrelid = r.oid),
            -- {table, column, references}: the other table, the referencing
            -- column, the referenced column (the first of each for keys of
            -- several columns; all of them in columns/foreignColumns)
            'relations', (
                SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'table', coalesce(o.key, ocls.nspname || '.' || ocls.relname),
                    'column', fcol.attname,
                    'references', tcol.attname,
                    'name', f.conname,
                    'direction', CASE WHEN f.outgoing THEN 'references' ELSE 'referenced_by' END,
                    'columns', (SELECT pg_catalog.jsonb_agg(a.attname ORDER BY k.i)
                                  FROM pg_catalog.unnest(CASE WHEN f.outgoing THEN f.conkey ELSE f.confkey END)
                                       WITH ORDINALITY k(attnum, i)
                                  JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum),
                    'foreignColumns', (SELECT pg_catalog.jsonb_agg(a.attname ORDER BY k.i)
                                         FROM pg_catalog.unnest(CASE WHEN f.outgoing THEN f.confkey ELSE f.conkey END)
                                              WITH ORDINALITY k(attnum, i)
                                         JOIN pg_catalog.pg_attribute a ON a.attrelid = f.other AND a.attnum = k.attnum),
                    'onDelete', CASE f.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT'
                                    WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END)
                    ORDER BY f.outgoing DESC, f.conname COLLATE "C"), '[]'::jsonb)
                  FROM fks f
                  LEFT JOIN rels o ON o.oid = f.other
                  JOIN (SELECT c2.oid, n2.nspname, c2.relname
                          FROM pg_catalog.pg_class c2
                          JOIN pg_catalog.pg_namespace n2 ON n2.oid = c2.relnamespace) ocls ON ocls.oid = f.other
                  JOIN pg_catalog.pg_attribute fcol ON fcol.attrelid = f.conrelid AND fcol.attnum = f.conkey[1]
                  JOIN pg_catalog.pg_attribute tcol ON tcol.attrelid = f.confrelid AND tcol.attnum = f.confkey[1]
                 WHERE f.relid = r.oid))), '{}'::jsonb))
      FROM rels r);
END
$$;

COMMENT ON FUNCTION pothos_perf.introspect_schema(text) IS
  'Tables (and views) of one schema, or of every user schema, keyed by name: columns keyed by name (type, nullable, default, unique), indexes keyed by name (columns, unique, primary), relations [{table, column, references}] both ways.';

-- PARALLEL RESTRICTED: pg_stat_activity (pg_stat_get_activity) is restricted.
-- The N+1 figures are n_plus_one_info().listed and .round_trips_saved (one
-- pass over the findings table under its lock), not the n_plus_one view, which
-- analyses the whole window and parses every finding's text in a
-- subtransaction (PARALLEL UNSAFE) on each scrape.
CREATE FUNCTION pothos_perf.metrics()
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    active bigint;
    idle bigint;
    findings bigint;
    saved bigint;
BEGIN
    SELECT pg_catalog.count(*) FILTER (WHERE state = 'active'), pg_catalog.count(*) FILTER (WHERE state = 'idle')
      INTO active, idle
      FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend';
    SELECT listed, round_trips_saved INTO findings, saved FROM pothos_perf.n_plus_one_info();
    RETURN pothos_perf._metrics_text(active, idle, findings, saved);
END
$$;

COMMENT ON FUNCTION pothos_perf.metrics() IS
  'The pothos_database_* metrics in the Prometheus text exposition format (0.0.4).';

-- The metrics name tables and count their statements for every role: as the
-- statistics views of pg_monitor, not for PUBLIC.
REVOKE ALL ON FUNCTION pothos_perf.metrics() FROM PUBLIC;
REVOKE ALL ON FUNCTION pothos_perf._metrics_text(bigint, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pothos_perf.metrics() TO pg_monitor;
GRANT EXECUTE ON FUNCTION pothos_perf._metrics_text(bigint, bigint, bigint, bigint) TO pg_monitor;
