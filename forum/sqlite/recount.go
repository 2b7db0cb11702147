package sqlite

import (
	"context"
	"fmt"

	"staffroom/forum"
)

// recountChecks pair each counter with the query that recomputes it from rows. Each query
// returns (id, stored, actual) for the rows that disagree, and fix sets stored to actual.
var recountChecks = []struct {
	what, query, fix string
}{
	{"post %d score",
		`SELECT p.id, p.score, COALESCE((SELECT SUM(value) FROM votes v WHERE v.post_id = p.id), 0) AS actual FROM posts p WHERE p.score <> actual`,
		`UPDATE posts SET score = ? WHERE id = ?`},
	{"question %d answer count",
		`SELECT p.id, p.answer_count, (SELECT COUNT(*) FROM posts a WHERE a.question_id = p.id AND a.kind = 'answer' AND a.deleted_at IS NULL) AS actual
		 FROM posts p WHERE p.kind = 'question' AND p.answer_count <> actual`,
		`UPDATE posts SET answer_count = ? WHERE id = ?`},
	{"post %d comment count",
		`SELECT p.id, p.comment_count, (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id) AS actual FROM posts p WHERE p.comment_count <> actual`,
		`UPDATE posts SET comment_count = ? WHERE id = ?`},
	{"comment %d score",
		`SELECT c.id, c.score, (SELECT COUNT(*) FROM comment_votes v WHERE v.comment_id = c.id) AS actual FROM comments c WHERE c.score <> actual`,
		`UPDATE comments SET score = ? WHERE id = ?`},
	{"user %d reputation",
		`SELECT u.id, u.reputation, 1 + COALESCE((SELECT SUM(delta) FROM reputation_events r WHERE r.user_id = u.id), 0) AS actual FROM users u WHERE u.reputation <> actual`,
		`UPDATE users SET reputation = ? WHERE id = ?`},
	{"site counter %d (1: questions, 2: unanswered)",
		`SELECT CASE name WHEN 'questions' THEN 1 ELSE 2 END, value, (SELECT COUNT(*) FROM posts p WHERE p.kind = 'question' AND p.deleted_at IS NULL
		   AND p.collaborative_id IS NULL AND (site_counters.name = 'questions' OR p.answer_count = 0 AND p.closed_at IS NULL)) AS actual FROM site_counters WHERE value <> actual`,
		`UPDATE site_counters SET value = ? WHERE name = CASE ? WHEN 1 THEN 'questions' ELSE 'unanswered' END`},
	{"tag %d question count",
		`SELECT t.id, t.question_count, (SELECT COUNT(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id WHERE pt.tag_id = t.id AND p.deleted_at IS NULL
		   AND p.collaborative_id IS NULL) AS actual
		 FROM tags t WHERE t.question_count <> actual`,
		`UPDATE tags SET question_count = ? WHERE id = ?`},
	// After the posts' own counters (whose fixes the triggers copy to the links): the copy
	// of each question's sort keys on its tag links (0008_list_keys.sql), reported as the
	// number of links out of step and fixed by copying again (?2 is the question's id).
	{"question %d tag links out of step with it (sort keys, answers, closing or deletion)",
		`SELECT pt.post_id, COUNT(*), 0 FROM post_tags pt JOIN posts p ON p.id = pt.post_id
		 WHERE pt.score IS NOT p.score OR pt.activity_at IS NOT p.activity_at OR pt.answer_count IS NOT p.answer_count
		    OR pt.deleted_at IS NOT p.deleted_at OR pt.closed_at IS NOT p.closed_at OR pt.collaborative_id IS NOT p.collaborative_id
		 GROUP BY pt.post_id`,
		`UPDATE post_tags SET (score, activity_at, answer_count, deleted_at, closed_at, collaborative_id) =
		   (SELECT p.score, p.activity_at, p.answer_count, p.deleted_at, p.closed_at, p.collaborative_id FROM posts p WHERE p.id = post_tags.post_id)
		 WHERE post_id = ?2`},
	{"tag %d unanswered count",
		`SELECT t.id, t.unanswered_count, (SELECT COUNT(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id
		   WHERE pt.tag_id = t.id AND p.deleted_at IS NULL AND p.answer_count = 0 AND p.closed_at IS NULL
		   AND p.collaborative_id IS NULL) AS actual
		 FROM tags t WHERE t.unanswered_count <> actual`,
		`UPDATE tags SET unanswered_count = ? WHERE id = ?`},
}

// Recount implements forum.Recounter: it recomputes every stored counter (scores, answer and comment counts, reputation,
// tag counts, the sort keys copied onto tag links) from the rows it summarizes and reports each that drifted; with fix, it
// also corrects them, in one transaction.
func (db *DB) Recount(ctx context.Context, fix bool) ([]forum.Drift, error) {
	var drifts []forum.Drift
	err := db.write(ctx, func(tx *txn) error {
		for _, c := range recountChecks {
			rows, err := tx.QueryContext(ctx, c.query)
			if err != nil {
				return fmt.Errorf("recount %s: %w", c.what, err)
			}
			var found []forum.Drift
			var ids []int64
			for rows.Next() {
				var id int64
				var d forum.Drift
				if err := rows.Scan(&id, &d.Stored, &d.Actual); err != nil {
					rows.Close()
					return err
				}
				d.What = fmt.Sprintf(c.what, id)
				found = append(found, d)
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			drifts = append(drifts, found...)
			if fix {
				for i, d := range found {
					if _, err := tx.ExecContext(ctx, c.fix, d.Actual, ids[i]); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return drifts, err
}
