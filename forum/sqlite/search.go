package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"staffroom/forum"
)

// Search over FTS4 (migration 0013): the store finds candidates and scores their text;
// forum.Searcher decides the rest. A search reads each index newest first and stops after
// plan.Limit documents, so its work is bounded whatever the words; totals for more matches
// than that are estimated from how far back in time the part read reaches.

// ftsIndex is one of the two full-text tables.
type ftsIndex struct {
	table   string
	weights string // search_rank's column weights, in the table's column order
}

var (
	questionIndex = ftsIndex{"search_questions", fmt.Sprintf("%g,%g,%g,0", forum.SearchTitleWeight, forum.SearchBodyWeight, forum.SearchTagsWeight)}
	answerIndex   = ftsIndex{"search_answers", fmt.Sprintf("%g,0", forum.SearchBodyWeight)}
)

const (
	// dfProbe is how many of a word's newest documents are read to estimate how many it
	// has in all (its inverse document frequency): fewer means it has exactly that many.
	dfProbe = 256
	// dfTTL is how long an estimate is kept: words' frequencies drift slowly.
	dfTTL = 10 * time.Minute
	// dfEntries bounds the estimates kept; past it they are all forgotten.
	dfEntries = 20000
	// statsTTL is how long an index's size and id range are kept.
	statsTTL = 5 * time.Second
	// filteredScan is how many documents a search with filters on questions' state reads
	// per candidate it wants: filters are checked after the words.
	filteredScan = 4
	// similarTerms is how many of a title's rarest words a similar-questions lookup uses.
	similarTerms = 6
	// similarScan is how many title matches it scores.
	similarScan = 600
	// maxAnswerMatches is how many matching answers a candidate keeps (the first one a
	// viewer may see represents the question).
	maxAnswerMatches = 3
)

// searchIndex is what searches learn about the index: word frequencies and each table's
// size, kept briefly because looking them up costs more than using them.
type searchIndex struct {
	mu    sync.Mutex
	df    map[string]dfEntry
	stats map[string]indexStats
}

type dfEntry struct {
	df float64
	at time.Time
}

// indexStats are a table's document count and docid range.
type indexStats struct {
	docs     float64
	min, max int64
	at       time.Time
}

// share is the part of the table's documents at or after docid (documents are spread
// about evenly over ids, which grow with time).
func (s indexStats) share(docid int64) float64 {
	if s.max <= s.min {
		return 1
	}
	return math.Min(1, math.Max(0.001, float64(s.max-docid+1)/float64(s.max-s.min+1)))
}

// stats returns a table's size and docid range.
func (db *DB) indexStats(ctx context.Context, idx ftsIndex) (indexStats, error) {
	now := time.Now()
	db.search.mu.Lock()
	st, ok := db.search.stats[idx.table]
	db.search.mu.Unlock()
	if ok && now.Sub(st.at) < statsTTL {
		return st, nil
	}
	var blob []byte
	err := db.readRow(ctx, `SELECT value FROM `+idx.table+`_stat WHERE id = 0`).Scan(&blob)
	if err != nil && err != sql.ErrNoRows {
		return st, err
	}
	st = indexStats{at: now}
	if n, k := binary.Uvarint(blob); k > 0 {
		st.docs = float64(n)
	}
	var lo, hi sql.NullInt64
	if err := db.readRow(ctx, `SELECT MIN(docid), MAX(docid) FROM `+idx.table+`_docsize`).Scan(&lo, &hi); err != nil {
		return st, err
	}
	st.min, st.max = lo.Int64, hi.Int64
	db.search.mu.Lock()
	if db.search.stats == nil {
		db.search.stats = map[string]indexStats{}
	}
	db.search.stats[idx.table] = st
	db.search.mu.Unlock()
	return st, nil
}

// phrase quotes a term's words for MATCH. Folded words hold letters, digits, '_' and
// non-ASCII bytes only (the tokenizer's word characters), never a quote: nothing a person
// typed can become query syntax.
func phrase(words []string) string { return `"` + strings.Join(words, " ") + `"` }

// inverseDF estimates a term's inverse document frequency (BM25's) in a table, from the
// newest dfProbe documents that have it.
func (db *DB) inverseDF(ctx context.Context, idx ftsIndex, st indexStats, t forum.SearchTerm) (float64, error) {
	df, err := db.documentFrequency(ctx, idx, st, t)
	if err != nil {
		return 0, err
	}
	n := math.Max(st.docs, df)
	return math.Log(1 + (n-df+0.5)/(df+0.5)), nil
}

func (db *DB) documentFrequency(ctx context.Context, idx ftsIndex, st indexStats, t forum.SearchTerm) (float64, error) {
	key := idx.table + "\x00" + strings.Join(t.Words, " ")
	now := time.Now()
	db.search.mu.Lock()
	e, ok := db.search.df[key]
	db.search.mu.Unlock()
	if ok && now.Sub(e.at) < dfTTL {
		return e.df, nil
	}
	var count int
	var oldest sql.NullInt64
	err := db.readRow(ctx, `SELECT COUNT(*), MIN(docid) FROM (SELECT docid FROM `+idx.table+` WHERE `+idx.table+
		` MATCH ? ORDER BY docid DESC LIMIT `+strconv.Itoa(dfProbe)+`)`, phrase(t.Words)).Scan(&count, &oldest)
	if err != nil {
		return 0, fmt.Errorf("search: document frequency: %w", err)
	}
	df := float64(count)
	if count == dfProbe {
		df = math.Min(st.docs, df/st.share(oldest.Int64))
	}
	db.search.mu.Lock()
	if db.search.df == nil || len(db.search.df) >= dfEntries {
		db.search.df = map[string]dfEntry{}
	}
	db.search.df[key] = dfEntry{df: df, at: now}
	db.search.mu.Unlock()
	return df, nil
}

// matchExpr is a plan's MATCH expression for one index, and search_rank's weights for it.
// Words and phrases come first (each with its inverse document frequency), then the
// store's own tokens for tags and author (weight 0), then what must not match.
func (db *DB) matchExpr(ctx context.Context, idx ftsIndex, st indexStats, plan *forum.SearchPlan) (string, string, error) {
	var pos, neg []string
	var idfs []string
	for _, t := range plan.Terms {
		w, err := db.inverseDF(ctx, idx, st, t)
		if err != nil {
			return "", "", err
		}
		pos = append(pos, phrase(t.Words))
		idfs = append(idfs, strconv.FormatFloat(w, 'f', 4, 64))
	}
	for _, tag := range plan.Tags {
		pos = append(pos, tagToken(tag))
		idfs = append(idfs, "0")
	}
	if plan.AuthorID != 0 {
		pos = append(pos, authorToken(plan.AuthorID))
		idfs = append(idfs, "0")
	}
	if len(pos) == 0 {
		pos = append(pos, allToken) // filters alone: every document is a candidate
		idfs = append(idfs, "0")
	}
	for _, t := range plan.Excluded {
		neg = append(neg, phrase(t.Words))
		idfs = append(idfs, "0")
	}
	for _, tag := range plan.ExcludedTags {
		neg = append(neg, tagToken(tag))
		idfs = append(idfs, "0")
	}
	expr := "(" + strings.Join(pos, " ") + ")"
	for _, n := range neg {
		expr += " NOT " + n
	}
	return expr, idx.weights + ";" + strings.Join(idfs, ","), nil
}

// questionFilters is the SQL condition of a plan's filters on the question's keys (the
// posts row k, joined through posts_search_questions), "1" when there are none.
func questionFilters(plan *forum.SearchPlan, districtID int64, authorCol string) (string, []any) {
	var conds []string
	var args []any
	rng := func(col string, r *forum.IntRange) {
		if r == nil {
			return
		}
		if r.Min != nil {
			conds, args = append(conds, col+` >= ?`), append(args, *r.Min)
		}
		if r.Max != nil {
			conds, args = append(conds, col+` <= ?`), append(args, *r.Max)
		}
	}
	rng("k.score", plan.Score)
	rng("k.answer_count", plan.Answers)
	if plan.Accepted != nil {
		conds = append(conds, map[bool]string{true: `k.accepted_answer_id IS NOT NULL`, false: `k.accepted_answer_id IS NULL`}[*plan.Accepted])
	}
	if plan.Closed != nil {
		conds = append(conds, map[bool]string{true: `k.closed_reason IS NOT NULL`, false: `k.closed_reason IS NULL`}[*plan.Closed])
	}
	if c := plan.Created; c != nil {
		if !c.From.IsZero() {
			conds, args = append(conds, `k.created_at >= ?`), append(args, c.From.UTC())
		}
		if !c.Until.IsZero() {
			conds, args = append(conds, `k.created_at < ?`), append(args, c.Until.UTC())
		}
	}
	if districtID != 0 {
		conds, args = append(conds, authorCol+` IN (SELECT id FROM users WHERE district_id = ?)`), append(args, districtID)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// searchKeyColumns are the columns of a candidate's question, in scanKeys' order.
const searchKeyColumns = `k.id, k.author_id, k.deleted_at IS NOT NULL, k.score, k.answer_count, k.accepted_answer_id IS NOT NULL,
	k.closed_reason IS NOT NULL, k.created_at, k.tags, COALESCE(d.slug, '')`

// questionJoin joins a candidate's question (k, by qid) and its asker's district.
func questionJoin(qid string) string {
	return ` JOIN posts k INDEXED BY posts_search_questions ON k.id = ` + qid + ` AND k.kind = 'question'
		LEFT JOIN users u ON u.id = k.author_id LEFT JOIN districts d ON d.id = u.district_id`
}

func scanKeys(dest []any, k *forum.SearchQuestionKeys, tags *string) []any {
	return append(dest, &k.ID, &k.AuthorID, &k.Deleted, &k.Score, &k.AnswerCount, &k.Accepted, &k.Closed, &k.CreatedAt,
		tags, &k.District)
}

// scan is one index's part of a search.
type scan struct {
	rows     int   // documents read
	oldest   int64 // the oldest docid read
	complete bool  // every match was read
	stats    indexStats
}

// weight is how many matches each candidate of a scan stands for.
func (s scan) weight() float64 {
	if s.complete || s.rows == 0 {
		return 1
	}
	return 1 / s.stats.share(s.oldest)
}

// SearchCandidates implements forum.SearchStore.
func (db *DB) SearchCandidates(ctx context.Context, plan forum.SearchPlan) (*forum.SearchCandidates, error) {
	if plan.Limit <= 0 {
		plan.Limit = forum.MaxSearchCandidates
	}
	var districtID int64
	if plan.District != "" {
		err := db.readRow(ctx, `SELECT id FROM districts WHERE slug = ?`, plan.District).Scan(&districtID)
		if err == sql.ErrNoRows {
			return &forum.SearchCandidates{Complete: true}, nil // no such district: nobody is in it
		}
		if err != nil {
			return nil, err
		}
	}
	byQuestion := map[int64]*forum.SearchCandidate{}
	var order []int64
	candidate := func(k forum.SearchQuestionKeys, tags string) *forum.SearchCandidate {
		c, ok := byQuestion[k.ID]
		if !ok {
			k.Tags = strings.Fields(tags)
			c = &forum.SearchCandidate{Question: k}
			byQuestion[k.ID] = c
			order = append(order, k.ID)
		}
		return c
	}
	complete := true
	var qscan, ascan scan
	if plan.Kind != forum.KindAnswer {
		var err error
		if qscan, err = db.scanQuestions(ctx, &plan, districtID, candidate); err != nil {
			return nil, err
		}
		complete = complete && qscan.complete
	}
	if plan.Kind != forum.KindQuestion {
		var err error
		if ascan, err = db.scanAnswers(ctx, &plan, districtID, candidate); err != nil {
			return nil, err
		}
		complete = complete && ascan.complete
	}
	out := &forum.SearchCandidates{Complete: complete, Items: make([]forum.SearchCandidate, 0, len(order))}
	for _, id := range order {
		c := byQuestion[id]
		if c.QuestionMatched {
			c.Weight = qscan.weight()
		} else {
			c.Weight = ascan.weight()
		}
		out.Items = append(out.Items, *c)
	}
	return out, nil
}

// scanQuestions reads the newest matching question documents.
func (db *DB) scanQuestions(ctx context.Context, plan *forum.SearchPlan, districtID int64,
	candidate func(forum.SearchQuestionKeys, string) *forum.SearchCandidate) (scan, error) {
	st, err := db.indexStats(ctx, questionIndex)
	if err != nil {
		return scan{}, err
	}
	expr, weights, err := db.matchExpr(ctx, questionIndex, st, plan)
	if err != nil {
		return scan{}, err
	}
	filters, fargs := questionFilters(plan, districtID, "k.author_id")
	limit := plan.Limit
	if filters != "1" {
		limit *= filteredScan
	}
	query := `SELECT s.docid, s.r, ` + filters + `, ` + searchKeyColumns + `
		FROM (SELECT docid, search_rank(matchinfo(search_questions, 'pcnaly'), ?) AS r FROM search_questions
			WHERE search_questions MATCH ? ORDER BY docid DESC LIMIT ?) s` + questionJoin("s.docid")
	args := append(fargs, weights, expr, limit)
	rows, err := db.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return scan{}, fmt.Errorf("search questions: %w", err)
	}
	defer rows.Close()
	sc := scan{stats: st}
	kept := 0
	for rows.Next() {
		var docid int64
		var rel float64
		var ok bool
		var k forum.SearchQuestionKeys
		var tags string
		dest := scanKeys([]any{&docid, &rel, &ok}, &k, &tags)
		if err := rows.Scan(dest...); err != nil {
			return scan{}, err
		}
		sc.rows++
		if sc.rows == 1 || docid < sc.oldest {
			sc.oldest = docid
		}
		if !ok || kept >= plan.Limit {
			continue
		}
		kept++
		c := candidate(k, tags)
		c.Relevance, c.QuestionMatched = rel, true
	}
	if err := rows.Err(); err != nil {
		return scan{}, err
	}
	sc.complete = sc.rows < limit
	return sc, nil
}

// scanAnswers reads the newest matching answer documents.
func (db *DB) scanAnswers(ctx context.Context, plan *forum.SearchPlan, districtID int64,
	candidate func(forum.SearchQuestionKeys, string) *forum.SearchCandidate) (scan, error) {
	st, err := db.indexStats(ctx, answerIndex)
	if err != nil {
		return scan{}, err
	}
	expr, weights, err := db.matchExpr(ctx, answerIndex, st, plan)
	if err != nil {
		return scan{}, err
	}
	filters, fargs := questionFilters(plan, districtID, "a.author_id")
	limit := plan.Limit
	if filters != "1" {
		limit *= filteredScan
	}
	query := `SELECT s.docid, s.r, a.author_id, a.deleted_at IS NOT NULL, ` + filters + `, ` + searchKeyColumns + `
		FROM (SELECT docid, search_rank(matchinfo(search_answers, 'pcnaly'), ?) AS r FROM search_answers
			WHERE search_answers MATCH ? ORDER BY docid DESC LIMIT ?) s
		JOIN posts a INDEXED BY posts_search_answers ON a.id = s.docid AND a.kind = 'answer'` + questionJoin("a.question_id")
	args := append(fargs, weights, expr, limit)
	rows, err := db.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return scan{}, fmt.Errorf("search answers: %w", err)
	}
	defer rows.Close()
	sc := scan{stats: st}
	kept := 0
	for rows.Next() {
		var m forum.SearchAnswerMatch
		var ok bool
		var k forum.SearchQuestionKeys
		var tags string
		dest := scanKeys([]any{&m.ID, &m.Relevance, &m.AuthorID, &m.Deleted, &ok}, &k, &tags)
		if err := rows.Scan(dest...); err != nil {
			return scan{}, err
		}
		sc.rows++
		if sc.rows == 1 || m.ID < sc.oldest {
			sc.oldest = m.ID
		}
		if !ok || kept >= plan.Limit {
			continue
		}
		kept++
		c := candidate(k, tags)
		c.Answers = append(c.Answers, m)
		sort.SliceStable(c.Answers, func(i, j int) bool { return c.Answers[i].Relevance > c.Answers[j].Relevance })
		if len(c.Answers) > maxAnswerMatches {
			c.Answers = c.Answers[:maxAnswerMatches]
		}
	}
	if err := rows.Err(); err != nil {
		return scan{}, err
	}
	sc.complete = sc.rows < limit
	return sc, nil
}

// SimilarQuestions implements forum.SearchStore: the titles that share the most of the
// rarest of terms (words most titles have say nothing about a duplicate).
func (db *DB) SimilarQuestions(ctx context.Context, terms []forum.SearchTerm, limit int) ([]forum.SimilarCandidate, error) {
	st, err := db.indexStats(ctx, questionIndex)
	if err != nil {
		return nil, err
	}
	type weighted struct {
		t   forum.SearchTerm
		idf float64
		df  float64
	}
	var ws []weighted
	seen := map[string]bool{}
	for _, term := range terms {
		// One word at a time: FTS4 takes a column filter on a word, not on a phrase.
		for i, w := range term.Words {
			if seen[w] || forum.IsSearchStopword(term.Stems[i]) {
				continue
			}
			seen[w] = true
			t := forum.SearchTerm{Words: []string{w}, Stems: []string{term.Stems[i]}}
			df, err := db.documentFrequency(ctx, questionIndex, st, t)
			if err != nil {
				return nil, err
			}
			if df == 0 {
				continue // in no question: cannot find anything
			}
			n := math.Max(st.docs, df)
			ws = append(ws, weighted{t: t, df: df, idf: math.Log(1 + (n-df+0.5)/(df+0.5))})
		}
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].df < ws[j].df })
	// Words in more than a tenth of the questions find too many to be worth reading,
	// unless there is nothing rarer.
	for len(ws) > 1 && ws[len(ws)-1].df > st.docs/10 {
		ws = ws[:len(ws)-1]
	}
	if len(ws) > similarTerms {
		ws = ws[:similarTerms]
	}
	if len(ws) == 0 {
		return nil, nil
	}
	var expr []string
	var idfs []string
	for _, w := range ws {
		// Unquoted, as a column filter needs: a folded word holds no character the query
		// syntax reads (letters, digits, '_' and non-ASCII only, lower-case, so never AND/OR).
		expr = append(expr, "title:"+w.t.Words[0])
		idfs = append(idfs, strconv.FormatFloat(w.idf, 'f', 4, 64))
	}
	weights := "1,0,0,0;" + strings.Join(idfs, ",")
	rows, err := db.reader.QueryContext(ctx, `SELECT s.r, `+searchKeyColumns+`
		FROM (SELECT docid, search_rank(matchinfo(search_questions, 'pcnaly'), ?) AS r FROM search_questions
			WHERE search_questions MATCH ? ORDER BY docid DESC LIMIT ?) s`+questionJoin("s.docid"),
		weights, strings.Join(expr, " OR "), similarScan)
	if err != nil {
		return nil, fmt.Errorf("similar questions: %w", err)
	}
	defer rows.Close()
	var out []forum.SimilarCandidate
	for rows.Next() {
		var c forum.SimilarCandidate
		var tags string
		dest := scanKeys([]any{&c.Relevance}, &c.Question, &tags)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		c.Question.Tags = strings.Fields(tags)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Relevance > out[j].Relevance })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// selectSearchPost is selectPost without the rendered HTML, which results never show.
var selectSearchPost = strings.Replace(selectPost, "p.body_html,", "'',", 1)

// SearchPosts implements forum.SearchStore.
func (db *DB) SearchPosts(ctx context.Context, questionIDs, answerIDs []int64, viewerID int64) (map[int64]*forum.Post, map[int64]string, error) {
	questions := map[int64]*forum.Post{}
	answers := map[int64]string{}
	if len(questionIDs) > 0 {
		args := []any{viewerID}
		for _, id := range questionIDs {
			args = append(args, id)
		}
		rows, err := db.reader.QueryContext(ctx, selectSearchPost+`WHERE p.id IN (`+marks(len(questionIDs))+`) AND p.kind = 'question'`, args...)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPost(rows)
			if err != nil {
				return nil, nil, err
			}
			questions[p.ID] = p
		}
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	if len(answerIDs) > 0 {
		args := make([]any, len(answerIDs))
		for i, id := range answerIDs {
			args[i] = id
		}
		rows, err := db.reader.QueryContext(ctx, `SELECT id, body FROM posts WHERE id IN (`+marks(len(answerIDs))+`) AND kind = 'answer'`, args...)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var body string
			if err := rows.Scan(&id, &body); err != nil {
				return nil, nil, err
			}
			answers[id] = body
		}
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return questions, answers, nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// SearchGeneration implements forum.SearchStore.
func (db *DB) SearchGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := db.readRow(ctx, `SELECT gen FROM search_state WHERE id = 1`).Scan(&gen)
	return gen, err
}
