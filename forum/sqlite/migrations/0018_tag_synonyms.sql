-- Tag synonyms (issue #21): a name that stands for a master tag. Questions asked or
-- retagged with it are filed under the master; searches for it find the master's.
CREATE TABLE tag_synonyms (
    synonym    TEXT PRIMARY KEY,
    master     TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tag_synonyms_master ON tag_synonyms (master, created_at);
