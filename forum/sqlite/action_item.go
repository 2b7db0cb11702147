package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"staffroom/forum"
)

// Action items (forum.ActionStore).

const actionColumns = `a.id, a.collaborative_id, g.slug, g.name, g.visibility, COALESCE(a.meeting_id, 0), COALESCE(mt.title, ''),
	a.title, u.id, u.username, u.display_name, COALESCE(a.due, ''), a.status, a.created_by, a.created_at, a.updated_at, a.done_at`

const actionFrom = ` FROM action_items a JOIN collaboratives g ON g.id = a.collaborative_id
	LEFT JOIN meetings mt ON mt.id = a.meeting_id LEFT JOIN users u ON u.id = a.assignee_id `

// actionOrder puts open items first by due date (those without one last), then done
// ones, the latest done first.
const actionOrder = ` ORDER BY a.status = 'done', CASE WHEN a.status = 'open' THEN a.due IS NULL END,
	CASE WHEN a.status = 'open' THEN a.due END, a.done_at DESC, a.id`

func scanAction(row scanner) (*forum.ActionItem, error) {
	var it forum.ActionItem
	var vis forum.Visibility
	var uID sql.NullInt64
	var uName, uDisplay sql.NullString
	var done sql.NullTime
	if err := row.Scan(&it.ID, &it.CollaborativeID, &it.Collaborative.Slug, &it.Collaborative.Name, &vis, &it.MeetingID,
		&it.MeetingTitle, &it.Title, &uID, &uName, &uDisplay, &it.Due, &it.Status, &it.CreatedBy, &it.CreatedAt,
		&it.UpdatedAt, &done); err != nil {
		return nil, err
	}
	it.Collaborative.Private = vis == forum.VisibilityPrivate
	if uID.Valid {
		it.Assignee = &forum.User{ID: uID.Int64, Username: uName.String, DisplayName: uDisplay.String}
	}
	it.CreatedAt, it.UpdatedAt, it.DoneAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC(), nullTime(done)
	return &it, nil
}

func getAction(ctx context.Context, q rowQuerier, id int64) (*forum.ActionItem, error) {
	it, err := scanAction(q.QueryRowContext(ctx, `SELECT `+actionColumns+actionFrom+`WHERE a.id = ?`, id))
	return it, notFound(err, forum.NotFoundAction(id))
}

func (db *DB) listActions(ctx context.Context, where string, args ...any) ([]*forum.ActionItem, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+actionColumns+actionFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.ActionItem{}
	for rows.Next() {
		it, err := scanAction(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// checkActionRefs checks an item's assignee and meeting against its collaborative.
func checkActionRefs(ctx context.Context, tx *txn, collaborativeID int64, assignee, meeting *int64) error {
	if assignee != nil && *assignee != 0 {
		role, err := txRole(ctx, tx, collaborativeID, *assignee)
		if err != nil {
			return err
		}
		if err := forum.CheckAssignee(role); err != nil {
			return err
		}
	}
	if meeting != nil && *meeting != 0 {
		var of int64
		err := tx.QueryRowContext(ctx, `SELECT collaborative_id FROM meetings WHERE id = ?`, *meeting).Scan(&of)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && of != collaborativeID) {
			return forum.UnknownMeeting(*meeting)
		}
		return err
	}
	return nil
}

// CreateAction implements forum.ActionStore.
func (db *DB) CreateAction(ctx context.Context, na forum.NewAction) (*forum.ActionItem, error) {
	var it *forum.ActionItem
	err := db.write(ctx, func(tx *txn) error {
		a, err := txAccess(ctx, tx, na.CollaborativeID, na.Actor)
		if err != nil {
			return err
		}
		if err := forum.CheckWriteActions(a, forum.NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
			return err
		}
		if err := checkActionRefs(ctx, tx, na.CollaborativeID, &na.AssigneeID, &na.MeetingID); err != nil {
			return err
		}
		var due any
		if na.Due != "" {
			due = na.Due
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO action_items (collaborative_id, meeting_id, title, assignee_id, due,
			status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id`,
			na.CollaborativeID, nullID(na.MeetingID), na.Title, nullID(na.AssigneeID), due, na.Actor.ID, na.Now, na.Now).Scan(&id); err != nil {
			return err
		}
		if it, err = getAction(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventActionCreated, it, na.Now)
	})
	return it, err
}

// UpdateAction implements forum.ActionStore.
func (db *DB) UpdateAction(ctx context.Context, id int64, actor *forum.User, ch forum.ActionChanges, now time.Time) (*forum.ActionItem, error) {
	var it *forum.ActionItem
	err := db.write(ctx, func(tx *txn) error {
		old, err := getAction(ctx, tx, id)
		if err != nil {
			return err
		}
		a, err := txAccess(ctx, tx, old.CollaborativeID, actor)
		if err != nil {
			return err
		}
		if err := forum.CheckWriteActions(a, forum.NotFoundAction(id)); err != nil {
			return err
		}
		if err := checkActionRefs(ctx, tx, old.CollaborativeID, ch.AssigneeID, ch.MeetingID); err != nil {
			return err
		}
		set := setter{tx: tx, table: "action_items", id: id}
		if ch.Title != nil {
			set.do(ctx, `title = ?`, *ch.Title)
		}
		if ch.AssigneeID != nil {
			set.do(ctx, `assignee_id = ?`, nullID(*ch.AssigneeID))
		}
		if ch.MeetingID != nil {
			set.do(ctx, `meeting_id = ?`, nullID(*ch.MeetingID))
		}
		if ch.Due != nil {
			var due any
			if *ch.Due != "" {
				due = *ch.Due
			}
			set.do(ctx, `due = ?`, due)
		}
		if ch.Status != nil && *ch.Status != old.Status {
			var done any
			if *ch.Status == forum.ActionDone {
				done = now
			}
			set.do(ctx, `status = ?, done_at = ?`, *ch.Status, done)
		}
		set.do(ctx, `updated_at = ?`, now)
		if set.err != nil {
			return set.err
		}
		if it, err = getAction(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventActionUpdated, it, now)
	})
	return it, err
}

// Action implements forum.ActionStore.
func (db *DB) Action(ctx context.Context, id int64) (*forum.ActionItem, error) {
	return getAction(ctx, db.reader, id)
}

// Actions implements forum.ActionStore.
func (db *DB) Actions(ctx context.Context, f forum.ActionFilter) ([]*forum.ActionItem, error) {
	where, args := `WHERE 1 = 1`, []any{}
	if f.CollaborativeID != 0 {
		where, args = where+` AND a.collaborative_id = ?`, append(args, f.CollaborativeID)
	}
	if f.MeetingID != 0 {
		where, args = where+` AND a.meeting_id = ?`, append(args, f.MeetingID)
	}
	if f.AssigneeID != 0 {
		where, args = where+` AND a.assignee_id = ?`, append(args, f.AssigneeID)
	}
	if f.Status != "" {
		where, args = where+` AND a.status = ?`, append(args, f.Status)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = forum.MaxActionsListed
	}
	return db.listActions(ctx, where+actionOrder+` LIMIT ?`, append(args, limit)...)
}

// AssignedActions implements forum.ActionStore.
func (db *DB) AssignedActions(ctx context.Context, userID int64, limit int) ([]*forum.ActionItem, error) {
	return db.listActions(ctx, `WHERE a.assignee_id = ? AND a.status = 'open' AND (g.visibility = 'public'
		OR EXISTS (SELECT 1 FROM collaborative_members cm WHERE cm.collaborative_id = a.collaborative_id AND cm.user_id = ?))`+
		actionOrder+` LIMIT ?`, userID, userID, limit)
}

// ActionsChangedSince implements forum.ActionStore.
func (db *DB) ActionsChangedSince(ctx context.Context, collaborativeID int64, since time.Time) (opened, closed []*forum.ActionItem, err error) {
	if opened, err = db.listActions(ctx, `WHERE a.collaborative_id = ? AND a.created_at > ? ORDER BY a.created_at, a.id LIMIT ?`,
		collaborativeID, since.UTC(), forum.MaxActionsListed); err != nil {
		return nil, nil, err
	}
	closed, err = db.listActions(ctx, `WHERE a.collaborative_id = ? AND a.status = 'done' AND a.done_at > ? ORDER BY a.done_at, a.id LIMIT ?`,
		collaborativeID, since.UTC(), forum.MaxActionsListed)
	return opened, closed, err
}
