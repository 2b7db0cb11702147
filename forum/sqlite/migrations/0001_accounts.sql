-- Accounts, districts, browser sessions and API tokens.
-- Portable SQL: INTEGER PRIMARY KEY becomes BIGSERIAL/IDENTITY, BLOB becomes BYTEA.
-- AUTOINCREMENT: ids of deleted rows are never handed out again, so a stale link or a
-- revoke button on an old page can never reach a newer row.

CREATE TABLE districts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL,
    username_key    TEXT NOT NULL UNIQUE,  -- lower-case username: unique regardless of case
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL UNIQUE,  -- lower-case email
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL DEFAULT '',  -- empty: the account cannot sign in
    role            TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    reputation      INTEGER NOT NULL DEFAULT 1,
    district_id     INTEGER REFERENCES districts (id),
    demo            INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    suspended_until TIMESTAMP,
    suspend_reason  TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_district ON users (district_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    hash         BLOB NOT NULL UNIQUE,  -- SHA-256 of the cookie value
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,  -- SHA-256 of the token
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
