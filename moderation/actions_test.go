package moderation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

func TestActionLimitsTake(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	rates := map[Action]ActionRate{ActionAnswer: {PerPerson: Rate{2, 2 * time.Minute}, PerIP: Rate{3, 3 * time.Minute}}}
	type step struct {
		user    int64
		ip      string
		ok      bool
		wait    time.Duration
		network bool
		refund  bool // give the attempt back afterwards
		advance time.Duration
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"the person's burst, then a minute's wait", []step{
			{user: 1, ip: "a", ok: true}, {user: 1, ip: "a", ok: true}, {user: 1, ip: "a", wait: time.Minute},
		}},
		{"a refunded attempt is not counted", []step{
			{user: 1, ip: "a", ok: true, refund: true}, {user: 1, ip: "a", ok: true}, {user: 1, ip: "a", ok: true}, {user: 1, ip: "b", wait: time.Minute},
		}},
		{"the address's burst, shared by people", []step{
			{user: 1, ip: "a", ok: true}, {user: 2, ip: "a", ok: true}, {user: 3, ip: "a", ok: true}, {user: 4, ip: "a", wait: time.Minute, network: true},
			{user: 4, ip: "b", ok: true}, // the refusal by address took nothing from person 4
			{user: 4, ip: "b", ok: true},
		}},
		{"anonymous: the address alone", []step{
			{ip: "a", ok: true}, {ip: "a", ok: true}, {ip: "a", ok: true}, {ip: "a", wait: time.Minute, network: true},
		}},
		{"refilled after the wait", []step{
			{user: 1, ip: "a", ok: true}, {user: 1, ip: "a", ok: true}, {user: 1, ip: "a", wait: time.Minute},
			{user: 1, ip: "a", wait: time.Second, advance: 59 * time.Second}, // a wait under a second rounds up to one
			{user: 1, ip: "a", ok: true, advance: time.Second},
		}},
		{"an action without a rate is free", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, at := NewActionLimits(rates), now
			for i, st := range tc.steps {
				at = at.Add(st.advance)
				taken, err := l.Take(ActionAnswer, st.user, st.ip, at)
				if st.ok != (err == nil) {
					t.Fatalf("step %d: err %v, want ok=%v", i, err, st.ok)
				}
				if err != nil {
					e := forum.AsError(err)
					if e == nil || e.Kind != forum.ERateLimited || e.RetryAfter != st.wait {
						t.Fatalf("step %d: %#v, want rate_limited after %v", i, err, st.wait)
					}
					if got := e.Message[:len("Your network")] == "Your network"; got != st.network {
						t.Fatalf("step %d: %q names the network: %v, want %v", i, e.Message, got, st.network)
					}
				}
				if st.refund {
					taken.Refund(at)
				}
			}
			for range 100 {
				if _, err := l.Take(ActionSearch, 1, "a", at); err != nil {
					t.Fatalf("an action without a rate was refused: %v", err)
				}
			}
		})
	}
	t.Run("nil: everything passes", func(t *testing.T) {
		var l *ActionLimits
		for range 100 {
			taken, err := l.Take(ActionAnswer, 1, "a", now)
			if err != nil {
				t.Fatal(err)
			}
			taken.Refund(now)
		}
	})
}

// BenchmarkWriteScreen is what rate limiting and spam scoring add to one write: taking the
// person's and the address's attempt, and scoring an answer of a few paragraphs with
// links against 200 blocked words and 200 domains. The target is under 50 µs.
func BenchmarkWriteScreen(b *testing.B) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	l := NewActionLimits(map[Action]ActionRate{ActionAnswer: {PerPerson: Rate{1 << 30, time.Second}, PerIP: Rate{1 << 30, time.Second}}})
	var terms []forum.SpamTerm
	for i := range 200 {
		terms = append(terms, forum.SpamTerm{Kind: forum.SpamWord, Value: fmt.Sprintf("blocked%03d phrase", i), Source: forum.SpamFromAdmin},
			forum.SpamTerm{Kind: forum.SpamDomainKind, Value: fmt.Sprintf("spam%03d.example", i), Source: forum.SpamFromAdmin})
	}
	lists := forum.NewSpamLists(terms)
	author := &forum.User{ID: 7, Role: forum.RoleMember, CreatedAt: now.Add(-time.Hour)}
	var text strings.Builder
	for range 12 {
		text.WriteString("We tried weekly standards checks with a four-point scale and it worked well for our sixth graders. ")
	}
	links := []string{"https://www.nctm.org/standards", "https://achievethecore.org/page/123", "/questions/42"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := l.Take(ActionAnswer, int64(i%5000), "203.0.113.7", now); err != nil {
			b.Fatal(err)
		}
		c := forum.ScoreSpam(forum.DefaultSpamRules, forum.SpamPost{Author: author, Text: text.String(), Links: links, Now: now}, lists)
		if v := c.WithRepeats(0); v.Hidden {
			b.Fatal("a plain answer scored as spam")
		}
	}
}
