package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Fixes from a review, each pinned by a test.

func TestNextRefusesControlCharacters(t *testing.T) {
	s := newSite(t)
	a := s.signup("redirected")
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/ /evil.example", "/\x7f/evil.example"} {
		r := s.postForm("/login", "", url.Values{"login": {"redirected"}, "password": {a.Passwd}, "next": {next}})
		if r.Header.Get("Location") != "/" {
			t.Fatalf("next=%q redirected to %q", next, r.Header.Get("Location"))
		}
	}
}

func TestTogglingVotesCannotExhaustTheCap(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	author, toggler, fan := s.signup("author"), s.signup("toggler"), s.signup("genuinefan")
	s.giveReputation(toggler, 20)
	s.giveReputation(fan, 20)
	qid := s.ask(author, "How do you start a class novel study?", "reading")
	for range 15 { // 30 votes: under 40 a day, and 15 x 10 would exhaust a 150 cap without the fix
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":1}`})
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":0}`})
	}
	for range 4 {
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":1}`})
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":0}`})
	}
	s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: fan.bearer(), body: `{"value":1}`})
	if rep := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", author.ID)}).json(t)["reputation"]; rep != 11.0 {
		t.Fatalf("author reputation %v after toggles and one genuine vote, want 11", rep)
	}
	// Toggling counts against the daily vote limit: 19 votes cast so far, 21 more allowed.
	for i := range 22 {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":1}`})
		if want := 200; i == 21 {
			if r.StatusCode != 429 {
				t.Fatalf("the 41st vote of the day: %d", r.StatusCode)
			}
		} else if r.StatusCode != want {
			t.Fatalf("vote %d of the day: %d %s", 20+i, r.StatusCode, r.body)
		}
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":0}`})
	}
}

func TestPasswordChangeRevokesTokens(t *testing.T) {
	s := newSite(t)
	a := s.signup("careful")
	r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "careful", "password": a.Passwd})})
	stolen := r.json(t)["token"].(string)
	if r := s.do(req{method: "POST", path: "/api/v1/me/password", cookie: a.Cookie, headers: a.csrf(),
		body: jsonBody(map[string]string{"current_password": a.Passwd, "new_password": "a whole new passphrase"})}); r.StatusCode != 204 {
		t.Fatalf("change: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer " + stolen}}); r.StatusCode != 401 {
		t.Fatalf("a token from before the password change still works: %d", r.StatusCode)
	}
}

func TestDeletedQuestionHidesItsAnswers(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	a, b := s.signup("asker"), s.signup("answerer")
	qid := s.ask(a, "Is this question going to be deleted?", "meta")
	aid := s.answer(b, qid)
	if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: admin.bearer()}); r.StatusCode != 204 {
		t.Fatalf("moderator delete: %d", r.StatusCode)
	}
	for _, p := range []string{"/api/v1/posts/%d/revisions", "/api/v1/posts/%d/comments", "/posts/%d/revisions"} {
		if r := s.do(req{method: "GET", path: fmt.Sprintf(p, aid), headers: b.bearer()}); r.StatusCode != 404 {
			t.Fatalf("%s of an answer to a deleted question: %d", p, r.StatusCode)
		}
	}
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/revisions", aid), headers: admin.bearer()}); r.StatusCode != 200 {
		t.Fatalf("a moderator still sees it: %d", r.StatusCode)
	}
}

func TestTagsWithHash(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("csharp")
	s.ask(a, "Is C# a good first language for high school?", "c#", "c")
	page := string(s.do(req{method: "GET", path: "/"}).body)
	if !containsAll(page, `href="/tags/c%23"`) {
		t.Fatal("the tag link does not escape #")
	}
	r := s.do(req{method: "GET", path: "/tags/c%23"})
	if r.StatusCode != 200 || !containsAll(string(r.body), "Questions tagged c#") {
		t.Fatalf("tag page: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/tags/c%23"}); r.StatusCode != 200 || r.json(t)["name"] != "c#" {
		t.Fatalf("tag API: %d %s", r.StatusCode, r.body)
	}
}

func TestQuestionJSONAlwaysHasAnswers(t *testing.T) {
	s := newSite(t)
	a := s.signup("lonely")
	qid := s.ask(a, "Does anyone have a seating chart tool?", "tools")
	q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
	if answers, ok := q["answers"].([]any); !ok || len(answers) != 0 {
		t.Fatalf("answers = %#v, want an empty list", q["answers"])
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
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

func TestModeratorsUndelete(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	a, b := s.signup("asker"), s.signup("answerer")
	qid := s.ask(a, "Will this question come back after deletion?", "meta")
	aid := s.answer(b, qid)
	s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: b.bearer()})
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/undelete", aid), headers: b.bearer()}); r.StatusCode != 404 {
		t.Fatalf("undelete by a member: %d", r.StatusCode)
	}
	page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), headers: admin.bearer()}).body)
	if !strings.Contains(page, fmt.Sprintf(`action="/posts/%d/undelete"`, aid)) {
		t.Fatal("the moderator does not see the deleted answer with an undelete button")
	}
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/undelete", aid), headers: admin.bearer()}); r.StatusCode != 200 {
		t.Fatalf("undelete by a moderator: %d %s", r.StatusCode, r.body)
	}
	q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
	if q["answer_count"] != 1.0 || len(q["answers"].([]any)) != 1 {
		t.Fatalf("after undelete: %v answers", q["answer_count"])
	}
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/undelete", aid), headers: admin.bearer()}); r.StatusCode != 409 {
		t.Fatalf("undelete of a live post: %d", r.StatusCode)
	}
	if drifts, _ := s.db.Recount(t.Context(), false); len(drifts) != 0 {
		t.Fatalf("drift: %v", drifts)
	}
}

func TestAnonymousMicrocache(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("writer")
	qid := s.ask(a, "Is the home page cached for a second?", "meta")
	home := func(headers map[string]string) string {
		return string(s.do(req{method: "GET", path: "/", headers: headers}).body)
	}
	if !strings.Contains(home(nil), "Is the home page cached for a second?") {
		t.Fatal("first question missing")
	}
	s.ask(a, "A second question asked right after that", "meta")
	if strings.Contains(home(nil), "A second question asked right after that") {
		t.Fatal("an anonymous reader got a fresh page within the second: not cached")
	}
	if !strings.Contains(home(a.bearer()), "A second question asked right after that") {
		t.Fatal("a signed-in reader got a cached page")
	}
	s.clock.Add(2 * time.Second)
	if !strings.Contains(home(nil), "A second question asked right after that") {
		t.Fatal("the cached page outlived its second")
	}
	for range 3 {
		s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid)})
	}
	s.views.Flush(t.Context())
	if v := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)["view_count"]; v != 1.0 {
		t.Fatalf("views = %v: cached answers must still count (once per address)", v)
	}
	if r := s.do(req{method: "GET", path: "/", cookie: "forged-cookie-value"}); r.cookie("staffroom_session") == nil {
		t.Fatal("a stale cookie was not cleared (the page must not come from the cache)")
	}
}
