-- Collaboratives: working groups with their own channels, meetings and questions. This is
-- the group and its members; what lives inside a collaborative comes in migrations of its
-- own and references collaboratives (id).

CREATE TABLE collaboratives (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,               -- forum.SearchKey(name): sorting
    description      TEXT NOT NULL DEFAULT '',    -- markdown as written
    description_html TEXT NOT NULL DEFAULT '',    -- rendered and sanitized when written
    visibility       TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    cluster_id       INTEGER REFERENCES clusters (id),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX collaboratives_name ON collaboratives (name_key, id);
CREATE INDEX collaboratives_cluster ON collaboratives (cluster_id, name_key, id);

-- One row per member; the privacy check of every request inside a private collaborative
-- is one lookup of this primary key.
CREATE TABLE collaborative_members (
    collaborative_id INTEGER NOT NULL REFERENCES collaboratives (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('lead', 'member')),
    joined_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (collaborative_id, user_id)
) WITHOUT ROWID;
CREATE INDEX collaborative_members_user ON collaborative_members (user_id, collaborative_id);

CREATE TABLE collaborative_districts (
    collaborative_id INTEGER NOT NULL REFERENCES collaboratives (id) ON DELETE CASCADE,
    district_id      INTEGER NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    PRIMARY KEY (collaborative_id, district_id)
) WITHOUT ROWID;
CREATE INDEX collaborative_districts_district ON collaborative_districts (district_id, collaborative_id);

-- The audit log (forum.AuditEntry): one row per action taken on someone else's content or
-- standing, written in the action's own transaction. Kept forever; nothing deletes it.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    INTEGER REFERENCES users (id),   -- NULL: the system
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    before      TEXT NOT NULL DEFAULT '',
    after       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, at DESC, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC, id DESC);
