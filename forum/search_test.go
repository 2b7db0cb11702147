package forum

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFoldSearchText(t *testing.T) {
	for in, want := range map[string]string{
		"Café":           "cafe",
		"CAFÉ":           "cafe",
		"cafe\u0301":     "cafe", // decomposed, as some keyboards send it
		"Straße Œuvre":   "strasse oeuvre",
		"ﬁnal ＡＢＣ":       "final abc",
		"naïve coöp":     "naive coop",
		"Łódź":           "lodz",
		"plain ascii OK": "plain ascii ok",
		"\xff bad":       "  bad",
		"日本語":            "日本語",
	} {
		if got := FoldSearchText(in); got != want {
			t.Errorf("FoldSearchText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPorterStem(t *testing.T) {
	// Against the reference outputs of Porter's algorithm as SQLite implements it (the
	// sqlite package compares every tokenizer result with SQLite's own).
	for in, want := range map[string]string{
		"rubrics": "rubric", "grading": "grade", "grade": "grade", "graded": "grade", "caresses": "caress",
		"ponies": "poni", "relational": "relat", "hopping": "hop", "agreed": "agre", "generalizations": "gener",
		"sky": "sky", "at": "at", "covid19": "covd19", "supercalifragilisticexpialidocious": "supercalifalidocious",
		"a1b2c3d4e5f6g7h8": "a1b7h8", // long words keep their ends, as SQLite's porter does
	} {
		if got := PorterStem(in); got != want {
			t.Errorf("PorterStem(%q) = %q, want %q", in, got, want)
		}
	}
}

func terms(ts []SearchTerm) string {
	var out []string
	for _, t := range ts {
		out = append(out, strings.Join(t.Words, "+"))
	}
	return strings.Join(out, " ")
}

func TestParseSearchQuery(t *testing.T) {
	for _, c := range []struct {
		in, terms, excluded, tags string
		check                     func(q SearchQuery) bool
	}{
		{in: "rubric feedback", terms: "rubric feedback"},
		{in: "How do you grade essays?", terms: "grade essays"}, // stopwords go when others stay
		{in: "how do you", terms: "how do you"},                 // unless they are all there is
		{in: `"exit ticket" warmup`, terms: "exit+ticket warmup"},
		{in: `"unbalanced phrase`, terms: "unbalanced+phrase"},
		{in: "-homework -[math] -\"late work\"", excluded: "homework late+work", check: func(q SearchQuery) bool { return fmt.Sprint(q.ExcludedTags) == "[math]" }},
		{in: "[grading] [Middle-School] [grading] essays", terms: "essays", tags: "grading middle-school"},
		{in: "[unclosed tag", terms: "tag", tags: "unclosed"},
		{in: "[bad tag!] x", terms: "x", check: func(q SearchQuery) bool { return len(q.Ignored) == 1 }},
		{in: "standards-based grading", terms: "standards+based grading"},
		{in: "Café", terms: "cafe"},
		{in: "NEAR(rubric essays) OR x AND y NOT z", terms: "rubric essays x y z"},
		{in: `title:rubric http://example.org 9:30`, terms: "title+rubric http+example+org 9+30"},
		{in: "zallqz rubric", terms: "rubric"}, // the store's own tokens are never words
		{in: "-", terms: ""},
		{in: "*", terms: ""},
		{in: "user:me", check: func(q SearchQuery) bool { return q.UserMe }},
		{in: "user:42 is:answer", check: func(q SearchQuery) bool { return q.User != nil && *q.User == 42 && q.Kind == KindAnswer }},
		{in: "user:abc", check: func(q SearchQuery) bool { return q.User == nil && len(q.Ignored) == 1 }},
		{in: "score:3", check: func(q SearchQuery) bool { return *q.Score.Min == 3 && q.Score.Max == nil }},
		{in: "score:5..-2", check: func(q SearchQuery) bool { return *q.Score.Min == -2 && *q.Score.Max == 5 }},
		{in: "answers:0", check: func(q SearchQuery) bool { return q.Answers.Min == nil && *q.Answers.Max == 0 }},
		{in: "answers:2", check: func(q SearchQuery) bool { return *q.Answers.Min == 2 && q.Answers.Max == nil }},
		{in: "isaccepted:yes closed:no", check: func(q SearchQuery) bool { return *q.Accepted && !*q.Closed }},
		{in: "isaccepted:maybe", check: func(q SearchQuery) bool { return q.Accepted == nil && len(q.Ignored) == 1 }},
		{in: "created:2026-01..2026-06", check: func(q SearchQuery) bool {
			return q.Created.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) && q.Created.Until.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
		}},
		{in: "created:2026", check: func(q SearchQuery) bool { return q.Created.Until.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) }},
		{in: "created:2026-13", check: func(q SearchQuery) bool { return q.Created == nil && len(q.Ignored) == 1 }},
		{in: "collaborative:Math-Leads district:north", check: func(q SearchQuery) bool { return q.Collaborative == "math-leads" && q.District == "north" }},
		{in: strings.Repeat("word ", 2000), terms: "word"},
		{in: strings.Repeat("a ", 3) + strings.Repeat("é", 600), check: func(q SearchQuery) bool { return len(q.Terms) == 1 }},
	} {
		q := ParseSearchQuery(c.in)
		if c.check == nil && (terms(q.Terms) != c.terms || terms(q.Excluded) != c.excluded || strings.Join(q.Tags, " ") != c.tags) {
			t.Errorf("%.40q: terms %q excluded %q tags %v", c.in, terms(q.Terms), terms(q.Excluded), q.Tags)
		}
		if c.check != nil && !c.check(q) {
			t.Errorf("%.40q: parsed as %+v", c.in, q)
		}
	}
	many := ParseSearchQuery(strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi ", 3))
	if len(many.Terms) != MaxSearchTerms {
		t.Errorf("terms kept = %d, want %d", len(many.Terms), MaxSearchTerms)
	}
}

func TestSnippet(t *testing.T) {
	stems := map[string]bool{"rubric": true, "cafe": true}
	long := strings.Repeat("Filler words about nothing in particular. ", 20)
	parts := Snippet(long+"Our **Café** rubric [guide](https://x.org) <b>here</b>. "+long, stems, 120)
	var text, marks strings.Builder
	for _, p := range parts {
		text.WriteString(p.Text)
		if p.Mark {
			marks.WriteString(p.Text + ",")
		}
	}
	if marks.String() != "Café,rubric," {
		t.Fatalf("marks = %q in %q", marks.String(), text.String())
	}
	if s := text.String(); !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || strings.ContainsAny(s, "*<>[]()") || len(s) > 140 {
		t.Fatalf("snippet = %q", s)
	}
	if got := Snippet("Short text, no match.", stems, 120); len(got) != 1 || got[0].Text != "Short text, no match." {
		t.Fatalf("no match = %+v", got)
	}
	if got := MarkWords("Rubrics for the café", stems); fmt.Sprint(got) != "[{Rubrics true} { for the  false} {café true}]" {
		t.Fatalf("MarkWords = %v", got)
	}
}

func TestRankingAndScope(t *testing.T) {
	cand := &SearchCandidates{Complete: true, Items: []SearchCandidate{
		{Question: SearchQuestionKeys{ID: 1, AuthorID: 10}, Relevance: 2, QuestionMatched: true, Weight: 1},
		{Question: SearchQuestionKeys{ID: 2, AuthorID: 10, Score: 40, Accepted: true, AnswerCount: 3}, Relevance: 2, QuestionMatched: true, Weight: 1},
		{Question: SearchQuestionKeys{ID: 3, AuthorID: 11}, Relevance: 2, QuestionMatched: true, Weight: 1},
		{Question: SearchQuestionKeys{ID: 4, AuthorID: 12, Deleted: true}, Relevance: 9, QuestionMatched: true, Weight: 1},
		{Question: SearchQuestionKeys{ID: 5, AuthorID: 13}, Answers: []SearchAnswerMatch{{ID: 50, AuthorID: 14, Deleted: true, Relevance: 9}}, Weight: 1},
	}}
	ids := func(rs []rankedResult) string {
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprint(r.c.Question.ID))
		}
		return strings.Join(out, ",")
	}
	// Votes and acceptance lift an equal match; among equals the newer wins.
	if got := ids(rankCandidates(cand, SearchScope{}, SearchByRelevance)); got != "2,3,1" {
		t.Fatalf("anonymous ranking = %s", got)
	}
	if got := ids(rankCandidates(cand, SearchScope{ViewerID: 12}, SearchByRelevance)); got != "4,2,3,1" {
		t.Fatalf("the author of the deleted question sees = %s", got)
	}
	if got := ids(rankCandidates(cand, SearchScope{ViewerID: 14}, SearchByRelevance)); got != "5,2,3,1" {
		t.Fatalf("the author of the deleted answer sees = %s", got)
	}
	if got := ids(rankCandidates(cand, SearchScope{ViewerID: 99, Moderator: true}, SearchByVotes)); got != "2,5,4,3,1" {
		t.Fatalf("a moderator by votes = %s", got)
	}
	total, facets := countResults(rankCandidates(cand, SearchScope{}, SearchByRelevance), true)
	if total != 3 || fmt.Sprint(facets.Status) != "[{answered 1} {unanswered 2} {accepted 1}]" {
		t.Fatalf("total %d, status %v", total, facets.Status)
	}
	// Estimates: each match read stands for the matches it represents.
	est := &SearchCandidates{Items: []SearchCandidate{
		{Question: SearchQuestionKeys{ID: 1, Tags: []string{"a"}}, QuestionMatched: true, Weight: 250},
		{Question: SearchQuestionKeys{ID: 2, Tags: []string{"a", "b"}}, QuestionMatched: true, Weight: 250},
	}}
	total, facets = countResults(rankCandidates(est, SearchScope{}, SearchByRelevance), false)
	if total != 500 || fmt.Sprint(facets.Tags) != "[{a 500} {b 250}]" {
		t.Fatalf("estimated total %d, tags %v", total, facets.Tags)
	}
}

// countingStore is a SearchStore that counts the searches it runs.
type countingStore struct {
	mu       sync.Mutex
	searches int
	gen      int64
}

func (c *countingStore) SearchCandidates(ctx context.Context, plan SearchPlan) (*SearchCandidates, error) {
	c.mu.Lock()
	c.searches++
	c.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // long enough for the others to arrive meanwhile
	return &SearchCandidates{Complete: true, Items: []SearchCandidate{
		{Question: SearchQuestionKeys{ID: 7, AuthorID: 1}, Relevance: 1, QuestionMatched: true, Weight: 1}}}, nil
}
func (c *countingStore) SimilarTitles(context.Context, []SearchTerm, int) ([]SimilarCandidate, error) {
	return nil, nil
}
func (c *countingStore) SearchPosts(_ context.Context, qids, _ []int64, _ int64) (map[int64]*Post, map[int64]string, error) {
	out := map[int64]*Post{}
	for _, id := range qids {
		out[id] = &Post{ID: id, Kind: KindQuestion, Title: "Rubrics", Body: "rubric", Author: &User{ID: 1}}
	}
	return out, nil, nil
}
func (c *countingStore) SearchGeneration(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, nil
}

// A popular query is searched once, however many ask at once, and again after any change
// to the index.
func TestSearchCache(t *testing.T) {
	store := &countingStore{}
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	s := &Searcher{Store: store, Now: func() time.Time { return now }}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Search(context.Background(), nil, SearchInput{Q: "rubric"})
			if err != nil || len(res.Hits) != 1 {
				t.Errorf("search = %+v, %v", res, err)
			}
		}()
	}
	wg.Wait()
	if store.searches != 1 {
		t.Fatalf("20 searches at once ran %d times", store.searches)
	}
	store.mu.Lock()
	store.gen++ // a post was written
	store.mu.Unlock()
	s.Search(context.Background(), &User{ID: 2}, SearchInput{Q: "rubric"})
	if store.searches != 2 {
		t.Fatalf("after a change to the index: %d searches, want 2", store.searches)
	}
}
