-- Channels and their messages (forum/channel.go): a collaborative's live conversation.
-- Threads are one level deep (a reply's parent is a top-level message of its channel), so
-- history pages and thread views are each one range of one index.

CREATE TABLE channels (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    collaborative_id INTEGER NOT NULL REFERENCES collaboratives (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,                -- forum.ParseChannelName: lower-case, unique in its group
    topic            TEXT NOT NULL DEFAULT '',
    archived_at      TIMESTAMP,                    -- NULL: open for messages
    created_by       INTEGER REFERENCES users (id), -- NULL: made with the collaborative (#general)
    created_at       TIMESTAMP NOT NULL,
    last_message_id  INTEGER NOT NULL DEFAULT 0,   -- newest top-level message: unread at a glance
    UNIQUE (collaborative_id, name)
);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id    INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES messages (id),  -- NULL: top level; else a top-level message of the same channel
    author_id     INTEGER NOT NULL REFERENCES users (id),
    body          TEXT NOT NULL,                     -- markdown as written
    body_html     TEXT NOT NULL,                     -- rendered and sanitized when written
    created_at    TIMESTAMP NOT NULL,
    edited_at     TIMESTAMP,
    deleted_at    TIMESTAMP,                         -- soft delete: the row stays for threads and moderators
    deleted_by    INTEGER REFERENCES users (id),
    reply_count   INTEGER NOT NULL DEFAULT 0,        -- live replies: recountable from the rows
    last_reply_at TIMESTAMP,
    pinned_at     TIMESTAMP,
    pinned_by     INTEGER REFERENCES users (id),
    -- The reactions summarized as JSON [{"emoji","users":[ids]}], rewritten from
    -- message_reactions in each reaction's transaction, so that a history page is one query.
    reactions     TEXT NOT NULL DEFAULT '[]',
    -- The ids of the members it mentions, comma-separated: message_mentions' rows for this
    -- message, kept beside it for the same reason.
    mentions      TEXT NOT NULL DEFAULT ''
);
-- History: a channel's top-level messages by id; threads: a parent's replies by id.
CREATE INDEX messages_channel ON messages (channel_id, id) WHERE parent_id IS NULL;
CREATE INDEX messages_thread ON messages (parent_id, id) WHERE parent_id IS NOT NULL;
CREATE INDEX messages_pinned ON messages (channel_id, pinned_at) WHERE pinned_at IS NOT NULL;

-- An edit keeps the body it replaced, for moderators.
CREATE TABLE message_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,      -- the body before the edit
    edited_by  INTEGER NOT NULL REFERENCES users (id),
    edited_at  TIMESTAMP NOT NULL
);
CREATE INDEX message_revisions_message ON message_revisions (message_id, id);

-- The members a message mentions (@username), for the notifications that come later.
CREATE TABLE message_mentions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;
CREATE INDEX message_mentions_user ON message_mentions (user_id, message_id);

CREATE TABLE message_reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;

-- Each reader's last-read marker in a channel: unread counts are the messages past it.
CREATE TABLE channel_reads (
    channel_id   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_read_id INTEGER NOT NULL,
    read_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;

-- The message whose words an event carries: deleting the message blanks its logged events,
-- as a deleted post's are (events.post_id).
ALTER TABLE events ADD COLUMN message_id INTEGER;
CREATE INDEX events_message ON events (message_id) WHERE message_id IS NOT NULL;

-- Every collaborative starts with #general; those made before channels existed get theirs.
INSERT INTO channels (collaborative_id, name, created_at)
    SELECT id, 'general', created_at FROM collaboratives;
