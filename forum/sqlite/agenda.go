package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// Meeting agendas (part of forum.MeetingStore): items in the order leads give, numbered
// 1, 2, ... without gaps.

const agendaColumns = `a.id, a.meeting_id, a.position, a.title, a.note, u.id, u.username, u.display_name, a.created_at, a.updated_at`

const agendaFrom = ` FROM agenda_items a JOIN users u ON u.id = a.proposed_by `

func scanAgendaItem(row scanner) (*forum.AgendaItem, error) {
	var it forum.AgendaItem
	u := &forum.User{}
	if err := row.Scan(&it.ID, &it.MeetingID, &it.Position, &it.Title, &it.Note, &u.ID, &u.Username, &u.DisplayName,
		&it.CreatedAt, &it.UpdatedAt); err != nil {
		return nil, err
	}
	it.ProposedBy, it.CreatedAt, it.UpdatedAt = u, it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return &it, nil
}

func getAgendaItem(ctx context.Context, q rowQuerier, id int64) (*forum.AgendaItem, error) {
	it, err := scanAgendaItem(q.QueryRowContext(ctx, `SELECT `+agendaColumns+agendaFrom+`WHERE a.id = ?`, id))
	return it, notFound(err, forum.NotFoundAgendaItem(id))
}

// Agenda implements forum.MeetingStore.
func (db *DB) Agenda(ctx context.Context, meetingID int64) ([]*forum.AgendaItem, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+agendaColumns+agendaFrom+`WHERE a.meeting_id = ? ORDER BY a.position, a.id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.AgendaItem{}
	for rows.Next() {
		it, err := scanAgendaItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// agendaSize counts a meeting's items.
func agendaSize(ctx context.Context, tx *txn, meetingID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agenda_items WHERE meeting_id = ?`, meetingID).Scan(&n)
	return n, err
}

// AddAgendaItem implements forum.MeetingStore.
func (db *DB) AddAgendaItem(ctx context.Context, ni forum.NewAgendaItem) (*forum.AgendaItem, error) {
	var it *forum.AgendaItem
	err := db.write(ctx, func(tx *txn) error {
		m, err := getMeeting(ctx, tx, ni.MeetingID)
		if err != nil {
			return err
		}
		a, err := txAccess(ctx, tx, m.CollaborativeID, ni.Actor)
		if err != nil {
			return err
		}
		if err := forum.CheckProposeAgenda(a, m); err != nil {
			return err
		}
		n, err := agendaSize(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckAgendaRoom(n); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO agenda_items (meeting_id, position, title, note, proposed_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.ID, n+1, ni.Title, ni.Note, ni.Actor.ID, ni.Now, ni.Now).Scan(&id); err != nil {
			return err
		}
		if it, err = getAgendaItem(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventAgendaCreated, it, ni.Now)
	})
	return it, err
}

// agendaItemAccess reads an item, its meeting and the actor's access, and checks
// CheckEditAgendaItem.
func agendaItemAccess(ctx context.Context, tx *txn, id int64, actor *forum.User, reorder bool) (*forum.AgendaItem, forum.CollaborativeAccess, error) {
	it, err := getAgendaItem(ctx, tx, id)
	if err != nil {
		return nil, forum.CollaborativeAccess{}, err
	}
	m, err := getMeeting(ctx, tx, it.MeetingID)
	if err != nil {
		return nil, forum.CollaborativeAccess{}, err
	}
	a, err := txAccess(ctx, tx, m.CollaborativeID, actor)
	if err != nil {
		return nil, a, err
	}
	return it, a, forum.CheckEditAgendaItem(a, m, it, reorder)
}

// UpdateAgendaItem implements forum.MeetingStore.
func (db *DB) UpdateAgendaItem(ctx context.Context, id int64, actor *forum.User, upd forum.AgendaUpdate, now time.Time) (*forum.AgendaItem, error) {
	var it *forum.AgendaItem
	err := db.write(ctx, func(tx *txn) error {
		old, a, err := agendaItemAccess(ctx, tx, id, actor, upd.Position != nil)
		if err != nil {
			return err
		}
		set := setter{tx: tx, table: "agenda_items", id: id}
		if upd.Title != nil {
			set.do(ctx, `title = ?`, *upd.Title)
		}
		if upd.Note != nil {
			set.do(ctx, `note = ?`, *upd.Note)
		}
		if upd.Position != nil {
			n, err := agendaSize(ctx, tx, old.MeetingID)
			if err != nil {
				return err
			}
			to, from := min(*upd.Position, n), old.Position
			switch {
			case to < from:
				_, err = tx.ExecContext(ctx, `UPDATE agenda_items SET position = position + 1
					WHERE meeting_id = ? AND position >= ? AND position < ?`, old.MeetingID, to, from)
			case to > from:
				_, err = tx.ExecContext(ctx, `UPDATE agenda_items SET position = position - 1
					WHERE meeting_id = ? AND position > ? AND position <= ?`, old.MeetingID, from, to)
			}
			if err != nil {
				return err
			}
			set.do(ctx, `position = ?`, to)
		}
		set.do(ctx, `updated_at = ?`, now)
		if set.err != nil {
			return set.err
		}
		if it, err = getAgendaItem(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventAgendaUpdated, it, now)
	})
	return it, err
}

// DeleteAgendaItem implements forum.MeetingStore.
func (db *DB) DeleteAgendaItem(ctx context.Context, id int64, actor *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		old, a, err := agendaItemAccess(ctx, tx, id, actor, false)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agenda_items WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position = position - 1 WHERE meeting_id = ? AND position > ?`,
			old.MeetingID, old.Position); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventAgendaDeleted,
			forum.AgendaGone{ID: id, MeetingID: old.MeetingID}, now)
	})
}
