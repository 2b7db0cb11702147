package web_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestGuessesPastTheLimitWait: once the guessing limits refuse a sign-in, the refusal is
// answered only after the configured pause, so a flood of guesses runs at one per
// connection per pause. Wrong passwords within the limit are answered at once.
func TestGuessesPastTheLimitWait(t *testing.T) {
	s := newSite(t, func(s *testSite) { s.cfg.SignInRefusalPause = time.Second })
	pauses := make(chan time.Duration, 100)
	s.server.RecordPauses(pauses)
	s.signup("target")
	for i := range 10 {
		if r := s.tryLogin("target", fmt.Sprint("guess number ", i)); r.StatusCode != 401 {
			t.Fatalf("guess %d: %d %s", i, r.StatusCode, r.body)
		}
	}
	if len(pauses) != 0 {
		t.Fatalf("%d pauses within the limit, want none", len(pauses))
	}
	for _, form := range []bool{false, true} {
		var status int
		if form {
			status = s.postForm("/login", "", url.Values{"login": {"target"}, "password": {"another guess"}}).StatusCode
		} else {
			status = s.tryLogin("target", "another guess").StatusCode
		}
		if status != 429 && !(form && status == 303) { // a form is redirected to its page (post/redirect/get)
			t.Fatalf("past the limit (form %v): %d", form, status)
		}
		select {
		case d := <-pauses:
			if d != time.Second {
				t.Fatalf("paused %v, want 1s", d)
			}
		default:
			t.Fatalf("a refused guess (form %v) was answered without a pause", form)
		}
	}
}
