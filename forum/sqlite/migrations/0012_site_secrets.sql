-- Secrets the server makes for itself on first use and keeps across restarts (the key that
-- signs image proxy URLs in stored HTML). Never shown to anyone.
CREATE TABLE site_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
