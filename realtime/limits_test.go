package realtime_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"staffroom/realtime"
	"staffroom/realtime/wstest"
)

// dialQuery opens /ws with a query (user=, key=) and returns the handshake's answer.
func (th *testHub) dialQuery(query string) (*wstest.Client, *http.Response, error) {
	th.t.Helper()
	return wstest.Dial(th.t, "ws://"+th.addr+"/ws?"+query, nil)
}

func (th *testHub) mustDialQuery(query string) *wstest.Client {
	th.t.Helper()
	c, resp, err := th.dialQuery(query)
	if err != nil {
		th.t.Fatalf("dial %s: %v (%v)", query, err, status(resp))
	}
	return c
}

func status(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// TestReplayIsBounded: a subscribe's since replays what the client missed only while that
// is a resume's worth: past MaxReplayEvents or MaxReplayBytes, or past the connection's
// replay budget, the answer is reset, and finding that out reads little.
func TestReplayIsBounded(t *testing.T) {
	t.Run("events", func(t *testing.T) {
		th := newTestHub(t, realtime.Config{})
		const n = realtime.DefaultMaxReplayEvents + 10
		for i := range n {
			th.log.append("question:1", "vote.changed", map[string]int{"score": i})
		}
		c := th.dial(1)
		if head := c.SubscribeSince("question:1", 0); head != n {
			t.Fatalf("head %d, want %d", head, n)
		}
		if f := c.Next(); f.Type != "reset" || f.Topic != "question:1" || *f.Seq != n {
			t.Fatalf("since 0 with %d events: want reset, got %+v", n, f)
		}
		if th.log.readCount() != 0 {
			t.Fatalf("refusing the replay read %d events: the seqs alone say it is too long", th.log.readCount())
		}
		// After a reset the subscription goes on live from the head.
		th.publish("question:1", "vote.changed", map[string]int{"score": -1})
		if f := c.Next(); f.Type != "event" || *f.Seq != n+1 {
			t.Fatalf("live after reset: %+v", f)
		}

		d := th.dial(2)
		d.SubscribeSince("question:1", n+1-5)
		for want := int64(n + 1 - 4); want <= n+1; want++ {
			if f := d.Next(); f.Type != "event" || *f.Seq != want {
				t.Fatalf("since head-5: want event %d, got %+v", want, f)
			}
		}
		d.RoundTrip() // and nothing more
	})

	t.Run("bytes", func(t *testing.T) {
		th := newTestHub(t, realtime.Config{})
		big := strings.Repeat("x", 300<<10) // four of these are past the 1 MiB bound
		for range 10 {
			th.log.append("question:2", "post.updated", map[string]string{"body": big})
		}
		c := th.dial(1)
		c.SubscribeSince("question:2", 0)
		if f := c.Next(); f.Type != "reset" {
			t.Fatalf("since 0 with 3 MB of events: want reset, got %+v", f)
		}
		if th.log.readCount() > 4 {
			t.Fatalf("refusing a replay over 1 MiB read %d events of 300 KiB", th.log.readCount())
		}
		c.SubscribeSince("question:2", 7)
		for want := int64(8); want <= 10; want++ {
			if f := c.Next(); f.Type != "event" || *f.Seq != want {
				t.Fatalf("since 7: want event %d, got %+v", want, f)
			}
		}
	})

	t.Run("budget per connection", func(t *testing.T) {
		for _, unlimited := range []bool{false, true} {
			th := newTestHub(t, realtime.Config{Unlimited: unlimited})
			big := strings.Repeat("x", 300<<10)
			for range 3 {
				th.log.append("question:3", "post.updated", map[string]string{"body": big})
			}
			// 900 KiB a replay: four fit in the 4 MiB a minute, the fifth does not.
			c := th.dial(1)
			for i := range 5 {
				c.SubscribeSince("question:3", 0)
				f := c.Next()
				refused := f.Type == "reset"
				if want := i == 4 && !unlimited; refused != want {
					t.Fatalf("unlimited %v, replay %d: got %+v, want reset %v", unlimited, i+1, f.Type, want)
				}
				if !refused {
					c.Next()
					c.Next()
				}
			}
			// Another connection has its own budget.
			d := th.dial(2)
			d.SubscribeSince("question:3", 0)
			if f := d.Next(); f.Type != "event" {
				t.Fatalf("a fresh connection's replay: %+v", f)
			}
		}
	})
}

// TestReplayBudgetPerAddress: reconnecting buys no fresh replay budget.
func TestReplayBudgetPerAddress(t *testing.T) {
	th := newTestHub(t, realtime.Config{ReplayBudgetPerAddr: 4 << 20})
	big := strings.Repeat("x", 300<<10)
	for range 3 {
		th.log.append("question:3", "post.updated", map[string]string{"body": big})
	}
	c := th.dial(1)
	for range 4 { // 900 KiB each: 3.6 MB of the address's 4 MiB
		c.SubscribeSince("question:3", 0)
		for range 3 {
			if f := c.Next(); f.Type != "event" {
				t.Fatalf("within the budget: %+v", f)
			}
		}
	}
	c.Conn.Close()
	d := th.dial(1)
	d.SubscribeSince("question:3", 0)
	if f := d.Next(); f.Type != "reset" {
		t.Fatalf("a new connection from the same address: %+v, want reset", f)
	}
}

// TestConnectionCaps: past the per-address caps (signed-in and anonymous counted apart)
// an upgrade is refused with 429, past the global cap with 503; a closed connection gives
// its place back; Unlimited (rate limits off) lifts the per-address caps only.
func TestConnectionCaps(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		th := newTestHub(t, realtime.Config{MaxAnonConnsPerAddr: 2, MaxConnsPerAddr: 3})
		anon := []*wstest.Client{th.mustDialQuery(""), th.mustDialQuery("")}
		if _, resp, err := th.dialQuery(""); err == nil || status(resp) != http.StatusTooManyRequests {
			t.Fatalf("a third anonymous socket: %v (%d), want 429", err, status(resp))
		}
		for i := range 3 {
			th.mustDialQuery(fmt.Sprintf("user=%d", i+1))
		}
		if _, resp, err := th.dialQuery("user=9"); err == nil || status(resp) != http.StatusTooManyRequests {
			t.Fatalf("a fourth signed-in socket: %v (%d), want 429", err, status(resp))
		}
		// A connection counts once its upgrade has started it, which may be just after the
		// client reads 101: wait for all five, then for the closed one to go.
		waitConns := func(n int64) {
			t.Helper()
			deadline := time.Now().Add(5 * time.Second)
			for th.hub.Stats().Connections.Load() != n {
				if time.Now().After(deadline) {
					t.Fatalf("%d connections, want %d", th.hub.Stats().Connections.Load(), n)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		waitConns(5)
		anon[0].Conn.Close()
		waitConns(4)
		th.mustDialQuery("").RoundTrip() // its place is free again
		if n := th.hub.Stats().Refused.Load(); n != 2 {
			t.Fatalf("%d refusals counted, want 2", n)
		}
	})

	t.Run("global", func(t *testing.T) {
		th := newTestHub(t, realtime.Config{MaxConns: 3, Unlimited: true})
		for i := range 3 {
			th.mustDialQuery(fmt.Sprintf("user=%d", i+1))
		}
		if _, resp, err := th.dialQuery("user=4"); err == nil || status(resp) != http.StatusServiceUnavailable {
			t.Fatalf("past the global cap: %v (%d), want 503", err, status(resp))
		}
	})

	t.Run("unlimited lifts the per-address caps", func(t *testing.T) {
		th := newTestHub(t, realtime.Config{MaxAnonConnsPerAddr: 2, MaxConnsPerAddr: 2, Unlimited: true})
		for i := range 5 {
			th.mustDialQuery("")
			th.mustDialQuery(fmt.Sprintf("user=%d", i+1))
		}
	})
}

// TestIdleAnonymousSocketIsClosed: an anonymous socket that follows nothing is closed
// after IdleTimeout (1008); one that follows a topic, and a signed-in one, stay.
func TestIdleAnonymousSocketIsClosed(t *testing.T) {
	th := newTestHub(t, realtime.Config{IdleTimeout: 100 * time.Millisecond, PingInterval: 20 * time.Millisecond, PresenceEvery: 10 * time.Millisecond})
	reader := th.dial(0)
	reader.Subscribe("questions")
	member := th.dial(1)
	left := th.dial(0)
	left.Subscribe("questions")
	left.Send(`{"type":"unsubscribe","topic":"questions"}`)
	if f := left.Next(); f.Type != "unsubscribed" {
		t.Fatalf("unsubscribe: %+v", f)
	}

	start := time.Now()
	idle := th.dial(0)
	if code := idle.ClosedWith(2 * time.Second); code != websocket.ClosePolicyViolation {
		t.Fatalf("idle anonymous socket closed with %d, want 1008", code)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("closed after %s, before the idle timeout", d)
	}
	if code := left.ClosedWith(2 * time.Second); code != websocket.ClosePolicyViolation {
		t.Fatalf("a socket that left its last topic closed with %d, want 1008", code)
	}
	reader.RoundTrip()
	member.RoundTrip()
}

// identityHub is a test hub whose Recheck believes the keys in valid.
type identityHub struct {
	*testHub
	mu    sync.Mutex
	valid map[string]bool
	fail  bool // Recheck answers a store error
}

func newIdentityHub(t *testing.T, cfg realtime.Config) *identityHub {
	ih := &identityHub{valid: map[string]bool{}}
	cfg.Recheck = func(_ context.Context, who realtime.Identity) error {
		ih.mu.Lock()
		defer ih.mu.Unlock()
		switch {
		case ih.fail:
			return errors.New("the database is away")
		case !ih.valid[who.Key]:
			return fmt.Errorf("key %q: %w", who.Key, realtime.ErrSignedOut)
		}
		return nil
	}
	ih.testHub = newTestHub(t, cfg)
	return ih
}

func (ih *identityHub) set(key string, ok bool) {
	ih.mu.Lock()
	ih.valid[key] = ok
	ih.mu.Unlock()
}

// TestCloseIdentity: the connections of one credential are closed at once (4401); those
// of the same person's other credentials, and another person's with the same key, stay.
func TestCloseIdentity(t *testing.T) {
	th := newIdentityHub(t, realtime.Config{RecheckEvery: time.Hour})
	a1, a2 := th.mustDialQuery("user=1&key=a"), th.mustDialQuery("user=1&key=a")
	b := th.mustDialQuery("user=1&key=b")
	other := th.mustDialQuery("user=2&key=a")
	for _, c := range []*wstest.Client{a1, a2, b, other} {
		c.Subscribe("questions")
	}
	if n := th.hub.CloseIdentity(1, "a"); n != 2 {
		t.Fatalf("closed %d connections, want 2", n)
	}
	for _, c := range []*wstest.Client{a1, a2} {
		if code := c.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
			t.Fatalf("closed with %d, want %d", code, realtime.CloseSignedOut)
		}
	}
	th.publish("questions", "question.created", map[string]int{"id": 1})
	for _, c := range []*wstest.Client{b, other} {
		if f := c.Next(); f.Type != "event" {
			t.Fatalf("a connection of another credential: %+v", f)
		}
	}
	if n := th.hub.Stats().Subscriptions.Load(); n != 2 {
		t.Fatalf("%d subscriptions left, want 2", n)
	}
}

// TestRecheck: a signed-in connection whose credential no longer holds is closed on the
// ping rounds (changes the hub never hears of) and at once on RecheckUser; a store that
// cannot answer closes nothing.
func TestRecheck(t *testing.T) {
	t.Run("periodic", func(t *testing.T) {
		th := newIdentityHub(t, realtime.Config{RecheckEvery: 20 * time.Millisecond, PingInterval: 20 * time.Millisecond, PresenceEvery: 10 * time.Millisecond})
		th.set("a", true)
		th.set("b", true)
		a, b := th.mustDialQuery("user=1&key=a"), th.mustDialQuery("user=1&key=b")
		a.Subscribe("user:1")
		th.set("a", false)
		if code := a.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
			t.Fatalf("closed with %d, want %d", code, realtime.CloseSignedOut)
		}
		th.mu.Lock()
		th.fail = true
		th.mu.Unlock()
		time.Sleep(100 * time.Millisecond) // several rounds of failed checks
		b.RoundTrip()
	})
	t.Run("at once", func(t *testing.T) {
		th := newIdentityHub(t, realtime.Config{RecheckEvery: time.Hour})
		th.set("a", true)
		th.set("b", true)
		a, b := th.mustDialQuery("user=1&key=a"), th.mustDialQuery("user=1&key=b")
		a.Subscribe("user:1")
		b.Subscribe("user:1")
		th.set("a", false)
		th.hub.RecheckUser(1)
		if code := a.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
			t.Fatalf("closed with %d, want %d", code, realtime.CloseSignedOut)
		}
		th.publish("user:1", "notification.created", map[string]int{"id": 1})
		if f := b.Next(); f.Type != "event" {
			t.Fatalf("the connection that still holds: %+v", f)
		}
	})
}
