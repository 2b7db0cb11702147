package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"staffroom/forum"
	"staffroom/forum/sqlite"
	"staffroom/forum/storetest"
)

func openTestDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "staffroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTestDB(t) })
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	t.Run("fresh database applies every migration", func(t *testing.T) {
		status, err := db.MigrationStatus(ctx)
		if err != nil || len(status) == 0 || status[0].AppliedAt != nil {
			t.Fatalf("status before = %+v, %v", status, err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != len(status) {
			t.Fatalf("applied %d of %d: %v", len(applied), len(status), err)
		}
		status, _ = db.MigrationStatus(ctx)
		for _, m := range status {
			if m.AppliedAt == nil {
				t.Fatalf("migration %d still pending", m.Version)
			}
		}
	})
	t.Run("re-running is a no-op", func(t *testing.T) {
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second run applied %d: %v", len(applied), err)
		}
	})
	t.Run("a newer database is refused", func(t *testing.T) {
		raw, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', ?)`, time.Now()); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		_, err = db.Migrate(ctx)
		var newer *sqlite.ErrNewerSchema
		if !errors.As(err, &newer) || newer.Have != 999 {
			t.Fatalf("migrate on a newer schema: %v", err)
		}
		if got := err.Error(); !strings.Contains(got, "newer version") {
			t.Fatalf("message %q does not say a newer version wrote it", got)
		}
	})
}

func TestBackupDuringWrites(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	stop := make(chan struct{})
	var written atomic.Int64
	ready := make(chan struct{}) // closed once the database has some rows, so the copy races real writes
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			if i == 20 {
				close(ready)
			}
			select {
			case <-stop:
				return
			default:
			}
			storetest.MustCreateUser(t, db, fmt.Sprintf("writer%d", i))
			written.Add(1)
		}
	}()
	<-ready
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := db.Backup(ctx, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	copyDB, err := sqlite.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if err := copyDB.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := copyDB.CountUsers(ctx)
	if err != nil || n < 20 || int64(n) > written.Load() {
		t.Fatalf("backup holds %d users (%v); %d were written", n, err, written.Load())
	}
	if err := db.Backup(ctx, dest); err == nil {
		t.Fatal("backup over an existing file succeeded; it must refuse")
	}
}

// TestRecountListKeys: the sort keys copied onto tag links and the tags' unanswered counts
// are checked by recount and put right by recount --fix.
func TestRecountListKeys(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	u := storetest.MustCreateUser(t, db, "asker")
	q := storetest.MustAsk(t, db, u, "A question whose copies drift", "drift", "other")
	if _, err := db.Writer().Exec(`UPDATE post_tags SET score = 7, activity_at = '2001-01-01 00:00:00+00:00' WHERE post_id = ?`, q.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().Exec(`UPDATE tags SET unanswered_count = 5 WHERE name = 'drift'`); err != nil {
		t.Fatal(err)
	}
	drifts, err := db.Recount(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var what []string
	for _, d := range drifts {
		what = append(what, d.What)
	}
	got := strings.Join(what, "; ")
	if len(drifts) != 2 || !strings.Contains(got, fmt.Sprintf("question %d tag links", q.ID)) || !strings.Contains(got, "unanswered count") {
		t.Fatalf("drifts: %+v", drifts)
	}
	if _, err := db.Recount(ctx, true); err != nil {
		t.Fatal(err)
	}
	if drifts, err := db.Recount(ctx, false); err != nil || len(drifts) != 0 {
		t.Fatalf("after fix: %+v, %v", drifts, err)
	}
	tag := "drift"
	page, err := db.Questions(ctx, forum.QuestionFilter{Sort: forum.SortUnanswered, Tag: &tag}, 0)
	if err != nil || page.Total != 1 || len(page.Items) != 1 {
		t.Fatalf("unanswered in the tag after fix: %+v, %v", page, err)
	}
}

// TestListReadsOnAColdCache: many lists at once on a fresh store, each in a read
// transaction that holds a connection while its statements are first prepared. Preparing
// must not wait for another connection, or the readers wait for each other forever.
func TestListReadsOnAColdCache(t *testing.T) {
	db := openTestDB(t)
	u := storetest.MustCreateUser(t, db, "asker")
	storetest.MustAsk(t, db, u, "A question to list while everyone lists", "lists")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sorts := []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes, forum.SortUnanswered}
			f := forum.QuestionFilter{Sort: sorts[i%4], Page: 1 + i%3, PageSize: 10}
			if _, err := db.Questions(ctx, f, 0); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a list read failed (readers waiting for each other?): %v", err)
	}
}

// TestRevoteAfterAFlooredUndo: taking a vote back from an author at the minimum reputation
// reverses nothing (the floor), which leaves the vote's +10 in the ledger; voting again
// must reverse that remainder first, so one standing vote is never worth +20.
func TestRevoteAfterAFlooredUndo(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	author, voter := storetest.MustCreateUser(t, db, "author"), storetest.MustCreateUser(t, db, "voter")
	q := storetest.MustAsk(t, db, author, "A question whose author loses reputation", "floors")
	rules := forum.VoteRules{DailyRepCap: forum.DefaultDailyRepCap}
	setRep := func(n int) {
		if _, err := db.Writer().Exec(`UPDATE users SET reputation = ? WHERE id = ?`, n, author.ID); err != nil {
			t.Fatal(err)
		}
	}
	rep := func() int {
		var n int
		if err := db.Reader().QueryRow(`SELECT reputation FROM users WHERE id = ?`, author.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	vote := func(v int) {
		if _, err := db.Vote(ctx, q.ID, voter.ID, v, rules, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	vote(1)
	setRep(1) // lost elsewhere: the undo below is floored to nothing
	vote(0)
	setRep(100)
	vote(1)
	// The floored undo left +10 standing: the re-vote reverses it (-10) before adding its
	// own (+10), so one standing vote is worth +10, not +20.
	if got := rep(); got != 100 {
		t.Fatalf("author's reputation %d after the re-vote, want 100", got)
	}
}
