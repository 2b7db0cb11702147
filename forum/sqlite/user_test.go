package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/sqlite"
	"staffroom/forum/storetest"
)

// TestFirstAdminOnUpgrade: a site that existed before the first account was recorded has
// had its first run if it has a real account, and only then.
func TestFirstAdminOnUpgrade(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		demo int
		want forum.Role
	}{
		{"a site with a real account (its admin demoted) gives no sign-up admin", 0, forum.RoleMember},
		{"a site of demo accounts alone still gives its first sign-up admin", 1, forum.RoleAdmin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			db, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// Turn it into a database from before the migration, with one member account.
			raw, err := sql.Open("sqlite3", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`DROP TABLE site_flags`,
				`DELETE FROM schema_migrations WHERE name = 'first_admin'`,
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := raw.Exec(`INSERT INTO users (username, username_key, email, email_key, display_name, role, demo, created_at)
				VALUES ('old', 'old', 'old@example.org', 'old@example.org', 'Old', 'member', ?, ?)`, tc.demo, time.Now()); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			if applied, err := db.Migrate(ctx); err != nil || len(applied) != 1 {
				t.Fatalf("upgrade applied %d migrations: %v", len(applied), err)
			}
			if u := storetest.MustCreateUser(t, db, "newcomer"); u.Role != tc.want {
				t.Fatalf("the first sign-up after the upgrade got role %s, want %s", u.Role, tc.want)
			}
		})
	}
}
