package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"staffroom/forum"
)

// enqueue opens a review item for a target unless one is open already.
func enqueue(ctx context.Context, tx *txn, kind, targetKind string, targetID, postID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO review_items (kind, target_kind, target_id, post_id, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM review_items WHERE kind = ?1 AND target_kind = ?2 AND target_id = ?3 AND status = 'open')`,
		kind, targetKind, targetID, nullID(postID), now)
	if err != nil {
		return fmt.Errorf("queue %s %s %d: %w", kind, targetKind, targetID, err)
	}
	return nil
}

// finishItems closes the open items of kind on a target, as resolved by by (0: the system).
func finishItems(ctx context.Context, tx *txn, kind, targetKind string, targetID, by int64, action string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE review_items SET status = 'done', resolved_at = ?, resolved_by = ?, action = ?, claimed_by = NULL, claim_expires = NULL
		WHERE kind = ? AND target_kind = ? AND target_id = ? AND status = 'open'`, now, nullID(by), action, kind, targetKind, targetID)
	return err
}

// queueNewPost puts a new post in the first-posts queue when it is its author's first,
// and an answer in the late-answers queue when its question (questionID; 0 for a
// question) is older than forum.LateAnswerAge.
func queueNewPost(ctx context.Context, tx *txn, postID, authorID, questionID int64, now time.Time) error {
	var posts int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE author_id = ? LIMIT 2)`, authorID).Scan(&posts); err != nil {
		return err
	}
	if forum.IsFirstPost(posts) {
		if err := enqueue(ctx, tx, forum.QueueFirstPosts, forum.ItemPost, postID, postID, now); err != nil {
			return err
		}
	}
	if questionID == 0 {
		return nil
	}
	var asked time.Time
	if err := tx.QueryRowContext(ctx, `SELECT created_at FROM posts WHERE id = ?`, questionID).Scan(&asked); err != nil {
		return err
	}
	if forum.IsLateAnswer(asked, now) {
		return enqueue(ctx, tx, forum.QueueLateAnswers, forum.ItemPost, postID, postID, now)
	}
	return nil
}

// QueueDue implements forum.ModerationStore. It writes only when a curation fell due
// that is not queued yet, so that reading the queue costs one indexed read otherwise.
func (db *DB) QueueDue(ctx context.Context, now time.Time) error {
	var due bool
	if err := db.readRow(ctx, `SELECT EXISTS (SELECT 1 FROM curations c WHERE c.uncurated_at IS NULL AND c.review_by <= ?
		AND NOT EXISTS (SELECT 1 FROM review_items r WHERE r.kind = 'curated' AND r.target_kind = 'post' AND r.target_id = c.post_id AND r.status = 'open'))`,
		now).Scan(&due); err != nil || !due {
		return err
	}
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO review_items (kind, target_kind, target_id, post_id, created_at)
			SELECT 'curated', 'post', c.post_id, c.post_id, ? FROM curations c WHERE c.uncurated_at IS NULL AND c.review_by <= ?
			AND NOT EXISTS (SELECT 1 FROM review_items r WHERE r.kind = 'curated' AND r.target_kind = 'post' AND r.target_id = c.post_id AND r.status = 'open')`,
			now, now)
		return err
	})
}

const selectItem = `SELECT id, kind, target_kind, target_id, COALESCE(post_id, 0), status, COALESCE(claimed_by, 0), claim_expires,
	created_at, resolved_at, COALESCE(resolved_by, 0), action, reason FROM review_items `

func scanItem(row scanner) (*forum.ReviewItem, error) {
	var it forum.ReviewItem
	var expires, resolved sql.NullTime
	if err := row.Scan(&it.ID, &it.Kind, &it.TargetKind, &it.TargetID, &it.PostID, &it.Status, &it.ClaimedBy, &expires,
		&it.CreatedAt, &resolved, &it.ResolvedBy, &it.Action, &it.Reason); err != nil {
		return nil, err
	}
	it.ClaimExpires, it.ResolvedAt, it.CreatedAt = nullTime(expires), nullTime(resolved), it.CreatedAt.UTC()
	return &it, nil
}

// itemSeenBy keeps the items reader ?1 may see: with 0 (a moderator) every one; else none
// about a post of a private collaborative they are not a member of.
const itemSeenBy = ` (?1 = 0 OR review_items.post_id IS NULL OR NOT EXISTS (SELECT 1 FROM posts p JOIN collaboratives g ON g.id = p.collaborative_id
	WHERE p.id = review_items.post_id AND g.visibility = 'private'
	AND NOT EXISTS (SELECT 1 FROM collaborative_members cm WHERE cm.collaborative_id = g.id AND cm.user_id = ?1))) `

// ReviewItems implements forum.ModerationStore.
func (db *DB) ReviewItems(ctx context.Context, kinds []string, readerID int64, limit int) ([]*forum.ReviewItem, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(kinds)+2)
	args = append(args, readerID)
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, limit)
	rows, err := db.reader.QueryContext(ctx, selectItem+`WHERE`+itemSeenBy+`AND status = 'open' AND kind IN (?`+strings.Repeat(", ?", len(kinds)-1)+`)
		ORDER BY created_at, id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	var items []*forum.ReviewItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, it := range items {
		if err := db.itemContext(ctx, it); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// ReviewItem implements forum.ModerationStore.
func (db *DB) ReviewItem(ctx context.Context, id, readerID int64) (*forum.ReviewItem, error) {
	it, err := scanItem(db.readRow(ctx, selectItem+`WHERE`+itemSeenBy+`AND id = ?2`, readerID, id))
	if err != nil {
		return nil, notFound(err, forum.NotFoundReviewItem(id))
	}
	return it, db.itemContext(ctx, it)
}

// itemContext reads what a reviewer needs to decide: the post with its question, its
// history, and the flags, suggestion, curation or close votes the item is about.
func (db *DB) itemContext(ctx context.Context, it *forum.ReviewItem) error {
	if it.PostID != 0 {
		p, err := db.Post(ctx, it.PostID, 0, true)
		if err != nil && forum.KindOf(err) != forum.ENotFound {
			return err
		}
		it.Post = p
		if p != nil && p.Kind == forum.KindAnswer {
			if it.Question, err = db.Post(ctx, p.QuestionID, 0, true); err != nil && forum.KindOf(err) != forum.ENotFound {
				return err
			}
		}
		if it.Revisions, err = db.Revisions(ctx, it.PostID); err != nil {
			return err
		}
	}
	if it.ClaimedBy != 0 {
		if err := db.readRow(ctx, `SELECT display_name FROM users WHERE id = ?`, it.ClaimedBy).Scan(&it.ClaimedByName); err != nil {
			return err
		}
	}
	switch it.Kind {
	case forum.QueueFlags:
		rows, err := db.readRows(ctx, `SELECT f.id, f.target_kind, f.target_id, COALESCE(f.post_id, 0), COALESCE(p.question_id, p.id, 0),
			f.user_id, f.reason, f.note, COALESCE(f.duplicate_of, 0), f.weight, f.status, f.created_at, f.resolved_at
			FROM flags f LEFT JOIN posts p ON p.id = f.post_id WHERE f.target_kind = ? AND f.target_id = ? AND f.status = 'open' ORDER BY f.id`,
			it.TargetKind, it.TargetID)
		if err != nil {
			return err
		}
		if it.Flags, err = scanFlags(rows); err != nil {
			return err
		}
		if it.TargetKind == forum.ItemMessage {
			// The reviewer sees the words even when flags hid them.
			m, err := scanMessage(db.readRow(ctx, `SELECT `+messageColumns+messageFrom+`WHERE m.id = ?`, it.TargetID))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if m != nil {
				if err := db.readRow(ctx, `SELECT body, body_html, hidden_at IS NOT NULL FROM messages WHERE id = ?`, m.ID).Scan(&m.Body, &m.BodyHTML, &m.Hidden); err != nil {
					return err
				}
				it.Message = m
			}
		}
		if it.TargetKind == forum.ItemComment {
			cs, err := db.comments(ctx, `c.id = ?`, it.TargetID)
			if err != nil {
				return err
			}
			if len(cs) == 1 {
				it.Comment = cs[0]
			}
		}
	case forum.QueueEdits:
		s, err := db.suggestion(ctx, db.reader, it.TargetID)
		if err != nil {
			return err
		}
		it.Suggestion = s
	case forum.QueueCurated:
		c, err := db.Curation(ctx, it.PostID)
		if err != nil && forum.KindOf(err) != forum.ENotFound {
			return err
		}
		it.Curation = c
	case forum.QueueClose:
		rows, err := db.readRows(ctx, `SELECT kind, COALESCE(reason, ''), COALESCE(duplicate_of, 0) FROM close_votes WHERE post_id = ? ORDER BY created_at`, it.TargetID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v forum.CloseVoteShown
			if err := rows.Scan(&v.Kind, &v.Reason, &v.DuplicateOf); err != nil {
				return err
			}
			it.CloseVotes = append(it.CloseVotes, v)
		}
		return rows.Err()
	}
	return nil
}

// QueueCounts implements forum.ModerationStore: a count over the open items' index.
func (db *DB) QueueCounts(ctx context.Context, readerID int64) (map[string]int, error) {
	rows, err := db.readRows(ctx, `SELECT kind, COUNT(*) FROM review_items WHERE`+itemSeenBy+`AND status = 'open' GROUP BY kind`, readerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// itemTx reads an item inside a write.
func itemTx(ctx context.Context, tx *txn, id int64) (*forum.ReviewItem, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, selectItem+`WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return it, err
}

// Claim implements forum.ModerationStore. The read and the claim are one write, and the
// store has one writer, so two reviewers racing for an item are served one after the
// other: the second reads the first's claim and gets held_by_other.
func (db *DB) Claim(ctx context.Context, id int64, u *forum.User, now time.Time, ttl time.Duration) (*forum.ReviewItem, error) {
	err := db.write(ctx, func(tx *txn) error {
		it, err := itemTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if it == nil {
			it = &forum.ReviewItem{ID: id}
		}
		if err := forum.CheckClaim(u, it, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE review_items SET claimed_by = ?, claim_expires = ? WHERE id = ?`, u.ID, now.Add(ttl), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.ReviewItem(ctx, id, 0)
}

// Resolve implements forum.ModerationStore.
func (db *DB) Resolve(ctx context.Context, r forum.Resolution) (*forum.ReviewItem, error) {
	err := db.write(ctx, func(tx *txn) error {
		it, err := itemTx(ctx, tx, r.ItemID)
		if err != nil {
			return err
		}
		if it == nil {
			it = &forum.ReviewItem{ID: r.ItemID}
		}
		if err := forum.CheckClaim(r.Reviewer, it, r.Now); err != nil {
			return err
		}
		if err := forum.CheckResolution(it.Kind, r); err != nil {
			return err
		}
		if r.Action == forum.ActionSkip {
			_, err := tx.ExecContext(ctx, `UPDATE review_items SET claimed_by = NULL, claim_expires = NULL WHERE id = ?`, it.ID)
			return err
		}
		done, err := resolveItem(ctx, tx, it, r)
		if err != nil {
			return err
		}
		if done {
			if _, err := tx.ExecContext(ctx, `UPDATE review_items SET status = 'done', resolved_at = ?, resolved_by = ?, action = ?, reason = ?,
				claimed_by = NULL, claim_expires = NULL WHERE id = ? AND status = 'open'`, r.Now, r.Reviewer.ID, r.Action, r.Reason, it.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE review_items SET claimed_by = NULL, claim_expires = NULL WHERE id = ?`, it.ID); err != nil {
			return err
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: r.Reviewer.ID, Action: "review." + r.Action, TargetKind: it.TargetKind, TargetID: it.TargetID,
			Before: auditState("queue", it.Kind, "status", "open"), After: auditState("queue", it.Kind, "status", map[bool]string{true: "done", false: "open"}[done], "action", r.Action),
			Reason: r.Reason, At: r.Now})
	})
	if err != nil {
		return nil, err
	}
	return db.ReviewItem(ctx, r.ItemID, 0)
}

// resolveItem carries out r on it; done reports whether the item is finished (a close
// vote that does not decide leaves it open for the next reviewer).
func resolveItem(ctx context.Context, tx *txn, it *forum.ReviewItem, r forum.Resolution) (done bool, err error) {
	mod := r.Reviewer.Role.IsModerator()
	switch it.Kind {
	case forum.QueueFlags:
		switch r.Action {
		case forum.ActionDelete:
			penalty, err := abusiveFlags(ctx, tx, it, r.Rules.Penalty)
			if err != nil {
				return false, err
			}
			if err := deleteFlagged(ctx, tx, it.TargetKind, it.TargetID, r.Reviewer.ID, r.Reviewer.ID, penalty, reasonOr(r.Reason, "flags upheld"), r.Now); err != nil {
				return false, err
			}
			return true, resolveFlags(ctx, tx, it.TargetKind, it.TargetID, forum.FlagHelpful, r.Reviewer.ID, r.Now)
		case forum.ActionRestore:
			if err := unhide(ctx, tx, it.TargetKind, it.TargetID, r.Reviewer.ID, reasonOr(r.Reason, "flags declined"), r.Now); err != nil {
				return false, err
			}
			return true, resolveFlags(ctx, tx, it.TargetKind, it.TargetID, forum.FlagDeclined, r.Reviewer.ID, r.Now)
		case forum.ActionHelpful:
			return true, resolveFlags(ctx, tx, it.TargetKind, it.TargetID, forum.FlagHelpful, r.Reviewer.ID, r.Now)
		}
	case forum.QueueFirstPosts, forum.QueueLateAnswers:
		switch r.Action {
		case forum.ActionLooksOK:
			return true, nil
		case forum.ActionDelete:
			if !mod { // a reviewer's "delete" is a low-quality flag: moderators decide
				_, _, err := flagTx(ctx, tx, forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: it.TargetID, Flagger: r.Reviewer,
					Reason: forum.FlagLowQuality, Note: r.Reason, Rules: r.Rules, Now: r.Now})
				return true, err
			}
			pf, err := postFacts(ctx, tx, it.TargetID, r.Reviewer.ID)
			if err != nil {
				return false, err
			}
			if err := forum.CheckDelete(r.Reviewer, pf); err != nil {
				return false, err
			}
			if err := softDelete(ctx, tx, pf, r.Reviewer.ID, r.Now); err != nil {
				return false, err
			}
			return true, tx.audit(ctx, forum.AuditEntry{ActorID: r.Reviewer.ID, Action: "post.delete", TargetKind: "post", TargetID: it.TargetID,
				Before: auditState("deleted", false), After: auditState("deleted", true), Reason: reasonOr(r.Reason, "review: "+it.Kind), At: r.Now})
		}
	case forum.QueueEdits:
		return true, resolveSuggestion(ctx, tx, it, r)
	case forum.QueueClose:
		switch r.Action {
		case forum.ActionLeave:
			return true, nil
		case forum.ActionClose, forum.ActionReopen:
			v := forum.CloseVote{QuestionID: it.TargetID, VoterID: r.Reviewer.ID, Reopen: r.Action == forum.ActionReopen,
				Binding: forum.CloseBinding(r.Reviewer), Needed: r.CloseNeeded, Now: r.Now}
			if !v.Reopen {
				standing, err := standingCloseVotes(ctx, tx, it.TargetID, "close")
				if err != nil {
					return false, err
				}
				most := forum.CloseOutcome(forum.CloseVote{Needed: 1}, standing)
				v.Reason, v.DuplicateOf = most.Reason, most.DuplicateOf
				if r.CloseReason != "" {
					v.Reason, v.DuplicateOf = r.CloseReason, 0
				}
				if v.Reason == "" {
					v.Reason = forum.CloseNeedsDetails
				}
			}
			st, err := voteClose(ctx, tx, v)
			if err != nil {
				return false, err
			}
			return st.Votes == 0, nil // decided: voteClose finished the item
		}
	case forum.QueueCurated:
		switch r.Action {
		case forum.ActionRenew, forum.ActionUpdate:
			c := r.Curation
			var before time.Time
			if err := tx.QueryRowContext(ctx, `SELECT review_by FROM curations WHERE post_id = ? AND uncurated_at IS NULL`, it.TargetID).Scan(&before); err != nil {
				return false, notFound(err, forum.NotCurated(it.TargetID))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE curations SET note = ?, review_by = ? WHERE post_id = ? AND uncurated_at IS NULL`,
				c.Note, c.ReviewBy, it.TargetID); err != nil {
				return false, err
			}
			return true, tx.audit(ctx, forum.AuditEntry{ActorID: r.Reviewer.ID, Action: "post.curate", TargetKind: "post", TargetID: it.TargetID,
				Before: auditState("curated", true, "review_by", before.UTC().Format(time.DateOnly)),
				After:  auditState("curated", true, "review_by", c.ReviewBy.UTC().Format(time.DateOnly), "note", c.Note), Reason: r.Reason, At: r.Now})
		case forum.ActionUncurate:
			return true, uncurate(ctx, tx, it.TargetID, r.Reviewer.ID, r.Reason, r.Now)
		}
	}
	return false, forum.InvalidAction(it.Kind)
}

// abusiveFlags is the penalty deleting a flagged target costs its author: the rules'
// when a spam or offensive flag stands on it, else none.
func abusiveFlags(ctx context.Context, tx *txn, it *forum.ReviewItem, penalty int) (int, error) {
	var abusive bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM flags WHERE target_kind = ? AND target_id = ? AND status = 'open'
		AND reason IN ('spam', 'offensive'))`, it.TargetKind, it.TargetID).Scan(&abusive)
	if !abusive || it.TargetKind != forum.ItemPost {
		return 0, err
	}
	return penalty, err
}

func reasonOr(reason, otherwise string) string {
	if reason != "" {
		return reason
	}
	return otherwise
}

// unhide brings a hidden target back; a target that is not hidden stays as it is.
func unhide(ctx context.Context, tx *txn, kind string, id, by int64, why string, now time.Time) error {
	switch kind {
	case forum.ItemPost:
		pf, err := postFacts(ctx, tx, id, by)
		if err != nil || !pf.Hidden {
			return err
		}
		if pf.Kind == forum.KindAnswer && pf.QuestionDeleted {
			return forum.CheckUndelete(&forum.User{Role: forum.RoleModerator}, pf)
		}
		if err := restorePost(ctx, tx, pf, now); err != nil {
			return err
		}
	case forum.ItemComment:
		res, err := tx.ExecContext(ctx, `UPDATE comments SET hidden_at = NULL, deleted_at = NULL WHERE id = ? AND hidden_at IS NOT NULL`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
	case forum.ItemMessage:
		done, err := restoreHiddenMessage(ctx, tx, id, now)
		if err != nil || !done {
			return err
		}
	}
	return tx.audit(ctx, forum.AuditEntry{ActorID: by, Action: kind + ".unhide", TargetKind: kind, TargetID: id,
		Before: auditState("hidden", true), After: auditState("hidden", false), Reason: why, At: now})
}
