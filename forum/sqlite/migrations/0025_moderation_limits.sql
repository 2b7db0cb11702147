-- Spam defence, comment editing and the audit log's person view.

-- A post or comment the spam signals found suspect is hidden pending review from the moment
-- it is written (forum.SpamVerdict), as flags hide one (0021's hidden_at); hidden_reason
-- says why (the signals, in words). The flags queue shows it; nobody but its author and
-- moderators does.
ALTER TABLE posts ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';

-- Comments can be edited (their author within forum.CommentEditWindow, moderators always)
-- and keep every earlier text: revision 1 is the comment as first written.
ALTER TABLE comments ADD COLUMN edited_at TIMESTAMP;
ALTER TABLE comments ADD COLUMN author_deleted INTEGER NOT NULL DEFAULT 0; -- 1: removed by its author, 0: by a moderator
CREATE TABLE comment_revisions (
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    number     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    edited_by  INTEGER NOT NULL REFERENCES users (id),
    edited_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, number)
) WITHOUT ROWID;

-- The words and link domains admins block (kind 'word' or 'domain'), and the domains of
-- links in posts removed as spam (source 'removed_spam'): both weigh on a new post's score.
CREATE TABLE spam_terms (
    kind       TEXT NOT NULL CHECK (kind IN ('word', 'domain')),
    value      TEXT NOT NULL,                      -- lower case; domains without "www."
    source     TEXT NOT NULL CHECK (source IN ('admin', 'removed_spam')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

-- The hash of every new post's normalized text (forum.SpamTextHash) for a while: the same
-- text posted again and again is a spam signal. Rows older than the window are pruned.
CREATE TABLE spam_texts (
    hash      BLOB NOT NULL,
    author_id INTEGER NOT NULL,
    at        TIMESTAMP NOT NULL
);
CREATE INDEX spam_texts_hash ON spam_texts (hash, at);
CREATE INDEX spam_texts_at ON spam_texts (at);

-- A person's moderation history: what was done to their comments (posts use posts_author).
CREATE INDEX comments_author ON comments (author_id, id);
