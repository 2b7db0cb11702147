package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// DeletePost implements forum.PostStore.
func (db *DB) DeletePost(ctx context.Context, postID int64, by *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		post, err := postFacts(ctx, tx, postID, by.ID)
		if err != nil {
			return err
		}
		if post.Kind == forum.KindQuestion {
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM posts WHERE question_id = ? AND kind = 'answer'
				AND deleted_at IS NULL AND score > 0)`, postID).Scan(&post.UpvotedAnswers); err != nil {
				return err
			}
		}
		if err := forum.CheckDelete(by, post); err != nil {
			return err
		}
		if err := softDelete(ctx, tx, post, by.ID, now); err != nil {
			return err
		}
		if post.AuthorID != by.ID { // a moderator's deletion of someone else's post
			return tx.audit(ctx, forum.AuditEntry{ActorID: by.ID, Action: "post.delete", TargetKind: "post", TargetID: postID,
				Before: auditState("deleted", false), After: auditState("deleted", true), At: now})
		}
		return nil
	})
}

// softDelete deletes a live post (by 0: the system, for flags): it leaves every count and
// list, its acceptance is given back (kept for undelete), and its logged events are blanked.
func softDelete(ctx context.Context, tx *txn, post forum.PostFacts, by int64, now time.Time) error {
	postID := post.ID
	kind, questionID := post.Kind, post.QuestionID
	var byID any
	if by != 0 {
		byID = by
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = ?, deleted_by = ? WHERE id = ?`, now, byID, postID); err != nil {
		return err
	}
	if kind == forum.KindAnswer {
		if post.AcceptedAnswerID == postID { // a deleted answer gives back its acceptance, kept for undelete
			if err := undoReputation(ctx, tx, postID, post.AskerID, "accept", forum.RepKindAcceptUndo, now); err != nil {
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
}

// UndeletePost implements forum.PostStore.
func (db *DB) UndeletePost(ctx context.Context, postID int64, by *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		post, err := postFacts(ctx, tx, postID, by.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckUndelete(by, post); err != nil {
			return err
		}
		if err := restorePost(ctx, tx, post, now); err != nil {
			return err
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: by.ID, Action: "post.undelete", TargetKind: "post", TargetID: postID,
			Before: auditState("deleted", true), After: auditState("deleted", false), At: now})
	})
}

// restorePost brings a deleted (or hidden) post back into every count and list.
func restorePost(ctx context.Context, tx *txn, post forum.PostFacts, now time.Time) error {
	postID := post.ID
	var wasAccepted bool
	if err := tx.QueryRowContext(ctx, `SELECT accepted_when_deleted FROM posts WHERE id = ?`, postID).Scan(&wasAccepted); err != nil {
		return err
	}
	kind, questionID := string(post.Kind), post.QuestionID
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = NULL, deleted_by = NULL, hidden_at = NULL, accepted_when_deleted = 0 WHERE id = ?`, postID); err != nil {
		return err
	}
	if kind == string(forum.KindAnswer) {
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET answer_count = answer_count + 1 WHERE id = ?`, questionID); err != nil {
			return err
		}
		if err := countFirstAnswer(ctx, tx, questionID, -1); err != nil {
			return err
		}
		if wasAccepted {
			if err := restoreAcceptance(ctx, tx, postID, questionID, now); err != nil {
				return err
			}
		}
	} else {
		if err := countQuestionLife(ctx, tx, postID, 1); err != nil {
			return err
		}
	}
	if err := refundPenalty(ctx, tx, postID, now); err != nil { // flags' deletion undone
		return err
	}
	back, err := postTx(ctx, tx, postID)
	if err != nil {
		return err
	}
	return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventPostUpdated, Data: back, PostID: postID})
}

// countQuestionLife moves every count a question is part of, its tags' and the site's, by
// delta: -1 when it is deleted, +1 when it comes back. A collaborative's question is in
// none of them (forum/scope.go).
func countQuestionLife(ctx context.Context, tx *txn, questionID int64, delta int) error {
	var scoped bool
	if err := tx.QueryRowContext(ctx, `SELECT collaborative_id IS NOT NULL FROM posts WHERE id = ?`, questionID).Scan(&scoped); err != nil || scoped {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tags SET question_count = question_count + ?
		WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = ?)`, delta, questionID); err != nil {
		return err
	}
	var answers int
	var closed bool
	if err := tx.QueryRowContext(ctx, `SELECT answer_count, closed_at IS NOT NULL FROM posts WHERE id = ?`, questionID).Scan(&answers, &closed); err != nil {
		return err
	}
	unanswered := 0
	if answers == 0 && !closed { // a closed question is not in the unanswered total
		unanswered = delta
	}
	return countQuestions(ctx, tx, delta, unanswered)
}
