-- Questions that link to each other: a post whose markdown links to /questions/{id} records
-- the pair (its question, the linked question), so both pages can list the other.
CREATE TABLE question_links (
    from_id INTEGER NOT NULL REFERENCES posts (id),
    to_id   INTEGER NOT NULL REFERENCES posts (id),
    PRIMARY KEY (from_id, to_id)
);
CREATE INDEX question_links_to ON question_links (to_id);
