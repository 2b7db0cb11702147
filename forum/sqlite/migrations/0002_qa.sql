-- Questions, answers, comments, tags, votes, the reputation ledger, revisions, and the
-- event log that live updates will read. Questions and answers share one id space (posts).

CREATE TABLE posts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT NOT NULL CHECK (kind IN ('question', 'answer')),
    question_id        INTEGER REFERENCES posts (id),  -- answers: their question; questions: NULL
    author_id          INTEGER NOT NULL REFERENCES users (id),
    title              TEXT NOT NULL DEFAULT '',       -- questions only
    body               TEXT NOT NULL,                  -- markdown as written
    body_html          TEXT NOT NULL,                  -- rendered and sanitized once, at write time
    tags               TEXT NOT NULL DEFAULT '',       -- questions: tag names, space-separated, in order
    score              INTEGER NOT NULL DEFAULT 0,
    answer_count       INTEGER NOT NULL DEFAULT 0,
    comment_count      INTEGER NOT NULL DEFAULT 0,
    view_count         INTEGER NOT NULL DEFAULT 0,
    accepted_answer_id INTEGER REFERENCES posts (id),
    revision           INTEGER NOT NULL DEFAULT 1,
    closed_reason      TEXT,                           -- duplicate, off_topic, needs_details, opinion_based
    closed_at          TIMESTAMP,
    duplicate_of       INTEGER REFERENCES posts (id),
    deleted_at         TIMESTAMP,
    deleted_by         INTEGER REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL,
    edited_at          TIMESTAMP,
    activity_at        TIMESTAMP NOT NULL               -- last answer, comment or edit: the "active" sort
);
-- The question list's sorts, each a walk down one index even at millions of questions.
CREATE INDEX posts_questions_newest ON posts (created_at DESC, id DESC) WHERE kind = 'question' AND deleted_at IS NULL;
CREATE INDEX posts_questions_active ON posts (activity_at DESC, id DESC) WHERE kind = 'question' AND deleted_at IS NULL;
CREATE INDEX posts_questions_votes ON posts (score DESC, id DESC) WHERE kind = 'question' AND deleted_at IS NULL;
CREATE INDEX posts_questions_unanswered ON posts (created_at DESC, id DESC) WHERE kind = 'question' AND deleted_at IS NULL AND answer_count = 0;
CREATE INDEX posts_answers ON posts (question_id, score DESC, id) WHERE kind = 'answer';
CREATE INDEX posts_author ON posts (author_id, kind, created_at DESC);

CREATE TABLE tags (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    excerpt        TEXT NOT NULL DEFAULT '',
    question_count INTEGER NOT NULL DEFAULT 0,
    created_by     INTEGER REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE post_tags (
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    tag_id     INTEGER NOT NULL REFERENCES tags (id),
    created_at TIMESTAMP NOT NULL,  -- the question's, so a tag's newest questions walk one index
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag ON post_tags (tag_id, created_at DESC, post_id DESC);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    parent_id  INTEGER REFERENCES comments (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    score      INTEGER NOT NULL DEFAULT 0,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_post ON comments (post_id, id);

CREATE TABLE votes (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX votes_post ON votes (post_id);
CREATE INDEX votes_user_day ON votes (user_id, created_at);

CREATE TABLE comment_votes (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, comment_id)
);

-- One row per reputation change, with the delta actually applied (after the floor of 1 and
-- the daily cap), so undoing anything reverses exactly what it gave.
CREATE TABLE reputation_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    post_id    INTEGER REFERENCES posts (id),
    actor_id   INTEGER REFERENCES users (id),
    kind       TEXT NOT NULL,
    delta      INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reputation_events_user ON reputation_events (user_id, created_at);
CREATE INDEX reputation_events_source ON reputation_events (post_id, actor_id, kind);

CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    number     INTEGER NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    tags       TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    editor_id  INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (post_id, number)
);

-- The outbox: a change others can see writes its event in the same transaction, with a
-- per-topic sequence number. Live updates publish only committed rows and replay from here.
CREATE TABLE events (
    topic      TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (topic, seq)
);
CREATE INDEX events_created ON events (created_at);

-- Idempotency keys: the same key from the same account within 24 hours answers with the
-- first response and creates nothing new.
CREATE TABLE idempotency_keys (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    key        TEXT NOT NULL,
    status     INTEGER NOT NULL,
    response   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
