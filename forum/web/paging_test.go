package web_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestPageNumbersAreBounded(t *testing.T) {
	s := newSite(t)
	a := s.signup("pager")
	s.ask(a, "Which seating charts work for group projects?", "seating")
	huge := []string{"9223372036854775807", "1000001", "99999999999999999999999", "-1", "0", "two"}

	for _, base := range []string{"/api/v1/questions", "/api/v1/tags", fmt.Sprintf("/api/v1/users/%d/posts", a.ID)} {
		for _, page := range huge {
			r := s.do(req{method: "GET", path: base + "?page=" + page})
			if code, field := r.errorCode(t); r.StatusCode != 400 || field != "page" || code != "invalid_page" {
				t.Fatalf("%s?page=%s: %d %s", base, page, r.StatusCode, r.body)
			}
		}
		if r := s.do(req{method: "GET", path: base + "?page=1000000"}); r.StatusCode != 200 {
			t.Fatalf("%s?page=1000000: %d %s", base, r.StatusCode, r.body)
		}
	}
	if r := s.do(req{method: "GET", path: "/api/v1/questions?page_size=9223372036854775807"}); r.StatusCode != 400 {
		t.Fatalf("huge page_size: %d %s", r.StatusCode, r.body)
	}
	for _, base := range []string{"/", "/tags", "/tags/seating"} {
		for _, page := range huge[:3] {
			r := s.do(req{method: "GET", path: base + "?page=" + page})
			if r.StatusCode != 400 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(r.body), "page must be a whole number from 1 to 1000000") {
				t.Fatalf("%s?page=%s: %d %s", base, page, r.StatusCode, r.body)
			}
		}
		if r := s.do(req{method: "GET", path: base + "?page=1000000"}); r.StatusCode != 200 {
			t.Fatalf("%s?page=1000000: %d", base, r.StatusCode)
		}
	}
}
