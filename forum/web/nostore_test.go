package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestSecretsAreNeverCached(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("secretive")
	q := s.ask(a, "How do you keep grade books private?", "privacy")
	session := func(h map[string]string) map[string]string {
		out := map[string]string{"Cookie": "staffroom_session=" + a.Cookie, "X-CSRF-Token": a.CSRF}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	form := func(v url.Values) string { v.Set("_csrf", a.CSRF); return v.Encode() }
	formType := "application/x-www-form-urlencoded"

	for _, tc := range []struct {
		name string
		req  req
		want int
	}{
		{"API sign-up", req{method: "POST", path: "/api/v1/auth/signup", body: jsonBody(map[string]string{
			"username": "newcomer", "email": "n@d.org", "password": "long enough pass"})}, 201},
		{"API sign-in", req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{
			"login": "secretive", "password": a.Passwd})}, 200},
		{"API me", req{method: "GET", path: "/api/v1/me", headers: a.bearer()}, 200},
		{"API me by cookie", req{method: "GET", path: "/api/v1/me", headers: session(nil)}, 200},
		{"API sessions", req{method: "GET", path: "/api/v1/me/sessions", headers: a.bearer()}, 200},
		{"API tokens", req{method: "GET", path: "/api/v1/me/tokens", headers: a.bearer()}, 200},
		{"API token created", req{method: "POST", path: "/api/v1/me/tokens", headers: a.bearer(), body: `{"name":"script"}`}, 201},
		{"API read as a person", req{method: "GET", path: "/api/v1/questions", headers: a.bearer()}, 200},
		{"API error to a person", req{method: "GET", path: "/api/v1/questions/999", headers: a.bearer()}, 404},
		{"settings page", req{method: "GET", path: "/settings", headers: session(nil)}, 200},
		{"a new token's redirect", req{method: "POST", path: "/settings/tokens", headers: session(nil),
			contentType: formType, body: form(url.Values{"name": {"laptop"}})}, 303},
		{"a list for a person", req{method: "GET", path: "/", headers: session(nil)}, 200},
		{"a question for a person", req{method: "GET", path: fmt.Sprintf("/questions/%d", q), headers: session(nil)}, 200},
		{"an error page for a person", req{method: "GET", path: "/nowhere", headers: session(nil)}, 404},
		{"sign-up form failure", req{method: "POST", path: "/signup", contentType: formType,
			body: url.Values{"username": {"x"}, "email": {"private@d.org"}, "password": {"p"}, "password_confirm": {"q"}}.Encode()}, 303},
		{"sign-in page", req{method: "GET", path: "/login"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(tc.req)
			if r.StatusCode != tc.want {
				t.Fatalf("%d, want %d: %s", r.StatusCode, tc.want, r.body)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control %q, want no-store", cc)
			}
			if r.StatusCode == 303 && tc.req.path == "/settings/tokens" { // the page showing the new token once
				loc, _, _ := strings.Cut(r.Header.Get("Location"), "#")
				r = s.do(req{method: "GET", path: loc, headers: session(nil)})
				if cc := r.Header.Get("Cache-Control"); r.StatusCode != 200 || cc != "no-store" || !strings.Contains(string(r.body), `class="new-token"`) {
					t.Fatalf("the new token's page: %d Cache-Control %q", r.StatusCode, cc)
				}
			} else if r.StatusCode == 303 { // a failed form: its page shows what was typed
				r = s.follow(r, "")
				if cc := r.Header.Get("Cache-Control"); r.StatusCode != 400 || cc != "no-store" || !strings.Contains(string(r.body), "private@d.org") {
					t.Fatalf("the failed form's page: %d Cache-Control %q", r.StatusCode, cc)
				}
			}
		})
	}

	t.Run("anonymous public answers keep their caching", func(t *testing.T) {
		for _, p := range []string{"/", fmt.Sprintf("/questions/%d", q), "/tags/privacy"} {
			for range 2 { // drawn, then from the micro-cache
				r := s.do(req{method: "GET", path: p})
				if cc := r.Header.Get("Cache-Control"); r.StatusCode != 200 || cc != "no-cache, private" || r.Header.Get("ETag") == "" {
					t.Fatalf("%s: %d Cache-Control %q", p, r.StatusCode, cc)
				}
			}
		}
		r := s.do(req{method: "GET", path: "/api/v1/questions"})
		if strings.Contains(r.Header.Get("Cache-Control"), "no-store") || r.Header.Get("ETag") == "" {
			t.Fatalf("anonymous API list: %v", r.Header)
		}
	})
}
