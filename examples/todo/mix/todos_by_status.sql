-- todos_by_status: "assigned to me" filtered by status, newest due first,
-- paginated: WHERE ... ORDER BY ... LIMIT with no index on assignee_id.
\set uid random(1, :nusers)
\set s random(1, 4)
SELECT id, list_id, title, status, priority, due_date
  FROM todos
 WHERE assignee_id = :uid
   AND status = (ARRAY['todo', 'in_progress', 'done', 'cancelled'])[:s]
 ORDER BY priority DESC, due_date NULLS LAST
 LIMIT 20;
