package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"staffroom/forum"
)

// userColumns is selected by every user query, in scanUser's order.
const userColumns = `u.id, u.username, u.display_name, u.email, u.role, u.reputation, u.demo,
	u.suspended_until, u.suspend_reason, u.created_at, u.password_hash,
	d.id, d.slug, d.name`

const userFrom = ` FROM users u LEFT JOIN districts d ON d.id = u.district_id `

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*forum.User, error) {
	var u forum.User
	var role string
	var suspended sql.NullTime
	var dID sql.NullInt64
	var dSlug, dName sql.NullString
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &role, &u.Reputation, &u.Demo,
		&suspended, &u.SuspendReason, &u.CreatedAt, &u.PasswordHash, &dID, &dSlug, &dName); err != nil {
		return nil, err
	}
	u.Role = forum.Role(role)
	u.SuspendedUntil = nullTime(suspended)
	u.CreatedAt = u.CreatedAt.UTC()
	if dID.Valid {
		u.District = &forum.District{ID: dID.Int64, Slug: dSlug.String, Name: dName.String}
	}
	return &u, nil
}

// CreateUser implements forum.UserStore.
func (db *DB) CreateUser(ctx context.Context, nu forum.NewUser, now time.Time) (*forum.User, error) {
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		role := nu.Role
		if !nu.Demo && role != forum.RoleAdmin {
			var hasAdmin bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin')`).Scan(&hasAdmin); err != nil {
				return err
			}
			if !hasAdmin {
				role = forum.RoleAdmin
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users
			(username, username_key, email, email_key, display_name, password_hash, role, district_id, demo, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nu.Username, forum.UsernameKey(nu.Username), nu.Email, forum.EmailKey(nu.Email), nu.DisplayName,
			nu.PasswordHash, string(role), nu.DistrictID, nu.Demo, now)
		if err != nil {
			return userConflict(err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, id)
}

// userConflict turns unique violations on users into the domain's conflicts.
func userConflict(err error) error {
	switch {
	case isUnique(err, "users.username_key"):
		return forum.UsernameTaken()
	case isUnique(err, "users.email_key"):
		return forum.EmailTaken()
	}
	return err
}

// UserByID implements forum.UserStore.
func (db *DB) UserByID(ctx context.Context, id int64) (*forum.User, error) {
	u, err := scanUser(db.readRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`, id))
	if err != nil {
		return nil, notFound(err, forum.NotFoundUser(id))
	}
	return u, nil
}

// UserByLogin implements forum.UserStore.
func (db *DB) UserByLogin(ctx context.Context, login string) (*forum.User, error) {
	key := strings.ToLower(strings.TrimSpace(login))
	u, err := scanUser(db.readRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.username_key = ? OR u.email_key = ?`, key, key))
	if err != nil {
		return nil, notFound(err, forum.NotFoundLogin(login))
	}
	return u, nil
}

// UpdateUser implements forum.UserStore.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd forum.UserUpdate) (*forum.User, error) {
	err := db.write(ctx, func(tx *txn) error {
		if upd.DisplayName != nil {
			if err := mustAffect(forum.NotFoundUser(id))(tx.ExecContext(ctx, `UPDATE users SET display_name = ? WHERE id = ?`, *upd.DisplayName, id)); err != nil {
				return err
			}
		}
		if upd.Email != nil {
			_, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, email_key = ? WHERE id = ?`, *upd.Email, forum.EmailKey(*upd.Email), id)
			if err != nil {
				return userConflict(err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, id)
}

// SetPassword implements forum.UserStore.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string, keepSession, keepToken []byte) error {
	return db.write(ctx, func(tx *txn) error {
		if err := mustAffect(forum.NotFoundUser(id))(tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND hash IS NOT ?`, id, keepSession); err != nil {
			return err
		}
		// Tokens are sign-ins too: whoever knew the old password may hold one.
		_, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ? AND hash IS NOT ?`, id, keepToken)
		return err
	})
}

// SetRole implements forum.UserStore.
func (db *DB) SetRole(ctx context.Context, id int64, role forum.Role) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(forum.NotFoundUser(id))(tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, string(role), id))
	})
}

// CountUsers implements forum.UserStore.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}
