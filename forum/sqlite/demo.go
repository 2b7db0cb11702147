package sqlite

import (
	"context"
	"fmt"
	"time"

	"staffroom/forum"
)

// SeedDemo implements forum.DemoSeeder. Demo accounts get an empty password hash, so no
// password ever signs into them, and an address under .invalid, which cannot receive mail.
func (db *DB) SeedDemo(ctx context.Context, demo forum.DemoCommunity, now time.Time) (bool, error) {
	seeded := false
	err := db.write(ctx, func(tx *txn) error {
		var hasUsers bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&hasUsers); err != nil {
			return err
		}
		if hasUsers {
			return nil
		}
		districts := map[string]int64{}
		for _, d := range demo.Districts {
			res, err := tx.ExecContext(ctx, `INSERT INTO districts (slug, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				d.Slug, d.Name, forum.SearchKey(d.Name), now, now)
			if err != nil {
				return fmt.Errorf("demo district %s: %w", d.Slug, err)
			}
			if districts[d.Slug], err = res.LastInsertId(); err != nil {
				return err
			}
		}
		for _, p := range demo.People {
			joined := now.Add(-time.Duration(p.JoinedDaysAgo) * 24 * time.Hour)
			email := p.Username + "@demo.staffroom.invalid"
			_, err := tx.ExecContext(ctx, `INSERT INTO users
				(username, username_key, email, email_key, display_name, password_hash, role, district_id, demo, created_at)
				VALUES (?, ?, ?, ?, ?, '', ?, ?, 1, ?)`,
				p.Username, forum.UsernameKey(p.Username), email, forum.EmailKey(email), p.DisplayName, p.Role,
				districts[p.District], joined)
			if err != nil {
				return fmt.Errorf("demo person %s: %w", p.Username, err)
			}
		}
		seeded = true
		return nil
	})
	return seeded, err
}
