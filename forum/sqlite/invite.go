package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

const inviteColumns = `i.id, i.email, i.role, i.collaborative, i.collaborative_role, i.created_at, i.expires_at, i.used_at, COALESCE(i.used_by, 0), i.revoked_at,
	c.id, c.username, c.display_name`

const inviteFrom = ` FROM invites i LEFT JOIN users c ON c.id = i.created_by `

func scanInvite(row scanner) (*forum.Invite, error) {
	var inv forum.Invite
	var role string
	var used, revoked sql.NullTime
	var cID sql.NullInt64
	var cUsername, cName sql.NullString
	if err := row.Scan(&inv.ID, &inv.Email, &role, &inv.Collaborative, &inv.CollaborativeRole, &inv.CreatedAt, &inv.ExpiresAt, &used, &inv.UsedBy, &revoked,
		&cID, &cUsername, &cName); err != nil {
		return nil, err
	}
	inv.Role = forum.Role(role)
	inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	inv.UsedAt, inv.RevokedAt = nullTime(used), nullTime(revoked)
	if cID.Valid {
		inv.CreatedBy = &forum.User{ID: cID.Int64, Username: cUsername.String, DisplayName: cName.String}
	}
	return &inv, nil
}

// CreateInvite implements forum.InviteStore.
func (db *DB) CreateInvite(ctx context.Context, inv *forum.Invite, hash []byte) error {
	var by *int64
	if inv.CreatedBy != nil {
		by = &inv.CreatedBy.ID
	}
	return db.write(ctx, func(tx *txn) error {
		collabRole := inv.CollaborativeRole
		if collabRole == forum.MemberNone {
			collabRole = forum.MemberRoleMember
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO invites (hash, email, role, collaborative, collaborative_role, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hash, inv.Email, string(inv.Role), inv.Collaborative, collabRole, by, inv.CreatedAt, inv.ExpiresAt)
		if err != nil {
			return err
		}
		inv.ID, err = res.LastInsertId()
		return err
	})
}

// InviteByHash implements forum.InviteStore.
func (db *DB) InviteByHash(ctx context.Context, hash []byte) (*forum.Invite, error) {
	inv, err := scanInvite(db.readRow(ctx, `SELECT `+inviteColumns+inviteFrom+`WHERE i.hash = ?`, hash))
	if err != nil {
		return nil, notFound(err, forum.NotFoundInvite())
	}
	return inv, nil
}

// Invites implements forum.InviteStore.
func (db *DB) Invites(ctx context.Context, f forum.InviteFilter) ([]*forum.Invite, error) {
	where := ``
	if f.Pending {
		where = `WHERE i.used_at IS NULL AND i.revoked_at IS NULL `
	}
	limit := f.Limit
	if limit <= 0 {
		limit = forum.MaxInvitesListed
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+inviteColumns+inviteFrom+where+`ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.Invite
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokeInvite implements forum.InviteStore.
func (db *DB) RevokeInvite(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		var used, revoked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT used_at, revoked_at FROM invites WHERE id = ?`, id).Scan(&used, &revoked)
		if err != nil {
			return notFound(err, forum.NotFoundInviteID(id))
		}
		switch {
		case used.Valid:
			return forum.InviteUsed()
		case revoked.Valid:
			return nil // withdrawn already: the same outcome
		}
		_, err = tx.ExecContext(ctx, `UPDATE invites SET revoked_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// claimInvite marks the invitation with hash used by the new account userID, inside the
// transaction that creates it, after forum.CheckInviteUsable: of two people racing with
// one link, the second's account is rolled back. An invitation to a collaborative makes
// the account its member in the same transaction.
func claimInvite(ctx context.Context, tx *txn, hash []byte, userID int64, now time.Time) error {
	inv, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+inviteFrom+`WHERE i.hash = ?`, hash))
	if err != nil {
		return notFound(err, forum.NotFoundInviteLink())
	}
	if err := forum.CheckInviteUsable(inv, now); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?`, now, userID, inv.ID); err != nil {
		return err
	}
	return tx.joinInvitedCollaborative(ctx, inv, userID, now)
}
