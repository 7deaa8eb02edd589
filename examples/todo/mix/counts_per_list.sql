-- counts_per_list: the dashboard's progress bars, total and done todos per
-- list of a user (a join plus aggregate over two unindexed foreign keys).
\set uid random(1, :nusers)
SELECT l.id, l.title,
       count(t.id) AS total,
       count(t.id) FILTER (WHERE t.completed) AS done
  FROM todo_lists l
  LEFT JOIN todos t ON t.list_id = l.id
 WHERE l.owner_id = :uid
 GROUP BY l.id, l.title
 ORDER BY l.id;
