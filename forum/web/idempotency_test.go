package web_test

import (
	"fmt"
	"testing"
)

func TestIdempotencyKeyIsScopedByRouteNotSpelling(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("retrier")
	q := s.ask(a, "How do you run a calm dismissal routine?", "routines")
	other := s.ask(a, "How do you run a calm arrival routine?", "routines")
	headers := map[string]string{"Authorization": "Bearer " + a.Token, "Idempotency-Key": "comment-key-1"}
	body := jsonBody(map[string]string{"body": "We line up by table groups and it helps a lot."})
	comments := func(id int64) int {
		return len(s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/comments", id)}).json(t)["items"].([]any))
	}

	for i, path := range []string{
		fmt.Sprintf("/api/v1/posts/%d/comments", q),
		fmt.Sprintf("/api/v1/posts/%d/comments/", q),
		fmt.Sprintf("/API/V1/Posts/%d/Comments", q),
		fmt.Sprintf("/api/v1/posts/0%d/comments", q),
	} {
		r := s.do(req{method: "POST", path: path, headers: headers, body: body})
		if r.StatusCode != 201 {
			t.Fatalf("%s: %d %s", path, r.StatusCode, r.body)
		}
		if replayed := r.Header.Get("Idempotent-Replayed") == "true"; replayed != (i > 0) {
			t.Fatalf("%s: replayed = %v", path, replayed)
		}
	}
	if n := comments(q); n != 1 {
		t.Fatalf("one key on four spellings created %d comments", n)
	}
	// The same key on another post is another request.
	r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", other), headers: headers, body: body})
	if r.StatusCode != 201 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another post: %d replayed=%q", r.StatusCode, r.Header.Get("Idempotent-Replayed"))
	}
	if n := comments(other); n != 1 {
		t.Fatalf("the other post has %d comments", n)
	}
}
