package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestAuthorsSeeTheirOwnDeletedPosts: an author who deletes her answer or her question still
// sees it on the question page, marked as deleted (defect 6); everyone else gets what they
// got before (the answer absent, the question not found), from every cache.
func TestAuthorsSeeTheirOwnDeletedPosts(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer, other := s.signup("asker"), s.signup("answerer"), s.signup("other")
	qid := s.ask(asker, "How do you keep a seating chart that students accept?", "classroom")
	aid, kept := s.answer(answerer, qid), s.answer(other, qid)
	path := fmt.Sprintf("/questions/%d", qid)
	whole := s.wholePages()
	anonymous := viewer{name: "nobody"}
	as := func(a *account) []viewer {
		return []viewer{{name: a.Name, cookie: a.Cookie}, {name: a.Name + " (token)", header: a.bearer()}}
	}
	// Everyone reads the page first, so each has a copy that the deletion must not leave.
	readers := append([]viewer{anonymous}, as(admin)...)
	for _, a := range []*account{asker, answerer, other} {
		readers = append(readers, as(a)...)
	}
	for _, v := range readers {
		s.get(v, path)
	}

	r := s.postForm(fmt.Sprintf("/posts/%d/delete", aid), answerer.Cookie, url.Values{"_csrf": {answerer.CSRF}})
	if r.StatusCode != 303 {
		t.Fatalf("delete: %d %s", r.StatusCode, r.body)
	}
	block := regexp.MustCompile(fmt.Sprintf(`(?s)<div class="post post-deleted" id="post-%d">.*?</section>`, aid))
	for _, v := range as(answerer) {
		for i := range 2 { // the first read after the change, then again
			page := samePage(t, s, whole, v, path)
			b := block.FindString(page)
			if b == "" || !strings.Contains(b, `class="notice notice-deleted"`) || !strings.Contains(b, `<span class="pill pill-danger">deleted</span>`) {
				t.Fatalf("read %d as %s: her deleted answer is not there, marked", i, v.name)
			}
			// She may not bring it back (forum.CheckUndelete: moderators only), nor act on it.
			for _, action := range []string{"undelete", "delete", "edit"} {
				if strings.Contains(b, fmt.Sprintf(`/posts/%d/%s"`, aid, action)) {
					t.Fatalf("her deleted answer offers %s", action)
				}
			}
			for _, button := range regexp.MustCompile(`<button type="submit" class="vote [^>]*>`).FindAllString(b, -1) {
				if !strings.Contains(button, " disabled") {
					t.Fatalf("her deleted answer has a vote button: %s", button)
				}
			}
			if !strings.Contains(page, fmt.Sprintf(`id="post-%d"`, kept)) {
				t.Fatal("the live answer is missing from her page")
			}
		}
	}
	for _, v := range readers {
		if strings.HasPrefix(v.name, "answerer") {
			continue
		}
		page := samePage(t, s, whole, v, path)
		shown := strings.Contains(page, fmt.Sprintf(`id="post-%d"`, aid))
		if mod := strings.HasPrefix(v.name, "admin"); shown != mod {
			t.Fatalf("%s sees the deleted answer: %v", v.name, shown)
		}
	}
	// The anonymous micro-cache, before and after the author's pages were drawn.
	for range 2 {
		if page := s.get(anonymous, path); strings.Contains(string(page.body), fmt.Sprintf(`id="post-%d"`, aid)) {
			t.Fatal("an anonymous reader is served the deleted answer")
		}
		s.get(viewer{name: answerer.Name, cookie: answerer.Cookie}, path)
	}

	t.Run("the API leaves it out, for her too", func(t *testing.T) {
		// DESIGN.md: a deleted post is 404 to everyone but moderators on the API; only the
		// page shows her her own, marked.
		deletedIn := func(headers map[string]string) (found bool) {
			q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid), headers: headers}).json(t)
			for _, a := range q["answers"].([]any) {
				if a.(map[string]any)["id"] == float64(aid) {
					return true
				}
			}
			return false
		}
		for _, h := range []map[string]string{nil, answerer.bearer(), other.bearer(), asker.bearer()} {
			if deletedIn(h) {
				t.Fatalf("the deleted answer is in the API thread for %v", h)
			}
		}
		// The post itself stays not found to all but moderators (the contract).
		if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/revisions", aid), headers: answerer.bearer()}); r.StatusCode != 404 {
			t.Fatalf("the deleted answer's revisions for its author: %d", r.StatusCode)
		}
	})

	t.Run("her deleted question", func(t *testing.T) {
		q2 := s.ask(asker, "Is a rotating seating chart worth the trouble?", "classroom")
		p2 := fmt.Sprintf("/questions/%d", q2)
		s.get(anonymous, p2)
		s.get(viewer{name: other.Name, cookie: other.Cookie}, p2)
		if r := s.postForm(fmt.Sprintf("/posts/%d/delete", q2), asker.Cookie, url.Values{"_csrf": {asker.CSRF}}); r.StatusCode != 303 {
			t.Fatalf("delete the question: %d %s", r.StatusCode, r.body)
		}
		for _, v := range as(asker) {
			for range 2 {
				page := samePage(t, s, whole, v, p2)
				if !strings.Contains(page, fmt.Sprintf(`<div class="post post-deleted" id="post-%d">`, q2)) || !strings.Contains(page, `class="notice notice-deleted"`) {
					t.Fatalf("as %s: her deleted question is not marked", v.name)
				}
			}
		}
		for _, v := range []viewer{anonymous, {name: other.Name, cookie: other.Cookie}, {name: other.Name, header: other.bearer()}} {
			for range 2 {
				if r := s.do(req{method: "GET", path: p2, cookie: v.cookie, headers: v.header}); r.StatusCode != 404 {
					t.Fatalf("%s reads the deleted question: %d", v.name, r.StatusCode)
				}
			}
		}
		// The API keeps the contract: a deleted post is 404 to everyone but moderators.
		if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", q2), headers: asker.bearer()}); r.StatusCode != 404 {
			t.Fatalf("the API's deleted question for its author: %d", r.StatusCode)
		}
		if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", q2), headers: admin.bearer()}); r.StatusCode != 200 {
			t.Fatalf("the API's deleted question for a moderator: %d", r.StatusCode)
		}
	})
}
