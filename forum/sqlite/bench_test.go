package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/sqlite"
	"staffroom/forum/storetest"
)

// BenchmarkTokenByHash is the read behind every bearer-authenticated request.
func BenchmarkTokenByHash(b *testing.B) {
	t := &testing.T{}
	db := openTestDB(t)
	u := storetest.MustCreateUser(t, db, "bench")
	ctx := context.Background()
	if err := db.CreateToken(ctx, &forum.APIToken{UserID: u.ID, Name: "b", Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := db.TokenByHash(ctx, []byte("0123456789abcdef0123456789abcdef")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVotes is durable votes from many people at once on one post: each operation
// is one vote (up, or taking it back), with its reputation, in the group-committed writer.
// BenchmarkVotes: 256 people voting at once, durable each. "fresh": each casts one up vote
// per post on a run of posts, as a crowd on a busy page does. "toggle": each flips their
// vote on one post over and over, the worst case for the ledger, whose undo reads the
// voter's earlier rows on that post.
func BenchmarkVotes(b *testing.B) {
	for _, mode := range []string{"fresh", "toggle"} {
		b.Run(mode, func(b *testing.B) {
			t := &testing.T{}
			db := openTestDB(t)
			ctx := context.Background()
			author := storetest.MustCreateUser(t, db, "author")
			const voters, posts = 256, 64
			var qs []int64
			for i := range posts {
				qs = append(qs, storetest.MustAsk(t, db, author, fmt.Sprintf("A question everyone votes on, number %d", i), "votes").ID)
			}
			ids := make(chan int64, voters)
			for i := range voters {
				ids <- storetest.MustCreateUser(t, db, fmt.Sprintf("voter%03d", i)).ID
			}
			rules := forum.VoteRules{DailyRepCap: forum.DefaultDailyRepCap}
			b.SetParallelism(voters / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				id := <-ids
				n := 0
				for pb.Next() {
					post, value := qs[0], 1-n%2
					if mode == "fresh" {
						// One up vote per post; past the last post, the votes go back to 0
						// and up again, so every call changes something.
						post, value = qs[n%posts], 1-(n/posts)%2
					}
					if _, err := db.Vote(ctx, post, id, value, rules, time.Now()); err != nil {
						b.Fatal(err)
					}
					n++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
		})
	}
}

// BenchmarkQuestionList is a page of each list, by number and by cursor, shallow and deep.
// It generates 20,000 questions; set STAFFROOM_BENCH_DB to a database made by
// `staffroom bench-data` (it is migrated first) to measure at a million.
func BenchmarkQuestionList(b *testing.B) {
	ctx := context.Background()
	var db *sqlite.DB
	if path := os.Getenv("STAFFROOM_BENCH_DB"); path != "" {
		var err error
		if db, err = sqlite.Open(path); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		start := time.Now()
		if applied, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		} else if len(applied) > 0 {
			b.Logf("migrated %s in %v", path, time.Since(start))
		}
	} else {
		db = openTestDB(&testing.T{})
		if err := db.BenchmarkData(ctx, 20000, 0, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
	var total int
	var bigTag string
	if tags, _, err := db.Tags(ctx, "", 1, 1); err != nil {
		b.Fatal(err)
	} else {
		bigTag = tags[0].Name
	}
	for _, tag := range []string{"", bigTag} {
		for _, sort := range []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes, forum.SortUnanswered} {
			f := forum.QuestionFilter{Sort: sort, PageSize: forum.DefaultPageSize}
			name := string(sort)
			if tag != "" {
				f.Tag = &tag
				name += "/tag"
			}
			first, err := db.Questions(ctx, f, 0)
			if err != nil {
				b.Fatal(err)
			}
			total = first.Total
			last := max(1, (total+f.PageSize-1)/f.PageSize)
			for _, page := range []int{1, 1000, 10000, last / 2, last} {
				if page > last {
					continue
				}
				f := f
				f.Page = page
				b.Run(fmt.Sprintf("%s/page=%d", name, page), func(b *testing.B) {
					for b.Loop() {
						if _, err := db.Questions(ctx, f, 0); err != nil {
							b.Fatal(err)
						}
					}
				})
				if page == last/2 {
					// Next from the middle by cursor.
					p, err := db.Questions(ctx, f, 0)
					if err != nil {
						b.Fatal(err)
					}
					next := f
					next.Page, next.After = page+1, p.Next
					b.Run(fmt.Sprintf("%s/next-after-page=%d", name, page), func(b *testing.B) {
						for b.Loop() {
							if _, err := db.Questions(ctx, next, 0); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		}
	}
}
