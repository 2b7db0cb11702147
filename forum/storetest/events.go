package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// testEvents: changes log their events in their own transactions, numbered one by one per
// topic with no gap, and the numbering outlives pruning.
func testEvents(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	asker, answerer := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "answerer")
	q := MustAsk(t, s, asker, "Which warm-ups work for a block schedule?", "warmups", "scheduling")
	for _, topic := range []string{forum.TopicQuestions, forum.TopicTag("warmups"), forum.TopicTag("scheduling")} {
		events, err := s.EventsSince(ctx, topic, 0, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Seq != 1 || events[0].Name != forum.EventQuestionCreated || len(events[0].Data) == 0 {
			t.Fatalf("%s: %+v", topic, events)
		}
	}

	// Fifty answers at once: fifty events, seq 1 to 50, in commit order.
	topic := forum.TopicQuestion(q.ID)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			MustAnswer(t, s, answerer, q)
		}()
	}
	wg.Wait()
	if head, err := s.TopicHead(ctx, topic); err != nil || head != 50 {
		t.Fatalf("head %d %v, want 50", head, err)
	}
	first, err := s.EventsSince(ctx, topic, 0, 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	rest, err := s.EventsSince(ctx, topic, 20, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	all := append(first, rest...)
	if len(first) != 20 || len(all) != 50 {
		t.Fatalf("read %d then %d events", len(first), len(rest))
	}
	for i, e := range all {
		if e.Seq != int64(i+1) || e.Name != forum.EventAnswerCreated || e.Topic != topic {
			t.Fatalf("event %d: %+v", i, e)
		}
	}
	// A byte bound stops the read just past it: a replay too big to send costs little
	// more than the bound to find out.
	two := len(all[0].Data) + len(all[1].Data)
	for _, tc := range []struct{ maxBytes, want int }{{two - 1, 2}, {two, 3}} {
		if events, err := s.EventsSince(ctx, topic, 0, 50, tc.maxBytes); err != nil || len(events) != tc.want {
			t.Fatalf("read with maxBytes %d: %d events (%v), want %d", tc.maxBytes, len(events), err, tc.want)
		}
	}

	// Refused writes log nothing: a self-vote, an answer to a missing question.
	if _, err := s.Vote(ctx, q.ID, asker.ID, 1, forum.VoteRules{}, t0); err == nil {
		t.Fatal("a self-vote was taken")
	}
	if _, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: 99999, AuthorID: answerer.ID, Body: "body", BodyHTML: "<p>body</p>", Now: t0}); err == nil {
		t.Fatal("an answer to nothing was taken")
	}
	if _, err := s.Vote(ctx, q.ID, answerer.ID, 1, forum.VoteRules{DailyRepCap: 200}, t0); err != nil {
		t.Fatal(err)
	}
	if events := must(s.EventsSince(ctx, topic, 50, 10, 0)).ok(t); len(events) != 1 || events[0].Seq != 51 || events[0].Name != forum.EventVoteChanged {
		t.Fatalf("after refused writes: %+v", events)
	}

	// Deleting a post blanks the logged events that carry its words: a replay shows the
	// deletion, not the post, and keeps every number.
	gone := MustAnswer(t, s, answerer, q)
	if _, err := s.CreateComment(ctx, forum.NewComment{PostID: gone.ID, AuthorID: asker.ID, Body: "A comment on an answer that goes", BodyHTML: "<p>secret comment words</p>", Now: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePost(ctx, gone.ID, answerer, t0); err != nil {
		t.Fatal(err)
	}
	after, err := s.EventsSince(ctx, topic, 51, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 3 || after[0].Seq != 52 || after[2].Seq != 54 {
		t.Fatalf("events around a deletion: %+v", after)
	}
	for _, e := range after {
		if e.Name != forum.EventPostDeleted || strings.Contains(string(e.Data), "secret") || strings.Contains(string(e.Data), gone.Body) {
			t.Fatalf("a deleted post's words are still in the log: %s %s", e.Name, e.Data)
		}
	}

	// Pruning forgets old events but not the numbering.
	if n, err := s.PruneEvents(ctx, time.Now().Add(24*time.Hour)); err != nil || n < 54 {
		t.Fatalf("pruned %d %v", n, err)
	}
	if events := must(s.EventsSince(ctx, topic, 0, 10, 0)).ok(t); len(events) != 0 {
		t.Fatalf("after pruning: %+v", events)
	}
	MustAnswer(t, s, answerer, q)
	if head := must(s.TopicHead(ctx, topic)).ok(t); head != 55 {
		t.Fatalf("after pruning the next event is %d, want 55", head)
	}
	if head := must(s.TopicHead(ctx, "question:404")).ok(t); head != 0 {
		t.Fatalf("a topic without events has head %d", head)
	}
}
