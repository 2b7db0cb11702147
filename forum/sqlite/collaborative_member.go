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
