-- user_by_email: the login step, lookup through the UNIQUE (email) index (fast).
\set uid random(1, :nusers)
SELECT id, email, name, password_hash, role, is_active
  FROM users WHERE email = 'user' || :uid || '@example.com';
