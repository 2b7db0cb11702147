-- Totals the question list shows, kept in the same transactions as the rows they count, so
-- a page of a million questions does not count them all on every request.
CREATE TABLE site_counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO site_counters (name, value)
    SELECT 'questions', COUNT(*) FROM posts WHERE kind = 'question' AND deleted_at IS NULL;
INSERT INTO site_counters (name, value)
    SELECT 'unanswered', COUNT(*) FROM posts WHERE kind = 'question' AND deleted_at IS NULL AND answer_count = 0;
