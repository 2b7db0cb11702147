-- Each topic's newest event number. Events are pruned after a while but numbering must go
-- on from where it was, or a client resuming from an old number would be told of events
-- that are not the ones it missed.
CREATE TABLE topic_heads (
    topic TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO topic_heads (topic, seq) SELECT topic, MAX(seq) FROM events GROUP BY topic;
