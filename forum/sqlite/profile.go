package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// UserPosts implements forum.ProfileStore.
func (db *DB) UserPosts(ctx context.Context, userID int64, kind forum.PostKind, page, pageSize int, viewerID int64) ([]*forum.Post, int, error) {
	// Only what the viewer may see: a private collaborative's posts to its members alone.
	live := `p.author_id = ? AND p.kind = ? AND p.deleted_at IS NULL
		AND (p.question_id IS NULL OR EXISTS (SELECT 1 FROM posts q WHERE q.id = p.question_id AND q.deleted_at IS NULL))
		AND ` + scopeVisibleTo("p.collaborative_id")
	var total int
	if err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts p WHERE `+live, userID, string(kind), viewerID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT `+postColumns+`, mv.value, `+userColumns+`,
		COALESCE((SELECT q.title FROM posts q WHERE q.id = p.question_id), '')`+postFrom+
		`WHERE `+live+` ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?`,
		viewerID, userID, string(kind), viewerID, pageSize, (page-1)*pageSize)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*forum.Post
	for rows.Next() {
		var title string
		p, err := scanPost(rowFunc(func(dest ...any) error { return rows.Scan(append(dest, &title)...) }))
		if err != nil {
			return nil, 0, err
		}
		p.QuestionTitle = title
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// ReputationHistory implements forum.ProfileStore. Times are stored in UTC, so the first
// ten characters are the UTC day.
func (db *DB) ReputationHistory(ctx context.Context, userID int64, since time.Time) ([]forum.ReputationDay, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT substr(created_at, 1, 10) AS day, SUM(delta), COUNT(*)
		FROM reputation_events WHERE user_id = ? AND created_at >= ? GROUP BY day HAVING SUM(delta) <> 0 ORDER BY day DESC`, userID, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.ReputationDay
	for rows.Next() {
		var d forum.ReputationDay
		var day string
		if err := rows.Scan(&day, &d.Delta, &d.Events); err != nil {
			return nil, err
		}
		if d.Day, err = time.Parse("2006-01-02", day); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
