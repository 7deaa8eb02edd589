-- todo_insert: createTodo mutation (the FK checks use the parents' primary keys).
\set lid random(1, :nlists)
\set uid random(1, :nusers)
\set p random(1, 4)
\set d random(0, 60)
\set pos random(0, 999)
INSERT INTO todos (list_id, assignee_id, title, status, completed, priority, position, due_date)
VALUES (:lid, :uid, 'New task for list ' || :lid, 'todo', false, :p, :pos, date '2025-01-01' + CAST(:d AS integer))
RETURNING id, created_at;
