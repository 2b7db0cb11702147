-- Meetings of a collaborative (forum/meeting.go): the meeting with its shared notes, the
-- agenda members propose and leads order, action items (of a meeting or on their own),
-- and each person's secret calendar feed key.

-- A meeting keeps its UTC instants and the IANA zone it was scheduled in. sequence is the
-- iCalendar SEQUENCE: every change a calendar shows raises it. A cancelled meeting stays
-- (its notes are the group's record) and its .ics says STATUS:CANCELLED.
CREATE TABLE meetings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    collaborative_id INTEGER NOT NULL REFERENCES collaboratives (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',   -- markdown as written
    description_html TEXT NOT NULL DEFAULT '',   -- rendered and sanitized when written
    location         TEXT NOT NULL DEFAULT '',
    video_url        TEXT NOT NULL DEFAULT '',
    starts_at        TIMESTAMP NOT NULL,
    ends_at          TIMESTAMP NOT NULL,
    time_zone        TEXT NOT NULL,
    sequence         INTEGER NOT NULL DEFAULT 0,
    cancelled_at     TIMESTAMP,
    notes            TEXT NOT NULL DEFAULT '',   -- markdown as written
    notes_html       TEXT NOT NULL DEFAULT '',
    notes_revision   INTEGER NOT NULL DEFAULT 0, -- 0: never written
    notes_by         INTEGER REFERENCES users (id),
    notes_at         TIMESTAMP,
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_collaborative ON meetings (collaborative_id, starts_at, id);

CREATE TABLE agenda_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,                -- 1, 2, ...: the order leads give
    title       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    proposed_by INTEGER NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position, id);

CREATE TABLE action_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    collaborative_id INTEGER NOT NULL REFERENCES collaboratives (id) ON DELETE CASCADE,
    meeting_id       INTEGER REFERENCES meetings (id) ON DELETE SET NULL,
    title            TEXT NOT NULL,
    assignee_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    due              TEXT CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    done_at          TIMESTAMP
);
CREATE INDEX action_items_collaborative ON action_items (collaborative_id, status, due, id);
CREATE INDEX action_items_assignee ON action_items (assignee_id, status, due, id);
CREATE INDEX action_items_meeting ON action_items (meeting_id, id);
CREATE INDEX action_items_created ON action_items (collaborative_id, created_at);
CREATE INDEX action_items_done ON action_items (collaborative_id, done_at);

-- The key of a person's subscribable calendar feed (/api/v1/me/calendar.ics?key=): random,
-- shown to its owner on their settings, replaced when they reset it.
CREATE TABLE calendar_keys (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    key        TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
