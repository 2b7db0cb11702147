package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

// PruneIdempotencyKeys implements forum.IdempotencyStore.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, before)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ClaimKey implements forum.IdempotencyStore. A claim in progress is stored with status 0.
func (db *DB) ClaimKey(ctx context.Context, userID int64, key string, now time.Time) (*forum.StoredResponse, bool, error) {
	var stored *forum.StoredResponse
	claimed := false
	err := db.write(ctx, func(tx *txn) error {
		var status int
		var body string
		var at time.Time
		err := tx.QueryRowContext(ctx, `SELECT status, response, created_at FROM idempotency_keys WHERE user_id = ? AND key = ?`, userID, key).
			Scan(&status, &body, &at)
		switch {
		case err == nil && status != 0 && now.Sub(at) < forum.IdempotencyWindow:
			stored = &forum.StoredResponse{Status: status, Body: []byte(body)}
			return nil
		case err == nil && status == 0 && now.Sub(at) < forum.IdempotencyClaimTimeout:
			return nil // the first request is still running
		case err != nil && err != sql.ErrNoRows:
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, status, response, created_at) VALUES (?, ?, 0, '', ?)
			ON CONFLICT (user_id, key) DO UPDATE SET status = 0, response = '', created_at = excluded.created_at`, userID, key, now)
		claimed = err == nil
		return err
	})
	return stored, claimed, err
}

// CompleteKey implements forum.IdempotencyStore.
func (db *DB) CompleteKey(ctx context.Context, userID int64, key string, status int, body []byte) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND key = ?`, status, string(body), userID, key)
		return err
	})
}

// ReleaseKey implements forum.IdempotencyStore.
func (db *DB) ReleaseKey(ctx context.Context, userID int64, key string) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status = 0`, userID, key)
		return err
	})
}
