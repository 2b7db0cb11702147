package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"staffroom/forum"
)

// How a question list finds its page at 1M questions, for every sort, with or without a tag:
//
//   - Every list walks one covering index (0008_list_keys.sql): the site's lists the partial
//     posts_questions_* indexes, a tag's lists the post_tags_* indexes, whose rows carry a
//     copy of their question's sort keys. A page's ids, and every entry a numbered page
//     skips, are read from the index alone; the posts are read only for the page itself.
//   - A numbered page deeper than the middle walks the index from the other end, so no
//     page skips more than half the list: the last page costs what the first does.
//   - Next and previous pages go by cursor (the sort key and id of the page's last or first
//     question): a range seek in the index, one page of work at any depth.
//
// The total, the ids and the posts are read in one read transaction, so they agree.

// questionKeys is each sort's key column (beside the id, which breaks ties), the same name
// in posts and in post_tags. Descending is the list's order. The request never reaches
// the SQL: only these strings do.
var questionKeys = map[forum.QuestionSort]string{
	forum.SortNewest:     "created_at",
	forum.SortActive:     "activity_at",
	forum.SortVotes:      "score",
	forum.SortUnanswered: "created_at",
}

// questionSource is the rows a list walks, as SQL: FROM, WHERE and their arguments, with
// the walked table as p.
type questionSource struct {
	from, id, where string
	args            []any
}

// questionSourceFor picks the index a filter walks: a tag's links alone when the filter is
// one tag, else the questions themselves.
func questionSourceFor(f forum.QuestionFilter) questionSource {
	unanswered := ""
	if f.Sort == forum.SortUnanswered {
		// Open questions only: a closed one waits for no answer (0015_unanswered_open.sql).
		unanswered = ` AND p.answer_count = 0 AND p.closed_at IS NULL`
	}
	// The site's lists keep to its own questions; a collaborative's list to its own
	// (forum/scope.go). The condition is spelled as the indexes' WHERE spells it.
	scope, scopeArgs := ` AND p.collaborative_id IS NULL`, []any{}
	if f.CollaborativeID != 0 {
		scope, scopeArgs = ` AND p.collaborative_id = ?`, []any{f.CollaborativeID}
	}
	if f.Tag != nil && f.AuthorID == nil && f.CollaborativeID == 0 {
		return questionSource{from: `post_tags p`, id: `p.post_id`,
			where: `p.tag_id = (SELECT id FROM tags WHERE name = ?) AND p.deleted_at IS NULL` + unanswered + scope,
			args:  []any{*f.Tag}}
	}
	s := questionSource{from: `posts p`, id: `p.id`, where: `p.kind = 'question' AND p.deleted_at IS NULL` + unanswered + scope,
		args: scopeArgs}
	if f.AuthorID != nil {
		s.where += ` AND p.author_id = ?`
		s.args = append(s.args, *f.AuthorID)
	}
	if f.Tag != nil {
		s.where += ` AND EXISTS (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id AND pt.tag_id = (SELECT id FROM tags WHERE name = ?))`
		s.args = append(s.args, *f.Tag)
	}
	return s
}

// Questions implements forum.PostStore.
func (db *DB) Questions(ctx context.Context, f forum.QuestionFilter, viewerID int64) (*forum.QuestionPage, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	key, ok := questionKeys[f.Sort]
	if !ok {
		return nil, fmt.Errorf("sqlite: no list key for sort %q", f.Sort) // Normalize lets only the four through
	}
	var after, before *listCursor
	var err error
	if after, err = parseListCursor(f.After, "after", f.Sort); err != nil {
		return nil, err
	}
	if before, err = parseListCursor(f.Before, "before", f.Sort); err != nil {
		return nil, err
	}
	src := questionSourceFor(f)

	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	page := &forum.QuestionPage{}
	if page.Total, err = db.questionTotal(ctx, tx, f, src); err != nil {
		return nil, fmt.Errorf("count questions: %w", err)
	}

	var keys []listCursor // the page's ids and keys, in list order
	var hasPrev, hasNext bool
	switch {
	case after != nil: // the page after a cursor: seek past it, read one more to see if there is a next
		keys, err = db.questionKeys(ctx, tx, src, key, false, after, f.PageSize+1, 0)
		hasNext = len(keys) > f.PageSize
		keys = keys[:min(len(keys), f.PageSize)]
		hasPrev = true
	case before != nil: // the page before a cursor: walk back from it, then turn the page over
		keys, err = db.questionKeys(ctx, tx, src, key, true, before, f.PageSize+1, 0)
		hasPrev = len(keys) > f.PageSize
		keys = keys[:min(len(keys), f.PageSize)]
		slices.Reverse(keys)
		hasNext = true
	default: // a numbered page: skip from the nearer end of the index
		offset := (f.Page - 1) * f.PageSize
		if offset >= page.Total {
			break
		}
		if fromEnd := page.Total - offset - f.PageSize; fromEnd < offset {
			limit := f.PageSize + min(fromEnd, 0) // the last page may be short
			keys, err = db.questionKeys(ctx, tx, src, key, true, nil, limit, max(fromEnd, 0))
			slices.Reverse(keys)
		} else {
			keys, err = db.questionKeys(ctx, tx, src, key, false, nil, f.PageSize, offset)
		}
		hasPrev = offset > 0
		hasNext = offset+len(keys) < page.Total
	}
	if err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	ids := make([]any, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	if page.Items, err = postsByID(ctx, tx, viewerID, ids); err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		if hasNext {
			page.Next = keys[len(keys)-1].encode(f.Sort)
		}
		if hasPrev {
			page.Prev = keys[0].encode(f.Sort)
		}
	}
	return page, nil
}

// questionKeys walks src's index for key: descending (the list's order) or, with reverse,
// ascending; from the cursor's entry (excluded) when from is set; skipping offset entries.
// It returns each entry's id and key, in the order walked.
func (db *DB) questionKeys(ctx context.Context, tx *sql.Tx, src questionSource, key string, reverse bool, from *listCursor, limit, offset int) ([]listCursor, error) {
	dir, cmp := "DESC", "<"
	if reverse {
		dir, cmp = "ASC", ">"
	}
	keyExpr := "p." + key
	if key != "score" {
		keyExpr = "CAST(p." + key + " AS TEXT)" // the stored text itself: a cursor compares equal to it
	}
	where, args := src.where, slices.Clone(src.args)
	if from != nil {
		where += ` AND (p.` + key + `, ` + src.id + `) ` + cmp + ` (?, ?)`
		args = append(args, from.Key, from.ID)
	}
	query := `SELECT ` + src.id + `, ` + keyExpr + ` FROM ` + src.from + ` WHERE ` + where +
		` ORDER BY p.` + key + ` ` + dir + `, ` + src.id + ` ` + dir + ` LIMIT ? OFFSET ?`
	rows, err := db.txRows(ctx, tx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listCursor
	for rows.Next() {
		var c listCursor
		if err := rows.Scan(&c.ID, &c.Key); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// questionTotal counts the questions a filter matches: from the counters kept beside the
// rows when it can (no filter, or one tag), else by counting.
func (db *DB) questionTotal(ctx context.Context, tx *sql.Tx, f forum.QuestionFilter, src questionSource) (int, error) {
	var query string
	args := []any{}
	switch {
	case f.CollaborativeID != 0: // a collaborative's list is small: counted
		query, args = `SELECT COUNT(*) FROM `+src.from+` WHERE `+src.where, src.args
	case f.Tag == nil && f.AuthorID == nil:
		name := "questions"
		if f.Sort == forum.SortUnanswered {
			name = "unanswered"
		}
		query, args = `SELECT value FROM site_counters WHERE name = ?`, append(args, name)
	case f.Tag != nil && f.AuthorID == nil:
		column := "question_count"
		if f.Sort == forum.SortUnanswered {
			column = "unanswered_count"
		}
		query, args = `SELECT COALESCE((SELECT `+column+` FROM tags WHERE name = ?), 0)`, append(args, *f.Tag)
	default:
		query, args = `SELECT COUNT(*) FROM `+src.from+` WHERE `+src.where, src.args
	}
	rows, err := db.txRows(ctx, tx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var total int
	if rows.Next() {
		if err := rows.Scan(&total); err != nil {
			return 0, err
		}
	}
	return total, rows.Err()
}

// txRows runs a read inside tx through the cached prepared statement for query. A query
// not cached yet runs on the transaction's own connection and is prepared for the cache
// in the background: preparing it here would wait for a second connection while holding
// one, and with every connection held that way, readers would wait for each other forever.
func (db *DB) txRows(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if st, ok := db.cachedRead(query); ok {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	go db.prepared(context.Background(), query)
	return tx.QueryContext(ctx, query, args...)
}

// listCursor names one entry of a list's index: its sort key as stored (an integer score
// or a timestamp's text) and its id. Encoded, it is opaque to clients.
type listCursor struct {
	Key any
	ID  int64
}

// cursorJSON is a cursor's encoded form; the sort is kept so that a cursor of one sort is
// refused by another instead of landing anywhere.
type cursorJSON struct {
	Sort forum.QuestionSort `json:"s"`
	Key  any                `json:"k"`
	ID   int64              `json:"i"`
}

func (c listCursor) encode(sort forum.QuestionSort) string {
	b, _ := json.Marshal(cursorJSON{Sort: sort, Key: c.Key, ID: c.ID}) // an int64 or a string: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseListCursor decodes a cursor given as field; nil when s is empty.
func parseListCursor(s, field string, sort forum.QuestionSort) (*listCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := forum.InvalidCursor(field)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 200 {
		return nil, bad
	}
	var j struct {
		Sort forum.QuestionSort `json:"s"`
		Key  json.RawMessage    `json:"k"`
		ID   int64              `json:"i"`
	}
	if err := json.Unmarshal(b, &j); err != nil || j.Sort != sort || j.ID < 1 {
		return nil, bad
	}
	c := &listCursor{ID: j.ID}
	if questionKeys[sort] == "score" {
		var n int64
		if err := json.Unmarshal(j.Key, &n); err != nil {
			return nil, bad
		}
		c.Key = n
	} else {
		var t string
		if err := json.Unmarshal(j.Key, &t); err != nil || t == "" {
			return nil, bad
		}
		c.Key = t
	}
	return c, nil
}
