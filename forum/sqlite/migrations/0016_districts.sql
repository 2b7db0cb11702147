-- The district directory and people's profile fields, as data a later feature matches on
-- (similar districts, mentors): a district's state, enrollment and NCES locale, its cluster
-- (a regional network of districts and partners); a person's position, subjects, grade
-- bands and time zone. Vocabularies are forum's (profile_fields.go); the checks here are
-- the ones DESIGN.md fixes.

CREATE TABLE clusters (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,               -- forum.SearchKey(name): sorting
    description      TEXT NOT NULL DEFAULT '',    -- markdown as written
    description_html TEXT NOT NULL DEFAULT '',    -- rendered and sanitized when written
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- Districts made before the directory (the demo's) have no state until someone gives one.
ALTER TABLE districts ADD COLUMN state TEXT NOT NULL DEFAULT '';            -- USPS code
ALTER TABLE districts ADD COLUMN nces_id TEXT;                              -- NCES LEAID, 7 digits
ALTER TABLE districts ADD COLUMN enrollment INTEGER CHECK (enrollment IS NULL OR enrollment >= 0);
ALTER TABLE districts ADD COLUMN locale TEXT CHECK (locale IS NULL OR locale IN ('city', 'suburb', 'town', 'rural'));
ALTER TABLE districts ADD COLUMN locale_code INTEGER CHECK (locale_code IS NULL OR locale_code BETWEEN 11 AND 43);
ALTER TABLE districts ADD COLUMN profile TEXT NOT NULL DEFAULT '';          -- markdown as written
ALTER TABLE districts ADD COLUMN profile_html TEXT NOT NULL DEFAULT '';
ALTER TABLE districts ADD COLUMN cluster_id INTEGER REFERENCES clusters (id);
ALTER TABLE districts ADD COLUMN name_key TEXT NOT NULL DEFAULT '';         -- forum.SearchKey(name): search and sort
ALTER TABLE districts ADD COLUMN updated_at TIMESTAMP;
UPDATE districts SET name_key = lower(name), updated_at = created_at;

CREATE UNIQUE INDEX districts_nces_id ON districts (nces_id) WHERE nces_id IS NOT NULL;
CREATE INDEX districts_name ON districts (name_key, id);
CREATE INDEX districts_state ON districts (state, name_key, id);
CREATE INDEX districts_cluster ON districts (cluster_id, name_key, id);

ALTER TABLE users ADD COLUMN position TEXT
    CHECK (position IS NULL OR position IN ('teacher', 'coach', 'principal', 'district_leader', 'researcher', 'partner'));
ALTER TABLE users ADD COLUMN time_zone TEXT;                                -- IANA name

CREATE TABLE user_subjects (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    PRIMARY KEY (user_id, subject)
);
CREATE INDEX user_subjects_subject ON user_subjects (subject, user_id);

CREATE TABLE user_grade_bands (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    grade_band TEXT NOT NULL,
    PRIMARY KEY (user_id, grade_band)
);
CREATE INDEX user_grade_bands_band ON user_grade_bands (grade_band, user_id);
