package sqlite

import (
	"context"
	"sort"
	"time"
)

// SiteSettings implements forum.SettingsStore.
func (db *DB) SiteSettings(ctx context.Context) (map[string]string, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT name, value FROM site_settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, err
		}
		out[name] = value
	}
	return out, rows.Err()
}

// SaveSiteSettings implements forum.SettingsStore.
func (db *DB) SaveSiteSettings(ctx context.Context, values map[string]string, now time.Time) error {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	return db.write(ctx, func(tx *txn) error {
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO site_settings (name, value, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, values[name], now); err != nil {
				return err
			}
		}
		return nil
	})
}
