package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"staffroom/forum"
)

// EditPost implements forum.RevisionStore.
func (db *DB) EditPost(ctx context.Context, e forum.StoredEdit) (*forum.Post, error) {
	err := db.write(ctx, func(tx *txn) error {
		_, err := applyEdit(ctx, tx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.Post(ctx, e.PostID, e.EditorID, true)
}

// applyEdit is EditPost inside a write: approving a suggested edit applies it too.
func applyEdit(ctx context.Context, tx *txn, e forum.StoredEdit) (*forum.Post, error) {
	var edited *forum.Post
	err := func() error {
		post, err := livePost(ctx, tx, e.PostID, e.EditorID)
		if err != nil {
			return err
		}
		kind, questionID := post.Kind, post.QuestionID
		var revision int
		var title, body, tags string
		if err := tx.QueryRowContext(ctx, `SELECT revision, title, body, tags FROM posts WHERE id = ?`, e.PostID).Scan(&revision, &title, &body, &tags); err != nil {
			return err
		}
		if err := forum.CheckRevision(e.BaseRevision, revision); err != nil {
			return err
		}
		oldBody := body
		if e.Title != nil {
			title = *e.Title
		}
		if e.Body != nil {
			body = *e.Body
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET body = ?, body_html = ? WHERE id = ?`, body, e.BodyHTML, e.PostID); err != nil {
				return err
			}
			if err := linkQuestions(ctx, tx, questionID, body); err != nil {
				return err
			}
		}
		if e.Tags != nil && kind == forum.KindQuestion {
			scoped := post.CollaborativeID != 0 // tag counts leave a collaborative's questions out
			if _, err := tx.ExecContext(ctx, `UPDATE tags SET question_count = question_count - 1
				WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = ?) AND NOT ?`, e.PostID, scoped); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM post_tags WHERE post_id = ?`, e.PostID); err != nil {
				return err
			}
			var created sql.NullTime
			if err := tx.QueryRowContext(ctx, `SELECT created_at FROM posts WHERE id = ?`, e.PostID).Scan(&created); err != nil {
				return err
			}
			if err := tagPost(ctx, tx, e.PostID, e.EditorID, e.Tags, scoped, created.Time); err != nil {
				return err
			}
			tags = strings.Join(e.Tags, " ")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET title = ?, tags = ?, revision = revision + 1, edited_at = ? WHERE id = ?`,
			title, tags, e.Now, e.PostID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET activity_at = ? WHERE id = ?`, e.Now, questionID); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, e.PostID, revision+1, title, body, strings.Fields(tags), e.Summary, e.EditorID, e.Now); err != nil {
			return err
		}
		if edited, err = postTx(ctx, tx, e.PostID); err != nil {
			return err
		}
		if err := tx.emit(ctx, e.Now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventPostUpdated, Data: edited, PostID: e.PostID}); err != nil {
			return err
		}
		// The author hears of someone else's edit; people the edit newly mentions, of that.
		ref, err := questionRef(ctx, tx, questionID)
		if err != nil {
			return err
		}
		editor, err := actorTx(ctx, tx, e.EditorID)
		if err != nil {
			return err
		}
		var mentioned []int64
		if e.Body != nil {
			if mentioned, err = tx.mentioned(ctx, forum.NewMentions(oldBody, body)); err != nil {
				return err
			}
		}
		return tx.notifyAll(ctx, forum.EditNotices(ref, e.PostID, post.AuthorID, editor, body, mentioned, e.Now))
	}()
	return edited, err
}

// Revisions implements forum.RevisionStore.
func (db *DB) Revisions(ctx context.Context, postID int64) ([]*forum.Revision, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT r.number, r.post_id, r.title, r.body, r.tags, r.summary, r.created_at, `+userColumns+`
		FROM revisions r JOIN users u ON u.id = r.editor_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE r.post_id = ? ORDER BY r.number`, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.Revision
	for rows.Next() {
		var r forum.Revision
		var tags string
		editor, err := scanUserAfter(rows, []any{&r.Number, &r.PostID, &r.Title, &r.Body, &tags, &r.Summary, &r.CreatedAt})
		if err != nil {
			return nil, err
		}
		r.Editor, r.Tags, r.CreatedAt = editor, strings.Fields(tags), r.CreatedAt.UTC()
		out = append(out, &r)
	}
	return out, rows.Err()
}
