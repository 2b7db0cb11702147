package sqlite

import (
	"context"

	"staffroom/forum"
)

// newestMembers is how many recent members the home page shows.
const newestMembers = 8

// Community implements forum.CommunityStore.
func (db *DB) Community(ctx context.Context) (*forum.Community, error) {
	var c forum.Community
	if err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&c.Members); err != nil {
		return nil, err
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT d.id, d.slug, d.name, COUNT(u.id)
		FROM districts d LEFT JOIN users u ON u.district_id = d.id
		GROUP BY d.id, d.slug, d.name HAVING COUNT(u.id) > 0 ORDER BY COUNT(u.id) DESC, d.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d forum.DistrictMembers
		if err := rows.Scan(&d.ID, &d.Slug, &d.Name, &d.Members); err != nil {
			return nil, err
		}
		c.Districts = append(c.Districts, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	urows, err := db.reader.QueryContext(ctx, `SELECT `+userColumns+userFrom+`ORDER BY u.created_at DESC, u.id DESC LIMIT ?`, newestMembers)
	if err != nil {
		return nil, err
	}
	defer urows.Close()
	for urows.Next() {
		u, err := scanUser(urows)
		if err != nil {
			return nil, err
		}
		c.Newest = append(c.Newest, u)
	}
	return &c, urows.Err()
}
