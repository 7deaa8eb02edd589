-- todos_of_lists_nplus1: what a naive GraphQL resolver does for
-- { lists(first: 5) { todos { ... } } }: one query for the parent page, then
-- one child query per list (the N+1 pattern). todos.list_id has no index, so
-- every child lookup scans the whole todos table (deliberately slow).
\set lid random(1, :nlists - 4)
BEGIN;
SELECT id, owner_id, title, color FROM todo_lists WHERE id BETWEEN :lid AND :lid + 4 ORDER BY id;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :lid ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :lid + 1 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :lid + 2 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :lid + 3 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :lid + 4 ORDER BY position;
COMMIT;
