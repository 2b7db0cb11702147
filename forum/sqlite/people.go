package sqlite

import (
	"context"
	"strings"
	"time"

	"staffroom/forum"
)

// likeContains is a LIKE pattern matching s anywhere, its wildcards escaped (ESCAPE '\').
func likeContains(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// People implements forum.PeopleStore.
func (db *DB) People(ctx context.Context, f forum.PeopleFilter) ([]*forum.User, int, error) {
	where, args := ``, []any{}
	if f.Query != "" {
		like := likeContains(f.Query)
		where = `WHERE u.username LIKE ? ESCAPE '\' OR u.display_name LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\' `
		args = append(args, like, like, like)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = forum.AdminPageSize
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+userColumns+`, COUNT(*) OVER ()`+userFrom+where+
		`ORDER BY u.demo, u.created_at DESC, u.id DESC LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*forum.User
	total := 0
	for rows.Next() {
		u, err := scanUser(rowFunc(func(dest ...any) error { return rows.Scan(append(dest, &total)...) }))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && f.Offset > 0 { // past the end: the total still counts
		err = db.reader.QueryRowContext(ctx, `SELECT COUNT(*)`+userFrom+where, args...).Scan(&total)
	}
	return out, total, err
}

// SetDisabled implements forum.PeopleStore.
func (db *DB) SetDisabled(ctx context.Context, id int64, at *time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		if err := mustAffect(forum.NotFoundUser(id))(tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, at, id)); err != nil {
			return err
		}
		if at == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, id)
		return err
	})
}

// CountAdmins implements forum.PeopleStore.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`).Scan(&n)
	return n, err
}
