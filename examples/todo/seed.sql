-- examples/todo/seed.sql -- deterministic data for the todo schema.
--
--   psql -v ON_ERROR_STOP=1 -f schema.sql -f seed.sql            (scale 1)
--   psql -v ON_ERROR_STOP=1 -v scale=0.05 -f schema.sql -f seed.sql
--
-- Pure SQL, no random(): every value is derived from the row number through
-- hashint8extended(row, salt), PostgreSQL's portable 64-bit hash (the one hash
-- partitioning relies on), so two loads at the same scale give identical
-- tables on any machine. Timestamps are anchored at 2025-01-01 UTC, not now().
--
-- Row counts at scale 1 (they scale linearly, with small floors):
--   users 40 000, todo_lists 100 000, todos 400 000,
--   list_members ~200 000 (the owner + 0-2 shared members per list),
--   login_logs 200 000.
-- Shape: 20 % of todos fall into a "hot" 2 % of the lists (a few big lists,
-- many small ones); 60 % of todos have an assignee; statuses are
-- todo 40 %, in_progress 20 %, done 35 %, cancelled 5 %.
--
-- Expects an empty schema as created by schema.sql; ends with VACUUM ANALYZE.

\set ON_ERROR_STOP 1
\if :{?scale}
\else
\set scale 1
\endif

SET client_min_messages = warning;
SET synchronous_commit = off;

-- h(i, salt): a non-negative 63-bit hash of a row number; u(i, salt) in [0, 1).
CREATE FUNCTION pg_temp.h(i bigint, salt bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT hashint8extended(i, salt) & 9223372036854775807 $$;
CREATE FUNCTION pg_temp.u(i bigint, salt bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8extended(i, salt) & 9223372036854775807)::float8 / 9223372036854775808.0 $$;

SELECT greatest(10,  round(40000  * :scale))::int AS n_users,
       greatest(20,  round(100000 * :scale))::int AS n_lists,
       greatest(100, round(400000 * :scale))::int AS n_todos,
       greatest(50,  round(200000 * :scale))::int AS n_logins,
       timestamptz '2025-01-01 00:00:00+00' AS epoch
\gset

\echo seeding todo schema at scale :scale: :n_users users, :n_lists lists, :n_todos todos, :n_logins logins

-- users ---------------------------------------------------------------------
INSERT INTO users (id, email, name, password_hash, role, is_active, timezone,
                   last_login_at, created_at, updated_at)
SELECT i,
       'user' || i || '@example.com',
       (ARRAY['Ada','Alan','Grace','Linus','Barbara','Ken','Dennis','Margaret',
              'Edsger','Donald','Frances','John','Radia','Tim','Sophie','Niklaus',
              'Katherine','Guido','Bjarne','Hedy'])[1 + pg_temp.h(i, 1) % 20]
         || ' ' ||
       (ARRAY['Lovelace','Turing','Hopper','Torvalds','Liskov','Thompson','Ritchie',
              'Hamilton','Dijkstra','Knuth','Allen','Backus','Perlman','Berners-Lee',
              'Wilson','Wirth','Johnson','van Rossum','Stroustrup','Lamarr'])[1 + pg_temp.h(i, 2) % 20],
       'pbkdf2$' || md5('pw' || i),
       CASE WHEN pg_temp.h(i, 3) % 100 = 0 THEN 'admin' ELSE 'member' END,
       pg_temp.h(i, 4) % 100 >= 5,
       (ARRAY['UTC','Europe/Paris','America/New_York','Asia/Tokyo','Australia/Sydney'])[1 + pg_temp.h(i, 5) % 5],
       created + make_interval(secs => pg_temp.h(i, 6) % (200 * 86400)),
       created,
       created + make_interval(secs => pg_temp.h(i, 7) % (30 * 86400))
FROM generate_series(1, :n_users) AS i,
     LATERAL (SELECT :'epoch'::timestamptz - make_interval(secs => pg_temp.h(i, 8) % (700 * 86400)) AS created) c;

-- todo_lists ----------------------------------------------------------------
INSERT INTO todo_lists (id, owner_id, title, description, color, is_archived, created_at, updated_at)
SELECT l,
       1 + pg_temp.h(l, 11) % :n_users,
       (ARRAY['Groceries','Work','Home','Side project','Travel','Reading list','Errands',
              'Sprint','Garden','Fitness','Birthday','Taxes','Renovation','Conference',
              'Onboarding','Release'])[1 + pg_temp.h(l, 12) % 16]
         || ' ' || (1 + pg_temp.h(l, 13) % 50),
       CASE WHEN pg_temp.h(l, 14) % 3 = 0 THEN NULL
            ELSE 'Things to do for list ' || l END,
       (ARRAY['blue','green','red','yellow','purple','grey'])[1 + pg_temp.h(l, 15) % 6],
       pg_temp.h(l, 16) % 10 = 0,
       created,
       created + make_interval(secs => pg_temp.h(l, 17) % (60 * 86400))
FROM generate_series(1, :n_lists) AS l,
     LATERAL (SELECT :'epoch'::timestamptz - make_interval(secs => pg_temp.h(l, 18) % (365 * 86400)) AS created) c;

-- todos ---------------------------------------------------------------------
INSERT INTO todos (id, list_id, assignee_id, title, description, status, completed,
                   priority, position, due_date, completed_at, created_at, updated_at)
SELECT t,
       CASE WHEN pg_temp.h(t, 21) % 5 = 0
            THEN 1 + pg_temp.h(t, 22) % greatest(1, :n_lists / 50)   -- hot lists
            ELSE 1 + pg_temp.h(t, 22) % :n_lists END,
       CASE WHEN pg_temp.h(t, 23) % 10 < 6 THEN 1 + pg_temp.h(t, 24) % :n_users END,
       (ARRAY['Write','Review','Fix','Call','Buy','Plan','Book','Update','Clean','Email',
              'Prepare','Ship','Test','Refactor','Schedule'])[1 + pg_temp.h(t, 25) % 15]
         || ' ' ||
       (ARRAY['the report','invoice','login bug','dentist','milk','roadmap','flights',
              'dependencies','garage','the team','slides','release notes','migration',
              'budget','meeting','documentation','backlog','newsletter','tests','database',
              'onboarding guide','car service','birthday gift','tax return','kitchen'])[1 + pg_temp.h(t, 26) % 25],
       CASE WHEN pg_temp.h(t, 27) % 4 = 0 THEN 'Details for todo ' || t END,
       s.status,
       s.status = 'done',
       (1 + pg_temp.h(t, 28) % 4)::smallint,
       (pg_temp.h(t, 29) % 1000)::int,
       CASE WHEN pg_temp.h(t, 30) % 10 < 7
            THEN (created + make_interval(days => (pg_temp.h(t, 31) % 90)::int))::date END,
       CASE WHEN s.status = 'done'
            THEN created + make_interval(secs => pg_temp.h(t, 32) % (20 * 86400)) END,
       created,
       created + make_interval(secs => pg_temp.h(t, 33) % (25 * 86400))
FROM generate_series(1, :n_todos) AS t,
     LATERAL (SELECT :'epoch'::timestamptz - make_interval(secs => pg_temp.h(t, 34) % (365 * 86400)) AS created) c,
     LATERAL (SELECT CASE WHEN x < 40 THEN 'todo' WHEN x < 60 THEN 'in_progress'
                          WHEN x < 95 THEN 'done' ELSE 'cancelled' END AS status
              FROM (SELECT pg_temp.h(t, 35) % 100 AS x) v) s;

-- list_members: the owner, then 0-2 other users per list ---------------------
-- Member k of list l is owner + k*stride (mod n_users) with
-- 1 <= stride <= (n_users-1)/2, so the (list, user) pairs are unique.
INSERT INTO list_members (id, list_id, user_id, role, invited_by, created_at)
SELECT row_number() OVER (ORDER BY l.id, k),
       l.id,
       CASE WHEN k = 0 THEN l.owner_id
            ELSE 1 + (l.owner_id - 1 + k * (1 + pg_temp.h(l.id, 41) % greatest(1, (:n_users - 1) / 2))) % :n_users END,
       CASE WHEN k = 0 THEN 'owner'
            WHEN pg_temp.h(l.id, 42 + k) % 3 = 0 THEN 'editor' ELSE 'viewer' END,
       CASE WHEN k = 0 THEN NULL ELSE l.owner_id END,
       l.created_at + make_interval(secs => CASE WHEN k = 0 THEN 0 ELSE pg_temp.h(l.id, 45 + k) % (30 * 86400) END)
FROM todo_lists l
CROSS JOIN generate_series(0, 2) AS k
WHERE k <= pg_temp.h(l.id, 40) % 3
ORDER BY l.id, k;

-- login_logs ----------------------------------------------------------------
INSERT INTO login_logs (id, user_id, ip, user_agent, success, failure_reason, created_at)
SELECT g,
       1 + pg_temp.h(g, 51) % :n_users,
       inet '10.0.0.0' + pg_temp.h(g, 52) % 16777216,
       (ARRAY['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
              'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15',
              'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0',
              'TodoApp/3.2 (iPhone; iOS 17.5)',
              'TodoApp/3.1 (Android 14)',
              'curl/8.5.0'])[1 + pg_temp.h(g, 53) % 6],
       ok,
       CASE WHEN NOT ok THEN (ARRAY['bad_password','unknown_device','locked'])[1 + pg_temp.h(g, 54) % 3] END,
       :'epoch'::timestamptz - make_interval(secs => pg_temp.h(g, 55) % (180 * 86400))
FROM generate_series(1, :n_logins) AS g,
     LATERAL (SELECT pg_temp.h(g, 56) % 100 < 92 AS ok) o;

-- identity sequences continue after the generated ids
SELECT setval(pg_get_serial_sequence('users', 'id'),        (SELECT max(id) FROM users)),
       setval(pg_get_serial_sequence('todo_lists', 'id'),   (SELECT max(id) FROM todo_lists)),
       setval(pg_get_serial_sequence('todos', 'id'),        (SELECT max(id) FROM todos)),
       setval(pg_get_serial_sequence('list_members', 'id'), (SELECT max(id) FROM list_members)),
       setval(pg_get_serial_sequence('login_logs', 'id'),   (SELECT max(id) FROM login_logs))
\g /dev/null

VACUUM (ANALYZE) users, todo_lists, todos, list_members, login_logs;
