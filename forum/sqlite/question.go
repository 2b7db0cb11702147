package sqlite

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"staffroom/forum"
)

// answerOrders maps each answer sort to its ORDER BY over answers p; under the default,
// the accepted answer comes first, found by a lookup of p's question by its id.
var answerOrders = map[forum.AnswerSort]string{
	"":                    `(p.id = (SELECT accepted_answer_id FROM posts WHERE id = p.question_id)) DESC, p.score DESC, p.id`,
	forum.AnswersByScore:  `(p.id = (SELECT accepted_answer_id FROM posts WHERE id = p.question_id)) DESC, p.score DESC, p.id`,
	forum.AnswersByNewest: `p.created_at DESC, p.id DESC`,
	forum.AnswersByOldest: `p.created_at, p.id`,
}

// Thread implements forum.PostStore.
func (db *DB) Thread(ctx context.Context, questionID, viewerID int64, includeDeleted bool, order forum.AnswerSort) (*forum.QuestionThread, error) {
	q, err := db.Post(ctx, questionID, viewerID, includeDeleted)
	if err != nil {
		return nil, err
	}
	if q.Kind != forum.KindQuestion {
		return nil, forum.NotFoundQuestion(questionID)
	}
	deleted := ` AND p.deleted_at IS NULL`
	switch {
	case includeDeleted:
		deleted = ""
	case viewerID != 0: // their own hidden answers too (forum.PostVisible, below)
		deleted = ` AND (p.deleted_at IS NULL OR p.hidden_at IS NOT NULL)`
	}
	rows, err := db.readRows(ctx, selectPost+`WHERE p.question_id = ? AND p.kind = 'answer'`+deleted+
		` ORDER BY `+answerOrders[order], viewerID, questionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	t := &forum.QuestionThread{Question: q, Comments: map[int64][]*forum.Comment{}}
	for rows.Next() {
		a, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		if !forum.PostVisible(a.DeletedAt != nil, a.HiddenAt != nil, a.Author.ID, viewerID, includeDeleted) {
			continue
		}
		a.Accepted = a.ID == q.AcceptedAnswerID
		t.Answers = append(t.Answers, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	comments, err := db.comments(ctx, `c.deleted_at IS NULL AND (c.post_id = ? OR c.post_id IN
		(SELECT id FROM posts WHERE question_id = ? AND kind = 'answer'))`, questionID, questionID)
	if err != nil {
		return nil, err
	}
	for _, c := range comments {
		t.Comments[c.PostID] = append(t.Comments[c.PostID], c)
	}
	if t.Related, err = db.related(ctx, q); err != nil {
		return nil, err
	}
	if t.Linked, err = db.questionList(ctx, `SELECT to_id FROM question_links WHERE from_id = ?
		UNION SELECT from_id FROM question_links WHERE to_id = ? LIMIT ?`, questionID, questionID, aroundQuestions); err != nil {
		return nil, err
	}
	if q.DuplicateOf != 0 {
		originals, err := postsByID(ctx, db.reader, 0, []any{q.DuplicateOf})
		if err != nil {
			return nil, err
		}
		if originals = besideScope(q, originals); len(originals) == 1 {
			t.Original = originals[0]
		}
	}
	t.Related, t.Linked = besideScope(q, t.Related), besideScope(q, t.Linked)
	return t, nil
}

// besideScope keeps the questions that may be shown beside q to whoever sees q: the
// site's own, public collaboratives', and q's own collaborative's. A private
// collaborative's question never shows beside another's page, not even its title.
func besideScope(q *forum.Post, ps []*forum.Post) []*forum.Post {
	out := ps[:0]
	for _, p := range ps {
		if !p.Collaborative.Private() || q.Collaborative != nil && p.Collaborative.ID == q.Collaborative.ID {
			out = append(out, p)
		}
	}
	return out
}

// aroundQuestions is how many related and linked questions a question page lists.
const aroundQuestions = 8

// relatedCandidates bounds the work of finding related questions: the newest this many of
// each tag are the candidates, so a tag with a million questions costs what a small one does.
const relatedCandidates = 100

// related finds the questions that share the most tags with q, among the newest of each.
func (db *DB) related(ctx context.Context, q *forum.Post) ([]*forum.Post, error) {
	shared := map[int64]int{}
	var order []int64
	for _, tag := range q.Tags {
		rows, err := db.readRows(ctx, `SELECT pt.post_id FROM post_tags pt WHERE pt.tag_id = (SELECT id FROM tags WHERE name = ?)
			AND pt.deleted_at IS NULL ORDER BY pt.created_at DESC, pt.post_id DESC LIMIT ?`, tag, relatedCandidates)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if id == q.ID {
				continue
			}
			if shared[id] == 0 {
				order = append(order, id)
			}
			shared[id]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// Most shared tags first; among equals, the newest (the order they were met in).
	sort.SliceStable(order, func(i, j int) bool { return shared[order[i]] > shared[order[j]] })
	if len(order) > 2*aroundQuestions { // a few spare for deleted ones
		order = order[:2*aroundQuestions]
	}
	ids := make([]any, len(order))
	for i, id := range order {
		ids[i] = id
	}
	posts, err := postsByID(ctx, db.reader, 0, ids)
	if len(posts) > aroundQuestions {
		posts = posts[:aroundQuestions]
	}
	return posts, err
}

// questionList reads the live questions whose ids a query returns, in its order.
func (db *DB) questionList(ctx context.Context, idQuery string, args ...any) ([]*forum.Post, error) {
	rows, err := db.readRows(ctx, idQuery, args...)
	if err != nil {
		return nil, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return postsByID(ctx, db.reader, 0, ids)
}

// querier is a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// postsByID reads live questions by id, in the order given, with viewerID's votes.
func postsByID(ctx context.Context, q querier, viewerID int64, ids []any) ([]*forum.Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	prows, err := q.QueryContext(ctx, selectListedPost+`WHERE p.id IN (`+marks+`) AND p.kind = 'question' AND p.deleted_at IS NULL`,
		append([]any{viewerID}, ids...)...)
	if err != nil {
		return nil, err
	}
	defer prows.Close()
	byID := map[int64]*forum.Post{}
	for prows.Next() {
		p, err := scanPost(prows)
		if err != nil {
			return nil, err
		}
		byID[p.ID] = p
	}
	if err := prows.Err(); err != nil {
		return nil, err
	}
	out := make([]*forum.Post, 0, len(byID))
	for _, id := range ids {
		if p, ok := byID[id.(int64)]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// ExistingTags implements forum.PostStore.
func (db *DB) ExistingTags(ctx context.Context, names []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(names) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(names)), ",")
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT name FROM tags WHERE name IN (`+marks+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// tagMatch is a tag name filter: q at the start of the name or of any word in it, words
// being separated by - or . ("grade" finds grade-5 and middle-grades). LIKE cannot use
// the name index (it ignores case, the index does not), so this walks the tags table, as
// the prefix filter before it did: a table of at most some thousands of short rows, its
// cost bounded by the number of tags, never by questions.
const tagMatch = `(name LIKE ?1 ESCAPE '\' OR name LIKE '%-' || ?1 ESCAPE '\' OR name LIKE '%.' || ?1 ESCAPE '\')`

// Tags implements forum.PostStore: names matching q as tagMatch says, names starting with
// it first, then by question count.
func (db *DB) Tags(ctx context.Context, q string, page, pageSize int) ([]forum.Tag, int, error) {
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	var total int
	if err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM tags WHERE `+tagMatch+` AND question_count > 0`, like).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT name, excerpt, question_count, created_at FROM tags
		WHERE `+tagMatch+` AND question_count > 0 ORDER BY name LIKE ?1 ESCAPE '\' DESC, question_count DESC, name LIMIT ?2 OFFSET ?3`,
		like, pageSize, (page-1)*pageSize)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []forum.Tag
	for rows.Next() {
		var t forum.Tag
		if err := rows.Scan(&t.Name, &t.Excerpt, &t.Count, &t.CreatedAt); err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// Tag implements forum.PostStore.
func (db *DB) Tag(ctx context.Context, name string) (*forum.Tag, error) {
	var t forum.Tag
	// A tag only a collaborative's questions use is theirs, not the site's: like its
	// count, it is not shown (forum/scope.go).
	err := db.reader.QueryRowContext(ctx, `SELECT name, excerpt, question_count, created_at FROM tags t WHERE name = ?
		AND (question_count > 0 OR NOT EXISTS (SELECT 1 FROM post_tags pt WHERE pt.tag_id = t.id AND pt.collaborative_id IS NOT NULL)
			OR EXISTS (SELECT 1 FROM post_tags pt WHERE pt.tag_id = t.id AND pt.collaborative_id IS NULL))`, name).
		Scan(&t.Name, &t.Excerpt, &t.Count, &t.CreatedAt)
	if err != nil {
		return nil, notFound(err, forum.NotFoundTag(name))
	}
	return &t, nil
}

// SetTagExcerpt implements forum.PostStore.
func (db *DB) SetTagExcerpt(ctx context.Context, name, excerpt string) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(forum.NotFoundTag(name))(tx.ExecContext(ctx, `UPDATE tags SET excerpt = ? WHERE name = ?`, excerpt, name))
	})
}
