-- a login: the address as typed, compared case-insensitively
\set c random(1, 50000 * :scale)
SELECT id, name FROM customers WHERE lower(email) = lower('user:c@example.com');
