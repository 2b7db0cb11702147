package sqlite

import (
	"context"
	"database/sql"

	"staffroom/forum"
)

// VoteClose implements forum.CloseStore.
func (db *DB) VoteClose(ctx context.Context, v forum.CloseVote) (forum.CloseState, error) {
	var st forum.CloseState
	err := db.write(ctx, func(tx *txn) error {
		var err error
		st, err = voteClose(ctx, tx, v)
		return err
	})
	return st, err
}

// voteClose is VoteClose inside a write: the review queue casts its votes through it too.
// A vote that does not decide puts the question in the close queue; one that decides takes
// it out; a moderator's (binding) vote is audited.
func voteClose(ctx context.Context, tx *txn, v forum.CloseVote) (forum.CloseState, error) {
	var st forum.CloseState
	err := func() error {
		f := forum.CloseFacts{}
		var err error
		if f.Question, err = postFacts(ctx, tx, v.QuestionID, v.VoterID); err != nil {
			return err
		}
		if v.DuplicateOf != 0 {
			if f.Original, err = postFacts(ctx, tx, v.DuplicateOf, v.VoterID); err != nil {
				return err
			}
		}
		kind := "close"
		if v.Reopen {
			kind = "reopen"
		}
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM close_votes WHERE post_id = ? AND user_id = ? AND kind = ?)`,
			v.QuestionID, v.VoterID, kind).Scan(&f.Voted); err != nil {
			return err
		}
		if err := forum.CheckCloseVote(v, f); err != nil {
			return err
		}
		dup := sql.NullInt64{Int64: v.DuplicateOf, Valid: v.DuplicateOf != 0}
		if _, err := tx.ExecContext(ctx, `INSERT INTO close_votes (post_id, user_id, kind, reason, duplicate_of, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, v.QuestionID, v.VoterID, kind, v.Reason, dup, v.Now); err != nil {
			return err
		}
		standing, err := standingCloseVotes(ctx, tx, v.QuestionID, kind)
		if err != nil {
			return err
		}
		decision := forum.CloseOutcome(v, standing)
		closed := f.Question.Closed
		st.Votes, st.Needed, st.Closed = len(standing), v.Needed, closed
		if !decision.Decided {
			if err := enqueue(ctx, tx, forum.QueueClose, forum.ItemPost, v.QuestionID, v.QuestionID, v.Now); err != nil {
				return err
			}
			if closed {
				if err := tx.QueryRowContext(ctx, `SELECT closed_reason FROM posts WHERE id = ?`, v.QuestionID).Scan(&st.Reason); err != nil {
					return err
				}
			}
			return nil
		}
		if v.Reopen {
			_, err = tx.ExecContext(ctx, `UPDATE posts SET closed_reason = NULL, closed_at = NULL, duplicate_of = NULL, activity_at = ? WHERE id = ?`, v.Now, v.QuestionID)
			st.Closed = false
		} else {
			original := sql.NullInt64{Int64: decision.DuplicateOf, Valid: decision.DuplicateOf != 0}
			_, err = tx.ExecContext(ctx, `UPDATE posts SET closed_reason = ?, closed_at = ?, duplicate_of = ?, activity_at = ? WHERE id = ?`,
				decision.Reason, v.Now, original, v.Now, v.QuestionID)
			st.Closed, st.Reason, st.DuplicateOf = true, decision.Reason, decision.DuplicateOf
		}
		if err != nil {
			return err
		}
		st.Votes = 0
		if _, err = tx.ExecContext(ctx, `DELETE FROM close_votes WHERE post_id = ?`, v.QuestionID); err != nil {
			return err
		}
		action := "closed"
		if v.Reopen {
			action = "reopened"
		}
		if err := finishItems(ctx, tx, forum.QueueClose, forum.ItemPost, v.QuestionID, v.VoterID, action, v.Now); err != nil {
			return err
		}
		if v.Binding {
			verb := "question.close"
			if v.Reopen {
				verb = "question.reopen"
			}
			if err := tx.audit(ctx, forum.AuditEntry{ActorID: v.VoterID, Action: verb, TargetKind: "post", TargetID: v.QuestionID,
				Before: auditState("closed", closed), After: auditState("closed", !v.Reopen, "reason", st.Reason, "duplicate_of", st.DuplicateOf),
				Reason: st.Reason, At: v.Now}); err != nil {
				return err
			}
		}
		q, err := postTx(ctx, tx, v.QuestionID)
		if err != nil {
			return err
		}
		// The question as it now reads, and the close itself for clients that only track state.
		return tx.emit(ctx, v.Now,
			forum.Event{Topic: forum.TopicQuestion(v.QuestionID), Name: forum.EventPostUpdated, Data: q, PostID: q.ID},
			forum.Event{Topic: forum.TopicQuestion(v.QuestionID), Name: forum.EventPostLocked,
				Data: forum.CloseChange{PostID: q.ID, Closed: q.ClosedReason != "", Reason: q.ClosedReason, DuplicateOf: q.DuplicateOf}})
	}()
	return st, err
}

// standingCloseVotes reads a question's standing votes of one kind, in the order cast.
func standingCloseVotes(ctx context.Context, tx *txn, questionID int64, kind string) ([]forum.StandingCloseVote, error) {
	rows, err := tx.QueryContext(ctx, `SELECT reason, COALESCE(duplicate_of, 0) FROM close_votes WHERE post_id = ? AND kind = ?
		ORDER BY created_at, rowid`, questionID, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.StandingCloseVote
	for rows.Next() {
		var v forum.StandingCloseVote
		if err := rows.Scan(&v.Reason, &v.DuplicateOf); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
