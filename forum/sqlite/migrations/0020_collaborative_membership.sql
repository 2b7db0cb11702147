-- Joining collaboratives: requests to join a private one, which its leads approve or
-- decline, and the role in the collaborative an invitation gives.

-- One row per pending request; approving makes a member and deletes it, declining deletes it.
CREATE TABLE collaborative_requests (
    collaborative_id INTEGER NOT NULL REFERENCES collaboratives (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (collaborative_id, user_id)
) WITHOUT ROWID;
CREATE INDEX collaborative_requests_user ON collaborative_requests (user_id, collaborative_id);

-- An invitation that names a collaborative (invites.collaborative, its slug) makes the person
-- a member in this role when they accept it.
ALTER TABLE invites ADD COLUMN collaborative_role TEXT NOT NULL DEFAULT 'member'
    CHECK (collaborative_role IN ('lead', 'member'));
