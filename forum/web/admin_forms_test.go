package web_test

import (
	"strings"
	"testing"
)

// TestAdminAndInviteFormsRedirectOnFailure: a failed post of an admin, invitation or
// password reset form is answered with a redirect to the form's own page (post/redirect/
// get), which shows the failure and what was typed; a reload asks for the page again and
// posts nothing.
func TestAdminAndInviteFormsRedirectOnFailure(t *testing.T) {
	s := newSite(t, withSitePrivileges())
	admin := s.signup("founder")
	member := s.signup("member")
	for _, tc := range []struct {
		name, path, page string
		kv               []string
		status           int
		shows            string
	}{
		{"settings", "/admin/settings", "/admin", []string{"site_name", "  ", "signup", "open", "privileges", "moderate"}, 400, `id="f-site_name-error"`},
		{"tags", "/admin/tags", "/admin/tags", []string{"create_name", "two words", "create_excerpt", ""}, 400, `value="two words"`},
		{"the last admin's role", "/admin/people/" + idStr(admin.ID) + "/role", "/admin/people", []string{"role", "member"}, 409, "admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "POST", path: tc.path, contentType: "application/x-www-form-urlencoded", cookie: admin.Cookie,
				body: formOf(append(tc.kv, "_csrf", admin.CSRF)...)})
			to := r.Header.Get("Location")
			if r.StatusCode != 303 || !strings.HasPrefix(to, tc.page+"?form=") {
				t.Fatalf("POST %s: %d to %q, want 303 to %s?form=", tc.path, r.StatusCode, to, tc.page)
			}
			for range 2 { // the page, then a reload of it
				shown := s.do(req{method: "GET", path: to, cookie: admin.Cookie})
				if shown.StatusCode != tc.status || !strings.Contains(string(shown.body), tc.shows) {
					t.Fatalf("GET %s: %d, want %d showing %q", to, shown.StatusCode, tc.status, tc.shows)
				}
			}
			// Nobody else sees it.
			if other := s.do(req{method: "GET", path: to, cookie: member.Cookie}); other.StatusCode == tc.status {
				t.Fatalf("another person got the failure page: %d", other.StatusCode)
			}
		})
	}
	t.Run("an invitation's sign-up", func(t *testing.T) {
		token, _ := s.inviteLink(admin, nil)
		path := "/invite/" + token
		r := s.do(req{method: "POST", path: path, contentType: "application/x-www-form-urlencoded",
			body: formOf("username", "newteacher", "email", "new@district.org", "password", "long enough pass", "password_confirm", "other")})
		to := r.Header.Get("Location")
		if r.StatusCode != 303 || !strings.HasPrefix(to, path+"?form=") {
			t.Fatalf("POST %s: %d to %q", path, r.StatusCode, to)
		}
		shown := s.do(req{method: "GET", path: to})
		if shown.StatusCode != 400 || !strings.Contains(string(shown.body), `value="newteacher"`) || !strings.Contains(string(shown.body), "do not match") {
			t.Fatalf("GET %s: %d", to, shown.StatusCode)
		}
	})
}
