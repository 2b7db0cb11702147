-- Notifications, following, and mail (forum/notification.go, forum/mail.go).

-- What a person follows: a question (automatic for its asker and answerers), a tag, a
-- collaborative or a channel. target is the question's or channel's id in decimal, the
-- tag's name or the collaborative's slug. The key leads with (kind, target) because the
-- fan-out walks one target's followers in user id order, a batch at a time.
CREATE TABLE follows (
    kind       TEXT NOT NULL CHECK (kind IN ('question', 'tag', 'collaborative', 'channel')),
    target     TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, target, user_id)
) WITHOUT ROWID;
CREATE INDEX follows_user ON follows (user_id, created_at DESC);

-- A fan-out job: written in the transaction of the change that causes it (one row, however
-- many people will hear of it), expanded after commit by the notifier into notification
-- rows, a batch per transaction. stage and after say how far it got (0: the direct
-- recipients; 1: followers with an id above after), so a restart resumes and never
-- notifies anyone twice.
CREATE TABLE notification_jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    data       TEXT NOT NULL,                -- forum.Notification as JSON
    stage      INTEGER NOT NULL DEFAULT 0,
    after      INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- One person's notification. Repeated events about one thing collapse into the unread row
-- of the same group_key (count goes up, actor and time move); once read, the next event
-- starts a new row.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    group_key   TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    count       INTEGER NOT NULL DEFAULT 1,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL,
    excerpt     TEXT NOT NULL DEFAULT '',
    post_id     INTEGER,                      -- the post it is about: hidden once deleted
    private_to  INTEGER,                      -- a private collaborative: hidden from non-members
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    digested_at TIMESTAMP                     -- went out in a digest
);
CREATE UNIQUE INDEX notifications_unread_group ON notifications (user_id, group_key) WHERE read_at IS NULL;
CREATE INDEX notifications_user ON notifications (user_id, updated_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id, updated_at DESC) WHERE read_at IS NULL;

-- Per-kind mail preferences; a missing row means the kind's default.
CREATE TABLE notification_settings (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    mode    TEXT NOT NULL CHECK (mode IN ('immediate', 'daily', 'weekly', 'never')),
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

-- When each person's last daily and weekly digest went out.
CREATE TABLE digests (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period  TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, period)
) WITHOUT ROWID;

-- The mail outbox: every message is written in the transaction of its cause, with an
-- idempotency key (one message per cause, whatever retries) and its Message-ID fixed at
-- once, so that a re-send after a crash carries the same Message-ID. state: pending (to
-- send at next_attempt_at), sending (handed to SMTP, acceptance not yet recorded), sent,
-- failed (given up: a permanent refusal or too many attempts).
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key        TEXT NOT NULL UNIQUE,
    message_id      TEXT NOT NULL UNIQUE,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    to_addr         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    data            TEXT NOT NULL,            -- what the templates show, as JSON
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE state IN ('pending', 'sending');

-- Addresses: verified (a link mailed to it was followed) and bounced (the receiving server
-- refused it for good, SMTP 5xx on RCPT: no more mail goes there until it changes).
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
ALTER TABLE users ADD COLUMN email_bounced_at TIMESTAMP;
ALTER TABLE users ADD COLUMN email_bounce TEXT NOT NULL DEFAULT '';

-- Single-use links that confirm an address; only the SHA-256 of the token is kept.
CREATE TABLE email_verifications (
    hash       BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX email_verifications_user ON email_verifications (user_id);
