package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"staffroom/forum"
)

// Vote implements forum.PostStore: the vote row, the post's score and every reputation
// change move together in one transaction.
func (db *DB) Vote(ctx context.Context, postID, voterID int64, value int, rules forum.VoteRules, now time.Time) (forum.VoteResult, error) {
	var res forum.VoteResult
	err := db.write(ctx, func(tx *txn) error {
		post, err := postFacts(ctx, tx, postID, voterID)
		if err != nil {
			return err
		}
		if err := forum.CheckVote(voterID, post); err != nil {
			return err
		}
		kind, authorID, questionID := post.Kind, post.AuthorID, post.QuestionID
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
			if rules.LimitsToday(current, value) {
				// Votes cast today, taken back or not: a vote's first ledger row stays.
				var today int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reputation_events WHERE actor_id = ? AND kind IN (?, ?) AND created_at >= ?`,
					voterID, forum.RepKindVoteUp, forum.RepKindVoteDown, forum.UTCDay(now)).Scan(&today); err != nil {
					return err
				}
				if err := rules.CheckVotesToday(today, now); err != nil {
					return err
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

// VoteComment implements forum.PostStore: comments take up votes only, and no reputation.
func (db *DB) VoteComment(ctx context.Context, commentID, voterID int64, up bool, now time.Time) (int, error) {
	var score int
	err := db.write(ctx, func(tx *txn) error {
		c := forum.CommentFacts{ID: commentID}
		var postID int64
		err := tx.QueryRowContext(ctx, `SELECT post_id, author_id FROM comments WHERE id = ? AND deleted_at IS NULL`, commentID).Scan(&postID, &c.AuthorID)
		switch {
		case err == nil:
			c.Exists = true
			if c.Post, err = postFacts(ctx, tx, postID, voterID); err != nil {
				return err
			}
			c.Exists = c.Post.Exists // a comment on a post the voter may not see is missing to them
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := forum.CheckCommentVote(voterID, c); err != nil {
			return err
		}
		questionID := c.Post.QuestionID
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
