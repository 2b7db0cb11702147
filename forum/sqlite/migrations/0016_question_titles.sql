-- Questions found by the words of their titles: the close form's search for the question
-- a duplicate repeats (GET /api/v1/questions/similar). An FTS4 index (compiled into
-- mattn/go-sqlite3 by default) with external content: it keeps only the index, reading
-- titles from posts, and triggers keep it in step with every question written or retitled
-- in the same statement. Deleted questions stay indexed and are left out when read.
CREATE VIRTUAL TABLE question_titles USING fts4(content="posts", title, tokenize=unicode61);
INSERT INTO question_titles (docid, title) SELECT id, title FROM posts WHERE kind = 'question';

CREATE TRIGGER question_titles_insert AFTER INSERT ON posts
WHEN NEW.kind = 'question'
BEGIN
    INSERT INTO question_titles (docid, title) VALUES (NEW.id, NEW.title);
END;

-- An external-content index drops a row's words by reading the row: before it changes.
CREATE TRIGGER question_titles_retitle_before BEFORE UPDATE OF title ON posts
WHEN OLD.kind = 'question' AND NEW.title IS NOT OLD.title
BEGIN
    DELETE FROM question_titles WHERE docid = OLD.id;
END;

CREATE TRIGGER question_titles_retitle_after AFTER UPDATE OF title ON posts
WHEN NEW.kind = 'question' AND NEW.title IS NOT OLD.title
BEGIN
    INSERT INTO question_titles (docid, title) VALUES (NEW.id, NEW.title);
END;
