package sqlite

import (
	"context"
	"fmt"
)

// ThreadVersion implements forum.ThreadVersions: the number the triggers of
// 0010_thread_versions.sql raise with every change to the question's page.
func (db *DB) ThreadVersion(ctx context.Context, questionID int64) (int64, error) {
	var v int64
	err := db.readRow(ctx, `SELECT COALESCE((SELECT version FROM thread_versions WHERE question_id = ?), 0)`, questionID).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("thread version: %w", err)
	}
	return v, nil
}

// VotesIn implements forum.ThreadVersions: from the thread's posts (the question and its
// answers, through their index) to the voter's row in votes, so a voter with thousands
// of votes costs what a new one does.
func (db *DB) VotesIn(ctx context.Context, questionID, userID int64) (map[int64]int, error) {
	rows, err := db.readRows(ctx, `SELECT v.post_id, v.value FROM votes v
		WHERE v.user_id = ? AND v.post_id IN (SELECT ? UNION ALL SELECT id FROM posts WHERE question_id = ? AND kind = 'answer')`,
		userID, questionID, questionID)
	if err != nil {
		return nil, fmt.Errorf("votes in thread: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var value int
		if err := rows.Scan(&id, &value); err != nil {
			return nil, err
		}
		out[id] = value
	}
	return out, rows.Err()
}
