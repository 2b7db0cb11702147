package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// Tags are named in three places: the tags row, each question's post_tags links (with
// their copies of the question's sort keys, 0008_list_keys.sql) and the question's own
// space-separated posts.tags, which pages show. Renaming and merging change all three in
// one transaction; revisions keep the names a question had when each was written.

// AllTags implements forum.TagAdminStore.
func (db *DB) AllTags(ctx context.Context, query string, page, pageSize int) ([]forum.Tag, int, error) {
	like := likeContains(query)
	rows, err := db.reader.QueryContext(ctx, `SELECT name, excerpt, question_count, created_at, COUNT(*) OVER () FROM tags
		WHERE name LIKE ? ESCAPE '\' ORDER BY name LIMIT ? OFFSET ?`, like, pageSize, (page-1)*pageSize)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []forum.Tag
	total := 0
	for rows.Next() {
		var t forum.Tag
		if err := rows.Scan(&t.Name, &t.Excerpt, &t.Count, &t.CreatedAt, &total); err != nil {
			return nil, 0, err
		}
		t.CreatedAt = t.CreatedAt.UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && page > 1 {
		err = db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM tags WHERE name LIKE ? ESCAPE '\'`, like).Scan(&total)
	}
	return out, total, err
}

// tagExists is the answer to a name that is taken.
func tagExists(name string) error {
	return forum.TagExists(name)
}

// CreateTag implements forum.TagAdminStore.
func (db *DB) CreateTag(ctx context.Context, name, excerpt string, by int64, now time.Time) (*forum.Tag, error) {
	err := db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tags (name, excerpt, created_by, created_at) VALUES (?, ?, ?, ?)`, name, excerpt, by, now)
		if isUnique(err, "tags.name") {
			return tagExists(name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &forum.Tag{Name: name, Excerpt: excerpt, CreatedAt: now.UTC()}, nil
}

// tagID returns the id of the tag called name; not_found when there is none.
func tagID(ctx context.Context, tx *txn, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = ?`, name).Scan(&id)
	return id, notFound(err, forum.NotFoundTag(name))
}

// retag rewrites the tag name from as to in posts.tags of the questions linked to tag
// id, with to "" dropping it; extra narrows the questions, with its args. Padding with
// spaces makes replace match whole names only.
func retag(ctx context.Context, tx *txn, id int64, from, to, extra string, args ...any) error {
	with := " "
	if to != "" {
		with = " " + to + " "
	}
	_, err := tx.ExecContext(ctx, `UPDATE posts SET tags = trim(replace(' ' || tags || ' ', ?, ?))
		WHERE id IN (SELECT post_id FROM post_tags WHERE tag_id = ?)`+extra, append([]any{" " + from + " ", with, id}, args...)...)
	return err
}

// RenameTag implements forum.TagAdminStore.
func (db *DB) RenameTag(ctx context.Context, from, to string) error {
	return db.write(ctx, func(tx *txn) error {
		id, err := tagID(ctx, tx, from)
		if err != nil {
			return err
		}
		if _, err := tagID(ctx, tx, to); err == nil {
			return tagExists(to)
		} else if !forum.IsKind(err, forum.ENotFound) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET name = ? WHERE id = ?`, to, id); err != nil {
			return err
		}
		return retag(ctx, tx, id, from, to, "")
	})
}

// MergeTags implements forum.TagAdminStore.
func (db *DB) MergeTags(ctx context.Context, from, into string) (int, error) {
	var moved int
	err := db.write(ctx, func(tx *txn) error {
		src, err := tagID(ctx, tx, from)
		if err != nil {
			return err
		}
		dst, err := tagID(ctx, tx, into)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM post_tags WHERE tag_id = ?`, src).Scan(&moved); err != nil {
			return err
		}
		// Questions that carry both tags lose from; the others have it renamed to into.
		if err := retag(ctx, tx, src, from, "", ` AND id IN (SELECT post_id FROM post_tags WHERE tag_id = ?)`, dst); err != nil {
			return err
		}
		if err := retag(ctx, tx, src, from, into, ` AND id NOT IN (SELECT post_id FROM post_tags WHERE tag_id = ?)`, dst); err != nil {
			return err
		}
		// New links copy their question's sort keys and move the counts by the triggers of
		// 0008_list_keys.sql; the old links and the tag go.
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_tags (post_id, tag_id, created_at)
			SELECT post_id, ?, created_at FROM post_tags WHERE tag_id = ?
			AND post_id NOT IN (SELECT post_id FROM post_tags WHERE tag_id = ?)`, dst, src, dst); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM post_tags WHERE tag_id = ?`, src); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, src); err != nil {
			return err
		}
		// The counts are recomputed from the links, as staffroom recount would.
		_, err = tx.ExecContext(ctx, `UPDATE tags SET
			question_count = (SELECT COUNT(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id WHERE pt.tag_id = tags.id
				AND p.deleted_at IS NULL AND p.collaborative_id IS NULL),
			unanswered_count = (SELECT COUNT(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id
				WHERE pt.tag_id = tags.id AND p.deleted_at IS NULL AND p.answer_count = 0 AND p.closed_at IS NULL AND p.collaborative_id IS NULL)
			WHERE id = ?`, dst)
		return err
	})
	return moved, err
}
