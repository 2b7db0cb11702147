package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQuestionListLinks follows the API's next links to the end and its prev links back:
// every question once, in the same order, and the page numbers follow along.
func TestQuestionListLinks(t *testing.T) {
	s := newSite(t)
	a := s.signup("lister")
	for i := range 9 {
		s.ask(a, fmt.Sprintf("Paging question number %d for the list", i), "paging")
		s.clock.Add(time.Minute)
	}
	for _, start := range []string{"/api/v1/questions?page_size=2", "/api/v1/questions?page_size=2&tag=paging&sort=votes"} {
		var forward []any
		seen := map[any]bool{}
		path, page := start, 1.0
		for path != "" {
			r := s.do(req{method: "GET", path: path})
			if r.StatusCode != 200 {
				t.Fatalf("GET %s: %d %s", path, r.StatusCode, r.body)
			}
			m := r.json(t)
			if m["total"].(float64) != 9 || m["page"].(float64) != page {
				t.Fatalf("GET %s: total %v page %v, want 9 and %v", path, m["total"], m["page"], page)
			}
			for _, it := range m["items"].([]any) {
				id := it.(map[string]any)["id"]
				if seen[id] {
					t.Fatalf("question %v shown twice following next links from %s", id, start)
				}
				seen[id] = true
				forward = append(forward, id)
			}
			path, _ = m["next"].(string)
			page++
		}
		if len(forward) != 9 {
			t.Fatalf("next links from %s showed %d of 9 questions", start, len(forward))
		}
		// Back from the last page by prev links.
		last := s.do(req{method: "GET", path: start + "&page=5"}).json(t)
		back := []any{}
		for m := last; ; {
			var ids []any
			for _, it := range m["items"].([]any) {
				ids = append(ids, it.(map[string]any)["id"])
			}
			back = append(ids, back...)
			prev, _ := m["prev"].(string)
			if prev == "" {
				break
			}
			m = s.do(req{method: "GET", path: prev}).json(t)
		}
		if fmt.Sprint(back) != fmt.Sprint(forward) {
			t.Fatalf("prev links from the last page: %v, next links: %v", back, forward)
		}
	}
	r := s.do(req{method: "GET", path: "/api/v1/questions?after=nonsense"})
	if code, field := r.errorCode(t); r.StatusCode != 400 || code != "invalid_cursor" || field != "after" {
		t.Fatalf("bad cursor: %d %s %s", r.StatusCode, code, field)
	}
}

// TestHomePager: numbered pages around this one with the first and the last, and next and
// previous by cursor.
func TestHomePager(t *testing.T) {
	s := newSite(t)
	a := s.signup("pager")
	for i := range 9 {
		s.ask(a, fmt.Sprintf("Pager question number %d on the home page", i), "pager")
	}
	r := s.do(req{method: "GET", path: "/?page_size=1&page=5"})
	if r.StatusCode != 200 {
		t.Fatalf("home page 5: %d", r.StatusCode)
	}
	body := string(r.body)
	nav := regexp.MustCompile(`(?s)<nav class="pager".*?</nav>`).FindString(body)
	var numbers []string
	for _, m := range regexp.MustCompile(`>(\d+)</(?:a|span)>`).FindAllStringSubmatch(nav, -1) {
		numbers = append(numbers, m[1])
	}
	if got := strings.Join(numbers, " "); got != "1 3 4 5 6 7 9" {
		t.Fatalf("pager numbers %q in %s", got, nav)
	}
	if !strings.Contains(nav, `aria-current="page">5<`) || strings.Count(nav, "…") != 2 {
		t.Fatalf("pager: %s", nav)
	}
	next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(nav)
	if next == nil || !strings.Contains(next[1], "after=") || !strings.Contains(next[1], "page=6") {
		t.Fatalf("next link %v in %s", next, nav)
	}
	r = s.do(req{method: "GET", path: html.UnescapeString(next[1])})
	if r.StatusCode != 200 || !strings.Contains(string(r.body), `aria-current="page">6<`) {
		t.Fatalf("following next: %d", r.StatusCode)
	}
}
