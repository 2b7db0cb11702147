package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/moderation"
)

// withActionLimits turns the per-person and per-address action limits on, as
// STAFFROOM_RATE_LIMITS=on does (nil rates: the defaults).
func withActionLimits(rates map[moderation.Action]moderation.ActionRate) siteOption {
	return func(s *testSite) { s.cfg.ActionLimits = moderation.NewActionLimits(rates) }
}

// mustRetryAfter fails unless r is a 429 rate_limited whose Retry-After is want seconds.
func mustRetryAfter(t *testing.T, r *response, want int, what string) {
	t.Helper()
	mustError(t, r, 429, "rate_limited", "")
	got, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || got != want {
		t.Fatalf("%s: Retry-After %q, want %d: %s", what, r.Header.Get("Retry-After"), want, r.body)
	}
	if !strings.Contains(string(r.body), "again in") && !strings.Contains(string(r.body), "tomorrow") {
		t.Fatalf("%s: the message does not say when to come back: %s", what, r.body)
	}
}

// Sixty answers in a burst from one person: the first ten pass, the rest are refused with
// the exact wait (one answer a minute comes back), and after that minute one more passes.
func TestAnswersInABurstAreLimited(t *testing.T) {
	s := newSite(t, withActionLimits(nil))
	admin := s.signup("founder")
	burst := s.signup("burst")
	qid := s.ask(admin, "How do you pace a unit on fractions?", "math")
	path := fmt.Sprintf("/api/v1/questions/%d/answers", qid)
	passed := 0
	var last *response
	for range 60 {
		last = s.apiAs(burst, "POST", path, map[string]any{"body": goodBody})
		if last.StatusCode == 201 {
			passed++
		}
	}
	if passed != 10 {
		t.Fatalf("%d of 60 answers passed, want 10", passed)
	}
	mustRetryAfter(t, last, 60, "61st answer")

	s.clock.Add(59 * time.Second)
	mustRetryAfter(t, s.apiAs(burst, "POST", path, map[string]any{"body": goodBody}), 1, "a second early")
	s.clock.Add(time.Second)
	mustStatus(t, s.apiAs(burst, "POST", path, map[string]any{"body": goodBody}), 201, "after the wait")

	// Someone else is not slowed by burst's answers; a refused attempt costs nothing.
	other := s.signup("other")
	mustStatus(t, s.apiAs(other, "POST", path, map[string]any{"body": goodBody}), 201, "another person")
	for range 20 {
		mustError(t, s.apiAs(other, "POST", path, map[string]any{"body": "short"}), 400, "too_short", "body")
	}
	mustStatus(t, s.apiAs(other, "POST", path, map[string]any{"body": goodBody}), 201, "bad input is not counted")
}

// Each metered route, per person and per address, answers 429 past its rate with the
// wait in Retry-After.
func TestActionLimitsPerRoute(t *testing.T) {
	one := func(per time.Duration) moderation.ActionRate {
		return moderation.ActionRate{PerPerson: moderation.Rate{Burst: 2, Per: 2 * per}, PerIP: moderation.Rate{Burst: 5, Per: 5 * per}}
	}
	rates := map[moderation.Action]moderation.ActionRate{
		moderation.ActionQuestion: one(time.Hour), moderation.ActionAnswer: one(time.Minute),
		moderation.ActionComment: one(30 * time.Second), moderation.ActionVote: one(10 * time.Second),
		moderation.ActionSearch: one(20 * time.Second),
	}
	s := newSite(t, withActionLimits(rates))
	admin := s.signup("founder")
	ids := make([]int64, 12)
	for i := range ids {
		q, err := s.qa.Ask(context.Background(), s.user(admin), askInput(fmt.Sprintf("Question number %d about pacing units", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = q.ID
	}
	people := make([]*account, 3)
	for i := range people {
		people[i] = s.signup(fmt.Sprintf("teacher%d", i))
		s.giveReputation(people[i], 50)
	}
	type call struct {
		method, path string
		body         any
	}
	cases := []struct {
		name string
		wait int // seconds: per / burst
		call func(n int) call
	}{
		{"questions", 3600, func(n int) call {
			return call{"POST", "/api/v1/questions", askBody(fmt.Sprintf("Another question about pacing, number %d", n))}
		}},
		{"answers", 60, func(n int) call {
			return call{"POST", fmt.Sprintf("/api/v1/questions/%d/answers", ids[n%len(ids)]), map[string]any{"body": goodBody}}
		}},
		{"comments", 30, func(n int) call {
			return call{"POST", fmt.Sprintf("/api/v1/posts/%d/comments", ids[n%len(ids)]), map[string]any{"body": "A comment worth reading, number " + strconv.Itoa(n)}}
		}},
		{"votes", 10, func(n int) call {
			return call{"POST", fmt.Sprintf("/api/v1/posts/%d/vote", ids[n%len(ids)]), map[string]any{"value": 1}}
		}},
		{"searches", 20, func(n int) call { return call{"GET", "/api/v1/search?q=pacing" + strconv.Itoa(n), nil} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			next := func(a *account) *response {
				n++
				c := tc.call(n)
				return s.apiAs(a, c.method, c.path, c.body)
			}
			// Per person: two pass, the third waits one refill.
			for range 2 {
				if r := next(people[0]); r.StatusCode >= 400 {
					t.Fatalf("within the person's burst: %d %s", r.StatusCode, r.body)
				}
			}
			mustRetryAfter(t, next(people[0]), tc.wait, "past the person's burst")
			// Per address: everyone here shares 127.0.0.1 (httptest's remote address);
			// five pass in all (two were people[0]'s), then the network waits.
			for _, a := range []*account{people[1], people[1], people[2]} {
				if r := next(a); r.StatusCode >= 400 {
					t.Fatalf("within the address's burst: %d %s", r.StatusCode, r.body)
				}
			}
			r := next(people[2])
			mustRetryAfter(t, r, tc.wait, "past the address's burst")
			if !strings.Contains(string(r.body), "Your network") {
				t.Fatalf("the address's refusal does not say so: %s", r.body)
			}
			s.clock.Add(time.Hour) // everything refills for the next case
		})
	}
}

// The 41st vote of the UTC day is refused until midnight, whatever the pace.
func TestFortyFirstVoteOfTheDay(t *testing.T) {
	s := newSite(t, withActionLimits(nil))
	admin := s.signup("founder")
	voter := s.signup("voter")
	s.giveReputation(voter, 50)
	var ids []int64
	for i := range 41 {
		q, err := s.qa.Ask(context.Background(), s.user(admin), askInput(fmt.Sprintf("Question number %d about pacing units", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.ID)
	}
	for i, id := range ids {
		s.clock.Add(2 * time.Second) // the pace the per-person vote rate allows
		r := s.apiAs(voter, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", id), map[string]any{"value": 1})
		if i < 40 {
			mustStatus(t, r, 200, fmt.Sprintf("vote %d", i+1))
			continue
		}
		midnight := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		mustRetryAfter(t, r, int(midnight.Sub(s.clock.Now()).Seconds()), "41st vote")
	}
}

// Anonymous searches are metered by address.
func TestAnonymousSearchLimitedByAddress(t *testing.T) {
	s := newSite(t, withActionLimits(map[moderation.Action]moderation.ActionRate{
		moderation.ActionSearch: {PerPerson: moderation.Rate{Burst: 1, Per: time.Minute}, PerIP: moderation.Rate{Burst: 3, Per: 30 * time.Second}},
	}))
	for range 3 {
		mustStatus(t, s.apiAs(nil, "GET", "/api/v1/search?q=fractions", nil), 200, "search")
	}
	mustRetryAfter(t, s.apiAs(nil, "GET", "/api/v1/search?q=fractions", nil), 10, "4th anonymous search")
	mustStatus(t, s.pageAs(nil, "/search?q=fractions"), 429, "the search page shares the limit")
}

// With the limits off (STAFFROOM_RATE_LIMITS=off: no ActionLimits) sixty answers pass.
func TestActionLimitsOff(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	burst := s.signup("burst")
	qid := s.ask(admin, "How do you pace a unit on fractions?", "math")
	for i := range 60 {
		mustStatus(t, s.apiAs(burst, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": goodBody}), 201, fmt.Sprintf("answer %d", i+1))
	}
}

// user reads a's account as the services see it.
func (s *testSite) user(a *account) *forum.User {
	s.t.Helper()
	u, err := s.db.UserByID(context.Background(), a.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

func askInput(title string) forum.AskInput {
	return forum.AskInput{Title: title, Body: goodBody + " What do you do?", Tags: []string{"pacing"}}
}

func askBody(title string) map[string]any {
	return map[string]any{"title": title, "body": goodBody + " What do you do?", "tags": []string{"pacing"}}
}

// The page's forms are metered with the API; a form that fails is not counted.
func TestFormsShareTheActionLimits(t *testing.T) {
	s := newSite(t, withActionLimits(map[moderation.Action]moderation.ActionRate{
		moderation.ActionAnswer: {PerPerson: moderation.Rate{Burst: 2, Per: 2 * time.Minute}, PerIP: moderation.Rate{Burst: 100, Per: time.Minute}},
	}))
	admin := s.signup("founder")
	a := s.signup("teacher")
	qid := s.ask(admin, "How do you pace a unit on fractions?", "math")
	path := fmt.Sprintf("/questions/%d/answers", qid)
	for range 5 {
		mustStatus(t, s.formAs(path, a, "body", "short"), 400, "a failed form")
	}
	mustStatus(t, s.formAs(path, a, "body", goodBody), 303, "first answer")
	mustStatus(t, s.apiAs(a, "POST", "/api"+"/v1"+path, map[string]any{"body": goodBody}), 201, "second, by the API")
	r := s.formAs(path, a, "body", goodBody)
	mustStatus(t, r, 429, "third, by the form")
	if r.Header.Get("Retry-After") != "60" || !strings.Contains(string(r.body), "try again in 1 minute") {
		t.Fatalf("Retry-After %q: %.500s", r.Header.Get("Retry-After"), r.body)
	}
}
