package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

func TestSignup(t *testing.T) {
	s := newSite(t)
	t.Run("returns the user, a token and a session", func(t *testing.T) {
		a := s.signup("mrivera")
		user := a.Payload["user"].(map[string]any)
		if user["username"] != "mrivera" || user["display_name"] != "Teacher mrivera" || user["role"] != "admin" || user["reputation"] != 1.0 {
			t.Fatalf("user = %v", user)
		}
		if _, ok := user["badges"].(map[string]any); !ok {
			t.Fatalf("user has no badges: %v", user)
		}
		if !strings.HasPrefix(a.Token, forum.TokenPrefix) {
			t.Fatalf("token = %q", a.Token)
		}
		r := s.do(req{method: "GET", path: "/api/v1/me", cookie: a.Cookie})
		if r.StatusCode != 200 || r.json(t)["csrf_token"] != a.CSRF {
			t.Fatalf("me by cookie: %d %s", r.StatusCode, r.body)
		}
		r = s.do(req{method: "GET", path: "/api/v1/me", headers: a.bearer()})
		if r.StatusCode != 200 {
			t.Fatalf("me by token: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("the session cookie is locked down", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: jsonBody(map[string]string{
			"username": "cookiecheck", "email": "cc@district.org", "password": "long enough pass"})})
		c := r.cookie("staffroom_session")
		if c == nil || !c.HttpOnly || c.Path != "/" || c.Secure || c.SameSite != 2 /* Lax */ {
			t.Fatalf("cookie = %+v", c)
		}
		if sc := r.Header.Get("Set-Cookie"); !strings.Contains(strings.ToLower(sc), "samesite=lax") {
			t.Fatalf("Set-Cookie = %q", sc)
		}
		if r.json(t)["user"].(map[string]any)["role"] != "member" {
			t.Fatalf("second account is not a member: %s", r.body)
		}
	})
	for _, tc := range []struct {
		name   string
		body   string
		ctype  string
		status int
		code   string
		field  string
	}{
		{"broken JSON", `{"username": "x",`, "", 400, "bad_json", ""},
		{"not an object", `[1,2,3]`, "", 400, "bad_json", ""},
		{"wrong type", `{"username":"numbers","email":"n@d.org","password":5}`, "", 400, "bad_json", "password"},
		{"empty body", ``, "application/json", 400, "bad_json", ""},
		{"wrong content type", `username=x`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"missing fields", `{}`, "", 400, "invalid_username", "username"},
		{"huge username", jsonBody(map[string]string{"username": strings.Repeat("a", 10000), "email": "a@d.org", "password": "long enough pass"}), "", 400, "invalid_username", "username"},
		{"NUL in display name", `{"username":"nulname","email":"nul@d.org","password":"long enough pass","display_name":"a\u0000b"}`, "", 400, "invalid_characters", "display_name"},
		{"invalid UTF-8", "{\"username\":\"bad\xff\",\"email\":\"u@d.org\",\"password\":\"long enough pass\"}", "", 400, "bad_json", ""},
		{"short password", `{"username":"shorty","email":"s@d.org","password":"short"}`, "", 400, "weak_password", "password"},
		{"bad email", `{"username":"noemail","email":"not an email","password":"long enough pass"}`, "", 400, "invalid_email", "email"},
		{"duplicate username in other case", `{"username":"MRivera","email":"new@d.org","password":"long enough pass"}`, "", 409, "username_taken", "username"},
		{"duplicate email in other case", `{"username":"newname","email":"MRIVERA@district.org","password":"long enough pass"}`, "", 409, "email_taken", "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.db.CountUsers(context.Background())
			r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: tc.body, contentType: tc.ctype})
			if r.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.StatusCode, tc.status, r.body)
			}
			code, field := r.errorCode(t)
			if code != tc.code || field != tc.field {
				t.Fatalf("code, field = %q, %q; want %q, %q", code, field, tc.code, tc.field)
			}
			if after, _ := s.db.CountUsers(context.Background()); after != before {
				t.Fatalf("a refused signup stored an account")
			}
		})
	}
	t.Run("unknown fields are ignored, SQL-looking text stored literally", func(t *testing.T) {
		name := `Robert'); DROP TABLE users;--`
		r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: jsonBody(map[string]any{
			"username": "bobby.tables", "email": "bobby@d.org", "password": "long enough pass", "display_name": name, "is_admin": true, "role": "admin"})})
		if r.StatusCode != 201 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		u := r.json(t)["user"].(map[string]any)
		if u["display_name"] != name || u["role"] != "member" {
			t.Fatalf("user = %v", u)
		}
	})
}

func TestRacingSignups(t *testing.T) {
	s := newSite(t)
	body := jsonBody(map[string]string{"username": "twin", "email": "twin@d.org", "password": "long enough pass"})
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.do(req{method: "POST", path: "/api/v1/auth/signup", body: body}).StatusCode
		}()
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, st := range statuses {
		switch st {
		case 201:
			created++
		case 409:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Fatalf("statuses = %v; want one 201 and the rest 409", statuses)
	}
}

func TestLogin(t *testing.T) {
	s := newSite(t)
	a := s.signup("jchen")
	login := func(loginName, pw string) *response {
		return s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": loginName, "password": pw})})
	}
	t.Run("by username or email, any case, with a new session each time", func(t *testing.T) {
		seen := map[string]bool{a.Cookie: true}
		for _, name := range []string{"jchen", "JCHEN", "jchen@district.org"} {
			r := login(name, a.Passwd)
			if r.StatusCode != 200 {
				t.Fatalf("login %s: %d %s", name, r.StatusCode, r.body)
			}
			c := r.cookie("staffroom_session")
			if c == nil || seen[c.Value] {
				t.Fatalf("login %s did not issue a new session id", name)
			}
			seen[c.Value] = true
			if tok, _ := r.json(t)["token"].(string); !strings.HasPrefix(tok, "sr_") {
				t.Fatalf("login returned no token: %s", r.body)
			}
		}
	})
	t.Run("wrong password and unknown user look the same", func(t *testing.T) {
		r1, r2 := login("jchen", "wrong password!"), login("nobody-here", "wrong password!")
		if r1.StatusCode != 401 || r2.StatusCode != 401 {
			t.Fatalf("statuses %d %d", r1.StatusCode, r2.StatusCode)
		}
		if string(r1.body) != string(r2.body) {
			t.Fatalf("responses differ:\n%s\n%s", r1.body, r2.body)
		}
	})
	t.Run("demo accounts cannot sign in", func(t *testing.T) {
		s := newSite(t)
		forum.SeedDemo(context.Background(), s.db, s.clock.Now())
		for _, pw := range []string{"", "anything at all"} {
			r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "mrivera", "password": pw})})
			if r.StatusCode != 401 {
				t.Fatalf("demo login with %q: %d", pw, r.StatusCode)
			}
		}
	})
	t.Run("failed logins are limited per account", func(t *testing.T) {
		s := newSite(t)
		b := s.signup("target")
		for i := range 10 {
			if r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "target", "password": fmt.Sprint("guess number ", i)})}); r.StatusCode != 401 {
				t.Fatalf("attempt %d: %d", i, r.StatusCode)
			}
		}
		r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "target", "password": b.Passwd})})
		if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("11th attempt: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
		}
		if code, _ := r.errorCode(t); code != "rate_limited" {
			t.Fatalf("code %q", code)
		}
		s.clock.Add(15 * time.Minute)
		if r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "target", "password": b.Passwd})}); r.StatusCode != 200 {
			t.Fatalf("after the window: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("a workshop of 40 behind one address can sign up", func(t *testing.T) {
		s := newSite(t)
		for i := range 40 {
			s.signup(fmt.Sprintf("teacher%02d", i))
		}
	})
}

func TestLogoutAndSessions(t *testing.T) {
	s := newSite(t)
	a := s.signup("okafor")
	t.Run("logout ends the session; the old cookie gets 401", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: a.Cookie, headers: a.csrf()})
		if r.StatusCode != 204 {
			t.Fatalf("logout: %d %s", r.StatusCode, r.body)
		}
		if c := r.cookie("staffroom_session"); c == nil || c.MaxAge >= 0 && !c.Expires.Before(time.Now()) {
			t.Fatalf("logout did not clear the cookie: %+v", c)
		}
		r = s.do(req{method: "GET", path: "/api/v1/me", cookie: a.Cookie})
		if r.StatusCode != 401 {
			t.Fatalf("old cookie: %d", r.StatusCode)
		}
		if c := r.cookie("staffroom_session"); c == nil || c.Value != "" {
			t.Fatalf("stale cookie not cleared: %+v", c)
		}
	})
	t.Run("forged cookie: 401 and cleared", func(t *testing.T) {
		for _, forged := range []string{"forged", strings.Repeat("A", 43), "../../etc/passwd"} {
			r := s.do(req{method: "GET", path: "/api/v1/me", cookie: forged})
			if r.StatusCode != 401 {
				t.Fatalf("forged %q: %d", forged, r.StatusCode)
			}
			if c := r.cookie("staffroom_session"); c == nil || c.Value != "" {
				t.Fatalf("forged cookie not cleared")
			}
		}
	})
	t.Run("a stale cookie does not block signing in", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/auth/login", cookie: a.Cookie, body: jsonBody(map[string]string{"login": "okafor", "password": a.Passwd})})
		if r.StatusCode != 200 {
			t.Fatalf("login with a stale cookie: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("idle sessions expire", func(t *testing.T) {
		b := s.signup("sleepy")
		s.clock.Add(29 * 24 * time.Hour)
		if r := s.do(req{method: "GET", path: "/api/v1/me", cookie: b.Cookie}); r.StatusCode != 200 {
			t.Fatalf("after 29 days: %d", r.StatusCode)
		}
		s.clock.Add(29 * 24 * time.Hour) // activity above renewed it
		if r := s.do(req{method: "GET", path: "/api/v1/me", cookie: b.Cookie}); r.StatusCode != 200 {
			t.Fatalf("29 days after the last use: %d", r.StatusCode)
		}
		s.clock.Add(31 * 24 * time.Hour)
		r := s.do(req{method: "GET", path: "/api/v1/me", cookie: b.Cookie})
		if code, _ := r.errorCode(t); r.StatusCode != 401 || code != "session_expired" {
			t.Fatalf("after 31 idle days: %d %s", r.StatusCode, code)
		}
	})
	t.Run("list and revoke sessions", func(t *testing.T) {
		c := s.signup("multi")
		r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "multi", "password": c.Passwd})})
		other := r.cookie("staffroom_session").Value
		list := s.do(req{method: "GET", path: "/api/v1/me/sessions", cookie: c.Cookie}).json(t)["items"].([]any)
		if len(list) != 2 {
			t.Fatalf("sessions = %d", len(list))
		}
		var otherID float64
		for _, it := range list {
			m := it.(map[string]any)
			if m["current"] == false {
				otherID = m["id"].(float64)
			}
		}
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/me/sessions/%d", int(otherID)), cookie: c.Cookie, headers: c.csrf()}); r.StatusCode != 204 {
			t.Fatalf("revoke: %d %s", r.StatusCode, r.body)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/me", cookie: other}); r.StatusCode != 401 {
			t.Fatalf("revoked session still works: %d", r.StatusCode)
		}
		d := s.signup("someoneelse")
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/me/sessions/%d", int(otherID)), cookie: d.Cookie, headers: d.csrf()}); r.StatusCode != 404 {
			t.Fatalf("revoking another's session: %d", r.StatusCode)
		}
	})
	t.Run("password change ends the other sessions", func(t *testing.T) {
		e := s.signup("changer")
		r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "changer", "password": e.Passwd})})
		other := r.cookie("staffroom_session").Value
		bad := s.do(req{method: "POST", path: "/api/v1/me/password", cookie: e.Cookie, headers: e.csrf(),
			body: jsonBody(map[string]string{"current_password": "not it at all", "new_password": "brand new passphrase"})})
		if code, field := bad.errorCode(t); bad.StatusCode != 400 || code != "wrong_password" || field != "current_password" {
			t.Fatalf("wrong current password: %d %s %s", bad.StatusCode, code, field)
		}
		ok := s.do(req{method: "POST", path: "/api/v1/me/password", cookie: e.Cookie, headers: e.csrf(),
			body: jsonBody(map[string]string{"current_password": e.Passwd, "new_password": "brand new passphrase"})})
		if ok.StatusCode != 204 {
			t.Fatalf("change: %d %s", ok.StatusCode, ok.body)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/me", cookie: other}); r.StatusCode != 401 {
			t.Fatalf("other session survived the password change: %d", r.StatusCode)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/me", cookie: e.Cookie}); r.StatusCode != 200 {
			t.Fatalf("current session ended by its own password change: %d", r.StatusCode)
		}
		if r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "changer", "password": "brand new passphrase"})}); r.StatusCode != 200 {
			t.Fatalf("new password does not sign in: %d", r.StatusCode)
		}
	})
}

func TestCSRF(t *testing.T) {
	s := newSite(t)
	a := s.signup("csrfcheck")
	patch := jsonBody(map[string]string{"display_name": "New Name"})
	t.Run("cookie request without the token is refused", func(t *testing.T) {
		r := s.do(req{method: "PATCH", path: "/api/v1/me", cookie: a.Cookie, body: patch})
		if code, _ := r.errorCode(t); r.StatusCode != 403 || code != "csrf_failed" {
			t.Fatalf("%d %s", r.StatusCode, code)
		}
		r = s.do(req{method: "PATCH", path: "/api/v1/me", cookie: a.Cookie, body: patch, headers: map[string]string{"X-CSRF-Token": "wrong", "Origin": "https://evil.example"}})
		if r.StatusCode != 403 {
			t.Fatalf("wrong token: %d", r.StatusCode)
		}
		if u, _ := s.db.UserByID(context.Background(), a.ID); u.DisplayName == "New Name" {
			t.Fatal("a refused request changed the profile")
		}
	})
	t.Run("cookie request with the token passes", func(t *testing.T) {
		r := s.do(req{method: "PATCH", path: "/api/v1/me", cookie: a.Cookie, body: patch, headers: a.csrf()})
		if r.StatusCode != 200 || r.json(t)["user"].(map[string]any)["display_name"] != "New Name" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("form field works for HTML forms", func(t *testing.T) {
		form := url.Values{"_csrf": {a.CSRF}, "display_name": {"Form Name"}, "email": {"csrfcheck@district.org"}}
		r := s.do(req{method: "POST", path: "/settings/profile", cookie: a.Cookie, body: form.Encode(), contentType: "application/x-www-form-urlencoded"})
		if r.StatusCode != 303 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("bearer requests need no token", func(t *testing.T) {
		r := s.do(req{method: "PATCH", path: "/api/v1/me", headers: a.bearer(), body: patch})
		if r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("anonymous posts from another origin are refused", func(t *testing.T) {
		form := url.Values{"login": {"csrfcheck"}, "password": {a.Passwd}}
		r := s.do(req{method: "POST", path: "/login", body: form.Encode(), contentType: "application/x-www-form-urlencoded",
			headers: map[string]string{"Origin": "https://evil.example"}})
		if r.StatusCode != 403 {
			t.Fatalf("cross-origin login form: %d", r.StatusCode)
		}
		r = s.do(req{method: "POST", path: "/login", body: form.Encode(), contentType: "application/x-www-form-urlencoded",
			headers: map[string]string{"Origin": "http://staffroom.test"}})
		if r.StatusCode != 303 {
			t.Fatalf("same-origin login form: %d %s", r.StatusCode, r.body)
		}
	})
}

func TestSuspendedPeopleReadButDoNotWrite(t *testing.T) {
	s := newSite(t)
	a := s.signup("suspect")
	until := s.clock.Now().Add(72 * time.Hour)
	if _, err := s.db.Writer().Exec(`UPDATE users SET suspended_until = ?, suspend_reason = 'spam' WHERE id = ?`, until, a.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: a.bearer()}); r.StatusCode != 200 {
		t.Fatalf("read while suspended: %d", r.StatusCode)
	}
	r := s.do(req{method: "PATCH", path: "/api/v1/me", headers: a.bearer(), body: jsonBody(map[string]string{"display_name": "x"})})
	code, _ := r.errorCode(t)
	if r.StatusCode != 403 || code != "suspended" || !strings.Contains(string(r.body), until.Format("2 January 2006")) {
		t.Fatalf("write while suspended: %d %s", r.StatusCode, r.body)
	}
	if r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "suspect", "password": a.Passwd})}); r.StatusCode != 200 {
		t.Fatalf("login while suspended: %d", r.StatusCode)
	}
	s.clock.Add(73 * time.Hour)
	if r := s.do(req{method: "PATCH", path: "/api/v1/me", headers: a.bearer(), body: jsonBody(map[string]string{"display_name": "Back again"})}); r.StatusCode != 200 {
		t.Fatalf("write after the suspension: %d %s", r.StatusCode, r.body)
	}
}

func TestTokens(t *testing.T) {
	s := newSite(t)
	a := s.signup("scripter")
	r := s.do(req{method: "POST", path: "/api/v1/me/tokens", headers: a.bearer(), body: jsonBody(map[string]string{"name": "grading script"})})
	if r.StatusCode != 201 {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	created := r.json(t)
	secret := created["token"].(string)
	list := s.do(req{method: "GET", path: "/api/v1/me/tokens", headers: a.bearer()})
	if strings.Contains(string(list.body), secret) {
		t.Fatal("the token list shows a secret")
	}
	if n := len(list.json(t)["items"].([]any)); n != 2 { // the signup token and the new one
		t.Fatalf("tokens = %d", n)
	}
	if r := s.do(req{method: "POST", path: "/api/v1/me/tokens", headers: a.bearer(), body: `{"name":""}`}); r.StatusCode != 400 {
		t.Fatalf("empty name: %d", r.StatusCode)
	}
	id := int(created["id"].(float64))
	if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/me/tokens/%d", id), headers: a.bearer()}); r.StatusCode != 204 {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer " + secret}}); r.StatusCode != 401 {
		t.Fatalf("revoked token works: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Basic abc"}}); r.StatusCode != 401 {
		t.Fatalf("basic auth: %d", r.StatusCode)
	}
	if r := s.do(req{method: "POST", path: "/api/v1/auth/logout", headers: a.bearer()}); r.StatusCode != 204 {
		t.Fatalf("logout by token: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: a.bearer()}); r.StatusCode != 401 {
		t.Fatalf("token survives its logout: %d", r.StatusCode)
	}
}

func TestUsers(t *testing.T) {
	s := newSite(t)
	a, b := s.signup("alpha"), s.signup("beta")
	r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", a.ID)})
	m := r.json(t)
	if r.StatusCode != 200 || m["username"] != "alpha" || m["email"] != nil {
		t.Fatalf("public profile: %d %s", r.StatusCode, r.body)
	}
	for _, k := range []string{"id", "username", "display_name", "reputation", "role", "badges"} {
		if _, ok := m[k]; !ok {
			t.Errorf("user lacks %q", k)
		}
	}
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", a.ID), headers: b.bearer()}); strings.Contains(string(r.body), "alpha@") {
		t.Fatal("another person sees the email")
	}
	for _, p := range []string{"/api/v1/users/999", "/api/v1/users/abc", "/api/v1/users/-1"} {
		if r := s.do(req{method: "GET", path: p}); r.StatusCode != 404 {
			t.Fatalf("%s: %d", p, r.StatusCode)
		}
	}
}

func TestClientAddressBehindAProxy(t *testing.T) {
	xff := map[string]string{"X-Forwarded-For": "203.0.113.7"}
	sessionIP := func(s *testSite) string {
		r := s.do(req{method: "POST", path: "/api/v1/auth/signup", headers: xff, body: jsonBody(map[string]string{
			"username": "proxied", "email": "p@d.org", "password": "long enough pass"})})
		tok := r.json(t)["token"].(string)
		list := s.do(req{method: "GET", path: "/api/v1/me/sessions", headers: map[string]string{"Authorization": "Bearer " + tok}})
		return list.json(t)["items"].([]any)[0].(map[string]any)["ip"].(string)
	}
	if ip := sessionIP(newSite(t)); ip == "203.0.113.7" {
		t.Fatal("X-Forwarded-For believed without a trusted proxy")
	}
	if ip := sessionIP(newSite(t, withTrustedProxies("0.0.0.0/0"))); ip != "203.0.113.7" {
		t.Fatalf("behind a trusted proxy the session records %q", ip)
	}
}

func TestCachedSignInsFollowChanges(t *testing.T) {
	s := newSite(t)
	a := s.signup("cached")
	s.signup("other")
	role := func() string {
		return s.do(req{method: "GET", path: "/api/v1/me", headers: a.bearer()}).json(t)["user"].(map[string]any)["role"].(string)
	}
	if role() != "admin" {
		t.Fatal("first account is not admin")
	}
	// A change made elsewhere (another process, the command line) shows within seconds.
	if err := s.db.SetRole(context.Background(), a.ID, forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(3 * time.Second)
	if got := role(); got != "moderator" {
		t.Fatalf("role after an outside change = %s", got)
	}
	// A change through the service shows at once.
	if _, err := s.accounts.SetRole(context.Background(), "cached", forum.RoleMember); err != nil {
		t.Fatal(err)
	}
	if got := role(); got != "member" {
		t.Fatalf("role right after SetRole = %s", got)
	}
}

func TestNextRefusesControlCharacters(t *testing.T) {
	s := newSite(t)
	a := s.signup("redirected")
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/ /evil.example", "/\x7f/evil.example"} {
		r := s.postForm("/login", "", url.Values{"login": {"redirected"}, "password": {a.Passwd}, "next": {next}})
		if r.Header.Get("Location") != "/" {
			t.Fatalf("next=%q redirected to %q", next, r.Header.Get("Location"))
		}
	}
}

func TestPasswordChangeRevokesTokens(t *testing.T) {
	s := newSite(t)
	a := s.signup("careful")
	r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": "careful", "password": a.Passwd})})
	stolen := r.json(t)["token"].(string)
	if r := s.do(req{method: "POST", path: "/api/v1/me/password", cookie: a.Cookie, headers: a.csrf(),
		body: jsonBody(map[string]string{"current_password": a.Passwd, "new_password": "a whole new passphrase"})}); r.StatusCode != 204 {
		t.Fatalf("change: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer " + stolen}}); r.StatusCode != 401 {
		t.Fatalf("a token from before the password change still works: %d", r.StatusCode)
	}
}
