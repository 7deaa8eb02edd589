-- todo_update: completeTodo / updateTodo mutations by primary key.
\set tid random(1, :ntodos)
\set p random(1, 4)
BEGIN;
UPDATE todos SET status = 'done', completed = true, completed_at = now(), updated_at = now()
 WHERE id = :tid AND NOT completed;
UPDATE todos SET priority = :p, updated_at = now() WHERE id = :tid + 1;
COMMIT;
