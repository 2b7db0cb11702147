package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func form(v url.Values) (string, string) { return v.Encode(), "application/x-www-form-urlencoded" }

func (s *testSite) postForm(path, cookie string, v url.Values) *response {
	s.t.Helper()
	body, ct := form(v)
	return s.do(req{method: "POST", path: path, body: body, contentType: ct, cookie: cookie})
}

// follow makes the GET that a form post's 303 asks for, as a browser does, with the same
// session; the address's fragment stays in the browser.
func (s *testSite) follow(r *response, cookie string) *response {
	s.t.Helper()
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || loc == "" {
		s.t.Fatalf("want a 303 redirect, got %d %q: %.300s", r.StatusCode, loc, r.body)
	}
	loc, _, _ = strings.Cut(loc, "#")
	return s.do(req{method: "GET", path: loc, cookie: cookie})
}

// postFormFollow posts a form and follows its redirect: a failed form answers with its
// page, showing the failure (post/redirect/get).
func (s *testSite) postFormFollow(path, cookie string, v url.Values) *response {
	s.t.Helper()
	return s.follow(s.postForm(path, cookie, v), cookie)
}

func TestSignupPage(t *testing.T) {
	s := newSite(t)
	t.Run("errors appear beside their field, typed values are kept", func(t *testing.T) {
		r := s.postFormFollow("/signup", "", url.Values{"username": {"pagey"}, "email": {"pagey@d.org"}, "display_name": {"Ms. Page"},
			"password": {"short"}, "password_confirm": {"short"}})
		page := string(r.body)
		if r.StatusCode != 400 || !strings.Contains(page, `id="f-password-error"`) || !strings.Contains(page, "at least 10 characters") {
			t.Fatalf("%d: no password error beside the field", r.StatusCode)
		}
		if !strings.Contains(page, `value="Ms. Page"`) || !strings.Contains(page, `value="pagey@d.org"`) {
			t.Fatal("typed values were lost")
		}
		if strings.Contains(page, `value="short"`) {
			t.Fatal("the password is echoed back into the page")
		}
		r = s.postFormFollow("/signup", "", url.Values{"username": {"pagey"}, "email": {"pagey@d.org"}, "password": {"long enough pass"}, "password_confirm": {"different pass!"}})
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="f-password_confirm-error"`) {
			t.Fatalf("mismatch: %d", r.StatusCode)
		}
	})
	t.Run("success signs in and redirects home", func(t *testing.T) {
		r := s.postForm("/signup", "", url.Values{"username": {"pagey"}, "email": {"pagey@d.org"}, "password": {"long enough pass"}, "password_confirm": {"long enough pass"}})
		if r.StatusCode != 303 || r.Header.Get("Location") != "/?done=welcome" {
			t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Location"))
		}
		c := r.cookie("staffroom_session").Value
		home := string(s.do(req{method: "GET", path: "/?done=welcome", cookie: c}).body)
		if !strings.Contains(home, "Welcome to Staffroom") || !strings.Contains(home, `action="/logout"`) || !strings.Contains(home, "pagey") {
			t.Fatal("home does not show the signed-in person")
		}
		if !strings.Contains(string(s.do(req{method: "GET", path: "/settings", cookie: c}).body), "You have no API tokens.") {
			t.Fatal("signing up in the browser made an API token nobody asked for")
		}
	})
	t.Run("duplicate username shows beside the field with 409", func(t *testing.T) {
		r := s.postFormFollow("/signup", "", url.Values{"username": {"PAGEY"}, "email": {"other@d.org"}, "password": {"long enough pass"}, "password_confirm": {"long enough pass"}})
		if r.StatusCode != 409 || !strings.Contains(string(r.body), `id="f-username-error"`) {
			t.Fatalf("%d", r.StatusCode)
		}
	})
	t.Run("the flash cannot be made to say anything", func(t *testing.T) {
		if strings.Contains(string(s.do(req{method: "GET", path: "/login?done=%3Cscript%3E"}).body), "<script>") {
			t.Fatal("query text reflected into the page")
		}
	})
}

func TestLoginPageAndSettings(t *testing.T) {
	s := newSite(t)
	a := s.signup("settler")
	t.Run("settings needs a signed-in person", func(t *testing.T) {
		r := s.do(req{method: "GET", path: "/settings"})
		if r.StatusCode != 303 || r.Header.Get("Location") != "/login?next=%2Fsettings" {
			t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Location"))
		}
	})
	var cookie string
	t.Run("wrong password re-renders with the error", func(t *testing.T) {
		r := s.postFormFollow("/login", "", url.Values{"login": {"settler"}, "password": {"not the password"}, "next": {"/settings"}})
		if r.StatusCode != 401 || !strings.Contains(string(r.body), "Wrong username, email or password") || !strings.Contains(string(r.body), `value="settler"`) {
			t.Fatalf("%d", r.StatusCode)
		}
	})
	t.Run("login goes back to next, never off-site", func(t *testing.T) {
		r := s.postForm("/login", "", url.Values{"login": {"settler@district.org"}, "password": {a.Passwd}, "next": {"/settings"}})
		if r.StatusCode != 303 || r.Header.Get("Location") != "/settings" {
			t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Location"))
		}
		cookie = r.cookie("staffroom_session").Value
		for _, evil := range []string{"//evil.example", "https://evil.example", "/\\evil.example"} {
			r := s.postForm("/login", "", url.Values{"login": {"settler"}, "password": {a.Passwd}, "next": {evil}})
			if r.Header.Get("Location") != "/" {
				t.Fatalf("next=%q redirected to %q", evil, r.Header.Get("Location"))
			}
		}
	})
	t.Run("settings lists sessions and creates a token shown once", func(t *testing.T) {
		page := string(s.do(req{method: "GET", path: "/settings", cookie: cookie}).body)
		if !strings.Contains(page, "this browser") || !strings.Contains(page, "Where you are signed in") {
			t.Fatal("sessions list missing")
		}
		csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
		r := s.postFormFollow("/settings/tokens", cookie, url.Values{"_csrf": {csrf}, "name": {"report card export"}})
		tok := regexp.MustCompile(`value="(sr_[A-Za-z0-9_-]+)"`).FindStringSubmatch(string(r.body))
		if r.StatusCode != 200 || tok == nil {
			t.Fatalf("%d: no token in the page", r.StatusCode)
		}
		if me := s.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer " + tok[1]}}); me.StatusCode != 200 {
			t.Fatalf("the new token does not work: %d", me.StatusCode)
		}
		if strings.Contains(string(s.do(req{method: "GET", path: "/settings", cookie: cookie}).body), tok[1]) {
			t.Fatal("the token is shown again")
		}
		r = s.postFormFollow("/settings/tokens", cookie, url.Values{"_csrf": {csrf}, "name": {""}})
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="f-name-error"`) {
			t.Fatalf("empty token name: %d", r.StatusCode)
		}
	})
	t.Run("password form: mismatch and wrong current password beside their fields", func(t *testing.T) {
		page := string(s.do(req{method: "GET", path: "/settings", cookie: cookie}).body)
		csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
		r := s.postFormFollow("/settings/password", cookie, url.Values{"_csrf": {csrf}, "current_password": {"wrong one here"}, "new_password": {"another long one"}, "new_password_confirm": {"another long one"}})
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="f-current_password-error"`) {
			t.Fatalf("wrong current: %d", r.StatusCode)
		}
		r = s.postFormFollow("/settings/password", cookie, url.Values{"_csrf": {csrf}, "current_password": {a.Passwd}, "new_password": {"another long one"}, "new_password_confirm": {"not the same!!"}})
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="f-new_password_confirm-error"`) {
			t.Fatalf("mismatch: %d", r.StatusCode)
		}
		if s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "settler", "password": a.Passwd})}).StatusCode != 200 {
			t.Fatal("a refused password change changed the password")
		}
	})
	t.Run("sign out", func(t *testing.T) {
		page := string(s.do(req{method: "GET", path: "/", cookie: cookie}).body)
		csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
		if r := s.postForm("/logout", cookie, url.Values{}); r.StatusCode != 403 {
			t.Fatalf("logout without the token: %d", r.StatusCode)
		}
		r := s.postForm("/logout", cookie, url.Values{"_csrf": {csrf}})
		if r.StatusCode != 303 || r.Header.Get("Location") != "/login?done=signedout" {
			t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if strings.Contains(string(s.do(req{method: "GET", path: "/", cookie: cookie}).body), `action="/logout"`) {
			t.Fatal("still signed in after signing out")
		}
	})
}

func TestProfilePage(t *testing.T) {
	s := newSite(t)
	a := s.signup("profiled")
	for _, p := range []string{fmt.Sprintf("/users/%d", a.ID), fmt.Sprintf("/users/%d/profiled", a.ID)} {
		r := s.do(req{method: "GET", path: p})
		page := string(r.body)
		if r.StatusCode != 200 || !strings.Contains(page, "<h1>Teacher profiled</h1>") || !strings.Contains(page, "Administrator") {
			t.Fatalf("%s: %d", p, r.StatusCode)
		}
		if strings.Contains(page, "profiled@district.org") {
			t.Fatal("the profile shows the email to strangers")
		}
	}
	if r := s.do(req{method: "GET", path: "/users/424242/nobody"}); r.StatusCode != 404 {
		t.Fatalf("missing profile: %d", r.StatusCode)
	}
}
