package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"staffroom/forum"
)

// recorder is a publisher that keeps what it hears, in order.
type recorder struct {
	mu     sync.Mutex
	events []forum.LoggedEvent
}

// Encode writes an event's data as plain JSON, as a store does with no encoder of its own.
func (r *recorder) Encode(e forum.Event) ([]byte, error) { return json.Marshal(e.Data) }

func (r *recorder) Publish(events []forum.LoggedEvent) {
	r.mu.Lock()
	r.events = append(r.events, events...)
	r.mu.Unlock()
}

// of returns the events heard on topic, in the order heard.
func (r *recorder) of(topic string) []forum.LoggedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []forum.LoggedEvent
	for _, e := range r.events {
		if e.Topic == topic {
			out = append(out, e)
		}
	}
	return out
}

// testPublishAfterCommit: the publisher hears a write's events once it has committed,
// before its caller hears back, and never those of a write that rolled back, which also
// uses no number, even when it shares its commit with writes that succeed.
func testPublishAfterCommit(t *testing.T, open Opener) {
	ctx := context.Background()
	boom := errors.New("boom")
	t.Run("one write at a time", func(t *testing.T) {
		s := open(t)
		rec := &recorder{}
		s.PublishTo(rec)
		ev := func(n int) forum.Event { return forum.Event{Topic: "t", Name: "x", Data: n} }
		check(t, s.WriteEvents(ctx, nil, ev(1)))
		if got := rec.of("t"); len(got) != 1 || got[0].Seq != 1 || string(got[0].Data) != "1" {
			t.Fatalf("after a committed write the publisher has %+v: its caller heard back first", got)
		}
		if err := s.WriteEvents(ctx, boom, ev(2)); !errors.Is(err, boom) {
			t.Fatalf("failed write: %v", err)
		}
		if got := rec.of("t"); len(got) != 1 {
			t.Fatalf("a rolled-back write was published: %+v", got)
		}
		if head := must(s.TopicHead(ctx, "t")).ok(t); head != 1 {
			t.Fatalf("head %d after a rolled-back write, want 1", head)
		}
		check(t, s.WriteEvents(ctx, nil, ev(3), forum.Event{Topic: "u", Name: "y", Data: 3}))
		if got := rec.of("t"); len(got) != 2 || got[1].Seq != 2 || string(got[1].Data) != "3" {
			t.Fatalf("the write after a rollback: %+v; want seq 2, no gap", got)
		}
		if got := rec.of("u"); len(got) != 1 || got[0].Seq != 1 {
			t.Fatalf("another topic numbers on its own: %+v", got)
		}
		logged := must(s.EventsSince(ctx, "t", 0, 10, 0)).ok(t)
		if len(logged) != 2 || string(logged[0].Data) != "1" || string(logged[1].Data) != "3" {
			t.Fatalf("the log holds %+v", logged)
		}
	})
	t.Run("writes at once, a third failing after they logged", func(t *testing.T) {
		s := open(t)
		rec := &recorder{}
		s.PublishTo(rec)
		const n = 150
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var fail error
				if i%3 == 0 {
					fail = boom
				}
				errs[i] = s.WriteEvents(ctx, fail, forum.Event{Topic: "t", Name: "x", Data: i})
			}()
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			if (i%3 == 0) != errors.Is(err, boom) || (i%3 != 0 && err != nil) {
				t.Fatalf("write %d: %v", i, err)
			}
			if err == nil {
				ok++
			}
		}
		published := rec.of("t")
		if len(published) != ok {
			t.Fatalf("published %d events for %d committed writes", len(published), ok)
		}
		logged := must(s.EventsSince(ctx, "t", 0, 2*n, 0)).ok(t)
		if len(logged) != ok {
			t.Fatalf("logged %d events for %d committed writes", len(logged), ok)
		}
		seen := map[int]bool{}
		for i, e := range published {
			if e.Seq != int64(i+1) {
				t.Fatalf("published event %d has seq %d: out of commit order, or a rolled-back write left a gap", i, e.Seq)
			}
			if string(logged[i].Data) != string(e.Data) {
				t.Fatalf("event %d: published %s, logged %s", e.Seq, e.Data, logged[i].Data)
			}
			w, err := strconv.Atoi(string(e.Data))
			if err != nil || w%3 == 0 || seen[w] {
				t.Fatalf("event %d came from write %s, which failed or was heard already", e.Seq, e.Data)
			}
			seen[w] = true
		}
		if head := must(s.TopicHead(ctx, "t")).ok(t); head != int64(ok) {
			t.Fatalf("head %d, want %d", head, ok)
		}
	})
}

// wantNumbered fails unless topic's logged events are numbered 1 to its head, once each,
// and the publisher heard exactly those, in that order.
func wantNumbered(t *testing.T, s Store, rec *recorder, topic string) {
	t.Helper()
	ctx := context.Background()
	head := must(s.TopicHead(ctx, topic)).ok(t)
	logged := must(s.EventsSince(ctx, topic, 0, int(head)+10, 0)).ok(t)
	heard := rec.of(topic)
	if int64(len(logged)) != head || len(heard) != len(logged) {
		t.Fatalf("%s: head %d, %d logged, %d published", topic, head, len(logged), len(heard))
	}
	for i := range logged {
		if logged[i].Seq != int64(i+1) || heard[i].Seq != int64(i+1) {
			t.Fatalf("%s: event %d is logged as %d and published as %d", topic, i+1, logged[i].Seq, heard[i].Seq)
		}
	}
}

// errorsBut collects the errors of concurrent writes other than the expected ones.
type errorsBut struct {
	mu       sync.Mutex
	expected []error
	got      []error
}

func (e *errorsBut) add(what string, err error) {
	if err == nil {
		return
	}
	for _, x := range e.expected {
		if errors.Is(err, x) {
			return
		}
	}
	e.mu.Lock()
	e.got = append(e.got, fmt.Errorf("%s: %w", what, err))
	e.mu.Unlock()
}
