package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"

	"staffroom/forum"
)

var _ forum.SecretStore = (*DB)(nil)

// SiteSecret implements forum.SecretStore. The secret is made before the transaction and
// inserted only if no other caller got there first; the transaction then reads back
// whichever one is stored, so concurrent first uses agree.
func (db *DB) SiteSecret(ctx context.Context, name string) ([]byte, error) {
	var value []byte
	err := db.readRow(ctx, `SELECT value FROM site_secrets WHERE name = ?`, name).Scan(&value)
	if err == nil {
		return value, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read site secret %s: %w", name, err)
	}
	fresh := make([]byte, forum.SiteSecretLen)
	rand.Read(fresh) // never fails (crypto/rand since Go 1.24)
	err = db.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM site_secrets WHERE name = ?`, name).Scan(&value)
	})
	if err != nil {
		return nil, fmt.Errorf("create site secret %s: %w", name, err)
	}
	return value, nil
}
