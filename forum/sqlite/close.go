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
		_, closed, _, err := liveQuestion(ctx, tx, v.QuestionID)
		if err != nil {
			return err
		}
		kind := "close"
		if v.Reopen {
			kind = "reopen"
			if closed == "" {
				return forum.Coded(forum.EConflict, "not_closed", "This question is open; there is nothing to reopen.")
			}
		} else if closed != "" {
			return forum.Coded(forum.EConflict, "already_closed", "This question is already closed.")
		}
		var dup sql.NullInt64
		if v.DuplicateOf != 0 {
			if v.DuplicateOf == v.QuestionID {
				return forum.Invalid("duplicate_of", "bad_duplicate", "A question cannot duplicate itself.")
			}
			if _, _, _, err := liveQuestion(ctx, tx, v.DuplicateOf); err != nil {
				return forum.Invalid("duplicate_of", "bad_duplicate", "There is no question %d to point to.", v.DuplicateOf)
			}
			dup = sql.NullInt64{Int64: v.DuplicateOf, Valid: true}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO close_votes (post_id, user_id, kind, reason, duplicate_of, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, v.QuestionID, v.VoterID, kind, v.Reason, dup, v.Now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return forum.Coded(forum.EConflict, "already_voted", "You have already voted to %s this question.", kind)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM close_votes WHERE post_id = ? AND kind = ?`, v.QuestionID, kind).Scan(&st.Votes); err != nil {
			return err
		}
		st.Needed, st.Closed = v.Needed, closed != ""
		if !v.Binding && st.Votes < v.Needed {
			st.Reason = closed
			return nil
		}
		if v.Reopen {
			_, err = tx.ExecContext(ctx, `UPDATE posts SET closed_reason = NULL, closed_at = NULL, duplicate_of = NULL, activity_at = ? WHERE id = ?`, v.Now, v.QuestionID)
			st.Closed = false
		} else {
			// The reason most voters gave wins; a moderator's own reason when they decide.
			reason, original := v.Reason, dup
			if !v.Binding {
				if err := tx.QueryRowContext(ctx, `SELECT reason, MAX(duplicate_of) FROM close_votes WHERE post_id = ? AND kind = 'close'
					GROUP BY reason ORDER BY COUNT(*) DESC, MIN(created_at) LIMIT 1`, v.QuestionID).Scan(&reason, &original); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE posts SET closed_reason = ?, closed_at = ?, duplicate_of = ?, activity_at = ? WHERE id = ?`,
				reason, v.Now, original, v.Now, v.QuestionID)
			st.Closed, st.Reason, st.DuplicateOf = true, reason, original.Int64
		}
		if err != nil {
			return err
		}
		st.Votes = 0
		if _, err = tx.ExecContext(ctx, `DELETE FROM close_votes WHERE post_id = ?`, v.QuestionID); err != nil {
			return err
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
	})
	return st, err
}
