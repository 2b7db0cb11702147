package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

func openInternal(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// The snippets mark the words the index matched only if forum's tokenizer splits and
// stems exactly as SQLite's porter tokenizer does: compare them on many words.
func TestPorterMatchesSQLite(t *testing.T) {
	db := openInternal(t)
	if _, err := db.writer.Exec(`CREATE VIRTUAL TABLE temp.tok USING fts3tokenize(porter)`); err != nil {
		t.Fatal(err)
	}
	words := append([]string{}, benchWords...)
	words = append(words, benchFiller...)
	words = append(words, strings.Fields(`caresses ponies ties caress cats feed agreed plastered bled motoring sing
		conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional
		rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization
		predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate
		formative formalize electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic
		adjustable defensible irritant replacement adjustment dependent adoption homologou communism activate angulariti
		homologous effective bowdlerize probate rate cease controll roll generalizations oscillators y yy yyy ay eye
		sbg 1:1 k12 ell2 covid19 a1b2c3d4e5f6g7h8 supercalifragilisticexpialidocious antidisestablishmentarianism
		naïve über straße ÉCOLE don't it's o'clock x_y __init__ CamelCase HTTPServer`)...)
	for _, w := range append(words, storeToken('u', 0), storeToken('u', 1<<62), tagToken("standards-based-grading"), allToken) {
		folded := forum.FoldSearchText(w)
		rows, err := db.writer.Query(`SELECT token, start, "end" FROM temp.tok WHERE input = ?`, folded)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for rows.Next() {
			var tok string
			var start, end int
			if err := rows.Scan(&tok, &start, &end); err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("%s@%d-%d", tok, start, end))
		}
		rows.Close()
		var got []string
		for _, tk := range forum.SearchTokens(folded) {
			got = append(got, fmt.Sprintf("%s@%d-%d", tk.Stem, tk.Start, tk.End))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q (folded %q): forum %v, sqlite %v", w, folded, got, want)
		}
		// Checking text in Go stems only words that begin as the stem sought does.
		for _, tk := range forum.SearchTokens(folded) {
			if word := folded[tk.Start:tk.End]; !strings.HasPrefix(word, stemPrefix(tk.Stem)) {
				t.Errorf("%q stems to %q, which stemPrefix would not look for", word, tk.Stem)
			}
		}
	}
	// Store tokens pass the stemmer untouched: the index holds exactly what queries ask.
	for _, tok := range []string{storeToken('u', 0), storeToken('t', 1<<64-1), allToken} {
		if got := forum.PorterStem(tok); got != tok || len(tok) > 20 {
			t.Errorf("store token %q stems to %q", tok, got)
		}
	}
}

// Posts written before the index existed are indexed in batches, newest first; an edit
// the triggers index before the backfill reaches the post is not indexed twice.
func TestBackfillSearch(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	u, err := db.CreateUser(ctx, forum.NewUser{Username: "teacher", Email: "t@example.org", DisplayName: "T", PasswordHash: "x"}, now)
	if err != nil {
		t.Fatal(err)
	}
	var qs []*forum.Post
	for i := range 5 {
		q, err := db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: u.ID, Title: fmt.Sprintf("Question number %d about rubrics", i),
			Body: "A body long enough to be a question body.", BodyHTML: "<p>x</p>", Tags: []string{"grading"}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: u.ID, Body: "An answer about portfolios.", BodyHTML: "<p>x</p>", Now: now}); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	count := func(table, match string) int {
		var n int
		if err := db.reader.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE `+table+` MATCH ?`, match).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("search_questions", "rubric") != 5 || count("search_answers", "portfolio") != 5 {
		t.Fatal("the triggers did not index new posts")
	}
	edited := false
	var lefts []int64
	err = db.reindex(ctx, func(left int64) {
		lefts = append(lefts, left)
		if !edited { // the oldest question is not indexed yet: edit it now
			edited = true
			title := "Question number 0 about exit tickets"
			if _, err := db.EditPost(ctx, forum.StoredEdit{PostID: qs[0].ID, EditorID: u.ID, Title: &title, Now: now}); err != nil {
				t.Error(err)
			}
		}
	}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(lefts) < 3 || lefts[len(lefts)-1] != 0 {
		t.Fatalf("progress = %v, want several batches down to 0", lefts)
	}
	if got := count("search_questions", "rubric"); got != 4 {
		t.Fatalf("questions about rubrics = %d, want 4", got)
	}
	if count("search_questions", "exit ticket") != 1 || count("search_answers", "portfolio") != 5 {
		t.Fatal("reindexed content is wrong")
	}
	if left, err := db.SearchBackfillPending(ctx); err != nil || left != 0 {
		t.Fatalf("pending = %d, %v", left, err)
	}
}

// Every way a post's words change keeps the index exactly in step with the posts (FTS4's
// own integrity check compares each document with its text in the content views).
func TestSearchIndexStaysConsistent(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	u, _ := db.CreateUser(ctx, forum.NewUser{Username: "teacher", Email: "t@example.org", DisplayName: "T", PasswordHash: "x"}, now)
	mod, _ := db.CreateUser(ctx, forum.NewUser{Username: "mod", Email: "m@example.org", DisplayName: "M", PasswordHash: "x", Role: forum.RoleMember}, now)
	q, err := db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: u.ID, Title: "Café seating for reading groups",
		Body: "Naïve question about the reading café.", BodyHTML: "<p>x</p>", Tags: []string{"reading", "classroom"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: mod.ID, Body: "Beanbags by the window.", BodyHTML: "<p>x</p>", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: u.ID, Body: "Rugs, and a rota.", BodyHTML: "<p>x</p>", Now: now})
	title, body, abody := "Coöperative seating for reading groups", "Straße and façade.", "Beanbags, then chairs."
	steps := []func() error{
		func() error {
			_, err := db.EditPost(ctx, forum.StoredEdit{PostID: q.ID, EditorID: u.ID, Title: &title, Body: &body, BodyHTML: "<p>x</p>", Now: now})
			return err
		},
		func() error {
			_, err := db.EditPost(ctx, forum.StoredEdit{PostID: q.ID, EditorID: u.ID, Tags: []string{"seating"}, Now: now})
			return err
		},
		func() error {
			_, err := db.EditPost(ctx, forum.StoredEdit{PostID: a.ID, EditorID: mod.ID, Body: &abody, BodyHTML: "<p>x</p>", Now: now})
			return err
		},
		func() error { return db.DeletePost(ctx, a.ID, &forum.User{ID: mod.ID, Role: forum.RoleAdmin}, now) },
		func() error { return db.UndeletePost(ctx, a.ID, &forum.User{ID: mod.ID, Role: forum.RoleAdmin}, now) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if err := db.CheckSearchIndex(ctx); err != nil {
			t.Fatalf("after step %d: %v", i, err)
		}
	}
	var n int
	db.reader.QueryRow(`SELECT COUNT(*) FROM search_answers WHERE search_answers MATCH ?`, tagToken("seating")).Scan(&n)
	if n != 2 {
		t.Fatalf("answers carrying the new tag = %d, want 2", n)
	}
}

// An index built by another analyzer (other folding or Unicode tables) is emptied and
// filled again, never edited with words it was not built from.
func TestSearchAnalyzerChange(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	u, _ := db.CreateUser(ctx, forum.NewUser{Username: "teacher", Email: "t@example.org", DisplayName: "T", PasswordHash: "x"}, now)
	if _, err := db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: u.ID, Title: "Exit tickets that take one minute",
		Body: "What do you ask on them?", BodyHTML: "<p>x</p>", Tags: []string{"assessment"}, Now: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.Exec(`UPDATE search_state SET analyzer = 'fold0'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if left, _ := db.SearchBackfillPending(ctx); left == 0 {
		t.Fatal("a changed analyzer left the old index in place")
	}
	var analyzer string
	db.reader.QueryRow(`SELECT analyzer FROM search_state`).Scan(&analyzer)
	if analyzer != searchAnalyzer {
		t.Fatalf("analyzer = %q", analyzer)
	}
	if err := db.BackfillSearch(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
}
