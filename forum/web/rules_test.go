package web_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// The new-member rules and text hygiene of issue #16, through the real app.

// post sends a JSON request as a and returns the response.
func (s *testSite) post(a *account, method, path string, body any) *response {
	s.t.Helper()
	return s.do(req{method: method, path: path, headers: a.bearer(), body: jsonBody(body)})
}

// wantInvalid fails unless r is a 400 with code and field.
func wantInvalid(t *testing.T, r *response, code, field string) {
	t.Helper()
	if got, gotField := r.errorCode(t); r.StatusCode != 400 || got != code || gotField != field {
		t.Fatalf("%d %s: want 400 %s naming %s", r.StatusCode, r.body, code, field)
	}
}

func TestNewMemberLinkLimitCountsRenderedLinks(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a, b := s.signup("newbie"), s.signup("helper")
	threeLinks := goodBody + " See https://a.example, https://b.example and https://c.example."
	qid := s.ask(a, "Which reading apps do you recommend?", "reading")

	t.Run("an edit adding three links is refused like a new post", func(t *testing.T) {
		r := s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"body": threeLinks})
		wantInvalid(t, r, "too_many_links", "body")
		if q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t); strings.Contains(q["body"].(string), "a.example") {
			t.Fatal("the refused edit was stored")
		}
	})
	t.Run("an answer edited to three links", func(t *testing.T) {
		aid := s.answer(a, s.ask(b, "Which math apps do you recommend?", "math"))
		r := s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", aid), map[string]any{"body": threeLinks})
		wantInvalid(t, r, "too_many_links", "body")
	})
	t.Run("protocol-relative links count", func(t *testing.T) {
		r := s.post(a, "POST", "/api/v1/questions", map[string]any{"title": "Which science apps do you recommend?",
			"body": goodBody + " [a](//evil.example) [b](//evil.example/b) and [c](//evil.example/c)", "tags": []string{"science"}})
		wantInvalid(t, r, "too_many_links", "body")
		r = s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"body": goodBody + " [a](//evil.example) [b](//b.example) ![c](https://c.example/c.png)"})
		wantInvalid(t, r, "too_many_links", "body")
	})
	t.Run("a comment with three links", func(t *testing.T) {
		r := s.post(a, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{
			"body": "Try [this](//a.example), <https://b.example> and www.c.example too."})
		wantInvalid(t, r, "too_many_links", "body")
		r = s.post(a, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{
			"body": "Try [this](//a.example) and <https://b.example> too."})
		if r.StatusCode != 201 {
			t.Fatalf("a comment with two links: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("links to the site itself do not count", func(t *testing.T) {
		s.qa.NewUsers.SiteHost = "staffroom.test"
		defer func() { s.qa.NewUsers.SiteHost = "" }()
		r := s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"body": goodBody +
			" Like [this](/questions/1), [that](http://staffroom.test/questions/2) and [one more](//staffroom.test/questions/3)."})
		if r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("trusted members may link", func(t *testing.T) {
		s.giveReputation(a, 125)
		if r := s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"body": threeLinks}); r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
}

func TestQuestionIntervalHoldsUnderRacesAndDeletes(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	s.qa.NewUsers.QuestionInterval = 40 * time.Minute
	a := s.signup("hasty")

	t.Run("six questions at once: exactly one", func(t *testing.T) {
		statuses := make([]*response, 6)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = s.post(a, "POST", "/api/v1/questions", map[string]any{
					"title": fmt.Sprintf("Parallel question number %d about grading", i), "body": goodBody, "tags": []string{"grading"}})
			}()
		}
		wg.Wait()
		created := 0
		for _, r := range statuses {
			switch {
			case r.StatusCode == 201:
				created++
			case r.StatusCode == 429 && r.Header.Get("Retry-After") != "":
				if code, _ := r.errorCode(t); code != "rate_limited" {
					t.Fatalf("refusal: %s", r.body)
				}
			default:
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
		}
		if created != 1 {
			t.Fatalf("%d questions created at once, want 1", created)
		}
	})
	t.Run("deleting the last question does not reset the clock", func(t *testing.T) {
		s.clock.Add(41 * time.Minute)
		qid := s.ask(a, "A question I will delete at once", "meta")
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: a.bearer()}); r.StatusCode != 204 {
			t.Fatalf("delete: %d %s", r.StatusCode, r.body)
		}
		r := s.post(a, "POST", "/api/v1/questions", map[string]any{"title": "And the question I meant to ask", "body": goodBody, "tags": []string{"meta"}})
		if r.StatusCode != 429 || r.Header.Get("Retry-After") != "2400" {
			t.Fatalf("%d Retry-After %q: %s", r.StatusCode, r.Header.Get("Retry-After"), r.body)
		}
		s.clock.Add(40 * time.Minute)
		s.ask(a, "And the question I meant to ask", "meta")
	})
}

func TestTextHygiene(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("writer")
	s.giveReputation(a, 1000) // the edit privilege, for tag descriptions
	qid := s.ask(a, "What are good exit ticket routines?", "assessment")
	question := func(id int64) map[string]any {
		return s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", id)}).json(t)
	}

	for _, tc := range []struct{ name, title string }{
		{"zero-width title", strings.Repeat("\u200b", 20)},
		{"zero-width and spaces title", strings.Repeat("\u200b \u2060\ufeff", 10)},
		{"U+0001 in a title", "What are good exit \u0001 ticket routines?"},
		{"U+0085 in a title", "What are good exit\u0085ticket routines?"},
		{"CR LF in a title", "What are good exit\r\nticket routines?"},
		{"LF in a title", "What are good exit\nticket routines?"},
		{"U+2028 in a title", "What are good exit\u2028ticket routines?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(a, "POST", "/api/v1/questions", map[string]any{"title": tc.title, "body": goodBody, "tags": []string{"x"}})
			if code, field := r.errorCode(t); r.StatusCode != 400 || field != "title" || code == "" {
				t.Fatalf("ask: %d %s", r.StatusCode, r.body)
			}
			r = s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"title": tc.title})
			if _, field := r.errorCode(t); r.StatusCode != 400 || field != "title" {
				t.Fatalf("edit: %d %s", r.StatusCode, r.body)
			}
		})
	}
	t.Run("zero-width comment", func(t *testing.T) {
		r := s.post(a, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": strings.Repeat("\u200b", 30)})
		wantInvalid(t, r, "too_short", "body")
	})
	t.Run("zero-width answer", func(t *testing.T) {
		r := s.post(a, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": strings.Repeat("\u200b\u200d", 30)})
		wantInvalid(t, r, "too_short", "body")
	})
	t.Run("control characters leave bodies, NFC stays", func(t *testing.T) {
		r := s.post(a, "POST", "/api/v1/questions", map[string]any{"title": "Which cafe\u0301 routines help new teachers?",
			"body": "Our cafe\u0301 meetings\u0001 run\r\nweekly\u0085 and\u007f they\tare " + goodBody, "tags": []string{"meetings"}})
		if r.StatusCode != 201 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		q := question(int64(r.json(t)["id"].(float64)))
		if q["title"] != "Which café routines help new teachers?" {
			t.Fatalf("title %q is not NFC", q["title"])
		}
		if want := "Our café meetings run\nweekly and they\tare " + goodBody; q["body"] != want {
			t.Fatalf("body = %q, want %q", q["body"], want)
		}
	})
	t.Run("comments and edits are cleaned the same way", func(t *testing.T) {
		r := s.post(a, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": "A cafe\u0301\u0001 comment long enough."})
		if r.StatusCode != 201 || r.json(t)["body"] != "A café comment long enough." {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		r = s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"body": "Edited\u0001 cafe\u0301 " + goodBody, "summary": "cafe\u0301"})
		if r.StatusCode != 200 || question(qid)["body"] != "Edited café "+goodBody {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("display names", func(t *testing.T) {
		for _, name := range []string{"\u200b\u200b", "Ms\u0001 Rivera", "Ms\u0085Rivera", "Ms\nRivera"} {
			r := s.post(a, "PATCH", "/api/v1/me", map[string]any{"display_name": name})
			if _, field := r.errorCode(t); r.StatusCode != 400 || field != "display_name" {
				t.Fatalf("%q: %d %s", name, r.StatusCode, r.body)
			}
		}
		r := s.post(a, "PATCH", "/api/v1/me", map[string]any{"display_name": "Mr. Jose\u0301"})
		if r.StatusCode != 200 || r.json(t)["user"].(map[string]any)["display_name"] != "Mr. José" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("token names", func(t *testing.T) {
		for _, name := range []string{"\u200b", "laptop\u0001", "lap\ntop"} {
			r := s.post(a, "POST", "/api/v1/me/tokens", map[string]any{"name": name})
			if _, field := r.errorCode(t); r.StatusCode != 400 || field != "name" {
				t.Fatalf("%q: %d %s", name, r.StatusCode, r.body)
			}
		}
	})
	t.Run("tags", func(t *testing.T) {
		r := s.post(a, "POST", "/api/v1/questions", map[string]any{"title": "A question with a hidden tag", "body": goodBody, "tags": []string{"\u200b"}})
		wantInvalid(t, r, "invalid_tag", "tags")
		r = s.post(a, "POST", "/api/v1/questions", map[string]any{"title": "A question with a broken tag", "body": goodBody, "tags": []string{"a\u0001b"}})
		wantInvalid(t, r, "invalid_characters", "tags")
	})
	t.Run("tag descriptions", func(t *testing.T) {
		r := s.post(a, "PATCH", "/api/v1/tags/assessment", map[string]any{"excerpt": "Exit\u0001 tickets and cafe\u0301 quizzes."})
		if r.StatusCode != 200 || r.json(t)["excerpt"] != "Exit tickets and café quizzes." {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
}

func TestRepeatedTagsCountTowardTheLimit(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("tagger")
	for _, n := range []int{6, 100_000} {
		tags := make([]string, n)
		for i := range tags {
			tags[i] = "grading"
		}
		r := s.post(a, "POST", "/api/v1/questions", map[string]any{"title": "One tag sent many times over", "body": goodBody, "tags": tags})
		wantInvalid(t, r, "too_many_tags", "tags")
		qid := s.ask(a, fmt.Sprintf("A question to retag, number %d", n), "grading")
		r = s.post(a, "PATCH", fmt.Sprintf("/api/v1/posts/%d", qid), map[string]any{"tags": tags})
		wantInvalid(t, r, "too_many_tags", "tags")
	}
}

func TestNewMemberRules(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("newbie")
	links := goodBody + " See https://a.example, https://b.example and www.c.example."
	r := s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
		"title": "Which reading apps do you recommend?", "body": links, "tags": []string{"reading"}})})
	if code, field := r.errorCode(t); r.StatusCode != 400 || code != "too_many_links" || field != "body" {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	s.qa.NewUsers.QuestionInterval = 40 * time.Minute
	s.ask(a, "Which reading apps do you recommend?", "reading")
	r = s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
		"title": "And which math apps do you recommend?", "body": goodBody, "tags": []string{"math"}})})
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("second question at once: %d", r.StatusCode)
	}
	s.clock.Add(41 * time.Minute)
	s.ask(a, "And which math apps do you recommend?", "math")
	s.giveReputation(a, 200)
	s.ask(a, "Which science apps do you recommend?", "science") // trusted: no interval
	r = s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
		"title": "Which art apps do you recommend, with links?", "body": links, "tags": []string{"art"}})})
	if r.StatusCode != 201 {
		t.Fatalf("trusted member with links: %d %s", r.StatusCode, r.body)
	}
}
