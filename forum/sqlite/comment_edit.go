package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"staffroom/forum"
)

// commentEditFacts reads, inside a write, what the rules about changing comment id
// depend on. A comment on a deleted post reads as missing, and so does one on a private
// collaborative's post that actorID may not see (forum.SeesPostScope), as postFacts does.
func commentEditFacts(ctx context.Context, tx *txn, id, actorID int64) (forum.CommentEditFacts, error) {
	f := forum.CommentEditFacts{ID: id}
	var postGone bool
	var scope forum.PostCollaborative
	err := tx.QueryRowContext(ctx, `SELECT c.author_id, c.deleted_at IS NOT NULL, c.created_at, c.body, p.deleted_at IS NOT NULL,
		COALESCE(q.collaborative_id, 0), COALESCE(g.visibility, '')
		FROM comments c JOIN posts p ON p.id = c.post_id JOIN posts q ON q.id = COALESCE(p.question_id, p.id)
		LEFT JOIN collaboratives g ON g.id = q.collaborative_id WHERE c.id = ?`, id).Scan(&f.AuthorID, &f.Deleted, &f.CreatedAt, &f.Body, &postGone,
		&scope.ID, &scope.Visibility)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read comment %d: %w", id, err)
	}
	if scope.ID != 0 {
		sees, err := seesScopeTx(ctx, tx, &scope, actorID)
		if err != nil || !sees {
			return forum.CommentEditFacts{ID: id}, err
		}
	}
	f.Exists = !postGone
	return f, nil
}

// EditComment implements forum.CommentEditStore.
func (db *DB) EditComment(ctx context.Context, e forum.CommentEdit) (*forum.Comment, error) {
	var edited *forum.Comment
	err := db.write(ctx, func(tx *txn) error {
		f, err := commentEditFacts(ctx, tx, e.ID, e.By.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckCommentEdit(e.By, f, e.Now); err != nil {
			return err
		}
		// The first edit keeps the comment as first written as revision 1.
		if _, err := tx.ExecContext(ctx, `INSERT INTO comment_revisions (comment_id, number, body, body_html, edited_by, edited_at)
			SELECT id, 1, body, body_html, author_id, created_at FROM comments WHERE id = ?
			ON CONFLICT (comment_id, number) DO NOTHING`, e.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO comment_revisions (comment_id, number, body, body_html, edited_by, edited_at)
			SELECT ?, MAX(number) + 1, ?, ?, ?, ? FROM comment_revisions WHERE comment_id = ?`,
			e.ID, e.Body, e.BodyHTML, e.By.ID, e.Now, e.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET body = ?, body_html = ?, edited_at = ? WHERE id = ?`,
			e.Body, e.BodyHTML, e.Now, e.ID); err != nil {
			return err
		}
		if a := forum.CommentChangeAudit(e.By, f, "comment.edit", e.Body, e.Now); a != nil {
			if err := tx.audit(ctx, *a); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, selectComments+`c.id = ?`, e.ID)
		if err != nil {
			return err
		}
		cs, err := scanComments(rows)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("read comment %d back: %w", e.ID, err)
		}
		edited = cs[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return edited, nil
}

// DeleteComment implements forum.CommentEditStore.
func (db *DB) DeleteComment(ctx context.Context, id int64, by *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		f, err := commentEditFacts(ctx, tx, id, by.ID)
		if err != nil {
			return err
		}
		if err := forum.CheckCommentDelete(by, f); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET deleted_at = ?, author_deleted = ? WHERE id = ?`, now, by.ID == f.AuthorID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET comment_count = comment_count - 1
			WHERE id = (SELECT post_id FROM comments WHERE id = ?) AND comment_count > 0`, id); err != nil {
			return err
		}
		if a := forum.CommentChangeAudit(by, f, "comment.delete", "", now); a != nil {
			return tx.audit(ctx, *a)
		}
		return nil
	})
}

// CommentRevisions implements forum.CommentEditStore.
func (db *DB) CommentRevisions(ctx context.Context, id int64) ([]*forum.CommentRevision, forum.CommentEditFacts, error) {
	var f forum.CommentEditFacts
	var postGone bool
	err := db.readRow(ctx, `SELECT c.post_id, c.author_id, c.deleted_at IS NOT NULL, c.created_at, c.body, p.deleted_at IS NOT NULL
		FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = ?`, id).Scan(&f.PostID, &f.AuthorID, &f.Deleted, &f.CreatedAt, &f.Body, &postGone)
	f.ID = id
	if errors.Is(err, sql.ErrNoRows) {
		return nil, f, forum.NotFoundComment(id)
	}
	if err != nil {
		return nil, f, err
	}
	f.Exists = !postGone
	rows, err := db.readRows(ctx, `SELECT r.number, r.body, r.body_html, r.edited_at, `+userColumns+`
		FROM comment_revisions r JOIN users u ON u.id = r.edited_by LEFT JOIN districts d ON d.id = u.district_id
		WHERE r.comment_id = ? ORDER BY r.number DESC`, id)
	if err != nil {
		return nil, f, err
	}
	defer rows.Close()
	var out []*forum.CommentRevision
	for rows.Next() {
		var r forum.CommentRevision
		var u *forum.User
		dest := []any{&r.Number, &r.Body, &r.BodyHTML, &r.EditedAt}
		if u, err = scanUser(prefixScanner{rows, dest}); err != nil {
			return nil, f, err
		}
		r.EditedBy, r.EditedAt = u, r.EditedAt.UTC()
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, f, err
	}
	if len(out) == 0 { // never edited: the comment as written is its only text
		c, err := db.comments(ctx, `c.id = ?`, id)
		if err != nil || len(c) == 0 {
			return nil, f, err
		}
		out = append(out, &forum.CommentRevision{Number: 1, Body: c[0].Body, BodyHTML: c[0].BodyHTML, EditedBy: c[0].Author, EditedAt: c[0].CreatedAt})
	}
	return out, f, nil
}

// prefixScanner scans the first columns of a row into dest and the rest into what its
// caller passes (scanUser's fields).
type prefixScanner struct {
	row  scanner
	dest []any
}

func (p prefixScanner) Scan(rest ...any) error { return p.row.Scan(append(p.dest, rest...)...) }
