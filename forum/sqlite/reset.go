package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

// CreatePasswordReset implements forum.PasswordResetStore.
func (db *DB) CreatePasswordReset(ctx context.Context, r *forum.PasswordReset, hash []byte) error {
	var by *int64
	if r.CreatedBy != 0 {
		by = &r.CreatedBy
	}
	return db.write(ctx, func(tx *txn) error {
		// One link in circulation per person: the unused ones before it stop working.
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL`, r.UserID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO password_resets (hash, user_id, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, hash, r.UserID, by, r.CreatedAt, r.ExpiresAt)
		if err != nil {
			return err
		}
		r.ID, err = res.LastInsertId()
		return err
	})
}

const resetColumns = `r.id, r.user_id, COALESCE(r.created_by, 0), r.created_at, r.expires_at, r.used_at`

func scanReset(row scanner, extra ...any) (*forum.PasswordReset, error) {
	var r forum.PasswordReset
	var used sql.NullTime
	if err := row.Scan(append([]any{&r.ID, &r.UserID, &r.CreatedBy, &r.CreatedAt, &r.ExpiresAt, &used}, extra...)...); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ExpiresAt, r.UsedAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC(), nullTime(used)
	return &r, nil
}

// PasswordResetByHash implements forum.PasswordResetStore.
func (db *DB) PasswordResetByHash(ctx context.Context, hash []byte) (*forum.PasswordReset, *forum.User, error) {
	row := db.readRow(ctx, `SELECT `+resetColumns+`, `+userColumns+`
		FROM password_resets r JOIN users u ON u.id = r.user_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE r.hash = ?`, hash)
	var u *forum.User
	r, err := scanReset(rowFunc(func(dest ...any) error {
		var err error
		u, err = scanUserAfter(row, dest)
		return err
	}))
	if err != nil {
		return nil, nil, notFound(err, forum.NotFoundResetLink())
	}
	return r, u, nil
}

// UsePasswordReset implements forum.PasswordResetStore.
func (db *DB) UsePasswordReset(ctx context.Context, hash []byte, passwordHash string, now time.Time) (*forum.User, error) {
	var userID int64
	err := db.write(ctx, func(tx *txn) error {
		r, err := scanReset(tx.QueryRowContext(ctx, `SELECT `+resetColumns+` FROM password_resets r WHERE r.hash = ?`, hash))
		if err != nil {
			return notFound(err, forum.NotFoundResetLink())
		}
		if err := forum.CheckResetUsable(r, now); err != nil {
			return err
		}
		userID = r.UserID
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE id = ?`, now, r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, r.UserID); err != nil {
			return err
		}
		// Every sign-in ends: whoever knew the old password, or holds a stolen cookie, is out.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, r.UserID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, r.UserID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, userID)
}
