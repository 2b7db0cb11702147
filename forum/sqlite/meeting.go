package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"staffroom/forum"
)

// Meetings, their agendas and notes (forum.MeetingStore). Every write reads the
// collaborative and the actor's role inside its transaction and asks forum's rule about
// them; its event goes on the collaborative's topic in the same transaction.

// rowQuerier is what both a write's transaction and the read pool answer, so that one query
// function serves a write (which logs what it read) and a read.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// txAccess reads the actor's access to a collaborative inside a write.
func txAccess(ctx context.Context, q rowQuerier, collaborativeID int64, actor *forum.User) (forum.CollaborativeAccess, error) {
	g := &forum.Collaborative{ID: collaborativeID}
	err := q.QueryRowContext(ctx, `SELECT slug, name, visibility, created_at FROM collaboratives WHERE id = ?`, collaborativeID).
		Scan(&g.Slug, &g.Name, &g.Visibility, &g.CreatedAt)
	if err != nil {
		return forum.CollaborativeAccess{}, notFound(err, forum.NotFoundCollaborative(""))
	}
	a := forum.CollaborativeAccess{Collaborative: g, Viewer: actor}
	if actor != nil {
		a.Role, err = txRole(ctx, q, collaborativeID, actor.ID)
	}
	return a, err
}

// txRole is a person's role in a collaborative, MemberNone when they have none.
func txRole(ctx context.Context, q rowQuerier, collaborativeID, userID int64) (forum.MemberRole, error) {
	var role forum.MemberRole
	err := q.QueryRowContext(ctx, `SELECT role FROM collaborative_members WHERE collaborative_id = ? AND user_id = ?`,
		collaborativeID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.MemberNone, nil
	}
	return role, err
}

// meetingColumns is selected by every meeting query, in scanMeeting's order (meetingFrom).
const meetingColumns = `m.id, m.collaborative_id, g.slug, g.name, g.visibility, m.title, m.description, m.description_html,
	m.location, m.video_url, m.starts_at, m.ends_at, m.time_zone, m.sequence, m.cancelled_at,
	m.notes, m.notes_html, m.notes_revision, m.notes_at, nu.id, nu.username, nu.display_name,
	m.created_by, m.created_at, m.updated_at`

const meetingFrom = ` FROM meetings m JOIN collaboratives g ON g.id = m.collaborative_id
	LEFT JOIN users nu ON nu.id = m.notes_by `

func scanMeeting(row scanner) (*forum.Meeting, error) {
	var m forum.Meeting
	var vis forum.Visibility
	var cancelled, notesAt sql.NullTime
	var nuID sql.NullInt64
	var nuName, nuDisplay sql.NullString
	if err := row.Scan(&m.ID, &m.CollaborativeID, &m.Collaborative.Slug, &m.Collaborative.Name, &vis, &m.Title,
		&m.Description, &m.DescriptionHTML, &m.Location, &m.VideoURL, &m.StartsAt, &m.EndsAt, &m.TimeZone, &m.Sequence,
		&cancelled, &m.Notes.Text, &m.Notes.HTML, &m.Notes.Revision, &notesAt, &nuID, &nuName, &nuDisplay,
		&m.CreatedBy, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.Collaborative.Private = vis == forum.VisibilityPrivate
	m.StartsAt, m.EndsAt, m.CreatedAt, m.UpdatedAt = m.StartsAt.UTC(), m.EndsAt.UTC(), m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	m.CancelledAt, m.Notes.UpdatedAt = nullTime(cancelled), nullTime(notesAt)
	if nuID.Valid {
		m.Notes.UpdatedBy = &forum.User{ID: nuID.Int64, Username: nuName.String, DisplayName: nuDisplay.String}
	}
	return &m, nil
}

// getMeeting reads one meeting; NotFoundMeeting when there is none.
func getMeeting(ctx context.Context, q rowQuerier, id int64) (*forum.Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, `SELECT `+meetingColumns+meetingFrom+`WHERE m.id = ?`, id))
	return m, notFound(err, forum.NotFoundMeeting(id))
}

// listMeetings reads the meetings a query selects.
func listMeetings(ctx context.Context, q rowQuerier, query string, args ...any) ([]*forum.Meeting, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+meetingColumns+meetingFrom+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.Meeting{}
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// emitCollaborative logs events on the collaborative's topic.
func (t *txn) emitCollaborative(ctx context.Context, slug, name string, data any, now time.Time) error {
	return t.emit(ctx, now, forum.Event{Topic: forum.TopicCollaborative(slug), Name: name, Data: data})
}

// CreateMeeting implements forum.MeetingStore.
func (db *DB) CreateMeeting(ctx context.Context, nm forum.NewMeeting) (*forum.Meeting, error) {
	var m *forum.Meeting
	err := db.write(ctx, func(tx *txn) error {
		a, err := txAccess(ctx, tx, nm.CollaborativeID, nm.Actor)
		if err != nil {
			return err
		}
		if err := forum.CheckScheduleMeeting(a, forum.NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO meetings (collaborative_id, title, description, description_html,
			location, video_url, starts_at, ends_at, time_zone, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nm.CollaborativeID, nm.Title, nm.Description.Text, nm.Description.HTML, nm.Location, nm.VideoURL,
			nm.StartsAt.UTC(), nm.EndsAt.UTC(), nm.TimeZone, nm.Actor.ID, nm.Now, nm.Now).Scan(&id); err != nil {
			return err
		}
		if m, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventMeetingCreated, m, nm.Now)
	})
	return m, err
}

// UpdateMeeting implements forum.MeetingStore.
func (db *DB) UpdateMeeting(ctx context.Context, id int64, actor *forum.User, ch forum.MeetingChanges, now time.Time) (*forum.Meeting, error) {
	var m *forum.Meeting
	err := db.write(ctx, func(tx *txn) error {
		old, err := getMeeting(ctx, tx, id)
		if err != nil {
			return err
		}
		a, err := txAccess(ctx, tx, old.CollaborativeID, actor)
		if err != nil {
			return err
		}
		if err := forum.CheckScheduleMeeting(a, forum.NotFoundMeeting(id)); err != nil {
			return err
		}
		starts, ends := old.StartsAt, old.EndsAt
		if ch.StartsAt != nil {
			starts = ch.StartsAt.UTC()
		}
		if ch.EndsAt != nil {
			ends = ch.EndsAt.UTC()
		}
		if err := forum.CheckMeetingTimes(starts, ends); err != nil {
			return err
		}
		set := setter{tx: tx, table: "meetings", id: id}
		if ch.Title != nil {
			set.do(ctx, `title = ?`, *ch.Title)
		}
		if ch.Description != nil {
			set.do(ctx, `description = ?, description_html = ?`, ch.Description.Text, ch.Description.HTML)
		}
		if ch.Location != nil {
			set.do(ctx, `location = ?`, *ch.Location)
		}
		if ch.VideoURL != nil {
			set.do(ctx, `video_url = ?`, *ch.VideoURL)
		}
		if ch.TimeZone != nil {
			set.do(ctx, `time_zone = ?`, *ch.TimeZone)
		}
		// Both instants at once: the table's CHECK holds after every statement.
		set.do(ctx, `starts_at = ?, ends_at = ?, sequence = sequence + 1, updated_at = ?`, starts, ends, now)
		if set.err != nil {
			return set.err
		}
		if m, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventMeetingUpdated, m, now)
	})
	return m, err
}

// CancelMeeting implements forum.MeetingStore.
func (db *DB) CancelMeeting(ctx context.Context, id int64, actor *forum.User, now time.Time) (*forum.Meeting, error) {
	var m *forum.Meeting
	err := db.write(ctx, func(tx *txn) error {
		old, err := getMeeting(ctx, tx, id)
		if err != nil {
			return err
		}
		a, err := txAccess(ctx, tx, old.CollaborativeID, actor)
		if err != nil {
			return err
		}
		if err := forum.CheckScheduleMeeting(a, forum.NotFoundMeeting(id)); err != nil {
			return err
		}
		if old.Cancelled() {
			m = old
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET cancelled_at = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?`,
			now, now, id); err != nil {
			return err
		}
		if m, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventMeetingCancelled, m, now)
	})
	return m, err
}

// Meeting implements forum.MeetingStore.
func (db *DB) Meeting(ctx context.Context, id int64) (*forum.Meeting, error) {
	return getMeeting(ctx, db.reader, id)
}

// Meetings implements forum.MeetingStore.
func (db *DB) Meetings(ctx context.Context, collaborativeID int64, f forum.MeetingFilter) ([]*forum.Meeting, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = forum.MaxMeetingsListed
	}
	if f.Upcoming {
		return listMeetings(ctx, db.reader, `WHERE m.collaborative_id = ? AND m.ends_at > ? AND m.cancelled_at IS NULL
			ORDER BY m.starts_at, m.id LIMIT ?`, collaborativeID, f.Now.UTC(), limit)
	}
	return listMeetings(ctx, db.reader, `WHERE m.collaborative_id = ? ORDER BY m.starts_at DESC, m.id DESC LIMIT ?`, collaborativeID, limit)
}

// MeetingsOf implements forum.MeetingStore.
func (db *DB) MeetingsOf(ctx context.Context, userID int64, since time.Time, limit int) ([]*forum.Meeting, error) {
	return listMeetings(ctx, db.reader, `JOIN collaborative_members cm ON cm.collaborative_id = m.collaborative_id AND cm.user_id = ?
		WHERE m.ends_at > ? ORDER BY m.starts_at, m.id LIMIT ?`, userID, since.UTC(), limit)
}

// LastMeetingBefore implements forum.MeetingStore.
func (db *DB) LastMeetingBefore(ctx context.Context, collaborativeID int64, t time.Time) (*forum.Meeting, error) {
	ms, err := listMeetings(ctx, db.reader, `WHERE m.collaborative_id = ? AND m.starts_at < ? AND m.cancelled_at IS NULL
		ORDER BY m.starts_at DESC, m.id DESC LIMIT 1`, collaborativeID, t.UTC())
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return ms[0], nil
}

// SaveNotes implements forum.MeetingStore.
func (db *DB) SaveNotes(ctx context.Context, e forum.NotesEdit) (*forum.Meeting, error) {
	var m *forum.Meeting
	err := db.write(ctx, func(tx *txn) error {
		old, err := getMeeting(ctx, tx, e.MeetingID)
		if err != nil {
			return err
		}
		a, err := txAccess(ctx, tx, old.CollaborativeID, e.Actor)
		if err != nil {
			return err
		}
		if err := forum.CheckWriteNotes(a, old, e.BaseRevision); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET notes = ?, notes_html = ?, notes_revision = notes_revision + 1,
			notes_by = ?, notes_at = ? WHERE id = ?`, e.Notes.Text, e.Notes.HTML, e.Actor.ID, e.Now, e.MeetingID); err != nil {
			return err
		}
		if m, err = getMeeting(ctx, tx, e.MeetingID); err != nil {
			return err
		}
		return tx.emitCollaborative(ctx, a.Collaborative.Slug, forum.EventNotesUpdated, m, e.Now)
	})
	return m, err
}

// CalendarKey implements forum.MeetingStore.
func (db *DB) CalendarKey(ctx context.Context, userID int64, newKey string, reset bool, now time.Time) (string, error) {
	var key string
	err := db.write(ctx, func(tx *txn) error {
		verb := `INSERT OR IGNORE`
		if reset {
			verb = `INSERT OR REPLACE`
		}
		if _, err := tx.ExecContext(ctx, verb+` INTO calendar_keys (user_id, key, created_at) VALUES (?, ?, ?)`, userID, newKey, now); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT key FROM calendar_keys WHERE user_id = ?`, userID).Scan(&key)
	})
	return key, err
}

// CalendarOwner implements forum.MeetingStore.
func (db *DB) CalendarOwner(ctx context.Context, key string) (int64, error) {
	var id int64
	err := db.readRow(ctx, `SELECT user_id FROM calendar_keys WHERE key = ?`, key).Scan(&id)
	return id, notFound(err, forum.NotFoundUser(0))
}
