package forum_test

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
)

type viewSink map[int64]int

func (v viewSink) AddViews(_ context.Context, views map[int64]int) error {
	for id, n := range views {
		v[id] += n
	}
	return nil
}

func TestViewCounter(t *testing.T) {
	sink := viewSink{}
	c := &forum.ViewCounter{Store: sink}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	// A flush before any view (the ticker fires first) must leave the counter usable.
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Record(1, "ip:1", now)
	c.Record(1, "ip:1", now.Add(time.Minute)) // the same reader within the window
	c.Record(1, "ip:2", now)
	c.Record(2, "user:7", now)
	c.Record(1, "ip:1", now.Add(16*time.Minute)) // the window has passed
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sink[1] != 3 || sink[2] != 1 {
		t.Fatalf("views = %v, want 1:3 2:1", sink)
	}
}
