-- Reputation earned from votes per person per UTC day, kept beside the ledger so that the
-- daily cap is one row to read, however many votes a popular post gets.
CREATE TABLE vote_earnings (
    user_id INTEGER NOT NULL REFERENCES users (id),
    day     TEXT NOT NULL,  -- YYYY-MM-DD, UTC
    earned  INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);
INSERT INTO vote_earnings (user_id, day, earned)
    SELECT user_id, substr(created_at, 1, 10), SUM(delta) FROM reputation_events
    WHERE kind = 'vote_up' GROUP BY user_id, substr(created_at, 1, 10);
