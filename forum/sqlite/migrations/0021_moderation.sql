-- Moderation: flags, the review queue, suggested edits, curated answers, locks and
-- moderators' private messages. Every moderator action also writes an audit_log row
-- (0019) in its own transaction.

-- A hidden post is one that flags (or a moderator) took out of sight pending review: it is
-- soft-deleted as well (deleted_at), so every list, count and search already leaves it out,
-- and hidden_at says that it is hidden rather than deleted, so that its author still sees
-- it, marked, and a moderator can restore it from the queue.
ALTER TABLE posts ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN locked_at TIMESTAMP;   -- no edits, votes, comments or answers
ALTER TABLE posts ADD COLUMN curated_at TIMESTAMP;  -- set while the answer is curated
ALTER TABLE comments ADD COLUMN hidden_at TIMESTAMP;
-- The question page asks whether its reader wrote a hidden post in the thread (they see it
-- when they did): a lookup in this small index.
CREATE INDEX posts_hidden ON posts (author_id, id) WHERE hidden_at IS NOT NULL;
-- Search ranks questions with a curated answer higher: one lookup per candidate here.
CREATE INDEX posts_curated ON posts (question_id) WHERE curated_at IS NOT NULL;

-- One row per flag. A person has at most one open flag per target; resolved flags stay,
-- with their outcome, for the flagger's record and their weight.
CREATE TABLE flags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('post', 'comment', 'message')),
    target_id    INTEGER NOT NULL,
    post_id      INTEGER REFERENCES posts (id),     -- posts: the post; comments: the post it is on
    user_id      INTEGER NOT NULL REFERENCES users (id),
    reason       TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'low_quality', 'duplicate', 'other')),
    note         TEXT NOT NULL DEFAULT '',
    duplicate_of INTEGER REFERENCES posts (id),
    weight       REAL NOT NULL,                      -- the flagger's weight when they flagged
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'helpful', 'declined')),
    created_at   TIMESTAMP NOT NULL,
    resolved_at  TIMESTAMP,
    resolved_by  INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX flags_one_open ON flags (target_kind, target_id, user_id) WHERE status = 'open';
CREATE INDEX flags_target ON flags (target_kind, target_id, status);
CREATE INDEX flags_user ON flags (user_id, created_at DESC, id DESC);

-- Suggested edits: an edit by someone without the edit privilege (or any edit of a curated
-- answer by a non-moderator) waits here for a reviewer.
CREATE TABLE suggested_edits (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id       INTEGER NOT NULL REFERENCES posts (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    title         TEXT,                              -- NULL: unchanged
    body          TEXT,
    body_html     TEXT NOT NULL DEFAULT '',
    tags          TEXT,                              -- space-separated; NULL: unchanged
    summary       TEXT NOT NULL DEFAULT '',
    base_revision INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'improved')),
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    reviewed_by   INTEGER REFERENCES users (id),
    reviewed_at   TIMESTAMP
);
CREATE INDEX suggested_edits_post ON suggested_edits (post_id, status);

-- Curations: an answer marked as the network's reference, with a note and a date to look
-- at it again. Uncurating keeps the row (uncurated_at), for the audit's sake.
CREATE TABLE curations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id      INTEGER NOT NULL REFERENCES posts (id),
    note         TEXT NOT NULL,
    review_by    TIMESTAMP NOT NULL,
    curated_by   INTEGER NOT NULL REFERENCES users (id),
    curated_at   TIMESTAMP NOT NULL,
    uncurated_at TIMESTAMP,
    uncurated_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX curations_current ON curations (post_id) WHERE uncurated_at IS NULL;
CREATE INDEX curations_due ON curations (review_by) WHERE uncurated_at IS NULL;

-- The review queue. An item is one thing to look at (a flagged post, a first post, a late
-- answer, a suggested edit, a question with close or reopen votes, a curated answer due for
-- review); at most one open item per (kind, target). A reviewer claims an item for a while
-- (claim_expires) so that two never work on the same one.
CREATE TABLE review_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('flags', 'first_posts', 'late_answers', 'edits', 'close', 'curated')),
    target_kind   TEXT NOT NULL,                     -- post, comment, suggested_edit
    target_id     INTEGER NOT NULL,
    post_id       INTEGER REFERENCES posts (id),     -- the post concerned, for context
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    claimed_by    INTEGER REFERENCES users (id),
    claim_expires TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    resolved_at   TIMESTAMP,
    resolved_by   INTEGER REFERENCES users (id),
    action        TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX review_items_one_open ON review_items (kind, target_kind, target_id) WHERE status = 'open';
CREATE INDEX review_items_open ON review_items (kind, created_at, id) WHERE status = 'open';

-- Private messages from moderators to a person, shown to them.
CREATE TABLE moderator_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    from_id    INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX moderator_messages_user ON moderator_messages (user_id, created_at DESC, id DESC);
