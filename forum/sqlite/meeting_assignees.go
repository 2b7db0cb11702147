package sqlite

import (
	"context"

	"staffroom/forum"
)

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
