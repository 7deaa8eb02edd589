-- lists_of_user: "my lists" page. todo_lists.owner_id has no index, so this
-- is a sequential scan of todo_lists (deliberately slow).
\set uid random(1, :nusers)
SELECT id, title, color, is_archived, updated_at
  FROM todo_lists
 WHERE owner_id = :uid AND NOT is_archived
 ORDER BY updated_at DESC;
