-- analyze_query and analyze_performance: rule ids and message openings, the
-- NOT IN rewrite, writes refused or rolled back, bad input, privileges.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pothos_perf;
RESET client_min_messages;
CREATE TABLE mon_users (id int PRIMARY KEY, email text NOT NULL, status int NOT NULL, created_at timestamptz);
INSERT INTO mon_users SELECT g, 'user' || g || '@example.com', g % 10, '2024-01-01'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 20000) g;
CREATE INDEX mon_users_email ON mon_users (email);
CREATE TABLE mon_banned (user_id int NOT NULL);
CREATE TABLE mon_orders (id int, user_id int);
ANALYZE mon_users, mon_banned, mon_orders;

-- One statement per rule.
SELECT q, (pothos_perf.analyze_query(q)).rules
  FROM (VALUES
    ('SELECT id FROM mon_users WHERE status = $1 AND created_at > $2 LIMIT 10'),
    ('SELECT * FROM mon_users WHERE id = $1'),
    ('SELECT email FROM mon_users WHERE status = 3 LIMIT 5'),
    ('SELECT id FROM mon_users WHERE email LIKE $1 || ''x'' LIMIT 5'),
    ('SELECT id FROM mon_users WHERE email LIKE ''%@example.com'' LIMIT 5'),
    ('SELECT id FROM mon_users WHERE lower(email) = $1 LIMIT 5'),
    ('SELECT id FROM mon_users WHERE id = $1 OR status = $2 LIMIT 5'),
    ('SELECT u.id FROM mon_users u WHERE u.id NOT IN (SELECT b.user_id FROM mon_banned b) LIMIT 5'),
    ('SELECT u.id FROM mon_users u, mon_orders o WHERE u.id = $1 LIMIT 5'),
    ('SELECT id FROM mon_users ORDER BY random() LIMIT 5'),
    ('SELECT id FROM mon_users ORDER BY id LIMIT 10 OFFSET 5000'),
    ('SELECT id FROM mon_users WHERE id = $1')
  ) v(q);

-- Shapes the rules must survive (ORDER BY over other range-table entries,
-- aggregates, subqueries, window functions, CTEs, RETURNING, row NOT IN).
SELECT q, (pothos_perf.analyze_query(q)).rules
  FROM (VALUES
    ('SELECT t.id FROM mon_users t, generate_series(1, 2) g ORDER BY g'),
    ('SELECT status, count(*) FROM mon_users GROUP BY status ORDER BY count(*) DESC'),
    ('SELECT id FROM mon_users ORDER BY (SELECT max(id) FROM mon_users) OFFSET 2000'),
    ('SELECT id, row_number() OVER () FROM mon_users ORDER BY 2 LIMIT 3 OFFSET 3000'),
    ('WITH x AS (SELECT id FROM mon_users) SELECT id FROM x WHERE id NOT IN (SELECT id FROM x) LIMIT 1'),
    ('INSERT INTO mon_banned SELECT id FROM mon_users WHERE id = $1 RETURNING *'),
    ('SELECT id FROM mon_users WHERE (id, status) NOT IN (SELECT id, status FROM mon_users) LIMIT 1'),
    ('VALUES (1)')
  ) v(q);

-- The returned fields.
SELECT original_query, optimized_query, cardinality(improvements) AS improvements,
       cardinality(potential_issues) AS issues, performance_gain > 0 AS gain,
       index_suggestions, estimated_cost > 0 AS cost, estimated_cost_after < estimated_cost AS cheaper
  FROM pothos_perf.analyze_query('SELECT id FROM mon_users WHERE created_at = $1');
SELECT left(m, 60) AS message
  FROM pothos_perf.analyze_query('SELECT * FROM mon_users WHERE email LIKE ''%x'' AND status = 1') a,
       unnest(a.improvements || a.potential_issues) m
 ORDER BY left(m, 60) COLLATE "C";

-- NOT IN over a subquery becomes NOT EXISTS; both columns are NOT NULL.
SELECT optimized_query, improvements[1] LIKE '%Both sides are NOT NULL%' AS same_results
  FROM pothos_perf.analyze_query('SELECT u.id FROM mon_users u WHERE u.id NOT IN (SELECT b.user_id FROM mon_banned b) LIMIT 5');
SELECT optimized_query
  FROM pothos_perf.analyze_query('SELECT o.id FROM mon_orders o WHERE o.user_id NOT IN (SELECT b.user_id FROM mon_banned b WHERE b.user_id > 10)');
-- NOT IN over a list is left alone.
SELECT optimized_query, rules
  FROM pothos_perf.analyze_query('SELECT id FROM mon_users WHERE id NOT IN (1, 2) LIMIT 5');

-- Nothing is executed: an UPDATE is only planned.
SELECT rules FROM pothos_perf.analyze_query('UPDATE mon_users SET status = 0 WHERE email = ''user1@example.com''');
SELECT count(*) FROM mon_users WHERE status = 0;

-- Bad input: clear errors, and the session goes on.
SELECT * FROM pothos_perf.analyze_query(NULL);
SELECT * FROM pothos_perf.analyze_query('');
SELECT * FROM pothos_perf.analyze_query('  -- only a comment');
SELECT * FROM pothos_perf.analyze_query('SELEC id FROM mon_users');
SELECT * FROM pothos_perf.analyze_query('SELECT 1; SELECT 2');
SELECT * FROM pothos_perf.analyze_query('DROP TABLE mon_users');
SELECT * FROM pothos_perf.analyze_query('SELECT nope FROM mon_users');
SELECT * FROM pothos_perf.analyze_query(repeat('x', 2000000));
SELECT rules FROM pothos_perf.analyze_query(
  (SELECT 'SELECT id FROM mon_users WHERE id IN (' || string_agg(g::text, ',') || ') LIMIT 1'
     FROM generate_series(1, 20000) g));
SELECT 'still alive' AS status;

-- analyze_performance: a SELECT.
SELECT execution_time >= 0 AS exec_time, planning_time >= 0 AS plan_time, estimated_cost > 0 AS cost,
       actual_rows, estimated_rows > 0 AS est_rows, buffer_hits + buffer_reads > 0 AS buffers,
       is_optimized, rules, recommendations[1] LIKE 'Sequential scan over the large table public.mon_users%' AS rec,
       json_typeof(execution_plan) AS plan_json, execution_plan -> 0 -> 'Plan' ->> 'Node Type' AS top_node
  FROM pothos_perf.analyze_performance('SELECT count(*) FROM mon_users WHERE status = 3');
SELECT is_optimized, rules, actual_rows
  FROM pothos_perf.analyze_performance('SELECT email FROM mon_users WHERE id = 5');
-- A misestimate: the planner cannot see the correlation of two conditions.
SELECT 'misestimate' = ANY(rules) AS misestimate
  FROM pothos_perf.analyze_performance('SELECT count(*) FROM mon_users WHERE status = 3 AND id % 10 = 3 AND id % 5 = 3');
-- A sort that spills to disk.
SET work_mem = '64kB';
SELECT 'sort_spill' = ANY(rules) AS sort_spill
  FROM pothos_perf.analyze_performance('SELECT email FROM mon_users ORDER BY created_at DESC, status');
RESET work_mem;

-- Writes: refused by default; with allow_writes run and rolled back.
SELECT * FROM pothos_perf.analyze_performance('DELETE FROM mon_users WHERE id <= 10');
SELECT * FROM pothos_perf.analyze_performance('WITH d AS (DELETE FROM mon_users RETURNING id) SELECT count(*) FROM d');
SELECT * FROM pothos_perf.analyze_performance('SELECT id FROM mon_users WHERE id = 1 FOR UPDATE');
SELECT execution_plan -> 0 -> 'Plan' ->> 'Node Type' AS node,
       execution_plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Actual Rows' AS deleted
  FROM pothos_perf.analyze_performance('DELETE FROM mon_users WHERE id <= 10', allow_writes => true);
SELECT count(*) FROM mon_users WHERE id <= 10;
SELECT actual_rows FROM pothos_perf.analyze_performance('INSERT INTO mon_banned VALUES (1), (2)', true);
SELECT count(*) FROM mon_banned;
-- An error inside is reported after the rollback; the transaction goes on.
BEGIN;
SELECT count(*) FROM mon_banned;
SAVEPOINT s;
SELECT * FROM pothos_perf.analyze_performance('SELECT 1 / (id - id) FROM mon_users LIMIT 1');
ROLLBACK TO s;
SELECT count(*) FROM mon_banned;
COMMIT;

SELECT * FROM pothos_perf.analyze_performance(NULL);
SELECT * FROM pothos_perf.analyze_performance('');
SELECT * FROM pothos_perf.analyze_performance('SELECT 1; SELECT 2');
SELECT * FROM pothos_perf.analyze_performance('CREATE TABLE mon_x (a int)');
SELECT * FROM pothos_perf.analyze_performance('SELECT $1');
SELECT * FROM pothos_perf.analyze_performance(repeat('y', 2000000));
SELECT 'still alive' AS status;

-- A statement with parameters, as the statements view shows it: planned
-- generically, never run (no values), so a write with parameters is safe.
SELECT execution_time IS NULL AS not_run, actual_rows IS NULL AS no_actual_rows, estimated_cost > 0 AS cost,
       execution_plan -> 0 -> 'Plan' ->> 'Node Type' AS node, planning_time IS NULL AS no_planning_time
  FROM pothos_perf.analyze_performance('SELECT id FROM mon_users WHERE email = $1 AND status = $2');
SELECT execution_time IS NULL AS not_run, execution_plan -> 0 -> 'Plan' ->> 'Node Type' AS node
  FROM pothos_perf.analyze_performance('UPDATE mon_users SET status = $1 WHERE id = $2');

-- A statement no rule finds fault with is said to be well optimized (the
-- specification's wording), not answered with empty lists.
SELECT improvements, potential_issues, rules
  FROM pothos_perf.analyze_query('SELECT id, email FROM mon_users WHERE id = $1');
SELECT is_optimized, recommendations, rules
  FROM pothos_perf.analyze_performance('SELECT id, email FROM mon_users WHERE id = 42');

-- Privileges: planning needs the right to read the table.
CREATE ROLE regress_mon_analyst;
SET ROLE regress_mon_analyst;
SELECT * FROM pothos_perf.analyze_query('SELECT id FROM mon_users WHERE id = $1');
SELECT * FROM pothos_perf.analyze_performance('SELECT id FROM mon_users WHERE id = 1');
SELECT rules FROM pothos_perf.analyze_query('SELECT 1 AS x');
RESET ROLE;
GRANT SELECT ON mon_users TO regress_mon_analyst;
SET ROLE regress_mon_analyst;
SELECT rules FROM pothos_perf.analyze_query('SELECT id FROM mon_users WHERE id = $1');
SELECT * FROM pothos_perf.analyze_performance('DELETE FROM mon_users', true);
RESET ROLE;
DROP OWNED BY regress_mon_analyst;
DROP ROLE regress_mon_analyst;
DROP TABLE mon_users, mon_banned, mon_orders;
