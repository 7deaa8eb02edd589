-- user_by_id: the viewer / user resolver, primary-key lookup (fast).
\set uid random(1, :nusers)
SELECT id, email, name, role, is_active, timezone, last_login_at, created_at
  FROM users WHERE id = :uid;
