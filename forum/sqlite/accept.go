package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

// Accept implements forum.PostStore.
func (db *DB) Accept(ctx context.Context, answerID, askerID int64, now time.Time) (bool, error) {
	accepted := false
	err := db.write(ctx, func(tx *txn) error {
		answer, err := postFacts(ctx, tx, answerID, askerID)
		if err != nil {
			return err
		}
		if err := forum.CheckAccept(askerID, answer); err != nil {
			return err
		}
		answerAuthor, questionID, current := answer.AuthorID, answer.QuestionID, answer.AcceptedAnswerID
		if current != 0 {
			// Whatever was accepted gives back its bonus, whether it is this answer (a toggle)
			// or another (the acceptance moves).
			if err := undoReputation(ctx, tx, current, askerID, "accept", forum.RepKindAcceptUndo, now); err != nil {
				return err
			}
		}
		next := sql.NullInt64{}
		if current != answerID {
			next = sql.NullInt64{Int64: answerID, Valid: true}
			accepted = true
			if answerAuthor != askerID { // no reputation for accepting your own answer
				if err := addReputation(ctx, tx, answerAuthor, answerID, askerID, forum.RepKindAccepted, forum.RepAccepted, now); err != nil {
					return err
				}
				if err := addReputation(ctx, tx, askerID, answerID, askerID, forum.RepKindAccepter, forum.RepAccepter, now); err != nil {
					return err
				}
			}
		}
		if _, err = tx.ExecContext(ctx, `UPDATE posts SET accepted_answer_id = ?, activity_at = ? WHERE id = ?`, next, now, questionID); err != nil {
			return err
		}
		if err := tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventAnswerAccepted,
			Data: forum.AcceptChange{QuestionID: questionID, AnswerID: next.Int64}}); err != nil {
			return err
		}
		if !accepted {
			return nil
		}
		ref, err := questionRef(ctx, tx, questionID)
		if err != nil {
			return err
		}
		asker, err := actorTx(ctx, tx, askerID)
		if err != nil {
			return err
		}
		return tx.notify(ctx, forum.AcceptNotice(ref, answerID, answerAuthor, asker, now))
	})
	return accepted, err
}

// restoreAcceptance gives an undeleted answer back the acceptance its deletion took, with
// the reputation that goes with it, unless the asker has accepted another answer since.
func restoreAcceptance(ctx context.Context, tx *txn, answerID, questionID int64, now time.Time) error {
	answer, err := postFacts(ctx, tx, answerID, systemActor)
	if err != nil || answer.AcceptedAnswerID != 0 {
		return err
	}
	asker, author := answer.AskerID, answer.AuthorID
	if author != asker {
		if err := addReputation(ctx, tx, author, answerID, asker, forum.RepKindAccepted, forum.RepAccepted, now); err != nil {
			return err
		}
		if err := addReputation(ctx, tx, asker, answerID, asker, forum.RepKindAccepter, forum.RepAccepter, now); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET accepted_answer_id = ? WHERE id = ?`, answerID, questionID); err != nil {
		return err
	}
	return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventAnswerAccepted,
		Data: forum.AcceptChange{QuestionID: questionID, AnswerID: answerID}})
}
