-- Full-text search (issue #21): SQLite's FTS4 with the porter stemmer, on text folded by
-- the Go function search_fold (case and diacritics: "Café" is "cafe"), which every
-- connection of this store registers (search_funcs.go). FTS4 rather than FTS5: go-sqlite3
-- builds FTS5 only with a build tag, FTS4 always. Ranking is BM25 over matchinfo, in Go.
--
-- One document per post: questions (title, body, tags) in one table, answers (body) in
-- another, both keyed by the post's id. The index keeps no copy of the text: its content
-- is a view that folds the posts' own (external content), read only when a document
-- leaves the index (FTS4 needs its old words then), so triggers take a post out of the
-- index BEFORE its text changes and put it back AFTER. If the folding ever changes,
-- search_state.analyzer says so and the index is rebuilt (sqlite.DB.checkSearchAnalyzer).
--
-- meta holds tokens the store writes and a person's words never reach (the query parser
-- drops their shape): zallqz in every document, the author (zu...qz) and each tag of the
-- question (zt...qz), so that [tag] and user:ID are answered by the index itself. order=desc: the newest documents come first, read
-- incrementally, so a search reads only as many as it scores.
--
-- Deleted posts stay in the index: the search service shows them to moderators and their
-- authors only (forum.SearchScope). Triggers keep the index in the same statement, so the
-- same transaction, as every write to posts, whichever code path makes it; they need
-- search_fold and search_meta, so posts are written only through this store (the sqlite3
-- shell cannot insert or edit posts).
CREATE VIEW search_question_text (rowid, title, body, tags, meta) AS
    SELECT id, search_fold(title), search_fold(body), tags, search_meta(author_id, tags) FROM posts WHERE kind = 'question';
CREATE VIEW search_answer_text (rowid, body, meta) AS
    SELECT a.id, search_fold(a.body), search_meta(a.author_id, q.tags)
    FROM posts a JOIN posts q ON q.id = a.question_id WHERE a.kind = 'answer';
CREATE VIRTUAL TABLE search_questions USING fts4(content="search_question_text", title, body, tags, meta,
    tokenize=porter, order=desc);
CREATE VIRTUAL TABLE search_answers USING fts4(content="search_answer_text", body, meta, tokenize=porter, order=desc);
-- Merge the index's segments a little on every write, never all at once in one unlucky write.
INSERT INTO search_questions (search_questions) VALUES ('automerge=8');
INSERT INTO search_answers (search_answers) VALUES ('automerge=8');

-- gen changes with every change to what the index finds (new, edited, deleted and
-- undeleted posts): cached searches are good while it stays. Posts with ids below
-- backfill_below were written before the index and are indexed in batches after start,
-- newest first (sqlite.DB.BackfillSearch); 1 when there is nothing left to do. analyzer
-- names the folding and tokens the index was built with ('' until the first start).
CREATE TABLE search_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    gen            INTEGER NOT NULL DEFAULT 0,
    backfill_below INTEGER NOT NULL,
    analyzer       TEXT NOT NULL DEFAULT ''
);
INSERT INTO search_state (id, backfill_below) VALUES (1, (SELECT COALESCE(MAX(id), 0) + 1 FROM posts));

-- What ranking, filters and facets read of each candidate, from the index alone (posts
-- rows are long: bodies come before these columns).
CREATE INDEX posts_search_questions ON posts (id, author_id, deleted_at, score, answer_count, accepted_answer_id,
    closed_reason, created_at, tags) WHERE kind = 'question';
CREATE INDEX posts_search_answers ON posts (id, question_id, author_id, deleted_at) WHERE kind = 'answer';

CREATE TRIGGER search_question_insert AFTER INSERT ON posts WHEN NEW.kind = 'question'
BEGIN
    INSERT INTO search_questions (docid, title, body, tags, meta)
        SELECT rowid, title, body, tags, meta FROM search_question_text WHERE rowid = NEW.id;
    UPDATE search_state SET gen = gen + 1;
END;

CREATE TRIGGER search_answer_insert AFTER INSERT ON posts WHEN NEW.kind = 'answer'
BEGIN
    INSERT INTO search_answers (docid, body, meta)
        SELECT rowid, body, meta FROM search_answer_text WHERE rowid = NEW.id;
    UPDATE search_state SET gen = gen + 1;
END;

-- An edit: out of the index with the old words (only if it is in: the backfill may not
-- have reached it), back in with the new ones.
CREATE TRIGGER search_question_unindex BEFORE UPDATE OF title, body, tags ON posts
WHEN NEW.kind = 'question' AND (NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.tags IS NOT OLD.tags)
BEGIN
    DELETE FROM search_questions WHERE docid = OLD.id
        AND EXISTS (SELECT 1 FROM search_questions_docsize WHERE docid = OLD.id);
END;

CREATE TRIGGER search_question_reindex AFTER UPDATE OF title, body, tags ON posts
WHEN NEW.kind = 'question' AND (NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.tags IS NOT OLD.tags)
BEGIN
    INSERT INTO search_questions (docid, title, body, tags, meta)
        SELECT rowid, title, body, tags, meta FROM search_question_text WHERE rowid = NEW.id;
    UPDATE search_state SET gen = gen + 1;
END;

-- An answer's document carries its question's tags: they move with the question's.
CREATE TRIGGER search_answers_unindex BEFORE UPDATE OF tags ON posts
WHEN NEW.kind = 'question' AND NEW.tags IS NOT OLD.tags
BEGIN
    DELETE FROM search_answers WHERE docid IN (SELECT d.docid FROM search_answers_docsize d
        WHERE d.docid IN (SELECT id FROM posts WHERE question_id = OLD.id AND kind = 'answer'));
END;

CREATE TRIGGER search_answers_reindex AFTER UPDATE OF tags ON posts
WHEN NEW.kind = 'question' AND NEW.tags IS NOT OLD.tags
BEGIN
    INSERT INTO search_answers (docid, body, meta)
        SELECT rowid, body, meta FROM search_answer_text
        WHERE rowid IN (SELECT id FROM posts WHERE question_id = NEW.id AND kind = 'answer');
END;

CREATE TRIGGER search_answer_unindex BEFORE UPDATE OF body ON posts
WHEN NEW.kind = 'answer' AND NEW.body IS NOT OLD.body
BEGIN
    DELETE FROM search_answers WHERE docid = OLD.id
        AND EXISTS (SELECT 1 FROM search_answers_docsize WHERE docid = OLD.id);
END;

CREATE TRIGGER search_answer_reindex AFTER UPDATE OF body ON posts
WHEN NEW.kind = 'answer' AND NEW.body IS NOT OLD.body
BEGIN
    INSERT INTO search_answers (docid, body, meta)
        SELECT rowid, body, meta FROM search_answer_text WHERE rowid = NEW.id;
    UPDATE search_state SET gen = gen + 1;
END;

-- Deleting and undeleting change who finds a post, not its words.
CREATE TRIGGER search_post_deleted AFTER UPDATE OF deleted_at ON posts
WHEN NEW.deleted_at IS NOT OLD.deleted_at
BEGIN
    UPDATE search_state SET gen = gen + 1;
END;

CREATE TRIGGER search_post_removed BEFORE DELETE ON posts
BEGIN
    DELETE FROM search_questions WHERE docid = OLD.id
        AND EXISTS (SELECT 1 FROM search_questions_docsize WHERE docid = OLD.id);
    DELETE FROM search_answers WHERE docid = OLD.id
        AND EXISTS (SELECT 1 FROM search_answers_docsize WHERE docid = OLD.id);
    UPDATE search_state SET gen = gen + 1;
END;
