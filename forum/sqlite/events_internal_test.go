package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

type recorder struct {
	mu     sync.Mutex
	events []forum.LoggedEvent
}

func (r *recorder) Encode(e forum.Event) ([]byte, error) { return json.Marshal(e.Data) }

func (r *recorder) Publish(events []forum.LoggedEvent) {
	r.mu.Lock()
	r.events = append(r.events, events...)
	r.mu.Unlock()
}

// TestEventsOfRolledBackWrites: a write that logs an event and then fails publishes
// nothing and uses no number, even when it shares its commit with writes that succeed.
func TestEventsOfRolledBackWrites(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	db.SetPublisher(rec)
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.write(ctx, func(tx *txn) error {
				if err := tx.emit(ctx, time.Now(), forum.Event{Topic: "t", Name: "x", Data: i}); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom // after the event was logged
				}
				return nil
			})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if (i%3 == 0) != errors.Is(err, boom) {
			t.Fatalf("write %d: %v", i, err)
		}
		if err == nil {
			ok++
		}
	}
	if len(rec.events) != ok {
		t.Fatalf("published %d events for %d committed writes", len(rec.events), ok)
	}
	for i, e := range rec.events {
		if e.Seq != int64(i+1) {
			t.Fatalf("published event %d has seq %d: a rolled-back write left a gap", i, e.Seq)
		}
		var n int
		if _, err := fmt.Sscan(string(e.Data), &n); err != nil || n%3 == 0 {
			t.Fatalf("event %d came from write %s, which failed", i, e.Data)
		}
	}
	if head, _ := db.TopicHead(ctx, "t"); head != int64(ok) {
		t.Fatalf("head %d, want %d", head, ok)
	}
}
