-- Facts about the site that are set once and never unset. 'first_account' is set by the
-- transaction that creates the first non-demo account: that account alone becomes admin
-- by signing up (forum.NewAccountRole). Counting the admins there are now would hand the
-- site to whoever signs up after the last admin was demoted.
CREATE TABLE site_flags (
    name   TEXT PRIMARY KEY,
    set_at TIMESTAMP NOT NULL
);
-- A site that already has a real account has had its first run.
INSERT INTO site_flags (name, set_at)
    SELECT 'first_account', MIN(created_at) FROM users WHERE demo = 0 HAVING COUNT(*) > 0;
