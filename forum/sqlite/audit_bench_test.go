package sqlite_test

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/storetest"
)

// BenchmarkAuditLog pages through an audit log of 100,000 actions: the first page, a
// page deep in the log (by keyset), and filtered pages. The target is under 20 ms a page.
func BenchmarkAuditLog(b *testing.B) {
	t := &testing.T{}
	db := openTestDB(t)
	ctx := context.Background()
	var actors []int64
	for _, name := range []string{"mod1", "mod2", "mod3", "mod4"} {
		actors = append(actors, storetest.MustCreateUser(t, db, name).ID)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const rows = 100_000
	tx, err := db.Writer().Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO audit_log (actor_id, action, target_kind, target_id, before, after, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	actions := []string{"post.delete", "post.hide", "user.suspend", "comment.delete", "post.lock"}
	kinds := []string{"post", "post", "user", "comment", "post"}
	for i := range rows {
		a := i % len(actions)
		if _, err := st.Exec(actors[i%len(actors)], actions[a], kinds[a], i%5000+1, `{"hidden":false}`, `{"hidden":true}`, "spam", t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	deep := &forum.AuditCursor{At: t0.Add(rows / 10 * time.Second), ID: rows / 10}
	for _, bc := range []struct {
		name string
		f    forum.AuditFilter
	}{
		{"first page", forum.AuditFilter{Limit: 51}},
		{"deep page", forum.AuditFilter{Limit: 51, Before: deep}},
		{"by actor deep", forum.AuditFilter{Limit: 51, ActorID: actors[1], Before: deep}},
		{"by action", forum.AuditFilter{Limit: 51, Action: "user.suspend"}},
		{"by target", forum.AuditFilter{Limit: 51, TargetKind: "post", TargetID: 42}},
		{"by actor and action", forum.AuditFilter{Limit: 51, ActorID: actors[2], Action: "comment.delete", Before: deep}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := db.AuditLog(ctx, bc.f)
				if err != nil || len(got) == 0 {
					b.Fatalf("%d rows, %v", len(got), err)
				}
			}
		})
	}
}
