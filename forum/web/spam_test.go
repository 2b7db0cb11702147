package web_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/moderation"
)

// hiddenReason reads a post's or comment's hidden state straight from the database.
func (s *testSite) hiddenReason(table string, id int64) (bool, string) {
	s.t.Helper()
	var at sql.NullTime
	var reason string
	if err := s.db.Reader().QueryRow(`SELECT hidden_at, hidden_reason FROM `+table+` WHERE id = ?`, id).Scan(&at, &reason); err != nil {
		s.t.Fatal(err)
	}
	return at.Valid, reason
}

// Suspect posts are stored hidden pending review, with a system row in the audit log;
// admins manage the blocked words and domains through the API and the page.
func TestSpamSignalsHidePosts(t *testing.T) {
	s := newSite(t, withSpam())
	admin := s.signup("founder")
	mod := s.moderator("moderator")
	member := s.signup("member")
	veteran := s.signup("veteran")
	s.giveReputation(veteran, 200) // past the new-member rules: may post many links

	mustError(t, s.apiAs(member, "PUT", "/api/v1/admin/spam", map[string]any{"words": []string{"casino"}}), 404, "not_found", "")
	mustError(t, s.apiAs(admin, "PUT", "/api/v1/admin/spam", map[string]any{"domains": []string{"not a domain"}}), 400, "bad_domain", "domains")
	r := s.apiAs(admin, "PUT", "/api/v1/admin/spam", map[string]any{"words": []string{"Casino", "buy essays"}, "domains": []string{"https://www.spam.example/"}})
	mustStatus(t, r, 200, "set lists")
	if m := r.json(t); fmt.Sprint(m["words"]) != "[buy essays casino]" || fmt.Sprint(m["domains"]) != "[spam.example]" {
		t.Fatalf("lists %v", m)
	}
	qid := s.ask(mod, "How do you pace a unit on fractions?", "math")
	answer := func(a *account, body string) int64 {
		t.Helper()
		r := s.apiAs(a, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": body})
		mustStatus(t, r, 201, "answer")
		return int64(r.json(t)["id"].(float64))
	}
	manyLinks := "Resources: https://a.example/1 https://b.example/2 https://c.example/3 https://d.example/4 https://e.example/5 https://f.example/6"
	cases := []struct {
		name   string
		by     *account
		body   string
		wait   time.Duration // before posting: the account's age counts
		hidden bool
		reason string
	}{
		{"a plain answer", member, goodBody, 0, false, ""},
		{"a blocked word", member, "The best casino bonus is here for all teachers today.", 0, true, "a blocked word"},
		{"a blocked domain", member, "Read more at https://deals.spam.example/grading today.", 0, true, "a link to a blocked domain"},
		{"a moderator is never scored", mod, "A casino trip is a poor reward for a class, in my view.", 0, false, ""},
		{"many links from a brand-new account", veteran, manyLinks, 0, true, "many links"},
		{"many links from an older account", veteran, manyLinks + " (again)", 20 * time.Minute, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.clock.Add(tc.wait)
			id := answer(tc.by, tc.body)
			hidden, reason := s.hiddenReason("posts", id)
			if hidden != tc.hidden || !strings.Contains(reason, tc.reason) {
				t.Fatalf("hidden %v %q, want %v %q", hidden, reason, tc.hidden, tc.reason)
			}
			rows := s.auditRows(mod, "target=post:"+idStr(id))
			if tc.hidden != (len(rows) == 1) {
				t.Fatalf("audit rows %v", rows)
			}
			if tc.hidden && (rows[0]["actor"] != nil || rows[0]["action"] != "post.hide" || !strings.Contains(rows[0]["reason"].(string), tc.reason)) {
				t.Fatalf("audit row %v", rows[0])
			}
			// A hidden answer is never announced to the question's readers, and waits in the
			// flags queue.
			var announced, queued int
			if err := s.db.Reader().QueryRow(`SELECT COUNT(*) FROM events WHERE name = 'answer.created' AND post_id = ?`, id).Scan(&announced); err != nil {
				t.Fatal(err)
			}
			if err := s.db.Reader().QueryRow(`SELECT COUNT(*) FROM review_items WHERE kind = 'flags' AND target_kind = 'post' AND target_id = ? AND status = 'open'`, id).Scan(&queued); err != nil {
				t.Fatal(err)
			}
			if tc.hidden == (announced == 1) || tc.hidden != (queued == 1) {
				t.Fatalf("hidden %v: announced %d, queued %d", tc.hidden, announced, queued)
			}
		})
	}
	t.Run("the same text posted repeatedly", func(t *testing.T) {
		s.clock.Add(30 * time.Minute)
		body := "Here is a worksheet I made for equivalent fractions, with answers."
		var ids []int64
		for range 3 {
			ids = append(ids, answer(veteran, body))
		}
		for i, id := range ids {
			if hidden, _ := s.hiddenReason("posts", id); hidden != (i == 2) {
				t.Fatalf("copy %d hidden=%v", i+1, hidden)
			}
		}
	})
	t.Run("comments too", func(t *testing.T) {
		id := s.comment(member, qid, "Try buy essays dot com for the unit plan.")
		if hidden, reason := s.hiddenReason("comments", id); !hidden || !strings.Contains(reason, "a blocked word") {
			t.Fatalf("comment hidden %v %q", hidden, reason)
		}
	})
	t.Run("the admin page", func(t *testing.T) {
		mustStatus(t, s.pageAs(member, "/admin/spam"), 404, "a member")
		page := s.pageAs(admin, "/admin/spam")
		mustStatus(t, page, 200, "the page")
		if !strings.Contains(string(page.body), "buy essays\ncasino") {
			t.Fatalf("the page does not show the words: %.3000s", page.body)
		}
		mustStatus(t, s.formAs("/admin/spam", admin, "words", "lottery\n\nCasino", "domains", "spam.example\nscam.example"), 303, "save")
		r := s.apiAs(admin, "GET", "/api/v1/admin/spam", nil)
		if m := r.json(t); fmt.Sprint(m["words"]) != "[casino lottery]" || fmt.Sprint(m["domains"]) != "[scam.example spam.example]" {
			t.Fatalf("lists after the form %v", m)
		}
		r = s.formAs("/admin/spam", admin, "words", "fine", "domains", "nope")
		mustStatus(t, r, 400, "a bad domain")
		if !strings.Contains(string(r.body), "is not a domain") {
			t.Fatalf("the page does not say what is wrong: %.300s", r.body)
		}
	})
}

// The new-member rules, each a row: reputation under the threshold and not a known
// member; the others are free of them.
func TestNewMemberLimits(t *testing.T) {
	rules := forum.NewUserRules{Reputation: 10, MaxLinks: 2, NoImages: true, DailyPosts: 3, QuestionInterval: 40 * time.Minute}
	s := newSite(t, func(s *testSite) { s.newUsers = &rules })
	s.qa.Render = moderation.NewRenderer(moderation.WithImageProxy(func(src string) string { return "/img/x?u=" + src }))
	s.signup("founder")
	mod := s.moderator("moderator")
	newbie := s.signup("newbie")
	earned := s.signup("earned")
	s.giveReputation(earned, 10)
	known := s.signup("known")
	if _, err := s.db.Writer().Exec(`UPDATE users SET known = 1 WHERE id = ?`, known.ID); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(3 * time.Second)
	qid := s.ask(mod, "How do you pace a unit on fractions?", "math")
	post := func(a *account, body string) *response {
		return s.apiAs(a, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": body})
	}
	threeLinks := "See https://a.example/1 and https://b.example/2 and https://c.example/3 for the worksheets."
	image := "Here is the anchor chart we use: ![chart](https://images.example/chart.png) for fractions."
	cases := []struct {
		name   string
		body   string
		newbie int // the new member's status
		code   string
	}{
		{"two links", "See https://a.example/1 and https://b.example/2 for the worksheets we use.", 201, ""},
		{"three links", threeLinks, 400, "too_many_links"},
		{"an image", image, 400, "no_images"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(newbie, tc.body)
			if tc.code != "" {
				mustError(t, r, tc.newbie, tc.code, "body")
			} else {
				mustStatus(t, r, tc.newbie, "the new member")
			}
			for _, free := range []*account{earned, known, mod} {
				mustStatus(t, post(free, tc.body), 201, free.Name)
			}
		})
	}
	t.Run("forty minutes between questions", func(t *testing.T) {
		s.ask(newbie, "A first question from a new member here", "math")
		r := s.apiAs(newbie, "POST", "/api/v1/questions", askBody("A second question from a new member"))
		mustRetryAfter(t, r, 40*60, "second question")
		s.ask(earned, "A first question from an earned member", "math")
		s.ask(earned, "A second question from an earned member", "math")
	})
	t.Run("the daily quota", func(t *testing.T) {
		// newbie has posted an answer and a question today: one more passes, then the
		// quota holds until midnight UTC.
		mustStatus(t, post(newbie, goodBody), 201, "third post of the day")
		r := post(newbie, goodBody+" Again.")
		midnight := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
		mustRetryAfter(t, r, int(midnight.Sub(s.clock.Now()).Seconds()), "fourth post of the day")
		for range 3 {
			mustStatus(t, post(known, goodBody), 201, "a known member")
		}
		s.clock.Add(midnight.Sub(s.clock.Now()))
		mustStatus(t, post(newbie, goodBody), 201, "the next day")
	})
}
