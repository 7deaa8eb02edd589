-- todos_of_lists_nplus1: what a naive GraphQL resolver does for
-- { lists(first: 5) { todos { ... } } }: one query for the parent page, then
-- the same child query once per list (the N+1 pattern: five executions of one
-- statement, differing only in the parameter). todos.list_id has no index,
-- so every child lookup scans the whole todos table (deliberately slow).
\set l1 random(1, :nlists - 4)
\set l2 :l1 + 1
\set l3 :l1 + 2
\set l4 :l1 + 3
\set l5 :l1 + 4
BEGIN;
SELECT id, owner_id, title, color FROM todo_lists WHERE id BETWEEN :l1 AND :l5 ORDER BY id;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :l1 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :l2 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :l3 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :l4 ORDER BY position;
SELECT id, title, status, completed, priority, due_date FROM todos WHERE list_id = :l5 ORDER BY position;
COMMIT;
