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
	u.joined_via, u.known, u.disabled_at,
	d.id, d.slug, d.name`

const userFrom = ` FROM users u LEFT JOIN districts d ON d.id = u.district_id `

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*forum.User, error) {
	var u forum.User
	var role string
	var suspended, disabled sql.NullTime
	var dID sql.NullInt64
	var dSlug, dName sql.NullString
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &role, &u.Reputation, &u.Demo,
		&suspended, &u.SuspendReason, &u.CreatedAt, &u.PasswordHash, &u.JoinedVia, &u.Known, &disabled,
		&dID, &dSlug, &dName); err != nil {
		return nil, err
	}
	u.Role = forum.Role(role)
	u.SuspendedUntil = nullTime(suspended)
	u.DisabledAt = nullTime(disabled)
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
		first, err := claimFirstAccount(ctx, tx, nu.Demo, now)
		if err != nil {
			return err
		}
		if nu.OnlyFirst != nil && !first {
			return nu.OnlyFirst
		}
		role := forum.NewAccountRole(nu.Role, nu.Demo, first)
		res, err := tx.ExecContext(ctx, `INSERT INTO users
			(username, username_key, email, email_key, display_name, password_hash, role, district_id, demo, created_at,
			 joined_via, known)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nu.Username, forum.UsernameKey(nu.Username), nu.Email, forum.EmailKey(nu.Email), nu.DisplayName,
			nu.PasswordHash, string(role), nu.DistrictID, nu.Demo, now, nu.JoinedVia, forum.KnownVia(nu.JoinedVia))
		if err != nil {
			return userConflict(err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if nu.Invite != nil {
			return claimInvite(ctx, tx, nu.Invite, id, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, id)
}

// claimFirstAccount reports whether the account being created is the first non-demo one
// ever on this site, and records that one now exists. The flag is written in the
// creating transaction: a refused account rolls it back, and of racing sign-ups exactly
// one inserts it.
func claimFirstAccount(ctx context.Context, tx *txn, demo bool, now time.Time) (bool, error) {
	if demo {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO site_flags (name, set_at) VALUES ('first_account', ?)
		ON CONFLICT (name) DO NOTHING`, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
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
	if err := db.loadProfileFields(ctx, u); err != nil {
		return nil, err
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
			// A new address is neither confirmed nor known to bounce (the old one's state goes).
			_, err := tx.ExecContext(ctx, `UPDATE users SET email = ?1, email_key = ?2,
				email_verified_at = CASE WHEN email_key = ?2 THEN email_verified_at END,
				email_bounced_at = CASE WHEN email_key = ?2 THEN email_bounced_at END WHERE id = ?3`, *upd.Email, forum.EmailKey(*upd.Email), id)
			if err != nil {
				return userConflict(err)
			}
		}
		if err := updateProfileFields(ctx, tx, id, upd.Profile); err != nil {
			return err
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

// HasFirstAccount implements forum.UserStore.
func (db *DB) HasFirstAccount(ctx context.Context) (bool, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM site_flags WHERE name = 'first_account'`).Scan(&n)
	return n > 0, err
}

// CountUsers implements forum.UserStore.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}
