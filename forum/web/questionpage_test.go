package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// withSiteName names the site.
func withSiteName(name string) siteOption { return func(s *testSite) { s.cfg.SiteName = name } }

// TestQuestionPageDetails holds the question page's small defects of issue #17.
func TestQuestionPageDetails(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer, voter := s.signup("asker"), s.signup("answerer"), s.signup("voter")
	qid := s.ask(asker, "How do you grade group projects fairly?", "grading")
	aid := s.answer(answerer, qid)

	t.Run("no view count before any view is counted", func(t *testing.T) {
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: voter.Cookie}).body)
		if strings.Contains(page, "Viewed 0") || strings.Contains(page, "Viewed") {
			t.Fatal("a question whose views are not written yet says how often it was viewed")
		}
		viewed := s.ask(asker, "How do you keep a class set of calculators?", "supplies")
		s.views.Record(viewed, "user:1", s.clock.Now())
		if err := s.views.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		page = string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", viewed), cookie: voter.Cookie}).body)
		if !strings.Contains(page, "Viewed once") {
			t.Fatal("the written view does not show")
		}
	})

	t.Run("an answer's address goes to the answer", func(t *testing.T) {
		for _, cookie := range []string{"", voter.Cookie} {
			r := s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", aid), cookie: cookie})
			want := fmt.Sprintf("/questions/%d/how-do-you-grade-group-projects-fairly#answer-%d", qid, aid)
			if r.StatusCode != 301 || r.Header.Get("Location") != want {
				t.Fatalf("GET /questions/{answer id}: %d %q, want 301 %q", r.StatusCode, r.Header.Get("Location"), want)
			}
		}
		if r := s.do(req{method: "GET", path: "/questions/999999"}); r.StatusCode != 404 {
			t.Fatalf("a missing id: %d", r.StatusCode)
		}
	})

	t.Run("folded sections show as folded sections", func(t *testing.T) {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/answers", qid), headers: voter.bearer(), body: jsonBody(map[string]string{
			"body": "We use a rubric.\n\n<details>\n<summary>The rubric</summary>\n\n- 4: exceeds\n- 3: meets\n\n</details>"})})
		if r.StatusCode != 201 {
			t.Fatalf("answer: %d %s", r.StatusCode, r.body)
		}
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid)}).body)
		if !strings.Contains(page, "<details>\n<summary>The rubric</summary>\n<ul>\n<li>4: exceeds</li>") {
			t.Fatal("the folded section is not on the page")
		}
	})

	t.Run("the duplicate notice names the original by its title", func(t *testing.T) {
		dup := s.ask(voter, "Grading group projects: how to be fair?", "grading")
		if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/close", dup), headers: admin.bearer(),
			body: jsonBody(map[string]any{"reason": "duplicate", "duplicate_of": qid})}); r.StatusCode != 200 {
			t.Fatalf("close: %d %s", r.StatusCode, r.body)
		}
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", dup)}).body)
		if !strings.Contains(page, `>How do you grade group projects fairly?</a>.</div>`) {
			t.Fatal("the notice does not name the original")
		}
	})

	t.Run("the close form finds the original by its title, or takes its address", func(t *testing.T) {
		other := s.ask(voter, "Which rubric works for lab reports?", "grading")
		r := s.do(req{method: "GET", path: "/api/v1/questions/similar?title=" + url.QueryEscape("grade group proj")})
		items, _ := r.json(t)["items"].([]any)
		if r.StatusCode != 200 || len(items) == 0 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		first := items[0].(map[string]any)
		if first["id"] != float64(qid) || first["title"] != "How do you grade group projects fairly?" || first["answer_count"] != float64(2) {
			t.Fatalf("the best match is %v", first)
		}
		if _, ok := first["score"]; !ok {
			t.Fatalf("no score in %v", first)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/questions/similar?title="}); r.StatusCode != 200 || !strings.Contains(string(r.body), `"items":[]`) {
			t.Fatalf("an empty search: %d %s", r.StatusCode, r.body)
		}
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", other), cookie: admin.Cookie}).body)
		if !strings.Contains(page, `data-similar="close-dup"`) {
			t.Fatal("the close form has no title search")
		}
		// Without the script, an address pasted in the field works.
		r = s.postForm(fmt.Sprintf("/questions/%d/close", other), admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "reason": {"duplicate"},
			"duplicate_of": {fmt.Sprintf("http://staffroom.test/questions/%d/how-do-you-grade-group-projects-fairly", qid)}})
		if r.StatusCode != 303 || !strings.Contains(r.Header.Get("Location"), "done=closed") {
			t.Fatalf("close by address: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
	})

	t.Run("comments have a vote button that works without a script", func(t *testing.T) {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: asker.bearer(),
			body: jsonBody(map[string]string{"body": "Which rubric did you use for this?"})})
		cid := int64(r.json(t)["id"].(float64))
		s.giveReputation(voter, 20)
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: voter.Cookie}).body)
		if !strings.Contains(page, fmt.Sprintf(`<form action="/comments/%d/vote" method="post"`, cid)) {
			t.Fatal("no vote button on the comment")
		}
		r = s.postForm(fmt.Sprintf("/comments/%d/vote", cid), voter.Cookie, url.Values{"_csrf": {voter.CSRF}, "post": {fmt.Sprint(aid)}, "value": {"1"}})
		if r.StatusCode != 303 || r.Header.Get("Location") != fmt.Sprintf("/questions/%d#comment-%d", qid, cid) {
			t.Fatalf("comment vote: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		page = string(s.follow(r, voter.Cookie).body)
		if !regexp.MustCompile(fmt.Sprintf(`data-comment-score="%d" title="score">1<`, cid)).MatchString(page) {
			t.Fatal("the comment's score did not go up")
		}
		if strings.Contains(string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: answerer.Cookie}).body), `action="/comments/`) {
			t.Fatal("someone who may not vote up gets comment vote buttons")
		}
	})

	t.Run("the header's reputation is the page's", func(t *testing.T) {
		// The answerer's sign-in is cached by the page just read; a vote on their answer
		// then moves their reputation.
		s.giveReputation(voter, 20)
		s.do(req{method: "GET", path: "/", cookie: answerer.Cookie})
		if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", aid), headers: voter.bearer(), body: `{"value":1}`}); r.StatusCode != 200 {
			t.Fatalf("vote: %d %s", r.StatusCode, r.body)
		}
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/users/%d/answerer", answerer.ID), cookie: answerer.Cookie}).body)
		header := regexp.MustCompile(`<a class="me" [^>]*>.*?<span class="rep" title="reputation">(\d+)</span>`).FindStringSubmatch(page)
		if header == nil || header[1] != "11" {
			t.Fatalf("the header says %v, the vote made it 11", header)
		}
	})

	t.Run("confirmations after answering, deleting and rolling back", func(t *testing.T) {
		r := s.postForm(fmt.Sprintf("/questions/%d/answers", qid), voter.Cookie, url.Values{"_csrf": {voter.CSRF}, "body": {goodBody + " Another way."}})
		if !strings.Contains(r.Header.Get("Location"), "?done=answered#answer-") || !strings.Contains(string(s.follow(r, voter.Cookie).body), "Your answer is posted.") {
			t.Fatalf("answer: %q", r.Header.Get("Location"))
		}
		newAnswer := regexp.MustCompile(`#answer-(\d+)`).FindStringSubmatch(r.Header.Get("Location"))[1]
		r = s.postForm("/posts/"+newAnswer+"/delete", voter.Cookie, url.Values{"_csrf": {voter.CSRF}})
		if !strings.Contains(string(s.follow(r, voter.Cookie).body), "The post is deleted.") {
			t.Fatalf("delete: %q", r.Header.Get("Location"))
		}
		edited := s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: answerer.bearer(),
			body: jsonBody(map[string]any{"body": goodBody + " Edited.", "revision": 1})})
		if edited.StatusCode != 200 {
			t.Fatalf("edit: %d %s", edited.StatusCode, edited.body)
		}
		r = s.postForm(fmt.Sprintf("/posts/%d/revisions/1/rollback", aid), answerer.Cookie, url.Values{"_csrf": {answerer.CSRF}})
		if !strings.Contains(string(s.follow(r, answerer.Cookie).body), "The post is rolled back to that revision.") {
			t.Fatalf("rollback: %q", r.Header.Get("Location"))
		}
		// Someone who may not roll it back is told so on the revisions page.
		r = s.postForm(fmt.Sprintf("/posts/%d/revisions/1/rollback", aid), voter.Cookie, url.Values{"_csrf": {voter.CSRF}})
		if loc := r.Header.Get("Location"); !regexp.MustCompile(fmt.Sprintf(`^/posts/%d/revisions\?form=[0-9a-f]{32}#revision-1$`, aid)).MatchString(loc) {
			t.Fatalf("a refused rollback goes to %q", loc)
		}
		if page := s.follow(r, voter.Cookie); page.StatusCode != 403 || !strings.Contains(string(page.body), `<div class="form-error" role="alert">`) {
			t.Fatalf("the refused rollback's page: %d", page.StatusCode)
		}
		r = s.postForm("/questions/ask", asker.Cookie, url.Values{"_csrf": {asker.CSRF}, "title": {"How do you run student-led conferences?"},
			"body": {goodBody}, "tags": {"conferences"}})
		if !strings.HasSuffix(r.Header.Get("Location"), "?done=asked") || !strings.Contains(string(s.follow(r, asker.Cookie).body), "Your question is posted.") {
			t.Fatalf("ask: %q", r.Header.Get("Location"))
		}
	})
}

// TestWelcomeNamesTheSite: the welcome after signing up says the site's own name.
func TestWelcomeNamesTheSite(t *testing.T) {
	s := newSite(t, withSiteName("Lakeshore Teachers"))
	s.signup("admin")
	r := s.postForm("/signup", "", url.Values{"username": {"newbie"}, "email": {"newbie@d.org"}, "password": {"long enough pass"}, "password_confirm": {"long enough pass"}})
	page := string(s.follow(r, r.cookie("staffroom_session").Value).body)
	if !strings.Contains(page, "Welcome to Lakeshore Teachers! Your account is ready.") || strings.Contains(page, "Welcome to Staffroom") {
		t.Fatal("the welcome does not name the site")
	}
}
