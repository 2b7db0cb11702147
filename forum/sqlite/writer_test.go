package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/sqlite"
	"staffroom/forum/storetest"
)

// TestGroupCommitIsolatesFailures: many writers at once share commits, and one that fails
// takes none of its neighbours down with it.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	storetest.MustCreateUser(t, db, "taken")
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("writer%03d", i)
			if i%10 == 0 {
				name = "taken" // a conflict in the middle of a batch
			}
			_, errs[i] = db.CreateUser(ctx, forum.NewUser{Username: name, Email: fmt.Sprintf("w%d@example.org", i), DisplayName: "W", Role: forum.RoleMember}, time.Now())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%10 == 0 && !errors.Is(err, forum.ErrConflict) {
			t.Fatalf("write %d: %v, want a conflict", i, err)
		}
		if i%10 != 0 && err != nil {
			t.Fatalf("write %d failed beside a failing neighbour: %v", i, err)
		}
	}
	if got, _ := db.CountUsers(ctx); got != 1+n-n/10 {
		t.Fatalf("users = %d, want %d", got, 1+n-n/10)
	}
}

func TestWriteAfterClose(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = db.CreateUser(context.Background(), forum.NewUser{Username: "late", Email: "l@example.org", DisplayName: "L", Role: forum.RoleMember}, time.Now())
	if !errors.Is(err, sqlite.ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// BenchmarkDurableWrites is small durable writes from many goroutines at once (think votes):
// group commit lets them share disk syncs.
func BenchmarkDurableWrites(b *testing.B) {
	t := &testing.T{}
	db := openTestDB(t)
	u := storetest.MustCreateUser(t, db, "writer")
	ctx := context.Background()
	b.SetParallelism(64)
	var mu sync.Mutex
	i := 0
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i++
			h := []byte(fmt.Sprintf("hash-%d", i))
			mu.Unlock()
			if err := db.TouchToken(ctx, u.ID, time.Now()); err != nil {
				b.Fatal(err)
			}
			_ = h
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}
