package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"staffroom/forum"
)

// SuggestEdit implements forum.SuggestionStore.
func (db *DB) SuggestEdit(ctx context.Context, s forum.SuggestedEdit) (*forum.SuggestedEdit, error) {
	err := db.write(ctx, func(tx *txn) error {
		if _, err := livePost(ctx, tx, s.PostID, s.AuthorID); err != nil {
			return err
		}
		var tags sql.NullString
		if s.Tags != nil {
			tags = sql.NullString{String: strings.Join(s.Tags, " "), Valid: true}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO suggested_edits (post_id, author_id, title, body, body_html, tags, summary, base_revision, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.PostID, s.AuthorID, s.Title, s.Body, s.BodyHTML, tags, s.Summary, s.BaseRevision, s.CreatedAt)
		if err != nil {
			return err
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return enqueue(ctx, tx, forum.QueueEdits, forum.ItemSuggestedEdit, s.ID, s.PostID, s.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	s.Status = "pending"
	return &s, nil
}

// suggestion reads one suggested edit; nil when there is none.
func (db *DB) suggestion(ctx context.Context, q rowQuerier, id int64) (*forum.SuggestedEdit, error) {
	var s forum.SuggestedEdit
	var title, body, tags sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, post_id, author_id, title, body, body_html, tags, summary, base_revision, status, reason, created_at
		FROM suggested_edits WHERE id = ?`, id).Scan(&s.ID, &s.PostID, &s.AuthorID, &title, &body, &s.BodyHTML, &tags, &s.Summary,
		&s.BaseRevision, &s.Status, &s.Reason, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if title.Valid {
		s.Title = &title.String
	}
	if body.Valid {
		s.Body = &body.String
	}
	if tags.Valid {
		s.Tags = strings.Fields(tags.String)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	if _, inWrite := q.(*txn); inWrite {
		return &s, nil
	}
	if s.Author, err = db.UserByID(ctx, s.AuthorID); err != nil {
		return nil, err
	}
	return &s, nil
}

// resolveSuggestion approves, rejects or improves a suggested edit.
func resolveSuggestion(ctx context.Context, tx *txn, it *forum.ReviewItem, r forum.Resolution) error {
	s, err := tx.db.suggestion(ctx, tx, it.TargetID)
	if err != nil {
		return err
	}
	if s == nil || s.Status != "pending" {
		return forum.NotFoundSuggestion(it.TargetID)
	}
	status := map[string]string{forum.ActionApprove: "approved", forum.ActionReject: "rejected", forum.ActionImprove: "improved"}[r.Action]
	switch r.Action {
	case forum.ActionApprove:
		if _, err := applyEdit(ctx, tx, s.Edit(r.Now)); err != nil {
			return err
		}
	case forum.ActionImprove:
		if _, err := applyEdit(ctx, tx, *r.Improved); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE suggested_edits SET status = ?, reason = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?`,
		status, r.Reason, r.Reviewer.ID, r.Now, s.ID)
	return err
}

// ModeratePost implements forum.ModerationStore.
func (db *DB) ModeratePost(ctx context.Context, m forum.PostModeration) error {
	return db.write(ctx, func(tx *txn) error {
		f, err := postFacts(ctx, tx, m.PostID, m.By.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckModeratePost(m, f); err != nil {
			return err
		}
		var before, after string
		switch m.Action {
		case forum.ModHide:
			if err := softDelete(ctx, tx, f, m.By.ID, m.Now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET hidden_at = ? WHERE id = ?`, m.Now, m.PostID); err != nil {
				return err
			}
			if err := enqueue(ctx, tx, forum.QueueFlags, forum.ItemPost, m.PostID, m.PostID, m.Now); err != nil {
				return err
			}
			before, after = auditState("hidden", false), auditState("hidden", true)
		case forum.ModUnhide:
			if err := restorePost(ctx, tx, f, m.Now); err != nil {
				return err
			}
			if err := resolveFlags(ctx, tx, forum.FlagOnPost, m.PostID, forum.FlagDeclined, m.By.ID, m.Now); err != nil {
				return err
			}
			if err := finishItems(ctx, tx, forum.QueueFlags, forum.ItemPost, m.PostID, m.By.ID, forum.ActionRestore, m.Now); err != nil {
				return err
			}
			before, after = auditState("hidden", true), auditState("hidden", false)
		case forum.ModLock, forum.ModUnlock:
			var at any
			if m.Action == forum.ModLock {
				at = m.Now
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET locked_at = ? WHERE id = ?`, at, m.PostID); err != nil {
				return err
			}
			locked := m.Action == forum.ModLock
			before, after = auditState("locked", !locked), auditState("locked", locked)
			if err := tx.emit(ctx, m.Now, forum.Event{Topic: forum.TopicQuestion(f.QuestionID), Name: forum.EventPostLocked,
				Data: forum.LockChange{PostID: m.PostID, Locked: locked}}); err != nil {
				return err
			}
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: m.By.ID, Action: "post." + m.Action, TargetKind: "post", TargetID: m.PostID,
			Before: before, After: after, Reason: m.Reason, At: m.Now})
	})
}

// Curate implements forum.ModerationStore.
func (db *DB) Curate(ctx context.Context, c forum.Curation, by *forum.User) error {
	return db.write(ctx, func(tx *txn) error {
		f, err := postFacts(ctx, tx, c.PostID, by.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckCurate(by, f); err != nil {
			return err
		}
		before := auditState("curated", false)
		var was time.Time
		err = tx.QueryRowContext(ctx, `SELECT review_by FROM curations WHERE post_id = ? AND uncurated_at IS NULL`, c.PostID).Scan(&was)
		switch {
		case err == nil:
			before = auditState("curated", true, "review_by", was.UTC().Format(time.DateOnly))
			if _, err := tx.ExecContext(ctx, `UPDATE curations SET note = ?, review_by = ? WHERE post_id = ? AND uncurated_at IS NULL`,
				c.Note, c.ReviewBy, c.PostID); err != nil {
				return err
			}
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO curations (post_id, note, review_by, curated_by, curated_at) VALUES (?, ?, ?, ?, ?)`,
				c.PostID, c.Note, c.ReviewBy, by.ID, c.CuratedAt); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET curated_at = ? WHERE id = ?`, c.CuratedAt, c.PostID); err != nil {
				return err
			}
			if err := touchSearch(ctx, tx); err != nil {
				return err
			}
		default:
			return err
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: by.ID, Action: "post.curate", TargetKind: "post", TargetID: c.PostID, Before: before,
			After: auditState("curated", true, "review_by", c.ReviewBy.UTC().Format(time.DateOnly), "note", c.Note), At: c.CuratedAt})
	})
}

// touchSearch tells cached searches that the ranking changed (a curated mark counts).
func touchSearch(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, `UPDATE search_state SET gen = gen + 1`)
	return err
}

// Uncurate implements forum.ModerationStore.
func (db *DB) Uncurate(ctx context.Context, postID int64, by *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		f, err := postFacts(ctx, tx, postID, by.ID)
		if err != nil {
			return err
		}
		if !forum.CanCurate(by, f) {
			return forum.CheckModerator(by)
		}
		return uncurate(ctx, tx, postID, by.ID, "", now)
	})
}

func uncurate(ctx context.Context, tx *txn, postID, by int64, reason string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE curations SET uncurated_at = ?, uncurated_by = ? WHERE post_id = ? AND uncurated_at IS NULL`, now, by, postID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.NotCurated(postID)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET curated_at = NULL WHERE id = ?`, postID); err != nil {
		return err
	}
	if err := touchSearch(ctx, tx); err != nil {
		return err
	}
	if err := finishItems(ctx, tx, forum.QueueCurated, forum.ItemPost, postID, by, forum.ActionUncurate, now); err != nil {
		return err
	}
	return tx.audit(ctx, forum.AuditEntry{ActorID: by, Action: "post.uncurate", TargetKind: "post", TargetID: postID,
		Before: auditState("curated", true), After: auditState("curated", false), Reason: reason, At: now})
}

// Curation implements forum.ModerationStore.
func (db *DB) Curation(ctx context.Context, postID int64) (*forum.Curation, error) {
	var c forum.Curation
	err := db.readRow(ctx, `SELECT post_id, note, review_by, curated_by, curated_at FROM curations WHERE post_id = ? AND uncurated_at IS NULL`,
		postID).Scan(&c.PostID, &c.Note, &c.ReviewBy, &c.CuratedBy, &c.CuratedAt)
	if err != nil {
		return nil, notFound(err, forum.NotCurated(postID))
	}
	c.ReviewBy, c.CuratedAt = c.ReviewBy.UTC(), c.CuratedAt.UTC()
	if c.Curator, err = db.UserByID(ctx, c.CuratedBy); err != nil {
		return nil, err
	}
	return &c, nil
}

// CuratedAnswers implements forum.ModerationStore.
func (db *DB) CuratedAnswers(ctx context.Context, tag string, limit int) ([]*forum.Post, error) {
	rows, err := db.readRows(ctx, `SELECT `+postColumns+`, mv.value, `+userColumns+`, q.title `+postFrom+`
		JOIN posts q ON q.id = p.question_id
		WHERE p.curated_at IS NOT NULL AND p.deleted_at IS NULL AND q.deleted_at IS NULL
		AND q.id IN (SELECT pt.post_id FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ?)
		ORDER BY p.curated_at DESC, p.id DESC LIMIT ?`, 0, tag, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.Post
	for rows.Next() {
		var title string
		p, err := scanPost(rowFunc(func(dest ...any) error { return rows.Scan(append(dest, &title)...) }))
		if err != nil {
			return nil, err
		}
		p.QuestionTitle = title
		out = append(out, p)
	}
	return out, rows.Err()
}

// Merge implements forum.ModerationStore.
func (db *DB) Merge(ctx context.Context, m forum.Merge) error {
	return db.write(ctx, func(tx *txn) error {
		dup, err := postFacts(ctx, tx, m.DuplicateID, m.By.ID)
		if err != nil {
			return err
		}
		orig, err := postFacts(ctx, tx, m.OriginalID, m.By.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckMerge(m, dup, orig); err != nil {
			return err
		}
		var moved []int64
		rows, err := tx.QueryContext(ctx, `SELECT id FROM posts WHERE question_id = ? AND kind = 'answer' ORDER BY id`, m.DuplicateID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			moved = append(moved, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Closed first, while it still has its answers: the unanswered total's trigger
		// (0015) sees the question as it is, and the count below moves only what the
		// answers' move changes.
		if !dup.Closed {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET closed_reason = ?, closed_at = ?, duplicate_of = ? WHERE id = ?`,
				forum.CloseDuplicate, m.Now, m.OriginalID, m.DuplicateID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE posts SET duplicate_of = ? WHERE id = ?`, m.OriginalID, m.DuplicateID); err != nil {
			return err
		}
		unansweredBefore, err := unanswered(ctx, tx, m.DuplicateID, m.OriginalID)
		if err != nil {
			return err
		}
		// The answers' search documents carry their question's tags: out with the old ones,
		// in with the original's (as 0017_search.sql's triggers do for a retag).
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_answers WHERE docid IN (SELECT d.docid FROM search_answers_docsize d
			WHERE d.docid IN (SELECT id FROM posts WHERE question_id = ? AND kind = 'answer'))`, m.DuplicateID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET question_id = ? WHERE question_id = ? AND kind = 'answer'`, m.OriginalID, m.DuplicateID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_answers (docid, body, meta) SELECT rowid, body, meta FROM search_answer_text
			WHERE rowid IN (SELECT id FROM posts WHERE question_id = ? AND kind = 'answer' AND id IN (`+idList(moved)+`))`, m.OriginalID); err != nil {
			return err
		}
		if err := touchSearch(ctx, tx); err != nil {
			return err
		}
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT answer_count FROM posts WHERE id = ?`, m.DuplicateID).Scan(&live); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET answer_count = 0, accepted_answer_id = NULL, activity_at = ? WHERE id = ?`, m.Now, m.DuplicateID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET answer_count = answer_count + ?, activity_at = ? WHERE id = ?`, live, m.Now, m.OriginalID); err != nil {
			return err
		}
		unansweredAfter, err := unanswered(ctx, tx, m.DuplicateID, m.OriginalID)
		if err != nil {
			return err
		}
		if err := countQuestions(ctx, tx, 0, unansweredAfter-unansweredBefore); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM close_votes WHERE post_id = ?`, m.DuplicateID); err != nil {
			return err
		}
		if err := finishItems(ctx, tx, forum.QueueClose, forum.ItemPost, m.DuplicateID, m.By.ID, "merged", m.Now); err != nil {
			return err
		}
		for _, qid := range []int64{m.DuplicateID, m.OriginalID} {
			q, err := postTx(ctx, tx, qid)
			if err != nil {
				return err
			}
			if err := tx.emit(ctx, m.Now, forum.Event{Topic: forum.TopicQuestion(qid), Name: forum.EventPostUpdated, Data: q, PostID: qid}); err != nil {
				return err
			}
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: m.By.ID, Action: "question.merge", TargetKind: "post", TargetID: m.DuplicateID,
			Before: auditState("closed", dup.Closed, "answers", moved), After: auditState("closed", true, "duplicate_of", m.OriginalID, "answers_moved_to", m.OriginalID),
			Reason: m.Reason, At: m.Now})
	})
}

// unanswered counts how many of the questions are in the site's unanswered total.
func unanswered(ctx context.Context, tx *txn, ids ...int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE id IN (`+idList(ids)+`) AND deleted_at IS NULL
		AND answer_count = 0 AND closed_at IS NULL`).Scan(&n)
	return n, err
}

// idList writes ids (numbers from the database, never from a request) as a SQL list.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "NULL"
	}
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// ConvertToComment implements forum.ModerationStore.
func (db *DB) ConvertToComment(ctx context.Context, answerID int64, by *forum.User, render func(string) (string, error), now time.Time) (*forum.Comment, error) {
	var created *forum.Comment
	err := db.write(ctx, func(tx *txn) error {
		f, err := postFacts(ctx, tx, answerID, by.ID)
		if err != nil {
			return err
		}
		var body string
		var at time.Time
		if f.Exists {
			if err := tx.QueryRowContext(ctx, `SELECT body, created_at FROM posts WHERE id = ?`, answerID).Scan(&body, &at); err != nil {
				return err
			}
		}
		if err := forum.CheckConvert(by, f, len([]rune(body))); err != nil {
			return err
		}
		html, err := render(body)
		if err != nil {
			return err
		}
		if err := softDelete(ctx, tx, f, by.ID, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO comments (post_id, author_id, body, body_html, created_at) VALUES (?, ?, ?, ?, ?)`,
			f.QuestionID, f.AuthorID, body, html, at)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?`, f.QuestionID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, selectComments+`c.id = ?`, id)
		if err != nil {
			return err
		}
		cs, err := scanComments(rows)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("read comment %d back: %w", id, err)
		}
		created = cs[0]
		if err := tx.emit(ctx, now, forum.Event{Topic: forum.TopicQuestion(f.QuestionID), Name: forum.EventCommentCreated, Data: created, PostID: f.QuestionID}); err != nil {
			return err
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: by.ID, Action: "answer.convert_to_comment", TargetKind: "post", TargetID: answerID,
			Before: auditState("kind", "answer", "deleted", false), After: auditState("kind", "comment", "deleted", true, "comment_id", id), At: now})
	})
	return created, err
}

// SendModeratorMessage implements forum.ModerationStore.
func (db *DB) SendModeratorMessage(ctx context.Context, m forum.ModeratorMessage) (*forum.ModeratorMessage, error) {
	err := db.write(ctx, func(tx *txn) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)`, m.UserID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return forum.NotFoundUser(m.UserID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO moderator_messages (user_id, from_id, body, body_html, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.UserID, m.FromID, m.Body, m.BodyHTML, m.CreatedAt)
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: m.FromID, Action: "user.message", TargetKind: "user", TargetID: m.UserID,
			After: auditState("message_id", m.ID), At: m.CreatedAt})
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ModeratorMessages implements forum.ModerationStore.
func (db *DB) ModeratorMessages(ctx context.Context, userID int64) ([]*forum.ModeratorMessage, error) {
	rows, err := db.readRows(ctx, `SELECT m.id, m.user_id, m.from_id, m.body, m.body_html, m.created_at, `+userColumns+`
		FROM moderator_messages m JOIN users u ON u.id = m.from_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE m.user_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 100`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.ModeratorMessage
	for rows.Next() {
		var m forum.ModeratorMessage
		from, err := scanUserAfter(rows, []any{&m.ID, &m.UserID, &m.FromID, &m.Body, &m.BodyHTML, &m.CreatedAt})
		if err != nil {
			return nil, err
		}
		m.From, m.CreatedAt = from, m.CreatedAt.UTC()
		out = append(out, &m)
	}
	return out, rows.Err()
}

// DeleteSpammer implements forum.ModerationStore.
func (db *DB) DeleteSpammer(ctx context.Context, s forum.SpamAccount) (int, error) {
	var n int
	err := db.write(ctx, func(tx *txn) error {
		var target *forum.User
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u LEFT JOIN districts d ON d.id = u.district_id WHERE u.id = ?`, s.UserID))
		if err == nil {
			target = u
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := forum.CheckDeleteSpammer(s.By, target); err != nil {
			return err
		}
		// Answers first, then questions: a question's deletion leaves its answers as they are.
		rows, err := tx.QueryContext(ctx, `SELECT id FROM posts WHERE author_id = ? AND deleted_at IS NULL ORDER BY kind = 'question', id`, s.UserID)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			f, err := postFacts(ctx, tx, id, systemActor)
			if err != nil {
				return err
			}
			if !f.Live() {
				continue
			}
			if err := softDelete(ctx, tx, f, s.By.ID, s.Now); err != nil {
				return err
			}
			n++
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET deleted_at = ? WHERE author_id = ? AND deleted_at IS NULL`, s.Now, s.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL`, s.Now, s.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, s.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, s.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, forum.AuditEntry{ActorID: s.By.ID, Action: "user.delete_spammer", TargetKind: "user", TargetID: s.UserID,
			Before: auditState("disabled", target.Disabled(), "live_posts", len(ids)),
			After:  auditState("disabled", true, "deleted_posts", ids), Reason: s.Reason, At: s.Now})
	})
	return n, err
}

// LiveBodiesBy implements forum.ModerationStore.
func (db *DB) LiveBodiesBy(ctx context.Context, userID int64) ([]string, error) {
	rows, err := db.readRows(ctx, `SELECT body_html FROM posts WHERE author_id = ?1 AND deleted_at IS NULL
		UNION ALL SELECT body_html FROM comments WHERE author_id = ?1 AND deleted_at IS NULL`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// RecentAudit implements forum.ModerationStore.
func (db *DB) RecentAudit(ctx context.Context, limit int) ([]forum.AuditEntry, error) {
	rows, err := db.readRows(ctx, `SELECT id, COALESCE(actor_id, 0), action, target_kind, target_id, before, after, reason, at
		FROM audit_log ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.AuditEntry
	for rows.Next() {
		var e forum.AuditEntry
		if err := rows.Scan(&e.ID, &e.ActorID, &e.Action, &e.TargetKind, &e.TargetID, &e.Before, &e.After, &e.Reason, &e.At); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
