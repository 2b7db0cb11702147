package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"staffroom/forum"
)

// auditState is an audit row's before or after: a JSON object of the pairs given.
func auditState(kv ...any) string {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	b, _ := json.Marshal(m) // plain values: cannot fail
	return string(b)
}

// Flag implements forum.ModerationStore.
func (db *DB) Flag(ctx context.Context, f forum.NewFlag) (*forum.Flag, forum.FlagDecision, error) {
	var out *forum.Flag
	var d forum.FlagDecision
	err := db.write(ctx, func(tx *txn) error {
		var err error
		out, d, err = flagTx(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, forum.FlagDecision{}, err
	}
	return out, d, nil
}

// flagTx is Flag inside a write: a reviewer's "delete" from the queue flags through it.
func flagTx(ctx context.Context, tx *txn, f forum.NewFlag) (*forum.Flag, forum.FlagDecision, error) {
	var out *forum.Flag
	var d forum.FlagDecision
	err := func() error {
		facts, postID, err := flagFacts(ctx, tx, f)
		if err != nil {
			return err
		}
		if err := forum.CheckFlag(f, facts); err != nil {
			return err
		}
		rec, err := flagRecord(ctx, tx, f.Flagger.ID)
		if err != nil {
			return err
		}
		weight := forum.FlagWeight(rec)
		dup := sql.NullInt64{Int64: f.DuplicateOf, Valid: f.DuplicateOf != 0}
		res, err := tx.ExecContext(ctx, `INSERT INTO flags (target_kind, target_id, post_id, user_id, reason, note, duplicate_of, weight, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.TargetKind, f.TargetID, nullID(postID), f.Flagger.ID, f.Reason, f.Note, dup, weight, f.Now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		out = &forum.Flag{ID: id, TargetKind: f.TargetKind, TargetID: f.TargetID, PostID: postID, QuestionID: facts.Post.QuestionID,
			FlaggerID: f.Flagger.ID, Reason: f.Reason, Note: f.Note, DuplicateOf: f.DuplicateOf, Weight: weight, Status: forum.FlagOpen, CreatedAt: f.Now}
		standing, err := standingFlags(ctx, tx, f.TargetKind, f.TargetID)
		if err != nil {
			return err
		}
		d = forum.FlagOutcome(f, standing)
		if err := enqueue(ctx, tx, forum.QueueFlags, f.TargetKind, f.TargetID, postID, f.Now); err != nil {
			return err
		}
		var actor int64 // the system: the flags decided
		if f.Binding() {
			actor = f.Flagger.ID
		}
		why := fmt.Sprintf("%s flags", f.Reason)
		switch {
		case d.Delete:
			if err := deleteFlagged(ctx, tx, f.TargetKind, f.TargetID, actor, f.Flagger.ID, d.Penalty, why, f.Now); err != nil {
				return err
			}
			if err := resolveFlags(ctx, tx, f.TargetKind, f.TargetID, forum.FlagHelpful, actor, f.Now); err != nil {
				return err
			}
			out.Status = forum.FlagHelpful
			return finishItems(ctx, tx, forum.QueueFlags, f.TargetKind, f.TargetID, actor, forum.ActionDelete, f.Now)
		case d.Hide:
			return hideFlagged(ctx, tx, f.TargetKind, f.TargetID, actor, why, f.Now)
		}
		return nil
	}()
	if err != nil {
		return nil, forum.FlagDecision{}, err
	}
	return out, d, nil
}

// flagFacts reads what CheckFlag needs, and the post the target is (or is on). A post
// hidden pending review still takes flags (they may delete it); a deleted one does not.
func flagFacts(ctx context.Context, tx *txn, f forum.NewFlag) (forum.FlagFacts, int64, error) {
	var facts forum.FlagFacts
	var postID int64
	switch f.TargetKind {
	case forum.FlagOnPost:
		pf, err := postFacts(ctx, tx, f.TargetID, f.Flagger.ID)
		if err != nil {
			return facts, 0, err
		}
		facts.Post, facts.AuthorID, postID = pf, pf.AuthorID, f.TargetID
		facts.Exists = pf.Exists && (pf.Live() || pf.Hidden && (pf.Kind == forum.KindQuestion || !pf.QuestionDeleted))
	case forum.FlagOnComment:
		var live, hidden bool
		err := tx.QueryRowContext(ctx, `SELECT author_id, post_id, deleted_at IS NULL, hidden_at IS NOT NULL FROM comments WHERE id = ?`,
			f.TargetID).Scan(&facts.AuthorID, &postID, &live, &hidden)
		if errors.Is(err, sql.ErrNoRows) {
			return facts, 0, nil
		}
		if err != nil {
			return facts, 0, err
		}
		pf, err := postFacts(ctx, tx, postID, f.Flagger.ID)
		if err != nil {
			return facts, 0, err
		}
		facts.Post = pf
		facts.Exists = (live || hidden) && pf.Live()
	case forum.FlagOnMessage:
		// Its channel's access decides: a private collaborative's message is not_found
		// to a non-member, like a missing one.
		m, a, err := messageAccess(ctx, tx.queryRowFunc(), f.TargetID, f.Flagger)
		if forum.KindOf(err) == forum.ENotFound {
			return facts, 0, nil
		}
		if err != nil {
			return facts, 0, err
		}
		if a.CheckSee() != nil {
			return facts, 0, nil
		}
		var hidden bool
		if err := tx.QueryRowContext(ctx, `SELECT hidden_at IS NOT NULL FROM messages WHERE id = ?`, f.TargetID).Scan(&hidden); err != nil {
			return facts, 0, err
		}
		facts.AuthorID = m.Author.ID
		facts.Exists = !m.Deleted() || hidden
	default:
		return facts, 0, forum.NotFlaggable(f.TargetKind)
	}
	if f.DuplicateOf != 0 {
		o, err := postFacts(ctx, tx, f.DuplicateOf, f.Flagger.ID)
		if err != nil {
			return facts, 0, err
		}
		facts.Original = o
	}
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM flags WHERE target_kind = ? AND target_id = ? AND user_id = ? AND status = 'open')`,
		f.TargetKind, f.TargetID, f.Flagger.ID).Scan(&facts.OpenFlag)
	return facts, postID, err
}

// flagRecord counts a person's resolved flags.
func flagRecord(ctx context.Context, q rowQuerier, userID int64) (forum.FlagRecord, error) {
	var r forum.FlagRecord
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(status = 'helpful'), 0), COALESCE(SUM(status = 'declined'), 0)
		FROM flags WHERE user_id = ?`, userID).Scan(&r.Helpful, &r.Declined)
	return r, err
}

func standingFlags(ctx context.Context, tx *txn, kind string, id int64) ([]forum.StandingFlag, error) {
	rows, err := tx.QueryContext(ctx, `SELECT reason, weight FROM flags WHERE target_kind = ? AND target_id = ? AND status = 'open' ORDER BY id`, kind, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.StandingFlag
	for rows.Next() {
		var s forum.StandingFlag
		if err := rows.Scan(&s.Reason, &s.Weight); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// resolveFlags gives every open flag on a target its outcome.
func resolveFlags(ctx context.Context, tx *txn, kind string, id int64, status string, by int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE flags SET status = ?, resolved_at = ?, resolved_by = ? WHERE target_kind = ? AND target_id = ? AND status = 'open'`,
		status, now, nullID(by), kind, id)
	return err
}

// hideFlagged hides a visible target pending review (a hidden post is soft-deleted too,
// so that every list, count and search leaves it out). Nothing happens to a target that
// is already out of sight.
func hideFlagged(ctx context.Context, tx *txn, kind string, id, actor int64, why string, now time.Time) error {
	switch kind {
	case forum.FlagOnPost:
		pf, err := postFacts(ctx, tx, id, systemActor)
		if err != nil || !pf.Live() {
			return err
		}
		if err := softDelete(ctx, tx, pf, actor, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET hidden_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
	case forum.FlagOnComment:
		res, err := tx.ExecContext(ctx, `UPDATE comments SET hidden_at = ?, deleted_at = ? WHERE id = ? AND deleted_at IS NULL`, now, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
	case forum.FlagOnMessage:
		done, err := setMessageOutOfSight(ctx, tx, id, true, now)
		if err != nil || !done {
			return err
		}
	}
	return tx.audit(ctx, forum.AuditEntry{ActorID: actor, Action: kind + ".hide", TargetKind: kind, TargetID: id,
		Before: auditState("hidden", false), After: auditState("hidden", true), Reason: why, At: now})
}

// deleteFlagged deletes a target (visible or hidden) and charges a post's author the
// penalty (the ledger names penalizer, the flag that decided it).
func deleteFlagged(ctx context.Context, tx *txn, kind string, id, actor, penalizer int64, penalty int, why string, now time.Time) error {
	before := auditState("deleted", false)
	switch kind {
	case forum.FlagOnPost:
		pf, err := postFacts(ctx, tx, id, systemActor)
		if err != nil {
			return err
		}
		switch {
		case pf.Live():
			if err := softDelete(ctx, tx, pf, actor, now); err != nil {
				return err
			}
		case pf.Hidden: // already out of every count: it stays deleted, no longer merely hidden
			before = auditState("deleted", false, "hidden", true)
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET hidden_at = NULL, deleted_by = ? WHERE id = ?`, nullID(actor), id); err != nil {
				return err
			}
		default:
			return nil
		}
		if penalty > 0 {
			if err := addReputation(ctx, tx, pf.AuthorID, id, penalizer, forum.RepKindFlagPenalty, -penalty, now); err != nil {
				return err
			}
		}
	case forum.FlagOnComment:
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET hidden_at = NULL, deleted_at = COALESCE(deleted_at, ?) WHERE id = ?`, now, id); err != nil {
			return err
		}
	case forum.FlagOnMessage:
		if _, err := setMessageOutOfSight(ctx, tx, id, false, now); err != nil {
			return err
		}
	}
	return tx.audit(ctx, forum.AuditEntry{ActorID: actor, Action: kind + ".delete", TargetKind: kind, TargetID: id,
		Before: before, After: auditState("deleted", true, "penalty", penalty), Reason: why, At: now})
}

// setMessageOutOfSight hides (hide) or deletes a flagged message: either way it is deleted
// to everyone, its thread's reply count drops when it was live, and its channel's live
// readers are told. Deleting a hidden message clears the mark (its author no longer sees
// it). Reports false when there was nothing to do (already hidden, or already deleted).
func setMessageOutOfSight(ctx context.Context, tx *txn, id int64, hide bool, now time.Time) (bool, error) {
	var channelID, parentID int64
	var live, hidden bool
	err := tx.QueryRowContext(ctx, `SELECT channel_id, COALESCE(parent_id, 0), deleted_at IS NULL, hidden_at IS NOT NULL FROM messages WHERE id = ?`,
		id).Scan(&channelID, &parentID, &live, &hidden)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch {
	case hide && !live:
		return false, nil
	case hide:
		_, err = tx.ExecContext(ctx, `UPDATE messages SET hidden_at = ?, deleted_at = ?, pinned_at = NULL, pinned_by = NULL WHERE id = ?`, now, now, id)
	case !live && !hidden:
		return false, nil
	default:
		_, err = tx.ExecContext(ctx, `UPDATE messages SET hidden_at = NULL, deleted_at = COALESCE(deleted_at, ?), pinned_at = NULL, pinned_by = NULL WHERE id = ?`, now, id)
	}
	if err != nil {
		return false, err
	}
	if live && parentID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET reply_count = reply_count - 1 WHERE id = ?`, parentID); err != nil {
			return false, err
		}
	}
	if live {
		out, err := rereadMessage(ctx, tx, id)
		if err != nil {
			return false, err
		}
		if err := tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(channelID), Name: forum.EventMessageDeleted, Data: out, MessageID: id}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// restoreHiddenMessage brings back a message flags hid: live again for everyone, in its
// thread's count, announced to its channel. Reports false when it was not hidden.
func restoreHiddenMessage(ctx context.Context, tx *txn, id int64, now time.Time) (bool, error) {
	var channelID, parentID int64
	err := tx.QueryRowContext(ctx, `SELECT channel_id, COALESCE(parent_id, 0) FROM messages WHERE id = ? AND hidden_at IS NOT NULL`, id).Scan(&channelID, &parentID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET hidden_at = NULL, deleted_at = NULL, deleted_by = NULL WHERE id = ?`, id); err != nil {
		return false, err
	}
	if parentID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET reply_count = reply_count + 1 WHERE id = ?`, parentID); err != nil {
			return false, err
		}
	}
	out, err := rereadMessage(ctx, tx, id)
	if err != nil {
		return false, err
	}
	return true, tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(channelID), Name: forum.EventMessageUpdated, Data: out, MessageID: id})
}

// refundPenalty gives back the flag penalty a post cost its author, when a moderator
// brings the post back.
func refundPenalty(ctx context.Context, tx *txn, postID int64, now time.Time) error {
	var userID, actor sql.NullInt64
	var net int
	err := tx.QueryRowContext(ctx, `SELECT user_id, MAX(actor_id), SUM(delta) FROM reputation_events WHERE post_id = ? AND kind IN (?, ?)
		GROUP BY user_id HAVING SUM(delta) <> 0`, postID, forum.RepKindFlagPenalty, forum.RepKindFlagPenalty+"_undo").Scan(&userID, &actor, &net)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return addReputation(ctx, tx, userID.Int64, postID, actor.Int64, forum.RepKindFlagPenalty+"_undo", -net, now)
}

// FlagsBy implements forum.ModerationStore.
func (db *DB) FlagsBy(ctx context.Context, userID int64, limit int) ([]*forum.Flag, forum.FlagRecord, error) {
	rec, err := flagRecord(ctx, db.reader, userID)
	if err != nil {
		return nil, rec, err
	}
	rows, err := db.readRows(ctx, `SELECT f.id, f.target_kind, f.target_id, COALESCE(f.post_id, 0), COALESCE(p.question_id, p.id, 0),
		f.user_id, f.reason, f.note, COALESCE(f.duplicate_of, 0), f.weight, f.status, f.created_at, f.resolved_at
		FROM flags f LEFT JOIN posts p ON p.id = f.post_id WHERE f.user_id = ? ORDER BY f.created_at DESC, f.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, rec, err
	}
	out, err := scanFlags(rows)
	return out, rec, err
}

// scanFlags reads flag rows (in FlagsBy's column order) and closes them.
func scanFlags(rows *sql.Rows) ([]*forum.Flag, error) {
	defer rows.Close()
	var out []*forum.Flag
	for rows.Next() {
		var f forum.Flag
		var resolved sql.NullTime
		if err := rows.Scan(&f.ID, &f.TargetKind, &f.TargetID, &f.PostID, &f.QuestionID, &f.FlaggerID, &f.Reason, &f.Note,
			&f.DuplicateOf, &f.Weight, &f.Status, &f.CreatedAt, &resolved); err != nil {
			return nil, err
		}
		f.CreatedAt, f.ResolvedAt = f.CreatedAt.UTC(), nullTime(resolved)
		out = append(out, &f)
	}
	return out, rows.Err()
}

// HiddenPostIn implements forum.ModerationStore: one lookup in the small posts_hidden index.
func (db *DB) HiddenPostIn(ctx context.Context, questionID, userID int64) (bool, error) {
	var yes bool
	err := db.readRow(ctx, `SELECT EXISTS (SELECT 1 FROM posts WHERE author_id = ? AND hidden_at IS NOT NULL
		AND (id = ? OR question_id = ?))`, userID, questionID, questionID).Scan(&yes)
	return yes, err
}
