-- examples/todo/schema.sql -- the reference todo schema of pothos_perf.
--
-- Five tables of a small todo API: users, their todo lists, the todos in
-- them, list sharing (list_members) and a login audit trail (login_logs).
--
-- On purpose, NO foreign-key column has an index:
--   todo_lists.owner_id, todos.list_id, todos.assignee_id,
--   login_logs.user_id, list_members.list_id, list_members.user_id
-- PostgreSQL indexes the referenced side (primary keys) but never the
-- referencing side, and forgetting it is the most common reason a todo API
-- gets slow: every "children of this parent" lookup becomes a sequential
-- scan. The query mix in mix/ exercises exactly those lookups, so that the
-- extension's N+1 detector and index advisor have something real to find.
--
-- Re-runnable: drops the five tables first, then runs the versioned
-- migrations of migrations/ in order (the same files `pothos-perf db migrate`
-- applies), so the schema is written once. Needs psql (\ir).

SET client_min_messages = warning;

DROP TABLE IF EXISTS list_members, login_logs, todos, todo_lists, users CASCADE;

\ir migrations/V001__create_users.sql
\ir migrations/V002__create_todo_lists.sql
\ir migrations/V003__create_todos.sql
\ir migrations/V004__create_list_members.sql
\ir migrations/V005__create_login_logs.sql
\ir migrations/V006__table_comments.sql
