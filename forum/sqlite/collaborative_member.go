package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// AddCollaborativeMember gives a person a role in a collaborative (or changes it). It is
// the small seam the meetings' tests and demo use until the collaboratives feature's own
// member management is merged, which takes its place.
func (db *DB) AddCollaborativeMember(ctx context.Context, collaborativeID, userID int64, role forum.MemberRole, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO collaborative_members (collaborative_id, user_id, role, joined_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (collaborative_id, user_id) DO UPDATE SET role = excluded.role`,
			collaborativeID, userID, role, now)
		return err
	})
}

// Assignees implements forum.MeetingStore: the collaborative's members, by display name.
func (db *DB) Assignees(ctx context.Context, collaborativeID int64) ([]*forum.User, error) {
	rows, err := db.readRows(ctx, `SELECT u.id, u.username, u.display_name FROM collaborative_members m
		JOIN users u ON u.id = m.user_id WHERE m.collaborative_id = ? ORDER BY lower(u.display_name), u.id`, collaborativeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.User{}
	for rows.Next() {
		u := &forum.User{}
		if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
