-- Votes to close and to reopen questions. A vote stands until its question closes (or
-- reopens); then that round's votes are cleared, so a later round starts from zero.
CREATE TABLE close_votes (
    post_id      INTEGER NOT NULL REFERENCES posts (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('close', 'reopen')),
    reason       TEXT NOT NULL DEFAULT '',
    duplicate_of INTEGER REFERENCES posts (id),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, user_id, kind)
);
