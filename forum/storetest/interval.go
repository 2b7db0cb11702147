package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// testQuestionInterval: a store applies forum.CheckQuestionInterval to the author's last
// question inside the write that adds the next, deleted questions included.
func testQuestionInterval(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const interval = 40 * time.Minute
	ask := func(u *forum.User, title string, at time.Time) (*forum.Post, error) {
		return s.CreateQuestion(ctx, forum.NewQuestion{AuthorID: u.ID, Title: title, Body: "Body of " + title,
			BodyHTML: "<p>Body</p>", Tags: []string{"meta"}, Interval: interval, Now: at})
	}
	t.Run("questions sent at once: one is stored", func(t *testing.T) {
		u := MustCreateUser(t, s, "racer")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = ask(u, fmt.Sprintf("Question %d sent at once", i), t0)
			}()
		}
		wg.Wait()
		stored := 0
		for _, err := range errs {
			if err == nil {
				stored++
				continue
			}
			e := forum.AsError(err)
			if e == nil || e.Kind != forum.ERateLimited || e.RetryAfter != interval {
				t.Fatalf("refusal: %v", err)
			}
		}
		if stored != 1 {
			t.Fatalf("%d questions stored, want 1", stored)
		}
	})
	t.Run("a deleted question still counts", func(t *testing.T) {
		u := MustCreateUser(t, s, "deleter")
		q, err := ask(u, "First question", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePost(ctx, q.ID, u, t0); err != nil {
			t.Fatal(err)
		}
		_, err = ask(u, "Second question", t0.Add(10*time.Minute))
		if e := forum.AsError(err); e == nil || e.Kind != forum.ERateLimited || e.RetryAfter != 30*time.Minute {
			t.Fatalf("ask after deleting: %v", err)
		}
		if _, err := ask(u, "Second question", t0.Add(interval)); err != nil {
			t.Fatalf("ask after the interval: %v", err)
		}
	})
	t.Run("no interval, no wait", func(t *testing.T) {
		u := MustCreateUser(t, s, "trusted")
		MustAsk(t, s, u, "One question")
		MustAsk(t, s, u, "Another question")
	})
}
