-- login: find the user by email, record the attempt in login_logs, stamp the
-- user; then the "recent logins" panel, which scans login_logs because
-- login_logs.user_id has no index (deliberately slow).
\set uid random(1, :nusers)
\set ok random(0, 19)
\set ip random(1, 16777214)
BEGIN;
SELECT id, password_hash, is_active FROM users WHERE email = 'user' || :uid || '@example.com';
INSERT INTO login_logs (user_id, ip, user_agent, success, failure_reason)
VALUES (:uid, inet '10.0.0.0' + :ip, 'pgbench/15', :ok > 0,
        CASE WHEN :ok = 0 THEN 'bad_password' END);
UPDATE users SET last_login_at = now() WHERE id = :uid AND :ok > 0;
COMMIT;
SELECT created_at, ip, user_agent, success
  FROM login_logs WHERE user_id = :uid ORDER BY created_at DESC LIMIT 10;
