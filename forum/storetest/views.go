package storetest

import (
	"context"
	"testing"
)

// testViews: view counts add up in batches, on questions only.
func testViews(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	u := MustCreateUser(t, s, "viewer")
	q1, q2 := MustAsk(t, s, u, "A question people read", "reading"), MustAsk(t, s, u, "Another question people read", "reading")
	a := MustAnswer(t, s, u, q1)
	check(t, s.AddViews(ctx, map[int64]int{q1.ID: 3, q2.ID: 1, a.ID: 5, 99999: 2}))
	check(t, s.AddViews(ctx, map[int64]int{q1.ID: 2}))
	check(t, s.AddViews(ctx, nil))
	for _, c := range []struct {
		id   int64
		want int
	}{{q1.ID, 5}, {q2.ID, 1}, {a.ID, 0}} {
		if got := must(s.Post(ctx, c.id, 0, false)).ok(t).ViewCount; got != c.want {
			t.Errorf("post %d viewed %d times, want %d", c.id, got, c.want)
		}
	}
}
