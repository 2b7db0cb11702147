-- Scoped questions (issue #19): a question may belong to a collaborative (forum/scope.go).
-- Answers carry their question's collaborative too, copied when they are written (a
-- question never moves), so that reading any post reads its scope in the same query.
--
-- The site-wide lists, feeds and counts carry the site's own questions only
-- (collaborative_id IS NULL): a collaborative's questions are listed under its filter
-- and found by search, so these lists stay one copy for every reader and their counts
-- never count a private question.
ALTER TABLE posts ADD COLUMN collaborative_id INTEGER REFERENCES collaboratives (id);

-- A collaborative's own question list.
CREATE INDEX posts_questions_collaborative ON posts (collaborative_id, created_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND collaborative_id IS NOT NULL;

-- 1. The site-wide list indexes keep to the site's own questions (and cover the new
--    condition, as they cover the others: 0008_list_keys.sql).
DROP INDEX posts_questions_newest;
DROP INDEX posts_questions_active;
DROP INDEX posts_questions_votes;
DROP INDEX posts_questions_unanswered;
CREATE INDEX posts_questions_newest ON posts (created_at DESC, id DESC, kind, deleted_at, collaborative_id)
    WHERE kind = 'question' AND deleted_at IS NULL AND collaborative_id IS NULL;
CREATE INDEX posts_questions_active ON posts (activity_at DESC, id DESC, kind, deleted_at, collaborative_id)
    WHERE kind = 'question' AND deleted_at IS NULL AND collaborative_id IS NULL;
CREATE INDEX posts_questions_votes ON posts (score DESC, id DESC, kind, deleted_at, collaborative_id)
    WHERE kind = 'question' AND deleted_at IS NULL AND collaborative_id IS NULL;
CREATE INDEX posts_questions_unanswered ON posts (created_at DESC, id DESC, kind, deleted_at, answer_count, closed_at, collaborative_id)
    WHERE kind = 'question' AND deleted_at IS NULL AND answer_count = 0 AND closed_at IS NULL AND collaborative_id IS NULL;

-- 2. Tag links carry their question's collaborative, like its other keys; a tag's lists,
--    its counts and the related questions read only the site's own.
ALTER TABLE post_tags ADD COLUMN collaborative_id INTEGER;

DROP TRIGGER post_tags_copy_keys;
CREATE TRIGGER post_tags_copy_keys AFTER INSERT ON post_tags
BEGIN
    UPDATE post_tags SET (score, activity_at, answer_count, deleted_at, closed_at, collaborative_id) =
        (SELECT p.score, p.activity_at, p.answer_count, p.deleted_at, p.closed_at, p.collaborative_id
         FROM posts p WHERE p.id = NEW.post_id)
    WHERE rowid = NEW.rowid;
END;

DROP INDEX post_tags_newest;
DROP INDEX post_tags_active;
DROP INDEX post_tags_votes;
DROP INDEX post_tags_unanswered;
CREATE INDEX post_tags_newest ON post_tags (tag_id, created_at DESC, post_id DESC, deleted_at, collaborative_id);
CREATE INDEX post_tags_active ON post_tags (tag_id, activity_at DESC, post_id DESC, deleted_at, collaborative_id)
    WHERE deleted_at IS NULL AND collaborative_id IS NULL;
CREATE INDEX post_tags_votes ON post_tags (tag_id, score DESC, post_id DESC, deleted_at, collaborative_id)
    WHERE deleted_at IS NULL AND collaborative_id IS NULL;
CREATE INDEX post_tags_unanswered ON post_tags (tag_id, created_at DESC, post_id DESC, deleted_at, answer_count, closed_at, collaborative_id)
    WHERE deleted_at IS NULL AND answer_count = 0 AND closed_at IS NULL AND collaborative_id IS NULL;

-- 3. A tag's unanswered count counts the site's own open questions only.
DROP TRIGGER post_tags_count_insert;
DROP TRIGGER post_tags_count_delete;
DROP TRIGGER post_tags_count_update;

CREATE TRIGGER post_tags_count_insert AFTER INSERT ON post_tags
WHEN NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.closed_at IS NULL AND NEW.collaborative_id IS NULL
BEGIN
    UPDATE tags SET unanswered_count = unanswered_count + 1 WHERE id = NEW.tag_id;
END;

CREATE TRIGGER post_tags_count_delete AFTER DELETE ON post_tags
WHEN OLD.deleted_at IS NULL AND OLD.answer_count = 0 AND OLD.closed_at IS NULL AND OLD.collaborative_id IS NULL
BEGIN
    UPDATE tags SET unanswered_count = unanswered_count - 1 WHERE id = OLD.tag_id;
END;

CREATE TRIGGER post_tags_count_update AFTER UPDATE OF answer_count, deleted_at, closed_at, collaborative_id ON post_tags
WHEN (OLD.deleted_at IS NULL AND OLD.answer_count = 0 AND OLD.closed_at IS NULL AND OLD.collaborative_id IS NULL)
  <> (NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.closed_at IS NULL AND NEW.collaborative_id IS NULL)
BEGIN
    UPDATE tags SET unanswered_count = unanswered_count
        + (NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.closed_at IS NULL AND NEW.collaborative_id IS NULL)
        - (OLD.deleted_at IS NULL AND OLD.answer_count = 0 AND OLD.closed_at IS NULL AND OLD.collaborative_id IS NULL)
    WHERE id = NEW.tag_id;
END;

-- 4. The site's unanswered total: closing or reopening moves it for the site's own
--    questions only (the Go side, countQuestions and countFirstAnswer, does the same).
DROP TRIGGER posts_count_unanswered_closed;
CREATE TRIGGER posts_count_unanswered_closed AFTER UPDATE OF closed_at ON posts
WHEN NEW.kind = 'question' AND NEW.deleted_at IS NULL AND NEW.answer_count = 0 AND NEW.collaborative_id IS NULL
 AND (OLD.closed_at IS NULL) <> (NEW.closed_at IS NULL)
BEGIN
    UPDATE site_counters SET value = value + (NEW.closed_at IS NULL) - (OLD.closed_at IS NULL) WHERE name = 'unanswered';
END;

-- 5. What search reads of each candidate question, from the index alone: its
--    collaborative too, for the scope of each result and the collaborative filter and facet.
DROP INDEX posts_search_questions;
CREATE INDEX posts_search_questions ON posts (id, author_id, deleted_at, score, answer_count, accepted_answer_id,
    closed_reason, created_at, tags, collaborative_id) WHERE kind = 'question';
