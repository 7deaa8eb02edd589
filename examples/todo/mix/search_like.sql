-- search_like: the search box, a case-insensitive substring match on todo
-- titles of the lists a user owns, plus a user-name prefix search.
\set uid random(1, :nusers)
\set w random(1, 8)
SELECT t.id, t.title, t.status, l.title AS list_title
  FROM todos t
  JOIN todo_lists l ON l.id = t.list_id
 WHERE l.owner_id = :uid
   AND t.title ILIKE '%' || (ARRAY['report', 'bug', 'milk', 'release', 'tax', 'team', 'test', 'budget'])[:w] || '%'
 ORDER BY t.updated_at DESC
 LIMIT 20;
SELECT id, name, email FROM users
 WHERE name LIKE (ARRAY['Ada', 'Grace', 'Ken', 'Tim', 'Hedy', 'Alan', 'Guido', 'Radia'])[:w] || ' %'
 ORDER BY name, id LIMIT 10;
