-- Calls and rows per fingerprint for SELECT, INSERT, UPDATE, DELETE and COPY,
-- the view's shape, and percentiles ordered as they must be.
CREATE EXTENSION pothos_perf;
SELECT pothos_perf.reset() >= 0 AS reset;

CREATE TABLE pp_t (id int PRIMARY KEY, v text);
INSERT INTO pp_t SELECT g, 'v' || g FROM generate_series(1, 10) g;
INSERT INTO pp_t VALUES (11, 'a'), (12, 'b');
UPDATE pp_t SET v = 'x' WHERE id <= 5;
DELETE FROM pp_t WHERE id > 10;
SELECT count(*) FROM pp_t;
SELECT v FROM pp_t WHERE id = 1;
SELECT v FROM pp_t WHERE id = 2;
SELECT v FROM pp_t WHERE id = 99;
COPY pp_t TO STDOUT;
COPY pp_t (id, v) FROM STDIN;
20	c
21	d
\.

SELECT query, calls, rows, errors
  FROM pothos_perf.statements
 WHERE query NOT LIKE '%pothos_perf%'
 ORDER BY query COLLATE "C";

-- Percentiles are ordered and within the observed range.
SELECT count(*) > 0 AS has_rows,
       bool_and(min_exec_time <= p50_exec_time AND p50_exec_time <= p95_exec_time
                AND p95_exec_time <= p99_exec_time AND p99_exec_time <= max_exec_time) AS ordered,
       bool_and(mean_exec_time BETWEEN min_exec_time AND max_exec_time) AS mean_in_range,
       bool_and(total_exec_time >= max_exec_time) AS total_ge_max
  FROM pothos_perf.statements WHERE calls > 0;

-- Every statement above ran at top level, in this database, as this user.
SELECT bool_and(toplevel) AS toplevel,
       bool_and(dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS this_db,
       bool_and(userid = current_user::regrole::oid) AS this_user,
       bool_and(queryid IS NOT NULL) AS has_queryid,
       bool_and(first_seen <= last_seen) AS seen_order
  FROM pothos_perf.statements;

-- Block counters move: the table was read from shared buffers.
SELECT shared_blks_hit + shared_blks_read > 0 AS touched_buffers
  FROM pothos_perf.statements WHERE query = 'SELECT count(*) FROM pp_t';
SELECT wal_bytes > 0 AND wal_records > 0 AS wrote_wal
  FROM pothos_perf.statements WHERE query LIKE 'INSERT INTO pp_t VALUES%';

-- Planning is tracked (pothos_perf.track_planning = on in this suite).
SELECT plans, calls FROM pothos_perf.statements WHERE query = 'SELECT v FROM pp_t WHERE id = $1';

-- The public surface (DESIGN.md section 2).
SELECT column_name, data_type
  FROM information_schema.columns
 WHERE table_schema = 'pothos_perf' AND table_name = 'statements'
 ORDER BY ordinal_position;
SELECT max, entries > 0 AS has_entries, dealloc FROM pothos_perf.statements_info;
