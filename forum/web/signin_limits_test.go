package web_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// heldHasher is the tests' fast hasher, except that every password check announces itself
// on entered and then waits until release is closed: a test can hold any number of
// sign-ins in the middle of their check, and count how many got there.
type heldHasher struct {
	forum.PasswordHasher
	entered chan struct{}
	release chan struct{}
}

func newHeldHasher() *heldHasher {
	return &heldHasher{PasswordHasher: forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1},
		entered: make(chan struct{}, 1000), release: make(chan struct{})}
}

func (h *heldHasher) Verify(password, encoded string) bool {
	h.entered <- struct{}{}
	<-h.release
	return h.PasswordHasher.Verify(password, encoded)
}

// waitFor fails the test unless ch delivers within a generous bound; it is the guard
// against a hang, not a timing under test.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func (s *testSite) tryLogin(login, password string) *response {
	s.t.Helper()
	return s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": login, "password": password})})
}

// TestParallelGuessesAreLimited is 25 wrong passwords for one account sent at once: the
// limit of 10 failures must hold even though none has failed yet when they all arrive.
// Every check is held until each request has either reached it or been answered, so a
// limit that only counts failures after the fact lets all 25 through.
func TestParallelGuessesAreLimited(t *testing.T) {
	h := newHeldHasher()
	s := newSite(t, withAccounts(func(a *forum.Accounts) {
		a.Hasher = h
		a.HashConcurrency = 32 // hashing slots are not what this test is about
	}))
	s.signup("target")
	const n = 25
	statuses := make(chan int, n)
	for i := range n {
		go func() { statuses <- s.tryLogin("target", fmt.Sprint("guess number ", i)).StatusCode }()
	}
	checks, answered := 0, map[int]int{}
	for checks+sum(answered) < n {
		select {
		case <-h.entered:
			checks++
		case st := <-statuses:
			answered[st]++
		case <-time.After(10 * time.Second):
			t.Fatalf("stuck with %d checks started and answers %v", checks, answered)
		}
	}
	close(h.release)
	for sum(answered) < n {
		answered[waitFor(t, statuses, "the held sign-ins to finish")]++
	}
	if checks > 10 || answered[401] != checks || answered[429] != n-checks {
		t.Fatalf("%d passwords checked, answers %v; want at most 10 checked (401) and the rest 429", checks, answered)
	}
	if checks != 10 {
		t.Fatalf("%d passwords checked, want exactly the limit of 10", checks)
	}
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestSignInLimitIsPerAccount(t *testing.T) {
	t.Run("username and email share one limit", func(t *testing.T) {
		s := newSite(t)
		a := s.signup("target")
		for i := range 10 {
			login := "target"
			if i%2 == 1 {
				login = "TARGET@district.org"
			}
			if r := s.tryLogin(login, fmt.Sprint("guess number ", i)); r.StatusCode != 401 {
				t.Fatalf("guess %d by %s: %d", i, login, r.StatusCode)
			}
		}
		for _, login := range []string{"target@district.org", "Target"} {
			r := s.tryLogin(login, a.Passwd)
			if r.StatusCode != 429 {
				t.Fatalf("sign-in by %s after 10 failures split between username and email: %d %s", login, r.StatusCode, r.body)
			}
			if code, _ := r.errorCode(t); code != "rate_limited" || r.Header.Get("Retry-After") == "" {
				t.Fatalf("code %q, Retry-After %q", code, r.Header.Get("Retry-After"))
			}
		}
	})
	t.Run("a success does not count as a failure", func(t *testing.T) {
		s := newSite(t)
		a := s.signup("target")
		for i := range 9 {
			s.tryLogin("target", fmt.Sprint("guess number ", i))
		}
		if r := s.tryLogin("target", a.Passwd); r.StatusCode != 200 {
			t.Fatalf("the owner after 9 failures: %d", r.StatusCode)
		}
		if r := s.tryLogin("target", "guess number ten"); r.StatusCode != 401 {
			t.Fatalf("the 10th failure, after a success: %d; the success was counted", r.StatusCode)
		}
		if r := s.tryLogin("target", "guess number eleven"); r.StatusCode != 429 {
			t.Fatalf("the 11th failure: %d", r.StatusCode)
		}
	})
	t.Run("unknown names are limited by their text", func(t *testing.T) {
		s := newSite(t)
		for i := range 10 {
			s.tryLogin("Nobody.Here", fmt.Sprint("guess number ", i))
		}
		if r := s.tryLogin(" nobody.here ", "guess number 10"); r.StatusCode != 429 {
			t.Fatalf("the 11th guess at one unknown name: %d", r.StatusCode)
		}
		if r := s.tryLogin("somebody.else", "guess number 10"); r.StatusCode != 401 {
			t.Fatalf("another unknown name: %d", r.StatusCode)
		}
	})
	t.Run("wrong current passwords count against the account", func(t *testing.T) {
		s := newSite(t)
		a := s.signup("target")
		change := func(current string) *response {
			return s.do(req{method: "POST", path: "/api/v1/me/password", headers: a.bearer(),
				body: jsonBody(map[string]string{"current_password": current, "new_password": "a new long passphrase"})})
		}
		for i := range 10 {
			if r := change(fmt.Sprint("guess number ", i)); r.StatusCode != 400 {
				t.Fatalf("guess %d at the current password: %d %s", i, r.StatusCode, r.body)
			}
		}
		if r := change(a.Passwd); r.StatusCode != 429 {
			t.Fatalf("the 11th try at the current password: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("so do those of the settings form whose repeated password differs", func(t *testing.T) {
		// The form checks every field at once, the current password among them, before the
		// repeated one: that check must be counted too, or it is a way to guess for free.
		s := newSite(t)
		a := s.signup("target")
		for i := range 10 {
			s.postForm("/settings/password", a.Cookie, url.Values{"_csrf": {a.CSRF}, "current_password": {fmt.Sprint("guess number ", i)},
				"new_password": {"a new long passphrase"}, "new_password_confirm": {"does not match"}})
		}
		r := s.do(req{method: "POST", path: "/api/v1/me/password", headers: a.bearer(),
			body: jsonBody(map[string]string{"current_password": a.Passwd, "new_password": "a new long passphrase"})})
		if r.StatusCode != 429 {
			t.Fatalf("after 10 wrong guesses through the form: %d %s", r.StatusCode, r.body)
		}
	})
}

// TestHashingIsBounded holds as many password checks as there are hashing slots: the next
// sign-in or sign-up must be refused at once as busy, not queued behind them, and must
// not cost its caller an attempt.
func TestHashingIsBounded(t *testing.T) {
	h := newHeldHasher()
	s := newSite(t, withAccounts(func(a *forum.Accounts) {
		a.Hasher = h
		a.HashConcurrency = 2
		a.HashWait = 20 * time.Millisecond
	}))
	a := s.signup("teacher")
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.tryLogin(fmt.Sprint("stranger", i), "some password")
		}()
	}
	for range 2 {
		waitFor(t, h.entered, "two checks in flight")
	}
	for _, tc := range []struct {
		name string
		send func() *response
	}{
		{"sign-in", func() *response { return s.tryLogin("teacher", a.Passwd) }},
		{"sign-up", func() *response {
			return s.do(req{method: "POST", path: "/api/v1/auth/signup", body: jsonBody(map[string]string{
				"username": "latecomer", "email": "late@district.org", "password": "a long enough passphrase"})})
		}},
	} {
		done := make(chan *response, 1)
		go func() { done <- tc.send() }()
		select {
		case <-h.entered:
			t.Fatalf("%s: a third check started while both slots were taken", tc.name)
		case r := <-done:
			if r.StatusCode != 429 && r.StatusCode != 503 {
				t.Fatalf("%s with every slot taken: %d %s", tc.name, r.StatusCode, r.body)
			}
			if code, _ := r.errorCode(t); code != "busy" || r.Header.Get("Retry-After") == "" {
				t.Fatalf("%s: code %q, Retry-After %q", tc.name, code, r.Header.Get("Retry-After"))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s waited behind the held checks instead of being refused", tc.name)
		}
	}
	close(h.release)
	wg.Wait()
	// The refused sign-in cost the owner nothing: nine failures still leave the tenth.
	for i := range 9 {
		s.tryLogin("teacher", fmt.Sprint("guess number ", i))
	}
	if r := s.tryLogin("teacher", a.Passwd); r.StatusCode != 200 {
		t.Fatalf("the owner after 9 failures and one busy refusal: %d %s", r.StatusCode, r.body)
	}
}
