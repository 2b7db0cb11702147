package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// What happened in a collaborative since a time, for "since the last meeting"
// (forum.ChannelActivitySource and forum.QuestionActivitySource). The caller has checked
// that the reader may see inside the collaborative.

// ChannelActivitySince implements forum.ChannelActivitySource: live messages by channel,
// the busiest first.
func (db *DB) ChannelActivitySince(ctx context.Context, collaborativeID int64, since time.Time) ([]forum.ChannelActivity, error) {
	rows, err := db.readRows(ctx, `SELECT c.id, c.name, COUNT(m.id) FROM channels c
		JOIN messages m ON m.channel_id = c.id AND m.created_at > ? AND m.deleted_at IS NULL
		WHERE c.collaborative_id = ? GROUP BY c.id, c.name ORDER BY COUNT(m.id) DESC, c.name`, since.UTC(), collaborativeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []forum.ChannelActivity{}
	for rows.Next() {
		var a forum.ChannelActivity
		if err := rows.Scan(&a.ChannelID, &a.Name, &a.Messages); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// QuestionActivitySince implements forum.QuestionActivitySource: the collaborative's live
// questions asked since, and those that got a live answer since, newest first.
func (db *DB) QuestionActivitySince(ctx context.Context, collaborativeID int64, since time.Time) (asked, answered []forum.QuestionActivity, err error) {
	if asked, err = db.questionActivity(ctx, `SELECT q.id, q.title, q.answer_count FROM posts q
		WHERE q.collaborative_id = ? AND q.kind = 'question' AND q.deleted_at IS NULL AND q.created_at > ?
		ORDER BY q.created_at DESC, q.id DESC`, collaborativeID, since.UTC()); err != nil {
		return nil, nil, err
	}
	answered, err = db.questionActivity(ctx, `SELECT q.id, q.title, q.answer_count FROM posts q
		WHERE q.collaborative_id = ? AND q.kind = 'question' AND q.deleted_at IS NULL
		AND EXISTS (SELECT 1 FROM posts a WHERE a.question_id = q.id AND a.kind = 'answer' AND a.deleted_at IS NULL AND a.created_at > ?)
		ORDER BY q.activity_at DESC, q.id DESC`, collaborativeID, since.UTC())
	return asked, answered, err
}

func (db *DB) questionActivity(ctx context.Context, query string, args ...any) ([]forum.QuestionActivity, error) {
	rows, err := db.readRows(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []forum.QuestionActivity{}
	for rows.Next() {
		var q forum.QuestionActivity
		if err := rows.Scan(&q.ID, &q.Title, &q.Answers); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
