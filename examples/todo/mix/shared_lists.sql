-- shared_lists: "shared with me", a join across list_members, todo_lists and
-- users (list_members.user_id and list_id have no index).
\set uid random(1, :nusers)
SELECT l.id, l.title, m.role, o.name AS owner_name, m.created_at AS shared_at
  FROM list_members m
  JOIN todo_lists l ON l.id = m.list_id
  JOIN users o ON o.id = l.owner_id
 WHERE m.user_id = :uid AND m.role <> 'owner'
 ORDER BY m.created_at DESC;
