package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"staffroom/forum"
)

// Scoped questions' privacy in this store (forum/scope.go has the rules). A post's
// collaborative and its visibility are read with the post (postFrom's pg, postFacts);
// a person's role is read only for a private collaborative's post, by primary key.

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// MemberRole implements forum.CollaborativeScopes: one lookup of collaborative_members'
// primary key.
func (db *DB) MemberRole(ctx context.Context, collaborativeID, userID int64) (forum.MemberRole, error) {
	return db.memberRole(ctx, collaborativeID, userID)
}

// ScopeNow implements forum.CollaborativeScopes.
func (db *DB) ScopeNow(ctx context.Context, collaborativeID, userID int64) (forum.Visibility, forum.MemberRole, error) {
	var v forum.Visibility
	var role forum.MemberRole
	err := db.readRow(ctx, `SELECT g.visibility, COALESCE((SELECT m.role FROM collaborative_members m
		WHERE m.collaborative_id = g.id AND m.user_id = ?), '') FROM collaboratives g WHERE g.id = ?`, userID, collaborativeID).Scan(&v, &role)
	if errors.Is(err, sql.ErrNoRows) {
		// A collaborative is never deleted while it has questions; were it gone, its
		// questions are nobody's to see.
		return forum.VisibilityPrivate, forum.MemberNone, nil
	}
	return v, role, err
}

// systemActor reads a post's facts for the store's own bookkeeping inside a write whose
// actor was already checked: no scope applies.
const systemActor int64 = -1

// seesScopeTx reports, inside a write, whether the person actorID (0: nobody) may see the
// posts of collaborative c: forum.SeesPostScope, with the actor's site role and
// membership read in one statement only when c is private.
func seesScopeTx(ctx context.Context, tx *txn, c *forum.PostCollaborative, actorID int64) (bool, error) {
	if !c.Private() || actorID == systemActor {
		return true, nil
	}
	if actorID == 0 {
		return forum.SeesPostScope(c, nil, forum.MemberNone), nil
	}
	var siteRole forum.Role
	var role forum.MemberRole
	err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT role FROM users WHERE id = ?1), ''),
		COALESCE((SELECT role FROM collaborative_members WHERE collaborative_id = ?2 AND user_id = ?1), '')`,
		actorID, c.ID).Scan(&siteRole, &role)
	if err != nil {
		return false, err
	}
	return forum.SeesPostScope(c, &forum.User{ID: actorID, Role: siteRole}, role), nil
}

// scopeVisibleTo is the SQL condition that a post whose collaborative column is col may be
// listed to the person bound as its one argument (0: anonymous): it belongs to no
// collaborative, or to a public one, or to a private one they are a member of. Lists that
// cross collaboratives (a person's posts, the questions linked from a page) use it; it is
// forum.SeesPostScope for many rows at once, except that moderators see in lists only
// what members would (they reach every private question through its collaborative).
func scopeVisibleTo(col string) string {
	return `(` + col + ` IS NULL OR EXISTS (SELECT 1 FROM collaboratives sg WHERE sg.id = ` + col + ` AND (sg.visibility = 'public'
		OR EXISTS (SELECT 1 FROM collaborative_members sm WHERE sm.collaborative_id = sg.id AND sm.user_id = ?))))`
}

// MemberCollaboratives implements forum.CollaborativeScopes, through
// collaborative_members_user.
func (db *DB) MemberCollaboratives(ctx context.Context, userID int64) ([]forum.PostCollaborative, error) {
	rows, err := db.readRows(ctx, `SELECT g.id, g.slug, g.name, g.visibility FROM collaborative_members m
		JOIN collaboratives g ON g.id = m.collaborative_id WHERE m.user_id = ? ORDER BY g.name_key, g.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.PostCollaborative
	for rows.Next() {
		var g forum.PostCollaborative
		if err := rows.Scan(&g.ID, &g.Slug, &g.Name, &g.Visibility); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

var _ forum.CollaborativeScopes = (*DB)(nil)
