package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

const sessionColumns = `s.id, s.hash, s.user_id, s.csrf_token, s.user_agent, s.ip, s.created_at, s.last_seen_at`

func scanSession(row scanner, extra ...any) (*forum.Session, error) {
	var s forum.Session
	dest := append([]any{&s.ID, &s.Hash, &s.UserID, &s.CSRFToken, &s.UserAgent, &s.IP, &s.CreatedAt, &s.LastSeenAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	return &s, nil
}

// CreateSession implements forum.SessionStore.
func (db *DB) CreateSession(ctx context.Context, s *forum.Session) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf_token, user_agent, ip, created_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.Hash, s.UserID, s.CSRFToken, s.UserAgent, s.IP, s.CreatedAt, s.LastSeenAt)
		if err != nil {
			return err
		}
		s.ID, err = res.LastInsertId()
		return err
	})
}

// SessionByHash implements forum.SessionStore. The session and its user come in one query:
// this runs on every signed-in request.
func (db *DB) SessionByHash(ctx context.Context, hash []byte) (*forum.Session, *forum.User, error) {
	row := db.readRow(ctx, `SELECT `+sessionColumns+`, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE s.hash = ?`, hash)
	var u *forum.User
	s, err := scanSession(rowFunc(func(dest ...any) error {
		var err error
		u, err = scanUserAfter(row, dest)
		return err
	}))
	if err != nil {
		return nil, nil, notFound(err, forum.NotFoundSession())
	}
	return s, u, nil
}

// TouchSession implements forum.SessionStore.
func (db *DB) TouchSession(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// DeleteSessionByHash implements forum.SessionStore.
func (db *DB) DeleteSessionByHash(ctx context.Context, hash []byte) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
		return err
	})
}

// DeleteSession implements forum.SessionStore.
func (db *DB) DeleteSession(ctx context.Context, userID, id int64) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(forum.NotFoundOwnSession(id))(tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, userID))
	})
}

// ListSessions implements forum.SessionStore.
func (db *DB) ListSessions(ctx context.Context, userID int64) ([]*forum.Session, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.user_id = ? ORDER BY s.last_seen_at DESC, s.id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteIdleSessions implements forum.SessionStore.
func (db *DB) DeleteIdleSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ?`, cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

const tokenColumns = `t.id, t.user_id, t.name, t.hash, t.created_at, t.last_used_at`

func scanToken(row scanner) (*forum.APIToken, error) {
	var t forum.APIToken
	var used sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &used); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.LastUsedAt = nullTime(used)
	return &t, nil
}

// CreateToken implements forum.SessionStore.
func (db *DB) CreateToken(ctx context.Context, t *forum.APIToken) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at) VALUES (?, ?, ?, ?)`,
			t.UserID, t.Name, t.Hash, t.CreatedAt)
		if err != nil {
			return err
		}
		t.ID, err = res.LastInsertId()
		return err
	})
}

// TokenByHash implements forum.SessionStore.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*forum.APIToken, *forum.User, error) {
	row := db.readRow(ctx, `SELECT `+tokenColumns+`, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE t.hash = ?`, hash)
	var u *forum.User
	t, err := scanToken(rowFunc(func(dest ...any) error {
		var err error
		u, err = scanUserAfter(row, dest)
		return err
	}))
	if err != nil {
		return nil, nil, notFound(err, forum.NotFoundToken())
	}
	return t, u, nil
}

// TouchToken implements forum.SessionStore.
func (db *DB) TouchToken(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// ListTokens implements forum.SessionStore.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*forum.APIToken, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.user_id = ? ORDER BY t.created_at DESC, t.id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken implements forum.SessionStore.
func (db *DB) DeleteToken(ctx context.Context, userID, id int64) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(forum.NotFoundOwnToken(id))(tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID))
	})
}

// rowFunc adapts a function to the scanner interface, so that a row holding two objects
// can be scanned by both objects' scan functions.
type rowFunc func(dest ...any) error

func (f rowFunc) Scan(dest ...any) error { return f(dest...) }

// scanUserAfter scans a row whose first columns are prefix and whose rest are userColumns.
func scanUserAfter(row scanner, prefix []any) (*forum.User, error) {
	return scanUser(rowFunc(func(userDest ...any) error {
		return row.Scan(append(prefix, userDest...)...)
	}))
}
