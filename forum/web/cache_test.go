package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"staffroom/realtime"
)

// withRegistry has the site export its metrics to reg, for tests that read them directly.
func withRegistry(reg *prometheus.Registry) siteOption {
	return func(s *testSite) { s.cfg.Registry = reg }
}

// TestMicroCacheKeysByWhatThePageUses: addresses that differ only in what a page ignores
// (unknown parameters, the slug, leading zeros) share one copy of it, so a client cannot
// fill the cache by varying them; what the page does use (the answer order, a known
// flash, the list's filter, its kind) still gets its own copy.
func TestMicroCacheKeysByWhatThePageUses(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker := s.signup("asker")
	qid := s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading")
	nobody := viewer{name: "nobody"}
	page := fmt.Sprintf("/questions/%d", qid)
	first := s.get(nobody, page).body
	if n := s.server.MicroCacheEntries(); n != 1 {
		t.Fatalf("after one page: %d entries", n)
	}
	same := []string{fmt.Sprintf("/questions/%d/any-slug-at-all", qid), fmt.Sprintf("/questions/000%d", qid),
		page + "?answers=score", page + "?answers=&done=nonsense"}
	for i := range 50 {
		same = append(same, fmt.Sprintf("%s?utm_source=%d&x=%s", page, i, strings.Repeat("j", i)))
	}
	for _, path := range same {
		if got := s.get(nobody, path).body; !bytes.Equal(got, first) {
			t.Fatalf("%s is not the page's copy", path)
		}
	}
	if n := s.server.MicroCacheEntries(); n != 1 {
		t.Fatalf("addresses of one page made %d entries", n)
	}

	lists := []string{"/?junk=1", "/?junk=2&sort=newest", "/?page=1&page_size=30&utm=3"}
	for _, path := range lists {
		s.get(nobody, path)
	}
	if n := s.server.MicroCacheEntries(); n != 2 {
		t.Fatalf("one list under three addresses: %d entries, want 2", n)
	}

	for _, path := range []string{page + "?answers=newest", "/?sort=votes", "/?tag=grading", "/tags/grading", "/tags/Grading?utm=1",
		"/?done=signedout"} {
		s.get(nobody, path)
	}
	if n := s.server.MicroCacheEntries(); n != 7 {
		t.Fatalf("after five more pages (and one alias): %d entries, want 7", n)
	}
	if got := string(s.get(nobody, "/?done=signedout").body); !strings.Contains(got, "You are signed out.") {
		t.Fatal("a flash's page lacks its flash")
	}
	if got := string(s.get(nobody, "/").body); strings.Contains(got, "You are signed out.") {
		t.Fatal("the plain list shows another address's flash")
	}
}

// TestListCacheKeepsTagPagesApart: the home list filtered by ?tag=x and the tag's own page
// list the same questions but have their own title, heading and live topic; a signed-in
// reader asking for one and then the other within the second gets each its own.
func TestListCacheKeepsTagPagesApart(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	s.signup("admin")
	asker, reader := s.signup("asker"), s.signup("reader")
	s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading")
	me := viewer{name: "reader", cookie: reader.Cookie}
	want := map[string][]string{
		"/?tag=grading": {"<title>Staffroom</title>", `data-live-topic="questions"`},
		"/tags/grading": {"<title>Questions tagged grading · Staffroom</title>", `data-live-topic="tag:grading"`},
	}
	for _, order := range [][]string{{"/?tag=grading", "/tags/grading"}, {"/tags/grading", "/?tag=grading"}} {
		t.Run(strings.Join(order, " then "), func(t *testing.T) {
			s.clock.Add(time.Minute) // whatever the last order kept is gone
			for range 2 {            // drawn, then from the cache
				for _, path := range order {
					page := string(s.get(me, path).body)
					for _, w := range want[path] {
						if !strings.Contains(page, w) {
							t.Fatalf("%s lacks %s", path, w)
						}
					}
				}
			}
		})
	}
}

// TestDeletedPostsLeaveTheCachesAtOnce: once a post is deleted, no cached copy shows it, to
// anonymous readers (every address and encoding of its question's page, and the lists) or
// signed-in ones, though the clock has not moved and every copy would still be fresh.
func TestDeletedPostsLeaveTheCachesAtOnce(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker, answerer, reader := s.signup("asker"), s.signup("answerer"), s.signup("reader")
	title := "A question its author will delete at once"
	qid := s.ask(asker, title, "grading")
	other := s.ask(asker, "A question whose answers will be deleted", "grading")
	byAPI, byForm := s.answer(answerer, other), s.answer(answerer, other)
	nobody, signedIn := viewer{name: "nobody"}, viewer{name: "reader", cookie: reader.Cookie}
	page, otherPage := fmt.Sprintf("/questions/%d", qid), fmt.Sprintf("/questions/%d", other)
	questionPages := []string{page, page + "/some-slug", page + "?answers=newest"}
	lists := []string{"/", "/tags/grading", "/?tag=grading"}
	gzip := map[string]string{"Accept-Encoding": "gzip"}
	warm := func() {
		for _, path := range append(questionPages, lists...) {
			for range 2 {
				s.get(nobody, path)
				s.do(req{method: "GET", path: path, headers: gzip})
			}
		}
		for _, path := range lists {
			s.get(signedIn, path)
		}
		s.get(nobody, otherPage)
	}
	warm()

	t.Run("a question deleted by SQL, past the server, stays: the caches are in the way", func(t *testing.T) {
		if _, err := s.db.Writer().Exec(`UPDATE posts SET deleted_at = ? WHERE id = ?`, s.clock.Now(), qid); err != nil {
			t.Fatal(err)
		}
		if r := s.do(req{method: "GET", path: page}); r.StatusCode != 200 {
			t.Fatalf("the cached copy was not served: %d", r.StatusCode)
		}
		if !strings.Contains(string(s.get(signedIn, "/").body), title) {
			t.Fatal("the signed-in list was not served from its cache")
		}
		if _, err := s.db.Writer().Exec(`UPDATE posts SET deleted_at = NULL WHERE id = ?`, qid); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a question deleted through the API", func(t *testing.T) {
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: asker.bearer()}); r.StatusCode != 204 {
			t.Fatalf("delete: %d %s", r.StatusCode, r.body)
		}
		for _, path := range questionPages {
			for _, h := range []map[string]string{nil, gzip} {
				if r := s.do(req{method: "GET", path: path, headers: h}); r.StatusCode != 404 {
					t.Fatalf("GET %s (%v) after the delete: %d", path, h, r.StatusCode)
				}
			}
		}
		for _, v := range []viewer{nobody, signedIn} {
			for _, path := range lists {
				if strings.Contains(string(s.get(v, path).body), title) {
					t.Fatalf("%s as %s still lists the deleted question", path, v.name)
				}
			}
		}
	})

	t.Run("answers deleted through the API and the page's form", func(t *testing.T) {
		shown := func(id int64) bool {
			return strings.Contains(string(s.get(nobody, otherPage).body), fmt.Sprintf(`id="post-%d"`, id))
		}
		if !shown(byAPI) || !shown(byForm) {
			t.Fatal("the answers are not on the page to begin with")
		}
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", byAPI), headers: answerer.bearer()}); r.StatusCode != 204 {
			t.Fatalf("delete: %d %s", r.StatusCode, r.body)
		}
		if shown(byAPI) {
			t.Fatal("the answer deleted through the API is still on its question's cached page")
		}
		r := s.postForm(fmt.Sprintf("/posts/%d/delete", byForm), answerer.Cookie, url.Values{"_csrf": {answerer.CSRF}})
		if r.StatusCode != 303 {
			t.Fatalf("delete form: %d %s", r.StatusCode, r.body)
		}
		if shown(byForm) {
			t.Fatal("the answer deleted through the form is still on its question's cached page")
		}
	})
}

// TestMicroCacheDropsAPageFoundGone: a page deleted past the server (by SQL; later, any way
// a purge is forgotten) is dropped from the micro-cache by the first reader who finds it
// gone once its second is up, instead of being served stale to the others while it lasts.
func TestMicroCacheDropsAPageFoundGone(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker := s.signup("asker")
	qid := s.ask(asker, "A question deleted behind the server's back", "grading")
	path := fmt.Sprintf("/questions/%d", qid)
	s.get(viewer{name: "nobody"}, path)
	if _, err := s.db.Writer().Exec(`UPDATE posts SET deleted_at = ? WHERE id = ?`, s.clock.Now(), qid); err != nil {
		t.Fatal(err)
	}
	if r := s.do(req{method: "GET", path: path}); r.StatusCode != 200 {
		t.Fatalf("within its second the copy was not served: %d", r.StatusCode)
	}
	s.clock.Add(2 * time.Second) // stale: the next reader draws it again, others would get the copy
	if r := s.do(req{method: "GET", path: path}); r.StatusCode != 404 {
		t.Fatalf("drawn again: %d", r.StatusCode)
	}
	if n := s.server.MicroCacheEntries(); n != 0 {
		t.Fatalf("the gone page's stale copy is still kept (%d entries)", n)
	}
}

// TestCacheSizesInMetrics: every cache reports its bytes, entries and evictions, labelled
// by its name. The registry is read directly: how /metrics is served is not this test's
// concern.
func TestCacheSizesInMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newSite(t, withRegistry(reg))
	s.signup("admin")
	asker, reader := s.signup("asker"), s.signup("reader")
	qid := s.ask(asker, "How do you run standards-based grading in a 1:1 school?", "grading")
	for _, v := range []viewer{{name: "nobody"}, {name: "reader", cookie: reader.Cookie}} {
		s.get(v, "/")
		s.get(v, fmt.Sprintf("/questions/%d", qid))
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]float64{} // metric -> cache -> value
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() != "cache" {
					continue
				}
				if got[mf.GetName()] == nil {
					got[mf.GetName()] = map[string]float64{}
				}
				v := m.GetCounter().GetValue()
				if g := m.GetGauge(); g != nil {
					v = g.GetValue()
				}
				got[mf.GetName()][l.GetValue()] += v
			}
		}
	}
	for _, name := range []string{"anonymous_pages", "lists", "question_threads", "community"} {
		if got["staffroom_cache_bytes"][name] <= 0 || got["staffroom_cache_entries"][name] <= 0 {
			t.Errorf("cache %s: bytes %v, entries %v", name, got["staffroom_cache_bytes"][name], got["staffroom_cache_entries"][name])
		}
		if b, max := got["staffroom_cache_bytes"][name], got["staffroom_cache_max_bytes"][name]; b > max {
			t.Errorf("cache %s holds %v bytes over its budget of %v", name, b, max)
		}
		if _, ok := got["staffroom_cache_evictions_total"][name]; !ok {
			t.Errorf("cache %s reports no evictions count", name)
		}
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
