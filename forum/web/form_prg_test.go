package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestTagDescriptionFailureRedirects: a tag description that fails is answered with a
// redirect to the tag's page (defect 7), which shows the error beside the text as typed,
// again on a reload, to its author alone; the shared list cache is not touched by it.
func TestTagDescriptionFailureRedirects(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	other := s.signup("other")
	s.giveReputation(other, 2000) // may edit, so gets the form too
	s.ask(admin, "How do you explain standards-based grading to parents?", "grading")
	for _, a := range []*account{admin, other} {
		s.get(viewer{name: a.Name, cookie: a.Cookie}, "/tags/grading") // a kept list for each, before
	}
	typed := strings.Repeat("Reassessment & rubrics. ", 25) // past 500 characters
	r := s.postForm("/tags/grading", admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "excerpt": {typed}})
	if loc := r.Header.Get("Location"); r.StatusCode != 303 || !regexp.MustCompile(`^/tags/grading\?form=[0-9a-f]{32}#describe-tag$`).MatchString(loc) {
		t.Fatalf("failed description: %d %q, want a 303 to the tag's page", r.StatusCode, loc)
	}
	form := regexp.MustCompile(`(?s)<details class="describe-tag" id="describe-tag" open>.*?</details>`)
	for i := range 2 { // the redirect, then a reload
		page := s.follow(r, admin.Cookie)
		f := form.FindString(string(page.body))
		if page.StatusCode != 400 || f == "" {
			t.Fatalf("GET %d of the failed description's page: %d, the form open: %v", i, page.StatusCode, f != "")
		}
		if !strings.Contains(f, `id="tag-excerpt-error"`) || !strings.Contains(f, "at most 500") ||
			!strings.Contains(f, ">"+html.EscapeString(typed)+"</textarea>") || !strings.Contains(f, "autofocus") {
			t.Fatalf("the form lacks its error, its text or the focus:\n%s", f)
		}
		describedByResolves(t, string(page.body))
	}
	for _, a := range []*account{other, admin} {
		page := string(s.get(viewer{name: a.Name, cookie: a.Cookie}, "/tags/grading").body)
		if strings.Contains(page, "tag-excerpt-error") || strings.Contains(page, "Reassessment &amp; rubrics.") {
			t.Fatalf("%s's page of the tag shows the failure", a.Name)
		}
	}
	if page := s.follow(r, other.Cookie); page.StatusCode != 200 || strings.Contains(string(page.body), "tag-excerpt-error") {
		t.Fatalf("another person's GET of the failure's address: %d", page.StatusCode)
	}
	if tag := s.do(req{method: "GET", path: "/api/v1/tags/grading"}).json(t); tag["excerpt"] != "" {
		t.Fatalf("the failed description was saved: %q", tag["excerpt"])
	}
	r = s.postForm("/tags/grading", admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "excerpt": {"Grading by standards, with reassessment."}})
	if loc := r.Header.Get("Location"); r.StatusCode != 303 || loc != "/tags/grading?done=described" {
		t.Fatalf("a good description: %d %q", r.StatusCode, loc)
	}
	if r := s.postForm("/tags/no-such-tag", admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "excerpt": {"x"}}); r.StatusCode != 404 {
		t.Fatalf("describing a missing tag: %d", r.StatusCode)
	}
}

// TestNewTokenShownOnceAfterARedirect: creating an API token on the settings page answers
// with a redirect (a reload makes no second token), the page it leads to shows the secret
// once to its owner, and the secret is never in an address.
func TestNewTokenShownOnceAfterARedirect(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	owner, other := s.signup("owner"), s.signup("other")
	tokens := func() int {
		return len(s.do(req{method: "GET", path: "/api/v1/me/tokens", headers: owner.bearer()}).json(t)["items"].([]any))
	}
	before := tokens()
	r := s.postForm("/settings/tokens", owner.Cookie, url.Values{"_csrf": {owner.CSRF}, "name": {"gradebook sync"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !regexp.MustCompile(`^/settings\?form=[0-9a-f]{32}#tokens$`).MatchString(loc) {
		t.Fatalf("creating a token: %d %q, want a 303 to the settings page", r.StatusCode, loc)
	}
	secret := regexp.MustCompile(`value="(sr_[A-Za-z0-9_-]+)"`)
	if page := s.follow(r, other.Cookie); secret.Match(page.body) {
		t.Fatal("another person's GET of the address shows the secret")
	}
	page := s.follow(r, owner.Cookie)
	m := secret.FindStringSubmatch(string(page.body))
	if page.StatusCode != 200 || m == nil || !strings.Contains(string(page.body), "gradebook sync") {
		t.Fatalf("the settings page after creating a token: %d, secret shown: %v", page.StatusCode, m != nil)
	}
	if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("the page with the secret is cacheable: %q", cc)
	}
	if me := s.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer " + m[1]}}); me.StatusCode != 200 {
		t.Fatalf("the new token does not work: %d", me.StatusCode)
	}
	if again := s.follow(r, owner.Cookie); again.StatusCode != 200 || strings.Contains(string(again.body), m[1]) {
		t.Fatalf("a reload: %d, shows the secret again: %v", again.StatusCode, strings.Contains(string(again.body), m[1]))
	}
	if n := tokens(); n != before+1 {
		t.Fatalf("%d tokens made, want 1", n-before)
	}

	t.Run("failures go back to the settings page too", func(t *testing.T) {
		r := s.postForm("/settings/tokens", owner.Cookie, url.Values{"_csrf": {owner.CSRF}, "name": {""}})
		page := s.follow(r, owner.Cookie)
		if page.StatusCode != 400 || !strings.Contains(string(page.body), `id="f-name-error"`) || secret.Match(page.body) {
			t.Fatalf("empty name: %d", page.StatusCode)
		}
		r = s.postForm("/settings/tokens/999999/revoke", owner.Cookie, url.Values{"_csrf": {owner.CSRF}})
		if loc := r.Header.Get("Location"); r.StatusCode != 303 || !strings.HasPrefix(loc, "/settings?form=") {
			t.Fatalf("revoking a token that is not theirs: %d %q", r.StatusCode, loc)
		}
		if page := s.follow(r, owner.Cookie); page.StatusCode != 404 || !strings.Contains(string(page.body), fmt.Sprintf("You have no token %d.", 999999)) {
			t.Fatalf("the page after a failed revoke: %d", page.StatusCode)
		}
	})
}
