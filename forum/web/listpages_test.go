package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestListPages holds the list pages' small defects of issue #17.
func TestListPages(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	open := s.ask(asker, "How do you grade group projects fairly?", "grading", "middle-grades")
	closed := s.ask(asker, "What is the best brand of whiteboard marker?", "grading", "supplies")
	answered := s.ask(asker, "How do you run student-led conferences?", "conferences")
	s.answer(answerer, answered)
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/close", closed), headers: admin.bearer(), body: `{"reason":"opinion_based"}`}); r.StatusCode != 200 {
		t.Fatalf("close: %d %s", r.StatusCode, r.body)
	}

	t.Run("unanswered lists open questions only", func(t *testing.T) {
		for _, path := range []string{"/?sort=unanswered", "/tags/grading?sort=unanswered"} {
			for _, cookie := range []string{"", asker.Cookie} {
				page := string(s.do(req{method: "GET", path: path, cookie: cookie}).body)
				if !strings.Contains(page, fmt.Sprintf(`id="q-%d"`, open)) || strings.Contains(page, fmt.Sprintf(`id="q-%d"`, closed)) ||
					strings.Contains(page, fmt.Sprintf(`id="q-%d"`, answered)) {
					t.Fatalf("%s lists a closed or answered question, or misses the open one", path)
				}
			}
		}
		r := s.do(req{method: "GET", path: "/api/v1/questions?sort=unanswered"}).json(t)
		if r["total"] != float64(1) {
			t.Fatalf("unanswered total %v, want 1", r["total"])
		}
		if r := s.do(req{method: "GET", path: "/api/v1/questions?sort=unanswered&tag=grading"}).json(t); r["total"] != float64(1) {
			t.Fatalf("the tag's unanswered total %v, want 1", r["total"])
		}
		// Reopened, it waits for answers again.
		if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/reopen", closed), headers: admin.bearer()}); r.StatusCode != 200 {
			t.Fatalf("reopen: %d", r.StatusCode)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/questions?sort=unanswered&tag=grading"}).json(t); r["total"] != float64(2) {
			t.Fatalf("after reopening, the tag's unanswered total %v, want 2", r["total"])
		}
		if drifts, err := s.db.Recount(t.Context(), false); err != nil || len(drifts) != 0 {
			t.Fatalf("recount: %+v %v", drifts, err)
		}
	})

	t.Run("a page past the end says so and links the last", func(t *testing.T) {
		for _, cookie := range []string{"", asker.Cookie} {
			page := string(s.do(req{method: "GET", path: "/?page=99", cookie: cookie}).body)
			if strings.Contains(page, "No questions here yet") || !strings.Contains(page, "Page 99 is past the end of the list.") ||
				!strings.Contains(page, `<a href="/?page=1&amp;sort=newest">go to the last page</a>`) {
				t.Fatal("page 99 of one page does not say it is past the end")
			}
		}
		page := string(s.do(req{method: "GET", path: "/tags?page=99"}).body)
		if !strings.Contains(page, "Page 99 is past the end of the list.") {
			t.Fatal("the tags page past its end does not say so")
		}
	})

	t.Run("the tag filter matches words inside names", func(t *testing.T) {
		r := s.do(req{method: "GET", path: "/api/v1/tags?q=grade"}).json(t)
		items, _ := r["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["name"] != "middle-grades" {
			t.Fatalf("q=grade: %v", r)
		}
		r = s.do(req{method: "GET", path: "/api/v1/tags?q=gra"}).json(t)
		items, _ = r["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["name"] != "grading" || items[1].(map[string]any)["name"] != "middle-grades" {
			t.Fatalf("q=gra: names starting with it first, then words inside: %v", r)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/tags?q=ddle"}).json(t); len(r["items"].([]any)) != 0 {
			t.Fatalf("q=ddle matches the middle of a word: %v", r)
		}
		page := string(s.do(req{method: "GET", path: "/tags?q=grades"}).body)
		if !strings.Contains(page, `href="/tags/middle-grades"`) {
			t.Fatal("the tags page filter does not match inside names")
		}
	})
}
