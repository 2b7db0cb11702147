package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"staffroom/forum"
)

// SetPublisher plugs in the forum.Publisher that encodes the data of the events this store
// logs and hears them once committed (nil: data is logged as plain JSON, and nothing is
// published). Set it before serving.
func (db *DB) SetPublisher(p forum.Publisher) {
	if p == nil {
		p = plainEvents{}
	}
	db.events.Store(&eventSink{p})
}

// eventSink holds the Publisher, so that it can be swapped atomically.
type eventSink struct{ forum.Publisher }

// plainEvents is the Publisher of a store nobody set one for.
type plainEvents struct{}

func (plainEvents) Encode(e forum.Event) ([]byte, error) { return json.Marshal(e.Data) }
func (plainEvents) Publish([]forum.LoggedEvent)          {}

// emit logs events in the transaction, each numbered one past its topic's head. They are
// published once the transaction commits, and forgotten if this write rolls back.
func (t *txn) emit(ctx context.Context, now time.Time, events ...forum.Event) error {
	pub := t.db.events.Load()
	for _, e := range events {
		data, err := pub.Encode(e)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", e.Name, err)
		}
		var seq int64
		postID := sql.NullInt64{Int64: e.PostID, Valid: e.PostID != 0}
		messageID := sql.NullInt64{Int64: e.MessageID, Valid: e.MessageID != 0}
		if err := t.QueryRowContext(ctx, `INSERT INTO events (topic, seq, name, data, created_at, post_id, message_id)
			VALUES (?1, COALESCE((SELECT seq FROM topic_heads WHERE topic = ?1), 0) + 1, ?2, ?3, ?4, ?5, ?6) RETURNING seq`,
			e.Topic, e.Name, string(data), now, postID, messageID).Scan(&seq); err != nil {
			return fmt.Errorf("log %s event: %w", e.Name, err)
		}
		t.pending = append(t.pending, forum.LoggedEvent{Topic: e.Topic, Seq: seq, Name: e.Name, Data: data, At: now})
	}
	return nil
}

// redactEvents blanks the logged events that carry a deleted post's words: each becomes
// the post.deleted it now amounts to, keeping its number so that replays have no gap.
func (t *txn) redactEvents(ctx context.Context, gone forum.PostGone) error {
	data, err := t.db.events.Load().Encode(forum.Event{Name: forum.EventPostDeleted, Data: gone})
	if err != nil {
		return fmt.Errorf("encode redaction: %w", err)
	}
	_, err = t.ExecContext(ctx, `UPDATE events SET name = ?, data = ? WHERE post_id = ?`, forum.EventPostDeleted, string(data), gone.PostID)
	return err
}

// publishCommitted hands a committed batch's events to the Publisher, in commit order.
func (db *DB) publishCommitted(events []forum.LoggedEvent) {
	if len(events) == 0 {
		return
	}
	db.events.Load().Publish(events)
}

// TopicHead implements forum.EventLog.
func (db *DB) TopicHead(ctx context.Context, topic string) (int64, error) {
	var seq int64
	err := db.readRow(ctx, `SELECT COALESCE((SELECT seq FROM topic_heads WHERE topic = ?), 0)`, topic).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("head of %s: %w", topic, err)
	}
	return seq, nil
}

// EventsSince implements forum.EventLog.
func (db *DB) EventsSince(ctx context.Context, topic string, since int64, limit, maxBytes int) ([]forum.LoggedEvent, error) {
	rows, err := db.readRows(ctx, `SELECT seq, name, data, created_at FROM events WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?`,
		topic, since, limit)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", topic, err)
	}
	defer rows.Close()
	var out []forum.LoggedEvent
	size := 0
	// Rows are read one by one from SQLite: stopping early leaves the rest unread.
	for (maxBytes <= 0 || size <= maxBytes) && rows.Next() {
		e := forum.LoggedEvent{Topic: topic}
		var data string
		if err := rows.Scan(&e.Seq, &e.Name, &data, &e.At); err != nil {
			return nil, fmt.Errorf("events of %s: %w", topic, err)
		}
		e.Data, e.At = []byte(data), e.At.UTC()
		size += len(e.Data)
		out = append(out, e)
	}
	return out, rows.Err()
}

// PruneEvents implements forum.EventLog.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE created_at < ?`, before)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return n, nil
}
