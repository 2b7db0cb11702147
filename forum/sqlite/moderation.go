package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"staffroom/forum"
)

// SetSuspension implements forum.SuspensionStore.
func (db *DB) SetSuspension(ctx context.Context, s forum.Suspension) error {
	return db.write(ctx, func(tx *txn) error {
		var f forum.SuspensionFacts
		var role string
		var until sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT role, suspended_until, suspend_reason FROM users WHERE id = ?`, s.UserID).
			Scan(&role, &until, &f.Reason)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		f.Exists, f.Role, f.Until = err == nil, forum.Role(role), nullTime(until)
		if err := forum.CheckSuspend(s, f); err != nil {
			return err
		}
		var reason string
		if s.Until != nil {
			reason = s.Reason
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET suspended_until = ?, suspend_reason = ? WHERE id = ?`,
			s.Until, reason, s.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, forum.SuspensionAudit(s, f))
	})
}

// auditColumns is selected by every audit read, in scanAuditRow's order; the actor comes
// from a LEFT JOIN (NULL for the system).
const auditColumns = `a.id, COALESCE(a.actor_id, 0), a.action, a.target_kind, a.target_id, a.before, a.after, a.reason, a.at,
	u.id, u.username, u.display_name, u.role`

const auditFrom = ` FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id `

func scanAuditRows(rows *sql.Rows) ([]*forum.AuditRow, error) {
	defer rows.Close()
	var out []*forum.AuditRow
	for rows.Next() {
		var r forum.AuditRow
		var uid sql.NullInt64
		var uname, udisplay, urole sql.NullString
		if err := rows.Scan(&r.ID, &r.ActorID, &r.Action, &r.TargetKind, &r.TargetID, &r.Before, &r.After, &r.Reason, &r.At,
			&uid, &uname, &udisplay, &urole); err != nil {
			return nil, err
		}
		r.At = r.At.UTC()
		if uid.Valid {
			r.Actor = &forum.User{ID: uid.Int64, Username: uname.String, DisplayName: udisplay.String, Role: forum.Role(urole.String)}
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// AuditLog implements forum.AuditReader. Each filter walks its own index (audit_log_actor,
// _target, _action, _at: each ends in at DESC, id DESC), so a page is a range scan of
// Limit rows wherever it starts.
func (db *DB) AuditLog(ctx context.Context, f forum.AuditFilter) ([]*forum.AuditRow, error) {
	var where []string
	var args []any
	if f.ActorID != 0 {
		where, args = append(where, "a.actor_id = ?"), append(args, f.ActorID)
	}
	if f.TargetKind != "" {
		where, args = append(where, "a.target_kind = ?"), append(args, f.TargetKind)
		if f.TargetID != 0 {
			where, args = append(where, "a.target_id = ?"), append(args, f.TargetID)
		}
	}
	if f.Action != "" {
		where, args = append(where, "a.action = ?"), append(args, f.Action)
	}
	if c := f.Before; c != nil {
		if c.ID == 0 {
			where, args = append(where, "a.at < ?"), append(args, c.At)
		} else {
			where, args = append(where, "(a.at, a.id) < (?, ?)"), append(args, c.At, c.ID)
		}
	}
	q := `SELECT ` + auditColumns + auditFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY a.at DESC, a.id DESC LIMIT ?`
	rows, err := db.readRows(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	return scanAuditRows(rows)
}

// PersonAudit implements forum.AuditReader.
func (db *DB) PersonAudit(ctx context.Context, userID int64, limit int) ([]*forum.AuditRow, error) {
	rows, err := db.readRows(ctx, `SELECT `+auditColumns+auditFrom+`
		WHERE (a.target_kind = 'user' AND a.target_id = ?1)
		   OR (a.target_kind IN ('post', 'question', 'answer') AND a.target_id IN (SELECT id FROM posts WHERE author_id = ?1))
		   OR (a.target_kind = 'comment' AND a.target_id IN (SELECT id FROM comments WHERE author_id = ?1))
		ORDER BY a.at DESC, a.id DESC LIMIT ?2`, userID, limit)
	if err != nil {
		return nil, err
	}
	return scanAuditRows(rows)
}
