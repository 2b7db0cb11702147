package web_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/valyala/fasthttp"
)

// sameJSON fails unless the cached site and the reference (the thread read and encoded
// whole) answer path alike for v: status and body, byte for byte.
func sameJSON(t *testing.T, cached, whole *testSite, v viewer, path string) []byte {
	t.Helper()
	got := cached.do(req{method: "GET", path: path, headers: v.header})
	want := whole.do(req{method: "GET", path: path, headers: v.header})
	if got.StatusCode != want.StatusCode || !bytes.Equal(got.body, want.body) {
		i := firstDiff(got.body, want.body)
		t.Fatalf("%s as %s: cached %d, whole %d; they differ at byte %d:\ncached: %s\nwhole:  %s",
			path, v.name, got.StatusCode, want.StatusCode, i, around(got.body, i), around(want.body, i))
	}
	if ct := got.Header.Get("Content-Type"); ct != want.Header.Get("Content-Type") {
		t.Fatalf("%s as %s: Content-Type %q, whole %q", path, v.name, ct, want.Header.Get("Content-Type"))
	}
	return got.body
}

// The question's JSON comes from the thread cache and equals, for every kind of reader and
// after every kind of change, the JSON built whole from the thread read for that reader.
func TestQuestionJSONFromTheThreadCache(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer, voter, reader, editor, hider := s.signup("asker"), s.signup("answerer"), s.signup("voter"),
		s.signup("reader"), s.signup("editor"), s.signup("hider")
	s.giveReputation(voter, 200)
	s.giveReputation(editor, 1000)
	qid := s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading", "sbg")
	var answers []int64
	for range 3 {
		answers = append(answers, s.answer(answerer, qid))
	}
	mine := s.answer(voter, qid)   // deleted below: its author reads the thread whole
	hidden := s.answer(hider, qid) // hidden by flags below: its author sees it, marked
	whole := s.wholePages()
	viewers := []viewer{{name: "nobody"}}
	for _, a := range []*account{admin, asker, answerer, voter, reader, editor, hider} {
		viewers = append(viewers, viewer{name: a.Name, header: a.bearer()})
	}
	paths := []string{fmt.Sprintf("/api/v1/questions/%d", qid), fmt.Sprintf("/api/v1/questions/%d?answers=newest", qid),
		fmt.Sprintf("/api/v1/questions/%d?answers=oldest", qid)}
	api := func(a *account, method, path string, body any, status int) {
		t.Helper()
		if r := s.apiAs(a, method, path, body); r.StatusCode != status {
			t.Fatalf("%s %s: %d %s", method, path, r.StatusCode, r.body)
		}
	}
	check := func(step string) {
		t.Helper()
		before := s.server.ThreadCacheHits()
		for _, v := range viewers {
			for _, path := range paths {
				for range 2 { // read, then from the cache
					sameJSON(t, s, whole, v, path)
				}
			}
		}
		if s.server.ThreadCacheHits() == before {
			t.Fatalf("after %s: no answer came from the thread cache", step)
		}
	}
	steps := []struct {
		name string
		act  func()
	}{
		{"nothing yet", func() {}},
		{"votes", func() {
			api(voter, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", qid), map[string]int{"value": 1}, 200)
			api(voter, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", answers[0]), map[string]int{"value": -1}, 200)
			api(voter, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", answers[2]), map[string]int{"value": 1}, 200)
		}},
		{"comments", func() {
			api(reader, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": "Which grades do you teach, <b>exactly</b>?"}, 201)
			api(answerer, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", answers[1]), map[string]any{"body": "A comment with `code` & an ampersand."}, 201)
		}},
		{"accept", func() { api(asker, "POST", fmt.Sprintf("/api/v1/answers/%d/accept", answers[2]), nil, 200) }},
		{"edit", func() {
			api(answerer, "PATCH", fmt.Sprintf("/api/v1/posts/%d", answers[1]), map[string]any{"body": goodBody + " Edited to add: it took a term.", "revision": 1}, 200)
		}},
		{"new answer", func() { answers = append(answers, s.answer(editor, qid)) }},
		{"delete", func() { api(voter, "DELETE", fmt.Sprintf("/api/v1/posts/%d", mine), nil, 204) }},
		{"hidden by flags", func() {
			for i := range 3 {
				api(s.signup(fmt.Sprintf("flagger%d", i)), "POST", fmt.Sprintf("/api/v1/posts/%d/flags", hidden), flagBody("spam", ""), 201)
			}
		}},
		{"vote taken back", func() {
			api(voter, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", answers[2]), map[string]int{"value": 0}, 200)
		}},
		{"close", func() {
			api(admin, "POST", fmt.Sprintf("/api/v1/questions/%d/close", qid), map[string]any{"reason": "off_topic"}, 200)
		}},
		{"a write by SQL outside the server", func() {
			if _, err := s.db.Writer().Exec(`UPDATE posts SET body_html = '<p>Rewritten by hand.</p>' WHERE id = ?`, answers[0]); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, st := range steps {
		st.act()
		check(st.name)
	}
	// What the steps prove, seen in the JSON itself.
	as := func(a *account) []byte {
		return sameJSON(t, s, whole, viewer{name: a.Name, header: a.bearer()}, paths[0])
	}
	has := func(b []byte, id int64) bool {
		return bytes.Contains(b, []byte(fmt.Sprintf(`{"id":%d,"type":"answer"`, id)))
	}
	for _, c := range []struct {
		who          *account
		mine, hidden bool
	}{{admin, true, true}, {voter, false, false}, {hider, false, true}, {reader, false, false}} {
		b := as(c.who)
		if has(b, mine) != c.mine || has(b, hidden) != c.hidden {
			t.Errorf("%s: deleted answer shown %v, hidden answer shown %v", c.who.Name, has(b, mine), has(b, hidden))
		}
	}
	if b := sameJSON(t, s, whole, viewer{name: "nobody"}, paths[0]); has(b, mine) || has(b, hidden) || !bytes.Contains(b, []byte("Rewritten by hand.")) {
		t.Errorf("anonymous JSON: %s", b)
	}
	if b := as(voter); !bytes.Contains(b, []byte(`"my_vote":1,`)) || !bytes.Contains(b, []byte(`"my_vote":-1,`)) {
		t.Errorf("the voter's votes are not in her JSON")
	}
}

// A private collaborative's question is served from the cache to its members alone, and
// the check runs on every cached answer.
func TestQuestionJSONFromTheCacheKeepsScope(t *testing.T) {
	s := newScopeSite(t)
	whole := s.testSite.wholePages()
	path := fmt.Sprintf("/api/v1/questions/%d", s.priv)
	v := func(a *account) viewer {
		if a == nil {
			return viewer{name: "nobody"}
		}
		return viewer{name: a.Name, header: a.bearer()}
	}
	for range 2 {
		sameJSON(t, s.testSite, whole, v(s.member), path)
		sameJSON(t, s.testSite, whole, v(s.mod), path)
		sameJSON(t, s.testSite, whole, v(s.lead), path)
	}
	for range 2 {
		mustStatus(t, s.apiAs(s.outsider, "GET", path, nil), 404, "outsider after members read it")
		mustStatus(t, s.apiAs(nil, "GET", path, nil), 404, "anonymous after members read it")
		sameJSON(t, s.testSite, whole, v(s.outsider), path)
		sameJSON(t, s.testSite, whole, v(nil), path)
	}
	if s.server.ThreadCacheHits() == 0 {
		t.Fatal("the thread cache was never used: this test tests nothing")
	}
	pub := fmt.Sprintf("/api/v1/questions/%d", s.pub)
	for range 2 {
		mustStatus(t, s.apiAs(s.outsider, "GET", pub, nil), 200, "public group's question")
		mustStatus(t, s.apiAs(nil, "GET", pub, nil), 200, "public group's question, anonymous")
	}
	if _, err := s.db.Writer().Exec(`UPDATE collaboratives SET visibility = 'private' WHERE id = ?`, s.public.ID); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, s.apiAs(s.outsider, "GET", pub, nil), 404, "a group turned private, cached copy")
	mustStatus(t, s.apiAs(nil, "GET", pub, nil), 404, "a group turned private, anonymous")
	mustStatus(t, s.apiAs(s.lead, "GET", pub, nil), 200, "its lead")
}

// The anonymous readers' JSON is one shared copy: compressing it for one reader leaves it
// whole for the next.
func TestSharedQuestionJSONSurvivesCompression(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker := s.signup("asker")
	qid := s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading")
	s.answer(asker, qid)
	path := fmt.Sprintf("/api/v1/questions/%d", qid)
	plain := s.do(req{method: "GET", path: path}).body
	for i := range 3 {
		r := s.do(req{method: "GET", path: path, headers: map[string]string{"Accept-Encoding": "gzip"}})
		if r.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("gzip request %d: Content-Encoding %q: this test tests nothing", i, r.Header.Get("Content-Encoding"))
		}
		body, err := fasthttp.AppendGunzipBytes(nil, r.body)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, plain) {
			t.Fatalf("gzip request %d: the JSON differs", i)
		}
		if again := s.do(req{method: "GET", path: path}).body; !bytes.Equal(again, plain) {
			t.Fatalf("after gzip request %d: the shared JSON changed", i)
		}
	}
	if s.server.ThreadCacheHits() == 0 {
		t.Fatal("no answer came from the thread cache")
	}
}
