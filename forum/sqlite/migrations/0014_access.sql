-- Who gets in, and a way back in: how each person joined (and whether that makes them a
-- known member), disabled accounts, invitations, password reset links, and the site
-- settings an admin changes from the admin area.

-- joined_via: 'open' (the sign-up form), 'domain' (an allowed email domain), 'invite',
-- 'admin' (made at the command line), later 'sso'; '' for demo accounts and accounts made
-- before this migration. known: came in through someone's word for them (an invitation, an
-- allowed domain, an admin, single sign-on), so the new-member limits do not apply.
ALTER TABLE users ADD COLUMN joined_via TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN known INTEGER NOT NULL DEFAULT 0 CHECK (known IN (0, 1));
-- disabled_at: set, the account cannot sign in; disabling ends its sessions and tokens.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;

-- A single-use link that lets one person create an account, whatever the sign-up mode.
-- Only the SHA-256 of the token is kept. email: '' lets the person choose their address.
CREATE TABLE invites (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    hash          BLOB NOT NULL UNIQUE,
    email         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator')),
    collaborative TEXT NOT NULL DEFAULT '',  -- later: a collaborative's slug
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,  -- NULL: the command line
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP,
    used_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at    TIMESTAMP
);
-- The pending list: neither used nor revoked, newest first.
CREATE INDEX invites_pending ON invites (created_at DESC) WHERE used_at IS NULL AND revoked_at IS NULL;

-- A single-use link that sets a new password for one account. Only the SHA-256 is kept;
-- a new link for a person replaces the unused ones before it.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash       BLOB NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Site settings changed in the admin area. The environment's values are the defaults and
-- win when set; a missing row means "the default".
CREATE TABLE site_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
