package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestListCacheDrawsTheWholePage: a signed-in reader's list, put together from the kept
// content and their own layout, equals the list drawn whole, for every reader, and a new
// question shows once the second has passed.
func TestListCacheDrawsTheWholePage(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin") // may describe tags
	asker, reader := s.signup("asker"), s.signup("reader")
	s.giveReputation(admin, 5000)
	for i := range 4 {
		s.ask(asker, "A question about grading for list number "+string(rune('A'+i)), "grading", "lists")
	}
	whole := s.wholePages()
	readers := []viewer{
		{name: "reader by cookie", cookie: reader.Cookie},
		{name: "admin by cookie", cookie: admin.Cookie},
		{name: "asker by token", header: asker.bearer()},
	}
	paths := []string{"/", "/?sort=votes", "/?page=2&page_size=1", "/tags/grading", "/?done=welcome"}
	for range 2 { // drawn, then from the cache
		for _, v := range readers {
			for _, path := range paths {
				samePage(t, s, whole, v, path)
			}
		}
	}
	// The admin's tag page has the describe form with the admin's own token.
	page := samePage(t, s, whole, readers[1], "/tags/grading")
	if !strings.Contains(page, `name="_csrf" value="`+admin.CSRF+`"`) {
		t.Fatal("the admin's tag page lacks the admin's CSRF token")
	}

	newest := "A question asked while the list was kept"
	s.ask(asker, newest, "grading")
	if strings.Contains(string(s.get(readers[0], "/").body), newest) {
		t.Fatal("within the second the list was drawn again: the cache is not used")
	}
	s.clock.Add(2 * time.Second)
	if got := samePage(t, s, whole, readers[0], "/"); !strings.Contains(got, newest) {
		t.Fatal("a second later the list still lacks the new question")
	}
}

// TestListCacheShowsTheReadersOwnWrite: the page a write redirects to is drawn fresh, so
// whoever described a tag sees the new description at once, though the tag's list was
// kept a moment before.
func TestListCacheShowsTheReadersOwnWrite(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	s.giveReputation(admin, 5000)
	s.ask(admin, "A question to put the grading tag on the list", "grading")
	me := viewer{name: "admin", cookie: admin.Cookie}
	s.get(me, "/tags/grading") // kept now
	r := s.postForm("/tags/grading", admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "excerpt": {"Standards-based grading and reassessment."}})
	if r.StatusCode != 303 {
		t.Fatalf("describe: %d %s", r.StatusCode, r.body)
	}
	page := string(s.get(me, r.Header.Get("Location")).body)
	if !strings.Contains(page, "Standards-based grading and reassessment.") || !strings.Contains(page, "description is saved") {
		t.Fatalf("after describing the tag, its page (%s) lacks the new description or the flash", r.Header.Get("Location"))
	}
}
