package web_test

import (
	"context"
	"crypto/sha256"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// Who gets in, through the real app: sign-up modes, invitations, the members-only read
// mode, known members, and the way back in with a reset link.

// withSitePrivileges takes privileges from the settings in force (the default preset,
// moderate: voting up at 15, creating tags at 100), as the server does.
func withSitePrivileges() siteOption { return func(s *testSite) { s.sitePrivileges = true } }

// withNewUserRules holds new members to rules (the 40-minute interval, the link limit).
func withNewUserRules(r forum.NewUserRules) siteOption {
	return func(s *testSite) { s.newUsers = &r }
}

func formOf(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// postForm submits a page's form as a browser does, with the session's CSRF token when
// there is a session.
func (s *testSite) formAs(path string, a *account, kv ...string) *response {
	s.t.Helper()
	r := req{method: "POST", path: path, contentType: "application/x-www-form-urlencoded"}
	if a != nil {
		r.cookie = a.Cookie
		kv = append(kv, "_csrf", a.CSRF)
	}
	r.body = formOf(kv...)
	res := s.do(r)
	// A failed form is answered with a redirect to its page, which shows the failure
	// (post/redirect/get): follow it, so that tests read what the person sees.
	if to := res.Header.Get("Location"); res.StatusCode == 303 && strings.Contains(to, "?form=") {
		get := req{method: "GET", path: to}
		if a != nil {
			get.cookie = a.Cookie
		}
		return s.do(get)
	}
	return res
}

// api calls the JSON API as a bearer client (nil: anonymously).
func (s *testSite) apiAs(a *account, method, path string, body any) *response {
	s.t.Helper()
	r := req{method: method, path: path}
	if body != nil {
		r.body = jsonBody(body)
	}
	if a != nil {
		r.headers = a.bearer()
	}
	return s.do(r)
}

// get reads a page with a's session (nil: anonymously).
func (s *testSite) pageAs(a *account, path string) *response {
	s.t.Helper()
	r := req{method: "GET", path: path}
	if a != nil {
		r.cookie = a.Cookie
	}
	return s.do(r)
}

func mustStatus(t *testing.T, r *response, status int, what string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %.400s", what, r.StatusCode, status, r.body)
	}
}

func mustError(t *testing.T, r *response, status int, code, field string) {
	t.Helper()
	mustStatus(t, r, status, code)
	gotCode, gotField := r.errorCode(t)
	if gotCode != code || gotField != field {
		t.Fatalf("error %s (field %q), want %s (field %q): %s", gotCode, gotField, code, field, r.body)
	}
}

// setSettings changes site settings through the admin API.
func (s *testSite) adminSettings(admin *account, body map[string]any) {
	s.t.Helper()
	mustStatus(s.t, s.apiAs(admin, "PATCH", "/api/v1/admin/settings", body), 200, "settings")
}

// invite makes an invitation through the API and returns its token.
func (s *testSite) inviteLink(admin *account, body map[string]any) (token string, m map[string]any) {
	s.t.Helper()
	r := s.apiAs(admin, "POST", "/api/v1/invites", body)
	mustStatus(s.t, r, 201, "invite")
	m = r.json(s.t)
	u, _ := m["url"].(string)
	prefix := "http://staffroom.test/invite/"
	if !strings.HasPrefix(u, prefix) {
		s.t.Fatalf("invitation url %q does not start with %s", u, prefix)
	}
	return strings.TrimPrefix(u, prefix), m
}

// signupWith creates an account through the API; the answer is returned as it is.
func (s *testSite) signupVia(username, email, invite string) *response {
	s.t.Helper()
	return s.apiAs(nil, "POST", "/api/v1/auth/signup", map[string]string{
		"username": username, "email": email, "password": "correct horse " + username, "invite": invite})
}

func grantedAccount(t *testing.T, r *response, username string) *account {
	t.Helper()
	m := r.json(t)
	user := m["user"].(map[string]any)
	return &account{ID: int64(user["id"].(float64)), Cookie: r.cookie("staffroom_session").Value, CSRF: m["csrf_token"].(string),
		Token: m["token"].(string), Name: username, Passwd: "correct horse " + username, Payload: m}
}

func TestSignupModes(t *testing.T) {
	t.Run("open: anyone, who keeps the new-member rules", func(t *testing.T) {
		s := newSite(t)
		s.signup("founder")
		r := s.signupVia("teacher", "teacher@anywhere.example", "")
		mustStatus(t, r, 201, "open sign-up")
		if known := r.json(t)["user"].(map[string]any)["known"]; known != nil {
			t.Fatalf("an open sign-up is known: %v", known)
		}
	})
	t.Run("invite and closed refuse the form; the page says so and hides it", func(t *testing.T) {
		s := newSite(t)
		admin := s.signup("founder")
		for _, mode := range []string{"invite", "closed"} {
			s.adminSettings(admin, map[string]any{"signup": mode})
			mustError(t, s.signupVia("outsider", "o@district.org", ""), 403, "signup_"+map[string]string{"invite": "invite_only", "closed": "closed"}[mode], "")
			page := s.pageAs(nil, "/signup")
			mustStatus(t, page, 200, "signup page")
			if strings.Contains(string(page.body), `action="/signup"`) || !strings.Contains(string(page.body), "invitation") {
				t.Fatalf("%s: the sign-up page still offers the form or does not mention invitations", mode)
			}
			r := s.formAs("/signup", nil, "username", "outsider", "email", "o@district.org", "password", "long enough pass", "password_confirm", "long enough pass")
			mustStatus(t, r, 403, "the refusal shown on the sign-up page (formAs follows its redirect)")
			token, _ := s.inviteLink(admin, nil)
			mustStatus(t, s.signupVia("invited"+mode, mode+"@district.org", token), 201, "sign-up with an invitation")
		}
	})
	t.Run("a site closed from the start still lets its first account in", func(t *testing.T) {
		s := newSite(t, withEnv(forum.SiteSettings{Signup: forum.SignupClosed}, forum.SettingSignup))
		page := s.pageAs(nil, "/signup")
		if !strings.Contains(string(page.body), `action="/signup"`) || !strings.Contains(string(page.body), "first account becomes") {
			t.Fatalf("a fresh closed site hides the form from its first person: %s", page.body)
		}
		r := s.signupVia("founder", "founder@district.org", "")
		mustStatus(t, r, 201, "first account")
		if role := r.json(t)["user"].(map[string]any)["role"]; role != "admin" {
			t.Fatalf("first account role %v", role)
		}
		mustError(t, s.signupVia("second", "second@district.org", ""), 403, "signup_closed", "")
	})
	t.Run("domains: exactly the allowed domains, who are known members", func(t *testing.T) {
		s := newSite(t, withEnv(forum.SiteSettings{Signup: forum.SignupDomains, SignupDomains: []string{"lakeview.k12.us", "district1.org"}},
			forum.SettingSignup, forum.SettingSignupDomains))
		s.signup("founder")
		r := s.signupVia("rivera", "M.Rivera@Lakeview.K12.US", "")
		mustStatus(t, r, 201, "allowed domain")
		if known := r.json(t)["user"].(map[string]any)["known"]; known != true {
			t.Fatalf("a sign-up by domain is not known: %s", r.body)
		}
		mustError(t, s.signupVia("student", "kid@students.lakeview.k12.us", ""), 403, "signup_domain", "email")
		mustError(t, s.signupVia("gmail", "someone@gmail.com", ""), 403, "signup_domain", "email")
		page := s.pageAs(nil, "/signup")
		if !strings.Contains(string(page.body), "lakeview.k12.us, district1.org") {
			t.Fatalf("the sign-up page does not name the domains")
		}
	})
}

func TestInvitations(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	member := s.signup("member")

	t.Run("only admins invite; collaboratives are not yet", func(t *testing.T) {
		mustStatus(t, s.apiAs(nil, "POST", "/api/v1/invites", map[string]any{}), 401, "anonymous")
		mustError(t, s.apiAs(member, "POST", "/api/v1/invites", map[string]any{}), 404, "not_found", "")
		mustError(t, s.apiAs(member, "GET", "/api/v1/invites", nil), 404, "not_found", "")
		mustError(t, s.apiAs(admin, "POST", "/api/v1/invites", map[string]any{"collaborative": "math-leads"}), 404, "not_found", "")
		mustError(t, s.apiAs(admin, "POST", "/api/v1/invites", map[string]any{"role": "admin"}), 400, "invalid_role", "role")
		mustError(t, s.apiAs(admin, "POST", "/api/v1/invites", map[string]any{"email": "not an address"}), 400, "invalid_email", "email")
		mustStatus(t, s.do(req{method: "POST", path: "/api/v1/invites", headers: admin.bearer()}), 201, "an invitation with no body")
		list := s.apiAs(admin, "GET", "/api/v1/invites", nil).json(t)["items"].([]any)
		for _, inv := range list {
			id := int64(inv.(map[string]any)["id"].(float64))
			mustStatus(t, s.apiAs(admin, "DELETE", "/api/v1/invites/"+idStr(id), nil), 204, "withdraw")
		}
	})

	t.Run("a week-long single-use link, stored hashed, that names and locks the address", func(t *testing.T) {
		token, m := s.inviteLink(admin, map[string]any{"email": "j.chen@district.org", "role": "moderator"})
		exp, err := time.Parse(time.RFC3339, m["expires_at"].(string))
		if err != nil || !exp.Equal(s.clock.Now().Add(7*24*time.Hour)) {
			t.Fatalf("expires_at %v (%v), want a week from now", m["expires_at"], err)
		}
		var byToken, byHash int
		s.db.Reader().QueryRow(`SELECT COUNT(*) FROM invites WHERE hash = ?`, []byte(token)).Scan(&byToken)
		sum := sha256.Sum256([]byte(token))
		s.db.Reader().QueryRow(`SELECT COUNT(*) FROM invites WHERE hash = ?`, sum[:]).Scan(&byHash)
		if byToken != 0 || byHash != 1 {
			t.Fatalf("the token is not stored as its hash (raw %d, hashed %d)", byToken, byHash)
		}
		list := s.apiAs(admin, "GET", "/api/v1/invites", nil).json(t)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["email"] != "j.chen@district.org" || list[0].(map[string]any)["state"] != "pending" {
			t.Fatalf("pending = %v", list)
		}

		page := s.pageAs(nil, "/invite/"+token)
		mustStatus(t, page, 200, "invitation page")
		if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("the invitation page may be stored: Cache-Control %q", cc)
		}
		if !regexp.MustCompile(`<input id="f-email" name="email" type="email" value="j.chen@district.org" readonly`).Match(page.body) {
			t.Fatalf("the invitation page does not show the address locked: %s", page.body)
		}
		r := s.formAs("/invite/"+token, nil, "username", "jchen", "display_name", "Jia Chen", "email", "other@elsewhere.example",
			"password", "correct horse jchen", "password_confirm", "correct horse jchen")
		mustStatus(t, r, 303, "accept")
		if loc := r.Header.Get("Location"); loc != "/?done=welcome" || r.cookie("staffroom_session") == nil {
			t.Fatalf("accepting went to %q with cookie %v", loc, r.cookie("staffroom_session"))
		}
		u, err := s.db.UserByLogin(context.Background(), "jchen")
		if err != nil || u.Email != "j.chen@district.org" || !u.Known || u.JoinedVia != forum.JoinedInvite || u.Role != forum.RoleModerator {
			t.Fatalf("invited account = %+v, %v", u, err)
		}

		again := s.pageAs(nil, "/invite/"+token)
		mustStatus(t, again, 410, "a used invitation")
		if !strings.Contains(string(again.body), "already been used") {
			t.Fatalf("the used invitation's page does not say so: %s", again.body)
		}
		mustError(t, s.signupVia("second", "second@district.org", token), 410, "invite_used", "")
		if n := len(s.apiAs(admin, "GET", "/api/v1/invites", nil).json(t)["items"].([]any)); n != 0 {
			t.Fatalf("a used invitation is still pending (%d)", n)
		}
	})

	t.Run("unknown, withdrawn and expired links get a clear page", func(t *testing.T) {
		page := s.pageAs(nil, "/invite/nonsense")
		mustStatus(t, page, 404, "unknown")
		if !strings.Contains(string(page.body), "not valid") {
			t.Fatalf("unknown invitation page: %s", page.body)
		}
		token, m := s.inviteLink(admin, nil)
		id := int64(m["id"].(float64))
		mustStatus(t, s.apiAs(admin, "DELETE", "/api/v1/invites/"+idStr(id), nil), 204, "withdraw")
		mustStatus(t, s.pageAs(nil, "/invite/"+token), 410, "withdrawn")
		mustError(t, s.signupVia("late", "late@district.org", token), 410, "invite_revoked", "")

		token, _ = s.inviteLink(admin, map[string]any{"expires_in_hours": 24})
		s.clock.Add(25 * time.Hour)
		page = s.pageAs(nil, "/invite/"+token)
		mustStatus(t, page, 410, "expired")
		if !strings.Contains(string(page.body), "expired") {
			t.Fatalf("expired invitation page: %s", page.body)
		}
		r := s.formAs("/invite/"+token, nil, "username", "tardy", "email", "t@district.org", "password", "correct horse tardy", "password_confirm", "correct horse tardy")
		mustStatus(t, r, 410, "posting an expired invitation")
	})

	t.Run("the form keeps what was typed and shows each error beside its field", func(t *testing.T) {
		token, _ := s.inviteLink(admin, nil)
		r := s.formAs("/invite/"+token, nil, "username", "x", "email", "open@district.org", "password", "correct horse open", "password_confirm", "correct horse open")
		mustStatus(t, r, 400, "bad username")
		if !strings.Contains(string(r.body), `id="f-username-error"`) || !strings.Contains(string(r.body), `value="open@district.org"`) {
			t.Fatalf("the failed form lost its error or its text: %s", r.body)
		}
		mustStatus(t, s.pageAs(nil, "/invite/"+token), 200, "a failed attempt leaves the invitation usable")
	})
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func TestReadMembers(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	q := s.apiAs(admin, "POST", "/api/v1/questions", map[string]any{"title": "How do you pace a unit on fractions?",
		"body": "Our sixth grade fraction unit always runs long; how do you pace it?", "tags": []string{"math"}})
	mustStatus(t, q, 201, "ask")
	qpath := "/questions/" + idStr(int64(q.json(t)["id"].(float64)))
	mustStatus(t, s.pageAs(nil, qpath), 200, "public question page") // fills the anonymous page cache

	s.adminSettings(admin, map[string]any{"read": "members"})
	for _, path := range []string{"/", qpath, "/tags", "/users/1", "/questions/ask?x=1"} {
		r := s.pageAs(nil, path)
		mustStatus(t, r, 303, "anonymous "+path)
		if loc := r.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(path) {
			t.Fatalf("%s sends to %q", path, loc)
		}
	}
	for _, path := range []string{"/api/v1/questions", "/api/v1/tags", "/api/v1/users/1", "/ws"} {
		mustError(t, s.pageAs(nil, path), 401, "sign_in_required", "")
	}
	for _, path := range []string{"/login", "/signup", "/password-reset", "/healthz", "/readyz"} {
		mustStatus(t, s.pageAs(nil, path), 200, "open "+path)
	}
	mustStatus(t, s.pageAs(nil, "/invite/unknown"), 404, "an invitation link is a way in")
	mustStatus(t, s.pageAs(nil, "/password-reset/unknown"), 404, "a reset link is a way in")
	mustStatus(t, s.apiAs(nil, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "x@y.org"}), 202, "forgot password")
	mustStatus(t, s.pageAs(admin, qpath), 200, "a member reads")
	mustStatus(t, s.apiAs(admin, "GET", "/api/v1/questions", nil), 200, "a member reads the API")
	// Signing up is a way in, and then the new member reads.
	newcomer := s.signup("newcomer")
	mustStatus(t, s.pageAs(newcomer, "/"), 200, "a new member reads")

	s.adminSettings(admin, map[string]any{"read": "public"})
	mustStatus(t, s.pageAs(nil, qpath), 200, "public again")
}

func TestKnownMembersSkipTheNewMemberLimits(t *testing.T) {
	s := newSite(t, withSitePrivileges(), withNewUserRules(forum.DefaultNewUserRules))
	admin := s.signup("founder")
	answerer := s.signup("answerer")
	seed := s.apiAs(admin, "POST", "/api/v1/questions", map[string]any{"title": "Which exit tickets tell you the most?",
		"body": "We use exit tickets daily and want them to inform tomorrow's groups.", "tags": []string{"assessment"}})
	mustStatus(t, seed, 201, "seed question")
	qid := idStr(int64(seed.json(t)["id"].(float64)))
	ans := s.apiAs(answerer, "POST", "/api/v1/questions/"+qid+"/answers", map[string]any{"body": "One question on today's target, one on a misconception."})
	mustStatus(t, ans, 201, "answer")
	aid := idStr(int64(ans.json(t)["id"].(float64)))

	token, _ := s.inviteLink(admin, nil)
	known := grantedAccount(t, s.signupVia("invited", "invited@district.org", token), "invited")
	open := s.signup("walkin")
	links := "See https://a.example/1 and https://b.example/2 and https://c.example/3 for the templates we use."

	ask := func(a *account, title, tag string) *response {
		return s.apiAs(a, "POST", "/api/v1/questions", map[string]any{"title": title,
			"body": "We are planning next term and want to hear what works. " + links, "tags": []string{tag}})
	}
	// A known member: a new tag, three links, another question ten minutes later, a vote up.
	mustStatus(t, ask(known, "How do you start a co-teaching partnership?", "co-teaching"), 201, "known: first question with a new tag")
	s.clock.Add(10 * time.Minute)
	mustStatus(t, ask(known, "How do you share planning time with a co-teacher?", "co-teaching"), 201, "known: a second question ten minutes later")
	mustStatus(t, s.apiAs(known, "POST", "/api/v1/posts/"+aid+"/vote", map[string]any{"value": 1}), 200, "known: vote up")
	mustError(t, s.apiAs(known, "POST", "/api/v1/posts/"+aid+"/vote", map[string]any{"value": -1}), 403, "insufficient_reputation", "")

	// An open sign-up: today's new-member rules.
	mustError(t, ask(open, "How do you start a writing workshop in grade 2?", "writing-workshop"), 403, "insufficient_reputation", "tags")
	r := s.apiAs(open, "POST", "/api/v1/questions", map[string]any{"title": "How do you start a writing workshop in grade 2?",
		"body": "We are planning next term and want to hear what works. " + links, "tags": []string{"assessment"}})
	mustError(t, r, 400, "too_many_links", "body")
	mustStatus(t, s.apiAs(open, "POST", "/api/v1/questions", map[string]any{"title": "How do you start a writing workshop in grade 2?",
		"body": "We are planning next term and want to hear what works for seven-year-olds.", "tags": []string{"assessment"}}), 201, "open: first question")
	s.clock.Add(10 * time.Minute)
	mustStatus(t, s.apiAs(open, "POST", "/api/v1/questions", map[string]any{"title": "How do you confer with grade 2 writers?",
		"body": "Conferring takes longer than I planned; how do you keep it short?", "tags": []string{"assessment"}}), 429, "open: ten minutes later")
	mustError(t, s.apiAs(open, "POST", "/api/v1/posts/"+aid+"/vote", map[string]any{"value": 1}), 403, "insufficient_reputation", "")
}

func TestPasswordResetLinks(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	member := s.signup("forgetful")
	other := s.login(member) // a second browser of the same person

	mustError(t, s.apiAs(member, "POST", "/api/v1/admin/users/"+idStr(admin.ID)+"/reset-link", nil), 404, "not_found", "")
	r := s.apiAs(admin, "POST", "/api/v1/admin/users/"+idStr(member.ID)+"/reset-link", nil)
	mustStatus(t, r, 201, "reset link")
	m := r.json(t)
	exp, _ := time.Parse(time.RFC3339, m["expires_at"].(string))
	if !exp.Equal(s.clock.Now().Add(24 * time.Hour)) {
		t.Fatalf("expires_at %v, want a day from now", m["expires_at"])
	}
	link, _ := m["url"].(string)
	token := strings.TrimPrefix(link, "http://staffroom.test/password-reset/")
	if token == link {
		t.Fatalf("url %q", link)
	}
	sum := sha256.Sum256([]byte(token))
	var stored int
	s.db.Reader().QueryRow(`SELECT COUNT(*) FROM password_resets WHERE hash = ?`, sum[:]).Scan(&stored)
	if stored != 1 {
		t.Fatal("the reset token is not stored as its hash")
	}

	page := s.pageAs(nil, "/password-reset/"+token)
	mustStatus(t, page, 200, "reset page")
	mustStatus(t, s.formAs("/password-reset/"+token, nil, "password", "a brand new passphrase", "password_confirm", "something else"), 400, "mismatch")
	r = s.formAs("/password-reset/"+token, nil, "password", "a brand new passphrase", "password_confirm", "a brand new passphrase")
	mustStatus(t, r, 303, "set the password")
	if loc := r.Header.Get("Location"); loc != "/login?done=reset" {
		t.Fatalf("after the reset: %q", loc)
	}
	// Every session and token of the person has ended.
	for _, a := range []*account{member, other} {
		mustStatus(t, s.do(req{method: "GET", path: "/api/v1/me", cookie: a.Cookie}), 401, "an old session")
	}
	mustStatus(t, s.apiAs(member, "GET", "/api/v1/me", nil), 401, "an old token")
	mustStatus(t, s.apiAs(nil, "POST", "/api/v1/auth/login", map[string]string{"login": "forgetful", "password": "a brand new passphrase"}), 200, "sign in with the new password")
	mustStatus(t, s.pageAs(nil, "/password-reset/"+token), 410, "a used link")

	// The API: confirm with a new link; a stale one is 410.
	r = s.apiAs(admin, "POST", "/api/v1/admin/users/"+idStr(member.ID)+"/reset-link", nil)
	token2 := strings.TrimPrefix(r.json(t)["url"].(string), "http://staffroom.test/password-reset/")
	mustError(t, s.apiAs(nil, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token2, "password": "short"}), 400, "weak_password", "password")
	mustStatus(t, s.apiAs(nil, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token2, "password": "yet another passphrase"}), 204, "confirm")
	mustError(t, s.apiAs(nil, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token2, "password": "yet another passphrase"}), 410, "reset_used", "")
	mustError(t, s.apiAs(nil, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": "nonsense", "password": "yet another passphrase"}), 404, "reset_not_found", "")

	r = s.apiAs(admin, "POST", "/api/v1/admin/users/"+idStr(member.ID)+"/reset-link", nil)
	token3 := strings.TrimPrefix(r.json(t)["url"].(string), "http://staffroom.test/password-reset/")
	s.clock.Add(25 * time.Hour)
	mustStatus(t, s.pageAs(nil, "/password-reset/"+token3), 410, "an expired link")

	// "Forgot password?" answers alike for an account's address and for nobody's.
	known := s.apiAs(nil, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "forgetful@district.org"})
	unknown := s.apiAs(nil, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "nobody@district.org"})
	mustStatus(t, known, 202, "forgot, known")
	mustStatus(t, unknown, 202, "forgot, unknown")
	if string(known.body) != string(unknown.body) {
		t.Fatalf("the answers differ: %s / %s", known.body, unknown.body)
	}
}
