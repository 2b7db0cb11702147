-- Each topic's newest event number. Events are pruned after a while but numbering must go
-- on from where it was, or a client resuming from an old number would be told of events
-- that are not the ones it missed.
CREATE TABLE topic_heads (
    topic TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO topic_heads (topic, seq) SELECT topic, MAX(seq) FROM events GROUP BY topic;

-- An event is numbered from its topic's head as it is inserted, and the head follows here,
-- in the same statement: one round trip per event.
CREATE TRIGGER events_head AFTER INSERT ON events
BEGIN
    INSERT INTO topic_heads (topic, seq) VALUES (NEW.topic, NEW.seq)
        ON CONFLICT (topic) DO UPDATE SET seq = excluded.seq;
END;

-- The post whose words an event carries (a question, an answer, or a comment's post): when
-- the post is deleted its logged events are blanked, so that a client replaying the log
-- cannot read what the site no longer shows.
ALTER TABLE events ADD COLUMN post_id INTEGER;
CREATE INDEX events_post ON events (post_id) WHERE post_id IS NOT NULL;
