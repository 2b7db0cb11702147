package sqlite

import (
	"context"
	"database/sql"
	"time"

	"staffroom/forum"
)

// Vote implements forum.PostStore: the vote row, the post's score and every reputation
// change move together in one transaction.
func (db *DB) Vote(ctx context.Context, postID, voterID int64, value int, rules forum.VoteRules, now time.Time) (forum.VoteResult, error) {
	var res forum.VoteResult
	err := db.write(ctx, func(tx *txn) error {
		kind, authorID, questionID, err := livePost(ctx, tx, postID)
		if err != nil {
			return err
		}
		if authorID == voterID {
			return forum.Coded(forum.EForbidden, "self_vote", "You cannot vote on your own post.")
		}
		// The standing vote, and whether this voter ever voted on the post: a first vote
		// has nothing to give back or undo. (No vote standing is not enough: an undo
		// floored at the minimum reputation leaves a remainder in the ledger that the
		// next change must reverse.)
		var current int
		var votedBefore bool
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM votes WHERE user_id = ?1 AND post_id = ?2), 0),
			EXISTS (SELECT 1 FROM reputation_events WHERE post_id = ?2 AND actor_id = ?1 AND kind LIKE 'vote%')`,
			voterID, postID).Scan(&current, &votedBefore); err != nil {
			return err
		}
		if value != current {
			if value != 0 && rules.DailyVotes > 0 {
				// Votes cast today, taken back or not: toggling a vote cannot dodge the limit.
				var today int
				day := forum.UTCDay(now)
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reputation_events WHERE actor_id = ? AND kind IN (?, ?) AND created_at >= ?`,
					voterID, forum.RepKindVoteUp, forum.RepKindVoteDown, day).Scan(&today); err != nil {
					return err
				}
				if today >= rules.DailyVotes {
					return forum.RateLimited(day.Add(24*time.Hour).Sub(now), "You have used your %d votes for today; more tomorrow (UTC).", rules.DailyVotes)
				}
			}
			if votedBefore || current != 0 {
				if err := returnEarnings(ctx, tx, postID, voterID, authorID, now); err != nil {
					return err
				}
				if err := undoReputation(ctx, tx, postID, voterID, "vote", forum.RepKindVoteUndo, now); err != nil {
					return err
				}
			}
			if err := applyVoteReputation(ctx, tx, kind, postID, authorID, voterID, value, rules, now); err != nil {
				return err
			}
			switch {
			case value == 0:
				_, err = tx.ExecContext(ctx, `DELETE FROM votes WHERE user_id = ? AND post_id = ?`, voterID, postID)
			default:
				_, err = tx.ExecContext(ctx, `INSERT INTO votes (user_id, post_id, value, created_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (user_id, post_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
					voterID, postID, value, now)
			}
			if err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `UPDATE posts SET score = score + ? WHERE id = ? RETURNING score`, value-current, postID).Scan(&res.Score); err != nil {
				return err
			}
		}
		res.MyVote = value
		if value == current { // nothing changed, nothing to tell
			return tx.QueryRowContext(ctx, `SELECT score FROM posts WHERE id = ?`, postID).Scan(&res.Score)
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventVoteChanged,
			Data: forum.VoteChange{PostID: postID, Score: res.Score}})
	})
	return res, err
}

// returnEarnings gives back to today's cap what a vote about to be undone earned its author,
// so that voting and unvoting cannot use up someone's daily reputation.
func returnEarnings(ctx context.Context, tx *txn, postID, voterID, authorID int64, now time.Time) error {
	var net int
	// "+user_id" keeps SQLite off the index by user, which for a prolific author means
	// reading their whole history on every vote; the vote's own rows are a few.
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events
		WHERE post_id = ? AND actor_id = ? AND +user_id = ? AND kind LIKE 'vote%'`, postID, voterID, authorID).Scan(&net); err != nil {
		return err
	}
	if net <= 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE vote_earnings SET earned = MAX(0, earned - ?) WHERE user_id = ? AND day = ?`,
		net, authorID, forum.UTCDay(now).Format("2006-01-02"))
	return err
}

// applyVoteReputation records what a new vote gives its author (under the daily cap) and
// costs its voter, each floored at the minimum reputation.
func applyVoteReputation(ctx context.Context, tx *txn, kind forum.PostKind, postID, authorID, voterID int64, value int, rules forum.VoteRules, now time.Time) error {
	authorDelta, voterDelta := forum.VoteDeltas(kind, value)
	day := forum.UTCDay(now).Format("2006-01-02")
	if authorDelta > 0 {
		var earned int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT earned FROM vote_earnings WHERE user_id = ? AND day = ?), 0)`,
			authorID, day).Scan(&earned); err != nil {
			return err
		}
		authorDelta = forum.CapDelta(authorDelta, earned, rules.DailyRepCap)
		if authorDelta > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO vote_earnings (user_id, day, earned) VALUES (?, ?, ?)
				ON CONFLICT (user_id, day) DO UPDATE SET earned = earned + excluded.earned`, authorID, day, authorDelta); err != nil {
				return err
			}
		}
	}
	authorKind := forum.RepKindVoteUp
	if value < 0 {
		authorKind = forum.RepKindVoteDown
	}
	if value != 0 {
		if err := addReputation(ctx, tx, authorID, postID, voterID, authorKind, authorDelta, now); err != nil {
			return err
		}
	}
	if voterDelta != 0 {
		return addReputation(ctx, tx, voterID, postID, voterID, forum.RepKindVoteDownCost, voterDelta, now)
	}
	return nil
}

// addReputation applies delta to a person's reputation, floored, and records the applied
// part in the ledger. A zero change (capped or floored away) is still recorded, so the
// history shows the event.
func addReputation(ctx context.Context, tx *txn, userID, postID, actorID int64, kind string, delta int, now time.Time) error {
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT reputation FROM users WHERE id = ?`, userID).Scan(&current); err != nil {
		return err
	}
	applied := forum.FloorDelta(current, delta)
	if _, err := tx.ExecContext(ctx, `INSERT INTO reputation_events (user_id, post_id, actor_id, kind, delta, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, postID, actorID, kind, applied, now); err != nil {
		return err
	}
	if applied != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET reputation = reputation + ? WHERE id = ?`, applied, userID); err != nil {
			return err
		}
		tx.reputed = append(tx.reputed, userID)
	}
	return nil
}

// undoReputation reverses, for each person affected, the net reputation that actor's
// events of one family ("vote" or "accept") on a post still carry.
func undoReputation(ctx context.Context, tx *txn, postID, actorID int64, family, undoKind string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, SUM(delta) FROM reputation_events
		WHERE post_id = ? AND actor_id = ? AND kind LIKE ? GROUP BY user_id HAVING SUM(delta) <> 0`, postID, actorID, family+"%")
	if err != nil {
		return err
	}
	type net struct {
		user  int64
		delta int
	}
	var nets []net
	for rows.Next() {
		var n net
		if err := rows.Scan(&n.user, &n.delta); err != nil {
			rows.Close()
			return err
		}
		nets = append(nets, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range nets {
		if err := addReputation(ctx, tx, n.user, postID, actorID, undoKind, -n.delta, now); err != nil {
			return err
		}
	}
	return nil
}

// Accept implements forum.PostStore.
func (db *DB) Accept(ctx context.Context, answerID, askerID int64, now time.Time) (bool, error) {
	accepted := false
	err := db.write(ctx, func(tx *txn) error {
		kind, answerAuthor, questionID, err := livePost(ctx, tx, answerID)
		if err != nil {
			return err
		}
		if kind != forum.KindAnswer {
			return forum.Errorf(forum.ENotFound, "There is no answer %d.", answerID)
		}
		asker, _, current, err := liveQuestion(ctx, tx, questionID)
		if err != nil {
			return err
		}
		if asker != askerID {
			return forum.Coded(forum.EForbidden, "not_asker", "Only the person who asked the question can accept an answer.")
		}
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
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventAnswerAccepted,
			Data: forum.AcceptChange{QuestionID: questionID, AnswerID: next.Int64}})
	})
	return accepted, err
}

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

// VoteComment implements forum.PostStore: comments take up votes only, and no reputation.
func (db *DB) VoteComment(ctx context.Context, commentID, voterID int64, up bool, now time.Time) (int, error) {
	var score int
	err := db.write(ctx, func(tx *txn) error {
		var postID, authorID int64
		err := tx.QueryRowContext(ctx, `SELECT post_id, author_id FROM comments WHERE id = ? AND deleted_at IS NULL`, commentID).Scan(&postID, &authorID)
		if err != nil {
			return notFound(err, "There is no comment %d.", commentID)
		}
		_, _, questionID, err := livePost(ctx, tx, postID)
		if err != nil {
			return forum.Errorf(forum.ENotFound, "There is no comment %d.", commentID)
		}
		if authorID == voterID {
			return forum.Coded(forum.EForbidden, "self_vote", "You cannot vote on your own comment.")
		}
		var res sql.Result
		if up {
			res, err = tx.ExecContext(ctx, `INSERT INTO comment_votes (user_id, comment_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, voterID, commentID, now)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM comment_votes WHERE user_id = ? AND comment_id = ?`, voterID, commentID)
		}
		if err != nil {
			return err
		}
		changed, _ := res.RowsAffected()
		if changed > 0 {
			delta := 1
			if !up {
				delta = -1
			}
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET score = score + ? WHERE id = ?`, delta, commentID); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT score FROM comments WHERE id = ?`, commentID).Scan(&score); err != nil {
			return err
		}
		if changed == 0 {
			return nil
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventVoteChanged,
			Data: forum.VoteChange{PostID: postID, CommentID: commentID, Score: score}})
	})
	return score, err
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

// restoreAcceptance gives an undeleted answer back the acceptance its deletion took, with
// the reputation that goes with it, unless the asker has accepted another answer since.
func restoreAcceptance(ctx context.Context, tx *txn, answerID, questionID int64, now time.Time) error {
	asker, _, current, err := liveQuestion(ctx, tx, questionID)
	if err != nil || current != 0 {
		return err
	}
	var author int64
	if err := tx.QueryRowContext(ctx, `SELECT author_id FROM posts WHERE id = ?`, answerID).Scan(&author); err != nil {
		return err
	}
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

// countQuestionLife moves every count a question is part of, its tags' and the site's, by
// delta: -1 when it is deleted, +1 when it comes back.
func countQuestionLife(ctx context.Context, tx *txn, questionID int64, delta int) error {
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
