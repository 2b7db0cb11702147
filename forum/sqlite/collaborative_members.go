package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"staffroom/forum"
)

// Members of collaboratives and the directory of collaboratives (forum.MembershipStore).
// Every write reads the collaborative and the actor's role inside its own transaction and
// applies forum's membership rules to what it read.

// withExtra scans a row whose first columns are another scanner's, then extra.
type withExtra struct {
	row   scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// memberFrom joins members to their accounts, with userColumns' district.
const memberFrom = ` FROM collaborative_members m JOIN users u ON u.id = m.user_id LEFT JOIN districts d ON d.id = u.district_id `

// collaborativeAccess is CollaborativeAccess read inside a write's transaction.
func (t *txn) collaborativeAccess(ctx context.Context, slug string, viewer *forum.User) (forum.CollaborativeAccess, error) {
	g, err := scanCollaborative(t.QueryRowContext(ctx, `SELECT `+collaborativeColumns+collaborativeFrom+`WHERE g.slug = ?`, slug))
	if err != nil {
		return forum.CollaborativeAccess{}, notFound(err, forum.NotFoundCollaborative(slug))
	}
	a := forum.CollaborativeAccess{Collaborative: g, Viewer: viewer}
	if viewer != nil {
		a.Role, err = t.memberRole(ctx, g.ID, viewer.ID)
	}
	return a, err
}

// memberRole is the person's role, MemberNone when they have none.
func (t *txn) memberRole(ctx context.Context, collaborativeID, userID int64) (forum.MemberRole, error) {
	var role forum.MemberRole
	err := t.QueryRowContext(ctx, `SELECT role FROM collaborative_members WHERE collaborative_id = ? AND user_id = ?`,
		collaborativeID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.MemberNone, nil
	}
	return role, err
}

// leads counts the collaborative's leads.
func (t *txn) leads(ctx context.Context, collaborativeID int64) (int, error) {
	var n int
	err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM collaborative_members WHERE collaborative_id = ? AND role = 'lead'`,
		collaborativeID).Scan(&n)
	return n, err
}

// hasRequest reports whether the person has a pending request to join.
func (t *txn) hasRequest(ctx context.Context, collaborativeID, userID int64) (bool, error) {
	var one int
	err := t.QueryRowContext(ctx, `SELECT 1 FROM collaborative_requests WHERE collaborative_id = ? AND user_id = ?`,
		collaborativeID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// user reads an account inside the transaction. Returns NotFoundUser.
func (t *txn) user(ctx context.Context, id int64) (*forum.User, error) {
	u, err := scanUser(t.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`, id))
	return u, notFound(err, forum.NotFoundUser(id))
}

// joinMember makes the person a member in role (answering any request they had) and logs
// member.joined on the collaborative's topic.
func (t *txn) joinMember(ctx context.Context, g *forum.Collaborative, u *forum.User, role forum.MemberRole, now time.Time) error {
	if _, err := t.ExecContext(ctx, `INSERT INTO collaborative_members (collaborative_id, user_id, role, joined_at)
		VALUES (?, ?, ?, ?)`, g.ID, u.ID, role, now); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM collaborative_requests WHERE collaborative_id = ? AND user_id = ?`, g.ID, u.ID); err != nil {
		return err
	}
	return t.memberEvent(ctx, forum.EventMemberJoined, g, u, role, now)
}

func (t *txn) memberEvent(ctx context.Context, name string, g *forum.Collaborative, u *forum.User, role forum.MemberRole, now time.Time) error {
	return t.emit(ctx, now, forum.Event{Topic: forum.TopicCollaborative(g.Slug), Name: name,
		Data: forum.MembershipChange{Collaborative: g.Slug, User: u, Role: role}})
}

// auditMember writes a lead's action on someone's membership to the audit log; before
// and after are memberState's or requestState's ("" for none).
func (t *txn) auditMember(ctx context.Context, action string, by *forum.User, g *forum.Collaborative, before, after string, now time.Time) error {
	var actor int64
	if by != nil {
		actor = by.ID
	}
	return t.audit(ctx, forum.AuditEntry{ActorID: actor, Action: action, TargetKind: "collaborative", TargetID: g.ID,
		Before: before, After: after, At: now})
}

// memberState is a membership as the audit log keeps it.
func memberState(g *forum.Collaborative, userID int64, role forum.MemberRole) string {
	b, _ := json.Marshal(map[string]any{"collaborative": g.Slug, "user_id": userID, "role": string(role)})
	return string(b)
}

// requestState is a pending request to join as the audit log keeps it.
func requestState(g *forum.Collaborative, userID int64) string {
	b, _ := json.Marshal(map[string]any{"collaborative": g.Slug, "user_id": userID, "request": "pending"})
	return string(b)
}

// Join implements forum.MembershipStore.
func (db *DB) Join(ctx context.Context, ch forum.MemberChange) (forum.JoinOutcome, error) {
	var out forum.JoinOutcome
	err := db.write(ctx, func(tx *txn) error {
		a, err := tx.collaborativeAccess(ctx, ch.Slug, ch.By)
		if err != nil {
			return err
		}
		if a.Viewer == nil {
			_, err := forum.CheckJoin(a, false)
			return err
		}
		pending, err := tx.hasRequest(ctx, a.Collaborative.ID, ch.By.ID)
		if err != nil {
			return err
		}
		if out, err = forum.CheckJoin(a, pending); err != nil {
			return err
		}
		if out == forum.JoinRequested {
			_, err := tx.ExecContext(ctx, `INSERT INTO collaborative_requests (collaborative_id, user_id, requested_at)
				VALUES (?, ?, ?)`, a.Collaborative.ID, ch.By.ID, ch.Now)
			return err
		}
		return tx.joinMember(ctx, a.Collaborative, ch.By, forum.MemberRoleMember, ch.Now)
	})
	return out, err
}

// AnswerJoinRequest implements forum.MembershipStore.
func (db *DB) AnswerJoinRequest(ctx context.Context, ch forum.MemberChange, approve bool) error {
	return db.write(ctx, func(tx *txn) error {
		a, err := tx.collaborativeAccess(ctx, ch.Slug, ch.By)
		if err != nil {
			return err
		}
		pending, err := tx.hasRequest(ctx, a.Collaborative.ID, ch.UserID)
		if err != nil {
			return err
		}
		if err := forum.CheckAnswerRequest(a, ch.UserID, pending); err != nil {
			return err
		}
		if !approve {
			if _, err := tx.ExecContext(ctx, `DELETE FROM collaborative_requests WHERE collaborative_id = ? AND user_id = ?`,
				a.Collaborative.ID, ch.UserID); err != nil {
				return err
			}
			return tx.auditMember(ctx, "member.decline", ch.By, a.Collaborative, requestState(a.Collaborative, ch.UserID), "", ch.Now)
		}
		u, err := tx.user(ctx, ch.UserID)
		if err != nil {
			return err
		}
		if err := tx.joinMember(ctx, a.Collaborative, u, forum.MemberRoleMember, ch.Now); err != nil {
			return err
		}
		return tx.auditMember(ctx, "member.approve", ch.By, a.Collaborative, requestState(a.Collaborative, ch.UserID),
			memberState(a.Collaborative, ch.UserID, forum.MemberRoleMember), ch.Now)
	})
}

// AddMember implements forum.MembershipStore.
func (db *DB) AddMember(ctx context.Context, ch forum.MemberChange) (*forum.Member, error) {
	var m *forum.Member
	err := db.write(ctx, func(tx *txn) error {
		a, err := tx.collaborativeAccess(ctx, ch.Slug, ch.By)
		if err != nil {
			return err
		}
		if err := a.CheckManage(forum.NotFoundCollaborative(ch.Slug)); err != nil {
			return err
		}
		u, err := tx.user(ctx, ch.UserID)
		if err != nil {
			return err
		}
		role, err := tx.memberRole(ctx, a.Collaborative.ID, ch.UserID)
		if err != nil {
			return err
		}
		if err := forum.CheckAddMember(a, u, role); err != nil {
			return err
		}
		if err := tx.joinMember(ctx, a.Collaborative, u, ch.Role, ch.Now); err != nil {
			return err
		}
		m = &forum.Member{User: u, Role: ch.Role, JoinedAt: ch.Now}
		if ch.By != nil && ch.By.ID == ch.UserID {
			return nil // a moderator adding themselves acts on nobody else
		}
		return tx.auditMember(ctx, "member.add", ch.By, a.Collaborative, "", memberState(a.Collaborative, ch.UserID, ch.Role), ch.Now)
	})
	return m, err
}

// RemoveMember implements forum.MembershipStore.
func (db *DB) RemoveMember(ctx context.Context, ch forum.MemberChange) error {
	return db.write(ctx, func(tx *txn) error {
		a, err := tx.collaborativeAccess(ctx, ch.Slug, ch.By)
		if err != nil {
			return err
		}
		role, err := tx.memberRole(ctx, a.Collaborative.ID, ch.UserID)
		if err != nil {
			return err
		}
		leads, err := tx.leads(ctx, a.Collaborative.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckRemoveMember(a, ch.UserID, role, leads); err != nil {
			return err
		}
		u, err := tx.user(ctx, ch.UserID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM collaborative_members WHERE collaborative_id = ? AND user_id = ?`,
			a.Collaborative.ID, ch.UserID); err != nil {
			return err
		}
		if err := tx.memberEvent(ctx, forum.EventMemberLeft, a.Collaborative, u, forum.MemberNone, ch.Now); err != nil {
			return err
		}
		if ch.By.ID == ch.UserID {
			return nil // leaving is nobody else's business
		}
		return tx.auditMember(ctx, "member.remove", ch.By, a.Collaborative, memberState(a.Collaborative, ch.UserID, role), "", ch.Now)
	})
}

// SetMemberRole implements forum.MembershipStore.
func (db *DB) SetMemberRole(ctx context.Context, ch forum.MemberChange) (*forum.Member, error) {
	var m *forum.Member
	err := db.write(ctx, func(tx *txn) error {
		a, err := tx.collaborativeAccess(ctx, ch.Slug, ch.By)
		if err != nil {
			return err
		}
		from, err := tx.memberRole(ctx, a.Collaborative.ID, ch.UserID)
		if err != nil {
			return err
		}
		leads, err := tx.leads(ctx, a.Collaborative.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckRoleChange(a, ch.UserID, from, ch.Role, leads); err != nil {
			return err
		}
		u, err := tx.user(ctx, ch.UserID)
		if err != nil {
			return err
		}
		m = &forum.Member{User: u, Role: ch.Role}
		if err := tx.QueryRowContext(ctx, `UPDATE collaborative_members SET role = ? WHERE collaborative_id = ? AND user_id = ?
			RETURNING joined_at`, ch.Role, a.Collaborative.ID, ch.UserID).Scan(&m.JoinedAt); err != nil {
			return err
		}
		m.JoinedAt = m.JoinedAt.UTC()
		if from == ch.Role {
			return nil // nothing changed
		}
		if err := tx.memberEvent(ctx, forum.EventMemberRoleChanged, a.Collaborative, u, ch.Role, ch.Now); err != nil {
			return err
		}
		return tx.auditMember(ctx, "member.role", ch.By, a.Collaborative, memberState(a.Collaborative, ch.UserID, from),
			memberState(a.Collaborative, ch.UserID, ch.Role), ch.Now)
	})
	return m, err
}

// AcceptCollaborativeInvite implements forum.MembershipStore.
func (db *DB) AcceptCollaborativeInvite(ctx context.Context, hash []byte, ch forum.MemberChange) (*forum.Collaborative, error) {
	var slug string
	err := db.write(ctx, func(tx *txn) error {
		inv, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+inviteFrom+`WHERE i.hash = ?`, hash))
		if err != nil {
			return notFound(err, forum.NotFoundInviteLink())
		}
		if err := forum.CheckInviteUsable(inv, ch.Now); err != nil {
			return err
		}
		if inv.Collaborative == "" {
			return forum.NotCollaborativeInvite()
		}
		a, err := tx.collaborativeAccess(ctx, inv.Collaborative, ch.By)
		if err != nil {
			return err
		}
		if a.Member() {
			return forum.AlreadyMember(ch.By.Username, a.Collaborative.Name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET used_at = ?, used_by = ? WHERE id = ?`, ch.Now, ch.By.ID, inv.ID); err != nil {
			return err
		}
		slug = a.Collaborative.Slug
		return tx.joinMember(ctx, a.Collaborative, ch.By, inv.CollaborativeRole, ch.Now)
	})
	if err != nil {
		return nil, err
	}
	return db.CollaborativeBySlug(ctx, slug)
}

// joinInvitedCollaborative makes the account just created with inv a member of the
// collaborative it names, in the transaction that creates the account. A collaborative
// that is gone since leaves the account without one.
func (t *txn) joinInvitedCollaborative(ctx context.Context, inv *forum.Invite, userID int64, now time.Time) error {
	if inv.Collaborative == "" {
		return nil
	}
	a, err := t.collaborativeAccess(ctx, inv.Collaborative, nil)
	if forum.IsKind(err, forum.ENotFound) {
		return nil
	} else if err != nil {
		return err
	}
	u, err := t.user(ctx, userID)
	if err != nil {
		return err
	}
	return t.joinMember(ctx, a.Collaborative, u, inv.CollaborativeRole, now)
}

// UpdateCollaborative implements forum.MembershipStore.
func (db *DB) UpdateCollaborative(ctx context.Context, by *forum.User, slug string, ch forum.CollaborativeChanges) (*forum.Collaborative, error) {
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		a, err := tx.collaborativeAccess(ctx, slug, by)
		if err != nil {
			return err
		}
		if err := a.CheckManage(forum.NotFoundCollaborative(slug)); err != nil {
			return err
		}
		id = a.Collaborative.ID
		sets, args := []string{"updated_at = ?"}, []any{ch.Now}
		if ch.Name != nil {
			sets, args = append(sets, "name = ?", "name_key = ?"), append(args, *ch.Name, forum.SearchKey(*ch.Name))
		}
		if ch.Description != nil {
			sets, args = append(sets, "description = ?", "description_html = ?"), append(args, ch.Description.Text, ch.Description.HTML)
		}
		if ch.Visibility != nil {
			sets, args = append(sets, "visibility = ?"), append(args, string(*ch.Visibility))
		}
		if ch.ClusterID != nil {
			var cluster any
			if *ch.ClusterID != 0 {
				cluster = *ch.ClusterID
			}
			sets, args = append(sets, "cluster_id = ?"), append(args, cluster)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE collaboratives SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		if ch.DistrictIDs != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM collaborative_districts WHERE collaborative_id = ?`, id); err != nil {
				return err
			}
			for _, d := range *ch.DistrictIDs {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO collaborative_districts (collaborative_id, district_id)
					VALUES (?, ?)`, id, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.collaborative(ctx, `g.id = ?`, id, slug)
}

// CollaborativeMembers implements forum.MembershipStore; limit <= 0 lists them all.
func (db *DB) CollaborativeMembers(ctx context.Context, collaborativeID int64, limit int) ([]forum.Member, int, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.readRows(ctx, `SELECT `+userColumns+`, m.role, m.joined_at, COUNT(*) OVER()`+memberFrom+`
		WHERE m.collaborative_id = ? ORDER BY m.role = 'lead' DESC, lower(u.display_name), u.id LIMIT ?`, collaborativeID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out, total := []forum.Member{}, 0
	for rows.Next() {
		var m forum.Member
		if m.User, err = scanUser(withExtra{rows, []any{&m.Role, &m.JoinedAt, &total}}); err != nil {
			return nil, 0, err
		}
		m.JoinedAt = m.JoinedAt.UTC()
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// JoinRequests implements forum.MembershipStore.
func (db *DB) JoinRequests(ctx context.Context, collaborativeID int64, limit int) ([]forum.JoinRequest, error) {
	rows, err := db.readRows(ctx, `SELECT `+userColumns+`, r.requested_at FROM collaborative_requests r
		JOIN users u ON u.id = r.user_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE r.collaborative_id = ? ORDER BY r.requested_at, u.id LIMIT ?`, collaborativeID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []forum.JoinRequest{}
	for rows.Next() {
		var r forum.JoinRequest
		if r.User, err = scanUser(withExtra{rows, []any{&r.RequestedAt}}); err != nil {
			return nil, err
		}
		r.RequestedAt = r.RequestedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// HasJoinRequest implements forum.MembershipStore.
func (db *DB) HasJoinRequest(ctx context.Context, collaborativeID, userID int64) (bool, error) {
	var one int
	err := db.readRow(ctx, `SELECT 1 FROM collaborative_requests WHERE collaborative_id = ? AND user_id = ?`,
		collaborativeID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Collaboratives implements forum.MembershipStore.
func (db *DB) Collaboratives(ctx context.Context, f forum.CollaborativeFilter) ([]*forum.Collaborative, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Cluster != "" {
		where, args = append(where, "c.slug = ?"), append(args, f.Cluster)
	}
	if f.District != "" {
		where = append(where, `g.id IN (SELECT cd.collaborative_id FROM collaborative_districts cd
			JOIN districts dd ON dd.id = cd.district_id WHERE dd.slug = ?)`)
		args = append(args, f.District)
	}
	if f.Query != "" {
		like := likeContains(f.Query)
		where = append(where, `(g.name_key LIKE ? ESCAPE '\' OR g.description LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.MemberID != 0 {
		where = append(where, `g.id IN (SELECT collaborative_id FROM collaborative_members WHERE user_id = ?)`)
		args = append(args, f.MemberID)
	}
	args = append(args, f.PageSize, (f.Page-1)*f.PageSize)
	rows, err := db.readRows(ctx, `SELECT `+collaborativeColumns+`, COUNT(*) OVER()`+collaborativeFrom+`WHERE `+
		strings.Join(where, " AND ")+` ORDER BY g.name_key, g.id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, err
	}
	var out []*forum.Collaborative
	total := 0
	for rows.Next() {
		g, err := scanCollaborative(withExtra{rows, []any{&total}})
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := db.fillListing(ctx, out); err != nil {
		return nil, 0, err
	}
	if out == nil {
		out = []*forum.Collaborative{}
	}
	return out, total, nil
}

// fillListing reads the districts and leads of listed collaboratives.
func (db *DB) fillListing(ctx context.Context, gs []*forum.Collaborative) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[int64]*forum.Collaborative, len(gs))
	ids := make([]any, 0, len(gs))
	for _, g := range gs {
		if err := db.collaborativeDistricts(ctx, g); err != nil {
			return err
		}
		g.Leads = []*forum.User{}
		byID[g.ID] = g
		ids = append(ids, g.ID)
	}
	rows, err := db.readRows(ctx, `SELECT `+userColumns+`, m.collaborative_id`+memberFrom+`
		WHERE m.role = 'lead' AND m.collaborative_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)
		ORDER BY lower(u.display_name), u.id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var gid int64
		u, err := scanUser(withExtra{rows, []any{&gid}})
		if err != nil {
			return err
		}
		if g := byID[gid]; g != nil {
			g.Leads = append(g.Leads, u)
		}
	}
	return rows.Err()
}

// CollaborativesIn implements forum.MembershipStore.
func (db *DB) CollaborativesIn(ctx context.Context, scope forum.DirectoryScope) ([]*forum.Collaborative, error) {
	where, arg := `g.cluster_id = ?`, scope.ClusterID
	if scope.DistrictID != 0 {
		where, arg = `g.id IN (SELECT collaborative_id FROM collaborative_districts WHERE district_id = ?)`, scope.DistrictID
	}
	rows, err := db.readRows(ctx, `SELECT `+collaborativeColumns+collaborativeFrom+`WHERE `+where+` ORDER BY g.name_key, g.id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.Collaborative{}
	for rows.Next() {
		g, err := scanCollaborative(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
