-- health(), introspect_schema() and metrics(): shapes and keys.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pothos_perf;
RESET client_min_messages;

SELECT jsonb_typeof(h) AS type,
       h ->> 'status' IN ('healthy', 'degraded', 'unhealthy') AS status_ok,
       jsonb_typeof(h -> 'reasons') AS reasons,
       (h ->> 'timestamp')::timestamptz IS NOT NULL AS has_timestamp
  FROM pothos_perf.health() h;
SELECT section, array_agg(k ORDER BY k COLLATE "C") AS keys
  FROM pothos_perf.health() h,
       LATERAL (VALUES ('connections'), ('performance'), ('database'), ('replication')) s(section),
       LATERAL jsonb_object_keys(h -> section) k
 GROUP BY section ORDER BY section COLLATE "C";
SELECT (h -> 'connections' ->> 'total')::int >= 1 AS me_counted,
       (h -> 'connections' ->> 'maxConnections')::int = current_setting('max_connections')::int AS max_ok,
       (h -> 'performance' ->> 'totalQueries')::bigint >= 0 AS total_ok,
       (h -> 'performance' ->> 'queriesPerSecond')::float8 >= 0 AS qps_ok,
       (h -> 'database' ->> 'size')::bigint > 0 AS size_ok
  FROM pothos_perf.health() h;
-- A server that is not in recovery, with no standby: role primary, no lag.
SELECT h #>> '{replication,role}' AS role,
       h #> '{replication,standbys}' AS standbys,
       jsonb_typeof(h #> '{replication,replayLagBytes}') AS lag_bytes,
       jsonb_typeof(h #> '{replication,receivedLsn}') AS received
  FROM pothos_perf.health() h;

-- Schema introspection.
CREATE SCHEMA mon_app;
CREATE TABLE mon_app.lists (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE mon_app.todos (
    id bigserial PRIMARY KEY,
    list_id int NOT NULL REFERENCES mon_app.lists (id) ON DELETE CASCADE,
    title text DEFAULT 'untitled',
    done boolean NOT NULL DEFAULT false);
CREATE INDEX todos_open ON mon_app.todos (list_id, done) WHERE NOT done;
SELECT jsonb_pretty(pothos_perf.introspect_schema('mon_app'));
-- The specification's shape: maps keyed by table, column and index name.
SELECT s #>> '{tables,users_x}' IS NULL AS no_such_table,
       s #>> '{tables,todos,columns,title,default}' AS title_default,
       s #> '{tables,todos,columns,list_id,nullable}' AS list_id_nullable,
       s #> '{tables,lists,columns,name,unique}' AS name_unique,
       s #> '{tables,lists,indexes,lists_pkey}' AS lists_pkey,
       (s #> '{tables,lists,relations,0}') - '{name,direction,columns,foreignColumns,onDelete}'::text[] AS relation
  FROM pothos_perf.introspect_schema('mon_app') s;
-- Every user schema: tables outside public keyed with their schema.
SELECT (SELECT count(*) FROM jsonb_object_keys(pothos_perf.introspect_schema() -> 'tables') k
         WHERE k IN ('mon_app.lists', 'mon_app.todos')) AS all_schemas;
SELECT pothos_perf.introspect_schema('mon_nope');
SELECT pothos_perf.introspect_schema(NULL) ->> 'schema' AS null_schema;
SELECT pothos_perf.introspect_schema('') -> 'tables' AS empty_name;
SELECT pothos_perf.introspect_schema(repeat('x', 100000));
SELECT pothos_perf.introspect_schema('mon_app; DROP TABLE mon_app.lists');
SELECT count(*) AS lists_still_there FROM mon_app.lists;

-- Prometheus text: every non-comment line is a sample; the families.
SELECT count(*) FILTER (WHERE l !~ '^(# (HELP|TYPE) [a-z_]+ .*|[a-z_]+(\{[^}]*\})? [-+0-9.eInfNa]+)$') AS bad_lines
  FROM regexp_split_to_table(rtrim(pothos_perf.metrics(), E'\n'), E'\n') l;
SELECT substring(l FROM '^# TYPE ([a-z_]+ [a-z]+)') AS family
  FROM regexp_split_to_table(pothos_perf.metrics(), E'\n') l
 WHERE l LIKE '# TYPE %' ORDER BY substring(l FROM '^# TYPE ([a-z_]+ [a-z]+)') COLLATE "C";
SELECT count(*) > 0 AS labelled
  FROM regexp_split_to_table(pothos_perf.metrics(), E'\n') l
 WHERE l LIKE 'pothos_database_queries_total{operation="select",model="%",status="success"} %';

-- Privileges: a plain role can call health() and introspect_schema();
-- metrics() names every role's tables, so it is for pg_monitor.
CREATE ROLE regress_mon_viewer;
SET ROLE regress_mon_viewer;
SELECT pothos_perf.health() ? 'status' AS health;
SELECT pothos_perf.introspect_schema('mon_app') -> 'tables' -> 'lists' ->> 'name' AS lists_table;
SELECT length(pothos_perf.metrics()) > 0 AS metrics;
RESET ROLE;
GRANT pg_monitor TO regress_mon_viewer;
SET ROLE regress_mon_viewer;
SELECT length(pothos_perf.metrics()) > 0 AS metrics;
RESET ROLE;
DROP ROLE regress_mon_viewer;
DROP SCHEMA mon_app CASCADE;

-- Extreme numbers: every reason written out in full (no stale bytes).
SELECT status, reasons
  FROM pothos_perf._health_eval(1, 1, 0, 0, 100, 1e100, 0, NULL, NULL, 0, 0, 0, NULL);
SELECT status, connections_status, performance_status, database_status, r AS reason
  FROM pothos_perf._health_eval(9223372036854775807, 0, 0, 9223372036854775807, 1, 1.7976931348623157e308,
                                9223372036854775807, -1e308, 9223372036854775807, 9223372036854775807,
                                0, 9223372036854775807, 1e300) e,
       unnest(e.reasons) r;
SELECT status, reasons
  FROM pothos_perf._health_eval(-9223372036854775808, -1, -1, -1, -9223372036854775808, '-Infinity',
                                -9223372036854775808, 'NaN', -9223372036854775808, -1, -1, -1, 'Infinity');
SELECT status, reasons
  FROM pothos_perf._health_eval(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT bool_and(r !~ '[^ -~]') AS printable
  FROM pothos_perf._health_eval(5, 5, 0, 0, 1, 5e-324, 0, 1e-300, 1, 0, 0, 0, 4.9e-324) e, unnest(e.reasons) r;
