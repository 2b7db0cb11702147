package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

// DeletePost implements forum.PostStore.
func (db *DB) DeletePost(ctx context.Context, postID int64, by *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		kind, authorID, questionID, err := livePost(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !by.Role.IsModerator() {
			if authorID != by.ID {
				return forum.Coded(forum.EForbidden, "not_author", "You can delete only your own posts.")
			}
			if kind == forum.KindQuestion {
				var upvoted bool
				if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM posts WHERE question_id = ? AND kind = 'answer'
					AND deleted_at IS NULL AND score > 0)`, postID).Scan(&upvoted); err != nil {
					return err
				}
				if upvoted {
					return forum.Coded(forum.EConflict, "has_upvoted_answers", "This question has upvoted answers, so it stays for the people they help; flag it for a moderator if it must go.")
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = ?, deleted_by = ? WHERE id = ?`, now, by.ID, postID); err != nil {
			return err
		}
		if kind == forum.KindAnswer {
			asker, _, accepted, err := liveQuestion(ctx, tx, questionID)
			if err != nil {
				return err
			}
			if accepted == postID { // a deleted answer gives back its acceptance, kept for undelete
				if err := undoReputation(ctx, tx, postID, asker, "accept", forum.RepKindAcceptUndo, now); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE posts SET accepted_when_deleted = 1 WHERE id = ?`, postID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET answer_count = answer_count - 1,
				accepted_answer_id = CASE WHEN accepted_answer_id = ? THEN NULL ELSE accepted_answer_id END WHERE id = ?`, postID, questionID); err != nil {
				return err
			}
			if err := countFirstAnswer(ctx, tx, questionID, 1); err != nil {
				return err
			}
		} else {
			if err := countQuestionLife(ctx, tx, postID, -1); err != nil {
				return err
			}
		}
		gone := forum.PostGone{PostID: postID, QuestionID: questionID}
		if err := tx.redactEvents(ctx, gone); err != nil {
			return err
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventPostDeleted, Data: gone})
	})
}

// UndeletePost implements forum.PostStore.
func (db *DB) UndeletePost(ctx context.Context, postID int64, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		var kind string
		var questionID sql.NullInt64
		var deleted, wasAccepted bool
		err := tx.QueryRowContext(ctx, `SELECT kind, question_id, deleted_at IS NOT NULL, accepted_when_deleted FROM posts WHERE id = ?`,
			postID).Scan(&kind, &questionID, &deleted, &wasAccepted)
		if err != nil {
			return notFound(err, "There is no post %d.", postID)
		}
		if !deleted {
			return forum.Coded(forum.EConflict, "not_deleted", "Post %d is not deleted.", postID)
		}
		if kind == string(forum.KindAnswer) {
			if _, _, _, err := liveQuestion(ctx, tx, questionID.Int64); err != nil {
				return forum.Coded(forum.EConflict, "question_deleted", "Undelete the question first.")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = NULL, deleted_by = NULL, accepted_when_deleted = 0 WHERE id = ?`, postID); err != nil {
			return err
		}
		if kind == string(forum.KindAnswer) {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET answer_count = answer_count + 1 WHERE id = ?`, questionID.Int64); err != nil {
				return err
			}
			if err := countFirstAnswer(ctx, tx, questionID.Int64, -1); err != nil {
				return err
			}
			if wasAccepted {
				if err := restoreAcceptance(ctx, tx, postID, questionID.Int64, now); err != nil {
					return err
				}
			}
		} else {
			if err := countQuestionLife(ctx, tx, postID, 1); err != nil {
				return err
			}
			questionID.Int64 = postID
		}
		back, err := postTx(ctx, tx, postID)
		if err != nil {
			return err
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID.Int64), Name: forum.EventPostUpdated, Data: back, PostID: postID})
	})
}

// countQuestionLife moves every count a question is part of, its tags' and the site's, by
// delta: -1 when it is deleted, +1 when it comes back.
func countQuestionLife(ctx context.Context, tx *txn, questionID int64, delta int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tags SET question_count = question_count + ?
		WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = ?)`, delta, questionID); err != nil {
		return err
	}
	var answers int
	if err := tx.QueryRowContext(ctx, `SELECT answer_count FROM posts WHERE id = ?`, questionID).Scan(&answers); err != nil {
		return err
	}
	unanswered := 0
	if answers == 0 {
		unanswered = delta
	}
	return countQuestions(ctx, tx, delta, unanswered)
}
