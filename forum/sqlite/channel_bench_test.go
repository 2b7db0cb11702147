package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/storetest"
)

// channelBench makes a public collaborative with a member and returns its #general.
func channelBench(b *testing.B) (*forum.User, *forum.Channel, storetest.Store) {
	t := &testing.T{}
	db := openTestDB(t)
	lead := storetest.MustCreateUser(t, db, "lead")
	g := storetest.MustCollaborative(t, db, lead, "bench", forum.VisibilityPublic)
	return lead, storetest.MustGeneral(t, db, g, lead), db
}

// BenchmarkChannelHistory is a history page of 50 messages: the access check and the
// page's one query, as GET /api/v1/channels/{id}/messages runs them.
func BenchmarkChannelHistory(b *testing.B) {
	lead, ch, db := channelBench(b)
	ctx := context.Background()
	for i := range 200 {
		body := fmt.Sprintf("Message %d with **markdown** and a [link](https://example.org/%d).", i, i)
		if _, err := db.CreateMessage(ctx, forum.NewMessage{ChannelID: ch.ID, Author: lead, Body: forum.Rendered{Text: body, HTML: "<p>" + body + "</p>"}, Now: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a, err := db.ChannelAccess(ctx, ch.ID, nil)
			if err != nil || a.CheckSee() != nil {
				b.Fatal(err)
			}
			page, err := db.ChannelMessages(ctx, ch.ID, 0, 0, 50)
			if err != nil || len(page.Items) != 50 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChannelPost is durable messages from many writers at once, each with its
// access check and its logged event, through the group-committed writer.
func BenchmarkChannelPost(b *testing.B) {
	lead, ch, db := channelBench(b)
	ctx := context.Background()
	body := forum.Rendered{Text: "A message of ordinary length, about the next meeting's agenda.", HTML: "<p>A message of ordinary length, about the next meeting's agenda.</p>"}
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := db.CreateMessage(ctx, forum.NewMessage{ChannelID: ch.ID, Author: lead, Body: body, Now: time.Now()}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
