package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"staffroom/forum"
)

// benchSearchDB opens STAFFROOM_BENCH_DB (a database from `staffroom bench-data`), or
// generates a small one.
func benchSearchDB(b *testing.B) *DB {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("STAFFROOM_BENCH_DB")
	fresh := path == ""
	if fresh {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	db, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if fresh {
		if err := db.BenchmarkData(ctx, 5000, 10, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
	if left, err := db.SearchBackfillPending(ctx); err != nil || left > 0 {
		b.Fatalf("the index is not complete (%d post ids left, %v): run the server or `staffroom reindex` first", left, err)
	}
	return db
}

// typicalQueries are 1 to 3 words people search for: words of every frequency, the common
// ones more often (drawn as the generator draws text, so as often as they occur).
func typicalQueries(n int) []string {
	rng := rand.New(rand.NewPCG(7, 8))
	text := newBenchText(rng)
	out := make([]string, n)
	for i := range out {
		q := ""
		for j := range 1 + rng.IntN(3) {
			if j > 0 {
				q += " "
			}
			q += benchWords[text.zipf.Uint64()]
		}
		out[i] = q
	}
	return out
}

// measure runs fn for each input and reports the median and 99th percentile.
func measure(b *testing.B, inputs []string, fn func(string) error) {
	b.Helper()
	var d []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := fn(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkSearch measures searches as the API runs them (facets, a page of 15 with
// snippets), never from the cache: typical 1-3 word queries, the most common word,
// similar-question lookups and a filter with words.
func BenchmarkSearch(b *testing.B) {
	db := benchSearchDB(b)
	ctx := context.Background()
	search := func(q string) error {
		s := &forum.Searcher{Store: db} // a fresh one: nothing cached
		_, err := s.Search(ctx, nil, forum.SearchInput{Q: q})
		return err
	}
	b.Run("typical", func(b *testing.B) { measure(b, typicalQueries(2000), search) })
	b.Run("common-word", func(b *testing.B) { measure(b, []string{"students", "class", "teacher"}, search) })
	b.Run("tag-and-words", func(b *testing.B) {
		measure(b, []string{"[topic-007] rubric", "[topic-123] students feedback", "[topic-400]"}, search)
	})
	b.Run("similar", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		text := newBenchText(rng)
		titles := make([]string, 500)
		for i := range titles {
			titles[i] = text.title()
		}
		measure(b, titles, func(title string) error {
			_, err := (&forum.Searcher{Store: db}).Similar(ctx, nil, title)
			return err
		})
	})
	b.Run("cached", func(b *testing.B) {
		s := &forum.Searcher{Store: db}
		measure(b, typicalQueries(200), func(q string) error {
			_, err := s.Search(ctx, nil, forum.SearchInput{Q: q})
			return err
		})
	})
}

// BenchmarkIndexedWrite is what indexing adds to writing a post: the same questions and
// answers written with the search triggers and without them.
func BenchmarkIndexedWrite(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"indexed", "unindexed"} {
		b.Run(mode, func(b *testing.B) {
			db, err := Open(filepath.Join(b.TempDir(), "w.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			if err := db.BenchmarkData(ctx, 2000, 5, 0, nil); err != nil {
				b.Fatal(err)
			}
			if mode == "unindexed" {
				for _, tr := range []string{"search_question_insert", "search_answer_insert"} {
					if _, err := db.writer.Exec(`DROP TRIGGER ` + tr); err != nil {
						b.Fatal(err)
					}
				}
			}
			var author int64
			db.reader.QueryRow(`SELECT MIN(id) FROM users`).Scan(&author)
			text := newBenchText(rand.New(rand.NewPCG(5, 6)))
			type post struct{ title, body string }
			posts := make([]post, 1000)
			for i := range posts {
				posts[i] = post{text.title(), text.paragraph(70)}
			}
			var qid int64
			now := time.Now()
			i := 0
			var d []time.Duration
			b.ResetTimer()
			for b.Loop() {
				p := posts[i%len(posts)]
				start := time.Now()
				if i%4 == 0 || qid == 0 {
					q, err := db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: author, Title: p.title, Body: p.body, BodyHTML: p.body,
						Tags: []string{fmt.Sprintf("topic-%03d", i%500)}, Now: now})
					if err != nil {
						b.Fatal(err)
					}
					qid = q.ID
				} else if _, err := db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: qid, AuthorID: author, Body: p.body, BodyHTML: p.body, Now: now}); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
				i++
			}
			sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
			b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
