-- "Unanswered" lists open questions only: a closed question takes no answers, so it is not
-- waiting for one. Every key of that list learns of closing (0008_list_keys.sql made them):
--
-- 1. The site-wide index: partial on open questions too, and covering their state.
DROP INDEX posts_questions_unanswered;
CREATE INDEX posts_questions_unanswered ON posts (created_at DESC, id DESC, kind, deleted_at, answer_count, closed_at)
    WHERE kind = 'question' AND deleted_at IS NULL AND answer_count = 0 AND closed_at IS NULL;

-- 2. Tag links carry a copy of their question's closed_at, like its other keys, kept by a
--    trigger in the same statement as the change; `staffroom recount` checks the copy.
ALTER TABLE post_tags ADD COLUMN closed_at TIMESTAMP;
UPDATE post_tags SET closed_at = (SELECT p.closed_at FROM posts p WHERE p.id = post_tags.post_id);

DROP TRIGGER post_tags_copy_keys;
CREATE TRIGGER post_tags_copy_keys AFTER INSERT ON post_tags
BEGIN
    UPDATE post_tags SET (score, activity_at, answer_count, deleted_at, closed_at) =
        (SELECT p.score, p.activity_at, p.answer_count, p.deleted_at, p.closed_at FROM posts p WHERE p.id = NEW.post_id)
    WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER posts_copy_closed AFTER UPDATE OF closed_at ON posts
WHEN NEW.kind = 'question' AND NEW.closed_at IS NOT OLD.closed_at
BEGIN
    UPDATE post_tags SET closed_at = NEW.closed_at WHERE post_id = NEW.id;
END;

DROP INDEX post_tags_unanswered;
CREATE INDEX post_tags_unanswered ON post_tags (tag_id, created_at DESC, post_id DESC, deleted_at, answer_count, closed_at)
    WHERE deleted_at IS NULL AND answer_count = 0 AND closed_at IS NULL;

-- 3. Each tag's unanswered count counts open questions only.
DROP TRIGGER post_tags_count_insert;
DROP TRIGGER post_tags_count_delete;
DROP TRIGGER post_tags_count_update;

CREATE TRIGGER post_tags_count_insert AFTER INSERT ON post_tags
WHEN NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.closed_at IS NULL
BEGIN
    UPDATE tags SET unanswered_count = unanswered_count + 1 WHERE id = NEW.tag_id;
END;

CREATE TRIGGER post_tags_count_delete AFTER DELETE ON post_tags
WHEN OLD.deleted_at IS NULL AND OLD.answer_count = 0 AND OLD.closed_at IS NULL
BEGIN
    UPDATE tags SET unanswered_count = unanswered_count - 1 WHERE id = OLD.tag_id;
END;

CREATE TRIGGER post_tags_count_update AFTER UPDATE OF answer_count, deleted_at, closed_at ON post_tags
WHEN (OLD.deleted_at IS NULL AND OLD.answer_count = 0 AND OLD.closed_at IS NULL)
  <> (NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.closed_at IS NULL)
BEGIN
    UPDATE tags SET unanswered_count = unanswered_count
        + (NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.closed_at IS NULL)
        - (OLD.deleted_at IS NULL AND OLD.answer_count = 0 AND OLD.closed_at IS NULL)
    WHERE id = NEW.tag_id;
END;

UPDATE tags SET unanswered_count = (SELECT COUNT(*) FROM post_tags pt
    WHERE pt.tag_id = tags.id AND pt.deleted_at IS NULL AND pt.answer_count = 0 AND pt.closed_at IS NULL);

-- 4. The site's unanswered total: closing or reopening a live question without answers
--    moves it here, whatever code path closes it (answers and deletions move it in Go,
--    beside the rows they change: countFirstAnswer, countQuestionLife).
CREATE TRIGGER posts_count_unanswered_closed AFTER UPDATE OF closed_at ON posts
WHEN NEW.kind = 'question' AND NEW.deleted_at IS NULL AND NEW.answer_count = 0
 AND (OLD.closed_at IS NULL) <> (NEW.closed_at IS NULL)
BEGIN
    UPDATE site_counters SET value = value + (NEW.closed_at IS NULL) - (OLD.closed_at IS NULL) WHERE name = 'unanswered';
END;

UPDATE site_counters SET value = (SELECT COUNT(*) FROM posts
    WHERE kind = 'question' AND deleted_at IS NULL AND answer_count = 0 AND closed_at IS NULL)
WHERE name = 'unanswered';
