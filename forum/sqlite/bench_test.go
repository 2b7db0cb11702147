package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"staffroom/forum"
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
func BenchmarkVotes(b *testing.B) {
	t := &testing.T{}
	db := openTestDB(t)
	ctx := context.Background()
	author := storetest.MustCreateUser(t, db, "author")
	q := storetest.MustAsk(t, db, author, "A question everyone votes on", "votes")
	const voters = 256
	ids := make(chan int64, voters)
	for i := range voters {
		ids <- storetest.MustCreateUser(t, db, fmt.Sprintf("voter%03d", i)).ID
	}
	rules := forum.VoteRules{DailyRepCap: forum.DefaultDailyRepCap}
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := <-ids
		value := 1
		for pb.Next() {
			if _, err := db.Vote(ctx, q.ID, id, value, rules, time.Now()); err != nil {
				b.Fatal(err)
			}
			value = 1 - value
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
}
