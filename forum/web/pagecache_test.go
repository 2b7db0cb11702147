package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"staffroom/forum/web"
)

// wholePages is the same site drawing every question page whole (no thread cache): the
// reference the cached pages must equal byte for byte.
func (s *testSite) wholePages() *testSite {
	s.t.Helper()
	srv, err := web.New(s.cfg, web.Services{Accounts: s.accounts, QA: s.qa, Home: s.home, Health: s.db, Views: s.views, Idem: s.db,
		Moderation: s.moderation, Notifications: s.notes})
	if err != nil {
		s.t.Fatal(err)
	}
	cp := *s
	cp.server = srv
	return &cp
}

// viewerReq is a GET of path as one reader: a session cookie, a bearer token, or nobody.
type viewer struct {
	name   string
	cookie string
	header map[string]string
}

func (s *testSite) get(v viewer, path string) *response {
	s.t.Helper()
	r := s.do(req{method: "GET", path: path, cookie: v.cookie, headers: v.header})
	if r.StatusCode != 200 {
		s.t.Fatalf("GET %s as %s: %d %s", path, v.name, r.StatusCode, r.body)
	}
	return r
}

// samePage fails unless the cached site and the reference draw path alike for v.
func samePage(t *testing.T, cached, whole *testSite, v viewer, path string) string {
	t.Helper()
	got, want := cached.get(v, path).body, whole.get(v, path).body
	if !bytes.Equal(got, want) {
		t.Fatalf("%s as %s: the cached page differs from the whole page at byte %d:\ncached: %s\nwhole:  %s",
			path, v.name, firstDiff(got, want), around(got, firstDiff(got, want)), around(want, firstDiff(got, want)))
	}
	return string(got)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(b []byte, i int) string {
	return string(b[max(0, i-120):min(len(b), i+120)])
}

func TestQuestionPageCacheDrawsTheWholePage(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin") // a moderator: sees deleted answers
	asker, answerer, voter, reader, editor, closer := s.signup("asker"), s.signup("answerer"), s.signup("voter"),
		s.signup("reader"), s.signup("editor"), s.signup("closer")
	s.giveReputation(voter, 200)
	s.giveReputation(editor, 1000)
	s.giveReputation(closer, 500)
	qid := s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading", "sbg")
	var answers []int64
	for range 3 {
		answers = append(answers, s.answer(answerer, qid))
	}
	answers = append(answers, s.answer(voter, qid))
	comment := func(a *account, postID int64, parent int64, text string) int64 {
		body := map[string]any{"body": text}
		if parent != 0 {
			body["parent_id"] = parent
		}
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", postID), headers: a.bearer(), body: jsonBody(body)})
		if r.StatusCode != 201 {
			t.Fatalf("comment: %d %s", r.StatusCode, r.body)
		}
		return int64(r.json(t)["id"].(float64))
	}
	var first int64
	for i := range 7 { // more than shown: some fold under "show more"
		id := comment(reader, qid, 0, fmt.Sprintf("Comment number %d on the question, with *emphasis*.", i))
		if i == 0 {
			first = id
		}
	}
	reply := comment(asker, qid, first, "A reply to the first comment, in its thread.")
	comment(reader, qid, reply, "A reply to the reply, nested one level deeper.")
	comment(answerer, answers[1], 0, "A comment on the second answer, with `code`.")
	for _, v := range []struct {
		post  int64
		value int
	}{{qid, 1}, {answers[0], -1}, {answers[2], 1}} {
		if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", v.post), headers: voter.bearer(),
			body: jsonBody(map[string]int{"value": v.value})}); r.StatusCode != 200 {
			t.Fatalf("vote: %d %s", r.StatusCode, r.body)
		}
	}
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/answers/%d/accept", answers[2]), headers: asker.bearer()}); r.StatusCode != 200 {
		t.Fatalf("accept: %d %s", r.StatusCode, r.body)
	}
	if r := s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/posts/%d", answers[1]), headers: answerer.bearer(),
		body: jsonBody(map[string]any{"body": goodBody + " Edited to add: it took a term.", "revision": 1})}); r.StatusCode != 200 {
		t.Fatalf("edit: %d %s", r.StatusCode, r.body)
	}
	if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", answers[3]), headers: voter.bearer()}); r.StatusCode != 204 {
		t.Fatalf("delete: %d %s", r.StatusCode, r.body)
	}
	whole := s.wholePages()
	viewers := []viewer{{name: "nobody"}}
	for _, a := range []*account{admin, asker, answerer, voter, reader, editor, closer} {
		viewers = append(viewers, viewer{name: a.Name, cookie: a.Cookie}, viewer{name: a.Name + " (token)", header: a.bearer()})
	}
	paths := []string{fmt.Sprintf("/questions/%d", qid), fmt.Sprintf("/questions/%d/standards-based-grading", qid),
		fmt.Sprintf("/questions/%d/standards-based-grading?answers=newest", qid),
		fmt.Sprintf("/questions/%d?answers=oldest&done=signedin", qid)}
	before := s.server.ThreadCacheHits()
	for _, v := range viewers {
		for _, path := range paths {
			for range 2 { // drawn, then from the cache
				samePage(t, s, whole, v, path)
			}
		}
	}
	if s.server.ThreadCacheHits() == before {
		t.Fatal("no page came from the thread cache")
	}
	page := samePage(t, s, whole, viewer{name: "asker", cookie: asker.Cookie}, paths[0])
	for _, want := range []string{`class="accept is-accepted"`, "Show 2 more comments", "A reply to the reply", asker.CSRF} {
		if !strings.Contains(page, want) {
			t.Errorf("the asker's page lacks %q", want)
		}
	}
	// The voter wrote the deleted answer: she sees it, marked, as the moderator does; the
	// others do not (each page above equals its whole render).
	deleted := fmt.Sprintf(`<div class="post post-deleted" id="post-%d">`, answers[3])
	for _, v := range viewers {
		page := samePage(t, s, whole, v, paths[0])
		want := strings.HasPrefix(v.name, "admin") || strings.HasPrefix(v.name, "voter")
		if strings.Contains(page, deleted) != want {
			t.Errorf("%s sees the deleted answer: %v", v.name, !want)
		}
	}
}

func TestQuestionPageCacheShowsEachChangeAtOnce(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer, voter := s.signup("asker"), s.signup("answerer"), s.signup("voter")
	s.giveReputation(voter, 200)
	qid := s.ask(asker, "What is a fair way to grade group work?", "grading")
	aid := s.answer(answerer, qid)
	whole := s.wholePages()
	path := fmt.Sprintf("/questions/%d", qid)
	as := func(a *account) viewer { return viewer{name: a.Name, cookie: a.Cookie} }
	csrfForm := func(a *account, v url.Values) url.Values { v.Set("_csrf", a.CSRF); return v }
	redirectedTo := func(t *testing.T, r *response) {
		t.Helper()
		if r.StatusCode != 303 {
			t.Fatalf("form answered %d, not a redirect: %s", r.StatusCode, r.body)
		}
	}
	var newAnswer int64
	steps := []struct {
		name  string
		actor *account
		act   func(t *testing.T)
		shows func(page string) bool
	}{
		{"new answer", answerer, func(t *testing.T) {
			r := s.postForm(fmt.Sprintf("/questions/%d/answers", qid), answerer.Cookie, csrfForm(answerer, url.Values{"body": {goodBody + " A second way."}}))
			redirectedTo(t, r)
			m := regexp.MustCompile(`#answer-(\d+)`).FindStringSubmatch(r.Header.Get("Location"))
			fmt.Sscan(m[1], &newAnswer)
		}, func(page string) bool { return strings.Contains(page, fmt.Sprintf(`id="post-%d"`, newAnswer)) }},
		{"comment", voter, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/posts/%d/comments", aid), voter.Cookie, csrfForm(voter, url.Values{"body": {"Which rubric did you use for this?"}})))
		}, func(page string) bool { return strings.Contains(page, "Which rubric did you use") }},
		{"vote", voter, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/posts/%d/vote", aid), voter.Cookie, csrfForm(voter, url.Values{"value": {"1"}})))
		}, func(page string) bool {
			return strings.Contains(page, `aria-pressed="true" aria-label="Take back your up vote: `) &&
				strings.Contains(page, fmt.Sprintf(`data-score="%d">1<`, aid))
		}},
		{"vote taken back", voter, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/posts/%d/vote", aid), voter.Cookie, csrfForm(voter, url.Values{"value": {"0"}})))
		}, func(page string) bool { return !strings.Contains(page, "Take back your up vote") }},
		{"edit", answerer, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/posts/%d/edit", aid), answerer.Cookie, csrfForm(answerer,
				url.Values{"body": {goodBody + " Edited: peer ratings count for a fifth."}, "revision": {"1"}})))
		}, func(page string) bool { return strings.Contains(page, "peer ratings count for a fifth") }},
		{"accept", asker, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/answers/%d/accept", aid), asker.Cookie, csrfForm(asker, url.Values{})))
		}, func(page string) bool { return strings.Contains(page, `class="accept is-accepted"`) }},
		{"close", admin, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/questions/%d/close", qid), admin.Cookie, csrfForm(admin, url.Values{"reason": {"off_topic"}})))
		}, func(page string) bool { return strings.Contains(page, "Closed as") }},
		{"reopen", admin, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/questions/%d/reopen", qid), admin.Cookie, csrfForm(admin, url.Values{})))
		}, func(page string) bool { return !strings.Contains(page, "Closed as") }},
		{"delete", voter, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/posts/%d/delete", newAnswer), answerer.Cookie, csrfForm(answerer, url.Values{})))
		}, func(page string) bool {
			// Gone for the voter; its author still sees it, marked, on her page drawn whole.
			mine := s.get(as(answerer), path).body
			return !strings.Contains(page, fmt.Sprintf(`id="post-%d"`, newAnswer)) && bytes.Equal(mine, whole.get(as(answerer), path).body) &&
				bytes.Contains(mine, []byte(fmt.Sprintf(`<div class="post post-deleted" id="post-%d">`, newAnswer)))
		}},
		{"undelete", admin, func(t *testing.T) {
			redirectedTo(t, s.postForm(fmt.Sprintf("/posts/%d/undelete", newAnswer), admin.Cookie, csrfForm(admin, url.Values{})))
		}, func(page string) bool {
			return !strings.Contains(page, `<span class="pill pill-danger">deleted</span>`)
		}},
		{"link from another question", asker, func(t *testing.T) {
			r := s.do(req{method: "POST", path: "/api/v1/questions", headers: asker.bearer(), body: jsonBody(map[string]any{
				"title": "How do group grades interact with report cards?", "tags": []string{"grading"},
				"body": goodBody + " See http://staffroom.test/questions/" + fmt.Sprint(qid) + " for the group part."})})
			if r.StatusCode != 201 {
				t.Fatalf("ask: %d %s", r.StatusCode, r.body)
			}
		}, func(page string) bool {
			return strings.Contains(page, "How do group grades interact with report cards?")
		}},
		{"views counted", voter, func(t *testing.T) {
			if err := s.views.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		}, func(page string) bool { return !strings.Contains(page, "Viewed 0 times") }},
		{"a write by SQL outside the server", voter, func(t *testing.T) {
			if _, err := s.db.Writer().Exec(`UPDATE posts SET body_html = '<p>Rewritten by hand.</p>' WHERE id = ?`, aid); err != nil {
				t.Fatal(err)
			}
		}, func(page string) bool { return strings.Contains(page, "Rewritten by hand.") }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			v := as(st.actor)
			before := s.server.ThreadCacheHits()
			s.get(v, path)
			samePage(t, s, whole, v, path)
			if s.server.ThreadCacheHits() == before {
				t.Fatal("the page did not come from the cache before the change: this step proves nothing")
			}
			st.act(t)
			page := samePage(t, s, whole, v, path)
			if !st.shows(page) {
				t.Fatalf("the page after %s does not show it", st.name)
			}
		})
	}
	t.Run("a change the version misses would stay: the cache is really in the way", func(t *testing.T) {
		v := as(voter)
		s.get(v, path)
		if _, err := s.db.Writer().Exec(`DROP TRIGGER thread_version_post_update`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Writer().Exec(`UPDATE posts SET body_html = '<p>Unseen change.</p>' WHERE id = ?`, aid); err != nil {
			t.Fatal(err)
		}
		if page := string(s.get(v, path).body); strings.Contains(page, "Unseen change.") {
			t.Fatal("the page changed without a new version: the steps above would pass without the cache")
		}
	})
}

func TestMicroCacheServesCompressedCopies(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker := s.signup("asker")
	qid := s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading")
	path := fmt.Sprintf("/questions/%d", qid)
	plain := s.do(req{method: "GET", path: path})
	if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain: %d, encoding %q", plain.StatusCode, plain.Header.Get("Content-Encoding"))
	}
	decode := map[string]func([]byte) ([]byte, error){
		"gzip": func(b []byte) ([]byte, error) { return fasthttp.AppendGunzipBytes(nil, b) },
		"br":   func(b []byte) ([]byte, error) { return fasthttp.AppendUnbrotliBytes(nil, b) },
	}
	for _, accept := range []string{"gzip", "br", "gzip, deflate, br"} {
		for i := range 3 { // the first copy comes from the page, the others from the cache
			r := s.do(req{method: "GET", path: path, headers: map[string]string{"Accept-Encoding": accept}})
			enc := r.Header.Get("Content-Encoding")
			if want := map[string]string{"gzip": "gzip", "br": "br", "gzip, deflate, br": "br"}[accept]; enc != want {
				t.Fatalf("Accept-Encoding %q, request %d: Content-Encoding %q, want %q", accept, i, enc, want)
			}
			if !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("Accept-Encoding %q, request %d: no Vary: Accept-Encoding", accept, i)
			}
			body, err := decode[enc](r.body)
			if err != nil || !bytes.Equal(body, plain.body) {
				t.Fatalf("Accept-Encoding %q, request %d: the body is not the page (%v)", accept, i, err)
			}
			if r.Header.Get("ETag") != plain.Header.Get("ETag") {
				t.Errorf("ETag %q, want the page's %q", r.Header.Get("ETag"), plain.Header.Get("ETag"))
			}
		}
	}
}
