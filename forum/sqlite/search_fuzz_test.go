package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"staffroom/forum"
)

// FuzzSearchQuery searches a small site for any text, anonymously and as a moderator:
// every query must parse into words the index reads as words (never query syntax: a
// stray quote, NEAR( or column filter would be an FTS4 error), and every search must
// answer without error.
func FuzzSearchQuery(f *testing.F) {
	for _, q := range []string{"rubric", `"exact phrase" -excluded [grading]`, "user:1 is:answer score:1..5",
		`"unbalanced`, "-", "[", "*", "]", `'; DROP TABLE posts; --`, "NEAR(a b)", "a OR b", "^a", "title:a",
		"zallqz", "created:2026-01..2026-06 answers:0 isaccepted:no closed:yes", "collaborative:x district:y",
		"café CAFÉ coöp", "\xff\xfe", "a\x00b", strings.Repeat(`"[-*():^`, 700), strings.Repeat("word ", 1000)} {
		f.Add(q)
	}
	ctx := context.Background()
	// One site for the whole run, as in the benchmarks.
	db, err := Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	if err := db.BenchmarkData(ctx, 50, 2, 0, nil); err != nil {
		f.Fatal(err)
	}
	mod := &forum.User{ID: 1, Role: forum.RoleModerator}
	now := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, q string) {
		parsed := forum.ParseSearchQuery(q)
		if len(parsed.Terms) > forum.MaxSearchTerms || len(parsed.Excluded) > forum.MaxSearchTerms {
			t.Fatalf("%d terms", len(parsed.Terms))
		}
		for _, term := range append(parsed.Terms, parsed.Excluded...) {
			if len(term.Words) == 0 || len(term.Words) > forum.MaxPhraseWords || len(term.Words) != len(term.Stems) {
				t.Fatalf("term %+v", term)
			}
			for i, w := range term.Words {
				if w == "" || strings.ContainsFunc(w, func(r rune) bool {
					return r < utf8.RuneSelf && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
				}) {
					t.Fatalf("word %q is not a folded word", w)
				}
				if term.Stems[i] != forum.PorterStem(w) || len(term.Stems[i]) >= 4 && term.Stems[i][0] == 'z' && strings.HasSuffix(term.Stems[i], "qz") {
					t.Fatalf("stem %q of %q", term.Stems[i], w)
				}
			}
		}
		for _, u := range []*forum.User{nil, mod} {
			s := &forum.Searcher{Store: db, Now: now}
			if _, err := s.Search(ctx, u, forum.SearchInput{Q: q}); err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
		}
		if _, err := (&forum.Searcher{Store: db, Now: now}).Similar(ctx, nil, q); err != nil {
			t.Fatalf("similar %q: %v", q, err)
		}
	})
}
