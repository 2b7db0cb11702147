-- A question page's version: one number per question, raised by triggers in the same
-- transaction as any change to the question, its answers, their comments, votes on them, or
-- links to and from it. A cache of the page compares it and lets go exactly when the page
-- changed; being triggers, it also covers writes added later and `staffroom recount --fix`.

CREATE TABLE thread_versions (
    question_id INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL
);

CREATE TRIGGER thread_version_post_insert AFTER INSERT ON posts BEGIN
    INSERT INTO thread_versions (question_id, version) VALUES (COALESCE(NEW.question_id, NEW.id), 1)
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_post_update AFTER UPDATE ON posts BEGIN
    INSERT INTO thread_versions (question_id, version) VALUES (COALESCE(NEW.question_id, NEW.id), 1)
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_post_delete AFTER DELETE ON posts BEGIN
    INSERT INTO thread_versions (question_id, version) VALUES (COALESCE(OLD.question_id, OLD.id), 1)
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_comment_insert AFTER INSERT ON comments BEGIN
    INSERT INTO thread_versions (question_id, version)
    SELECT COALESCE(question_id, id), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_comment_update AFTER UPDATE ON comments BEGIN
    INSERT INTO thread_versions (question_id, version)
    SELECT COALESCE(question_id, id), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_comment_delete AFTER DELETE ON comments BEGIN
    INSERT INTO thread_versions (question_id, version)
    SELECT COALESCE(question_id, id), 1 FROM posts WHERE id = OLD.post_id
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

-- A vote moves a score too, but the voter's own arrow state is on the page as well.
CREATE TRIGGER thread_version_vote_insert AFTER INSERT ON votes BEGIN
    INSERT INTO thread_versions (question_id, version)
    SELECT COALESCE(question_id, id), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_vote_update AFTER UPDATE ON votes BEGIN
    INSERT INTO thread_versions (question_id, version)
    SELECT COALESCE(question_id, id), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_vote_delete AFTER DELETE ON votes BEGIN
    INSERT INTO thread_versions (question_id, version)
    SELECT COALESCE(question_id, id), 1 FROM posts WHERE id = OLD.post_id
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

-- Both ends of a link list each other.
CREATE TRIGGER thread_version_link_insert AFTER INSERT ON question_links BEGIN
    INSERT INTO thread_versions (question_id, version) VALUES (NEW.from_id, 1), (NEW.to_id, 1)
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER thread_version_link_delete AFTER DELETE ON question_links BEGIN
    INSERT INTO thread_versions (question_id, version) VALUES (OLD.from_id, 1), (OLD.to_id, 1)
    ON CONFLICT (question_id) DO UPDATE SET version = version + 1;
END;
