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

// Search over FTS4 (migration 0017): the store finds candidates and scores their text;
// forum.Searcher decides the rest. A search reads each index newest first and stops after
// plan.Limit documents, so its work is bounded whatever the words; totals for more matches
// than that are estimated from how far back in time the part read reaches.

// ftsIndex is one of the two full-text tables.
type ftsIndex struct {
	table   string
	weights string // search_rank's column weights, in the table's column order
	// verifyCost is what checking one candidate's text costs, in documents of a doclist
	// read (5-11 µs against 45 ns, measured here): a question's title, body and tags are
	// twice an answer's text.
	verifyCost float64
}

var (
	questionIndex = ftsIndex{"search_questions", fmt.Sprintf("%g,%g,%g,0", forum.SearchTitleWeight, forum.SearchBodyWeight, forum.SearchTagsWeight), 250}
	answerIndex   = ftsIndex{"search_answers", fmt.Sprintf("%g,0", forum.SearchBodyWeight), 110}
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
	// maxIncrPhrase is the longest phrase FTS4 reads incrementally (MAX_INCR_PHRASE_TOKENS).
	maxIncrPhrase = 4
	// answerShare is the percentage of plan.Limit a search scores of the answers index.
	answerShare = 60
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

// indexStats are a table's document count, average words per column and docid range.
type indexStats struct {
	docs     float64
	avgLen   []float64
	min, max int64
	at       time.Time
}

// share is the part of the table's documents at or after docid (documents are spread
// about evenly over ids, which grow with time).
func (s indexStats) share(docid int64) float64 {
	if s.max <= s.min {
		return 1
	}
	return math.Min(1, math.Max(1e-9, float64(s.max-docid+1)/float64(s.max-s.min+1)))
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
	// FTS4 keeps the number of documents, then each column's number of words, as varints.
	st = indexStats{at: now}
	if n, k := binary.Uvarint(blob); k > 0 {
		st.docs = float64(n)
		for rest := blob[k:]; len(rest) > 0; {
			words, k := binary.Uvarint(rest)
			if k <= 0 {
				break
			}
			st.avgLen = append(st.avgLen, float64(words)/math.Max(1, st.docs))
			rest = rest[k:]
		}
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

// documentFrequency estimates in how many documents of a table a term occurs, from the
// newest dfProbe documents of the questions that have it (exact when there are fewer).
// For answers it scales the questions' frequency by their numbers: the same people write
// both about the same things, and probing the answers' doclists, ten times as long, would
// cost more than the search it plans (see openCost).
func (db *DB) documentFrequency(ctx context.Context, idx ftsIndex, st indexStats, t forum.SearchTerm) (float64, error) {
	if idx == answerIndex {
		qst, err := db.indexStats(ctx, questionIndex)
		if err != nil {
			return 0, err
		}
		df, err := db.documentFrequency(ctx, questionIndex, qst, t)
		if err != nil || qst.docs == 0 {
			return df, err
		}
		return math.Min(st.docs, df*st.docs/qst.docs), nil
	}
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

// A word in a fifth of the site, searched with a rare one, would have its whole doclist
// read to find the few documents that have both; then it is cheaper to match the rare word
// alone and check the common one in each candidate's text (with the same folding and
// tokenizer, so the answer is the same). ftsIndex.verifyCost says what a check costs.

// openCost is what starting to read a word's doclist costs, per document that has it,
// in documents read: FTS4 pays for a long doclist before it yields its first (newest)
// document, 25 ms for a word in three million answers here.
const openCost = 0.15

// weightedTerm is a term with its document frequency and BM25 weight in one index.
type weightedTerm struct {
	t   forum.SearchTerm
	df  float64
	idf float64
}

// scanPlan is how one index answers a plan: the MATCH expression and search_rank's
// weights for it, and the terms checked in each candidate's text instead.
type scanPlan struct {
	expr, weights string
	verify        []weightedTerm     // must occur in the text; scored there
	exclude       []forum.SearchTerm // must not occur in the text
}

// planScan splits a plan's terms between the index and the candidates' text, by the
// cheaper of the two (estimated from document frequencies, as if words were independent),
// and writes the MATCH expression: words and phrases first (each with its inverse
// document frequency), then the store's own tokens for tags and author (weight 0), then
// what must not match.
func (db *DB) planScan(ctx context.Context, idx ftsIndex, st indexStats, plan *forum.SearchPlan, limit int) (scanPlan, error) {
	var sp scanPlan
	terms := make([]weightedTerm, 0, len(plan.Terms))
	for _, t := range plan.Terms {
		df, err := db.documentFrequency(ctx, idx, st, t)
		if err != nil {
			return sp, err
		}
		n := math.Max(st.docs, df)
		terms = append(terms, weightedTerm{t: t, df: df, idf: math.Log(1 + (n-df+0.5)/(df+0.5))})
	}
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].df < terms[j].df })
	// Match the k rarest, check the rest: the k with the least work per candidate it
	// yields (checking many documents of which few pass is no saving).
	n := math.Max(st.docs, 1)
	bestK, bestCost, rows := len(terms), math.Inf(1), float64(limit)
	expected, entries := n, 0.0
	for k := 1; k <= len(terms); k++ {
		expected *= terms[k-1].df / n
		entries += terms[k-1].df
		out := math.Min(expected, float64(limit)) // documents the match yields
		cost := math.Min(1, float64(limit)/math.Max(expected, 1))*entries + entries*openCost
		pass := 1.0 // the share of them that have the words checked
		for _, w := range terms[k:] {
			pass *= w.df / n
		}
		if k < len(terms) {
			cost += out * idx.verifyCost
		}
		if perResult := cost / math.Max(out*pass, 1); perResult < bestCost {
			bestK, bestCost, rows = k, perResult, out
		}
	}
	var pos, neg, idfs []string
	for i, w := range terms {
		if i >= bestK {
			sp.verify = append(sp.verify, w)
			continue
		}
		if len(w.t.Words) <= maxIncrPhrase {
			pos = append(pos, phrase(w.t.Words))
			idfs = append(idfs, strconv.FormatFloat(w.idf, 'f', 4, 64))
			continue
		}
		// FTS4 reads a phrase of more words whole, not newest first: match it a few
		// words at a time, and check the whole phrase in the text (scored by its parts).
		for at := 0; at < len(w.t.Words); at += maxIncrPhrase {
			pos = append(pos, phrase(w.t.Words[at:min(len(w.t.Words), at+maxIncrPhrase)]))
			idfs = append(idfs, strconv.FormatFloat(w.idf, 'f', 4, 64))
		}
		sp.verify = append(sp.verify, weightedTerm{t: w.t, df: w.df})
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
		if len(terms) > 0 {
			// NOT reads the whole doclist of what it excludes.
			df, err := db.documentFrequency(ctx, idx, st, t)
			if err != nil {
				return sp, err
			}
			if df > rows*idx.verifyCost {
				sp.exclude = append(sp.exclude, t)
				continue
			}
		}
		neg = append(neg, phrase(t.Words))
		idfs = append(idfs, "0")
	}
	for _, tag := range plan.ExcludedTags {
		neg = append(neg, tagToken(tag))
		idfs = append(idfs, "0")
	}
	sp.expr = "(" + strings.Join(pos, " ") + ")"
	for _, n := range neg {
		sp.expr += " NOT " + n
	}
	sp.weights = idx.weights + ";" + strings.Join(idfs, ",")
	return sp, nil
}

// checkText applies a scan plan's verified and excluded terms to a document's text (its
// columns, as the index's), and returns the verified terms' BM25 score, or false when
// the document lacks one or has an excluded one.
func (sp *scanPlan) checkText(st indexStats, weights []float64, columns []string) (float64, bool) {
	// Only words that begin as a term's stem does are stemmed (stemming is most of the
	// cost); the others are counted.
	var prefixes []string
	add := func(t forum.SearchTerm) {
		for _, s := range t.Stems {
			prefixes = append(prefixes, stemPrefix(s))
		}
	}
	for _, w := range sp.verify {
		add(w.t)
	}
	for _, t := range sp.exclude {
		add(t)
	}
	toks := make([][]string, len(columns))
	for c, text := range columns {
		folded := forum.FoldSearchText(text)
		forum.EachSearchWord(folded, func(start, end int) {
			word, stem := folded[start:end], ""
			for _, p := range prefixes {
				if strings.HasPrefix(word, p) {
					stem = forum.PorterStem(word)
					break
				}
			}
			toks[c] = append(toks[c], stem) // "" stands for a word no term has
		})
	}
	count := func(t forum.SearchTerm, c int) int {
		n := 0
		for i := 0; i+len(t.Stems) <= len(toks[c]); i++ {
			match := true
			for j, st := range t.Stems {
				if toks[c][i+j] != st {
					match = false
					break
				}
			}
			if match {
				n++
			}
		}
		return n
	}
	for _, t := range sp.exclude {
		for c := range columns {
			if count(t, c) > 0 {
				return 0, false
			}
		}
	}
	score := 0.0
	for _, w := range sp.verify {
		found := false
		for c := range columns {
			tf := float64(count(w.t, c))
			if tf == 0 {
				continue
			}
			found = true
			avg := 1.0
			if c < len(st.avgLen) {
				avg = math.Max(1, st.avgLen[c])
			}
			norm := 1 - bm25B + bm25B*float64(len(toks[c]))/avg
			score += w.idf * weights[c] * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
		if !found {
			return 0, false
		}
	}
	return score, true
}

// stemPrefix is how a word must begin to stem to stem: Porter's steps change at most the
// last four letters (a "tion" for a "tional"), and the fallback for long words keeps at
// least their first three bytes.
func stemPrefix(stem string) string { return stem[:min(3, max(1, len(stem)-4))] }

// needsText reports whether candidates must be read to be checked.
func (sp *scanPlan) needsText() bool { return len(sp.verify) > 0 || len(sp.exclude) > 0 }

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
	if plan.CollaborativeID != 0 {
		conds, args = append(conds, `k.collaborative_id IS ?`), append(args, plan.CollaborativeID)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// searchKeyColumns are the columns of a candidate's question, in scanKeys' order.
const searchKeyColumns = `k.id, k.author_id, k.deleted_at IS NOT NULL, k.score, k.answer_count, k.accepted_answer_id IS NOT NULL,
	k.closed_reason IS NOT NULL, k.tags,
	EXISTS (SELECT 1 FROM posts ca INDEXED BY posts_curated WHERE ca.question_id = k.id AND ca.curated_at IS NOT NULL AND ca.deleted_at IS NULL),
	COALESCE(k.collaborative_id, 0), COALESCE(kg.slug, ''), kg.visibility IS 'private'`

// questionJoin joins a candidate's question (k, by qid) and its collaborative (kg: its
// slug for the facet, its visibility for the searcher's scope).
func questionJoin(qid string) string {
	return ` JOIN posts k INDEXED BY posts_search_questions ON k.id = ` + qid + ` AND k.kind = 'question'
		LEFT JOIN collaboratives kg ON kg.id = k.collaborative_id`
}

func scanKeys(dest []any, k *forum.SearchQuestionKeys, tags *string) []any {
	return append(dest, &k.ID, &k.AuthorID, &k.Deleted, &k.Score, &k.AnswerCount, &k.Accepted, &k.Closed, tags, &k.Curated,
		&k.CollaborativeID, &k.CollaborativeSlug, &k.Private)
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

// scanRow is a matching document that passed the filters.
type scanRow struct {
	docid int64
	rel   float64
	keys  forum.SearchQuestionKeys
	tags  string
	// Answers index only: the answer.
	authorID int64
	deleted  bool
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
	candidate := func(r *scanRow) *forum.SearchCandidate {
		c, ok := byQuestion[r.keys.ID]
		if !ok {
			r.keys.Tags = strings.Fields(r.tags)
			c = &forum.SearchCandidate{Question: r.keys}
			byQuestion[r.keys.ID] = c
			order = append(order, r.keys.ID)
		}
		return c
	}
	complete := true
	var qscan, ascan scan
	if plan.Kind != forum.KindAnswer {
		rows, sc, err := db.scanIndex(ctx, questionIndex, &plan, districtID)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			c := candidate(&rows[i])
			c.Relevance, c.QuestionMatched = rows[i].rel, true
		}
		qscan, complete = sc, complete && sc.complete
	}
	// Answers are read unless the questions' own text already gave more matches than are
	// scored: then the words are common, answer-only matches would rank below those, and
	// opening the answers' long doclists would cost the most of the search.
	if plan.Kind == forum.KindAnswer || plan.Kind == "" && qscan.complete {
		rows, sc, err := db.scanIndex(ctx, answerIndex, &plan, districtID)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			c := candidate(&rows[i])
			c.Answers = append(c.Answers, forum.SearchAnswerMatch{ID: rows[i].docid, AuthorID: rows[i].authorID,
				Deleted: rows[i].deleted, Relevance: rows[i].rel})
			sort.SliceStable(c.Answers, func(i, j int) bool { return c.Answers[i].Relevance > c.Answers[j].Relevance })
			if len(c.Answers) > maxAnswerMatches {
				c.Answers = c.Answers[:maxAnswerMatches]
			}
		}
		ascan, complete = sc, complete && sc.complete
	}
	if err := db.askerDistricts(ctx, byQuestion); err != nil {
		return nil, err
	}
	out := &forum.SearchCandidates{Complete: complete, Items: make([]forum.SearchCandidate, 0, len(order))}
	total := 0.0
	for _, id := range order {
		c := byQuestion[id]
		if c.QuestionMatched {
			c.Weight = qscan.weight()
		} else {
			c.Weight = ascan.weight()
		}
		total += c.Weight
		out.Items = append(out.Items, *c)
	}
	// The two estimates overlap (a question found by its words has answers with them too):
	// never more matches than there are questions.
	if st, err := db.indexStats(ctx, questionIndex); err == nil && !complete && total > st.docs && st.docs > 0 {
		for i := range out.Items {
			out.Items[i].Weight = math.Max(1, out.Items[i].Weight*st.docs/total)
		}
	}
	return out, nil
}

// askerDistricts fills in each candidate's asker's district, for the district facet: one
// read for all of them rather than two lookups per document scanned.
func (db *DB) askerDistricts(ctx context.Context, cands map[int64]*forum.SearchCandidate) error {
	seen := map[int64]bool{}
	var args []any
	for _, c := range cands {
		if !seen[c.Question.AuthorID] {
			seen[c.Question.AuthorID] = true
			args = append(args, c.Question.AuthorID)
		}
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT u.id, d.slug FROM users u JOIN districts d ON d.id = u.district_id
		WHERE u.id IN (`+marks(len(args))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	slugs := map[int64]string{}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		slugs[id] = slug
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cands {
		c.Question.District = slugs[c.Question.AuthorID]
	}
	return nil
}

// scanIndex reads the newest matching documents of one index that pass the plan's filters
// (and its checks on their text), at most plan.Limit of them.
func (db *DB) scanIndex(ctx context.Context, idx ftsIndex, plan *forum.SearchPlan, districtID int64) ([]scanRow, scan, error) {
	st, err := db.indexStats(ctx, idx)
	if err != nil {
		return nil, scan{}, err
	}
	answers := idx == answerIndex
	authorCol := "k.author_id"
	if answers {
		authorCol = "a.author_id"
	}
	filters, fargs := questionFilters(plan, districtID, authorCol)
	want := plan.Limit
	if answers {
		// Answers are ten times as many documents and count for less than a question's
		// own words: fewer of them are scored.
		want = max(1, want*answerShare/100)
	}
	limit := want
	if filters != "1" {
		limit *= filteredScan
	}
	sp, err := db.planScan(ctx, idx, st, plan, limit)
	if err != nil {
		return nil, scan{}, err
	}
	var query string
	if answers {
		query = `SELECT s.docid, s.r, ` + filters + `, a.author_id, a.deleted_at IS NOT NULL, ` + searchKeyColumns + `
			FROM (SELECT docid, search_rank(matchinfo(search_answers, 'pcnaly'), ?) AS r FROM search_answers
				WHERE search_answers MATCH ? ORDER BY docid DESC LIMIT ?) s
			JOIN posts a INDEXED BY posts_search_answers ON a.id = s.docid AND a.kind = 'answer'` + questionJoin("a.question_id")
	} else {
		query = `SELECT s.docid, s.r, ` + filters + `, 0, 0, ` + searchKeyColumns + `
			FROM (SELECT docid, search_rank(matchinfo(search_questions, 'pcnaly'), ?) AS r FROM search_questions
				WHERE search_questions MATCH ? ORDER BY docid DESC LIMIT ?) s` + questionJoin("s.docid")
	}
	rows, err := db.reader.QueryContext(ctx, query, append(fargs, sp.weights, sp.expr, limit)...)
	if err != nil {
		return nil, scan{}, fmt.Errorf("search %s: %w", idx.table, err)
	}
	defer rows.Close()
	sc := scan{stats: st}
	var out []scanRow
	for rows.Next() {
		var r scanRow
		var ok bool
		if err := rows.Scan(scanKeys([]any{&r.docid, &r.rel, &ok, &r.authorID, &r.deleted}, &r.keys, &r.tags)...); err != nil {
			return nil, scan{}, err
		}
		sc.rows++
		if sc.rows == 1 || r.docid < sc.oldest {
			sc.oldest = r.docid
		}
		if ok && (sp.needsText() || len(out) < want) {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, scan{}, err
	}
	sc.complete = sc.rows < limit
	if sp.needsText() {
		if out, err = db.checkRows(ctx, idx, &sp, st, out); err != nil {
			return nil, scan{}, err
		}
		if len(out) > want {
			out = out[:want]
		}
	}
	return out, sc, nil
}

// columnWeights are search_rank's weights of an index, as numbers.
func (idx ftsIndex) columnWeights() []float64 {
	w, _, _ := strings.Cut(idx.weights, ";")
	return parseFloats(w)
}

// checkRows keeps the rows whose text has every verified term and no excluded one, and
// adds the verified terms' scores.
func (db *DB) checkRows(ctx context.Context, idx ftsIndex, sp *scanPlan, st indexStats, rows []scanRow) ([]scanRow, error) {
	if len(rows) == 0 {
		return rows, nil
	}
	args := make([]any, len(rows))
	for i, r := range rows {
		args[i] = r.docid
	}
	cols := `title, body, tags`
	if idx == answerIndex {
		cols = `body`
	}
	res, err := db.reader.QueryContext(ctx, `SELECT id, `+cols+` FROM posts WHERE id IN (`+marks(len(rows))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	texts := map[int64][]string{}
	for res.Next() {
		var id int64
		var title, body, tags string
		dest := []any{&id, &title, &body, &tags}
		if idx == answerIndex {
			dest = []any{&id, &body}
		}
		if err := res.Scan(dest...); err != nil {
			return nil, err
		}
		if idx == answerIndex {
			texts[id] = []string{body}
		} else {
			texts[id] = []string{title, body, tags}
		}
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	weights := idx.columnWeights()
	kept := rows[:0]
	for _, r := range rows {
		if extra, ok := sp.checkText(st, weights, texts[r.docid]); ok {
			r.rel += extra
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// SimilarTitles implements forum.SearchStore: the titles that share the most of the
// rarest of terms (words most titles have say nothing about a duplicate).
func (db *DB) SimilarTitles(ctx context.Context, terms []forum.SearchTerm, limit int) ([]forum.SimilarCandidate, error) {
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
