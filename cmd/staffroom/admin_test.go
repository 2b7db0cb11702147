package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserSetPassword is the way back in for someone who cannot sign in: an administrator
// sets a new password at the command line, which ends every session and API token of the
// account (whoever knew the old password may hold one) and changes nothing else.
func TestUserSetPassword(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "site.db")
	m, cancel, done := startMain(t, db)
	defer func() { cancel(); <-done; m.Close() }()
	base := "http://" + m.Addr()

	post := func(path string, body any) *http.Response {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	me := func(header, value string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set(header, value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// The session and the token are not used before the reset, so the server holds
	// nothing of them in its short authentication cache: what answers is the database.
	b, _ := json.Marshal(map[string]string{"username": "coach", "email": "coach@district.org", "password": "the old passphrase"})
	resp, err := http.Post(base+"/api/v1/auth/signup", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var grant struct {
		Token string `json:"token"`
		User  struct{ Role string }
	}
	json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "staffroom_session" {
			cookie = c.Value
		}
	}
	if resp.StatusCode != 201 || cookie == "" || grant.Token == "" {
		t.Fatalf("signup: %d, cookie %q, token %q", resp.StatusCode, cookie, grant.Token)
	}

	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("a brand new passphrase\n"), 0o600)
	code, stdout, stderr := cli(t, "", "user", "set-password", "--db", db, "--password-file", pwFile, "coach@district.org")
	if code != 0 || !strings.Contains(stdout, "coach") {
		t.Fatalf("set-password: %d %q %q", code, stdout, stderr)
	}

	if st := me("Cookie", "staffroom_session="+cookie); st != 401 {
		t.Errorf("the old session answers %d after the reset, want 401", st)
	}
	if st := me("Authorization", "Bearer "+grant.Token); st != 401 {
		t.Errorf("the old token answers %d after the reset, want 401", st)
	}
	if r := post("/api/v1/auth/login", map[string]string{"login": "coach", "password": "the old passphrase"}); r.StatusCode != 401 {
		t.Errorf("the old password signs in: %d", r.StatusCode)
	}
	if r := post("/api/v1/auth/login", map[string]string{"login": "coach", "password": "a brand new passphrase"}); r.StatusCode != 200 {
		t.Errorf("the new password does not sign in: %d", r.StatusCode)
	}
	u, err := m.DB.UserByLogin(context.Background(), "coach")
	if err != nil || string(u.Role) != grant.User.Role {
		t.Errorf("the reset changed the role: %v, %v (was %s)", u, err, grant.User.Role)
	}

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name, stdin string
			args        []string
			code        int
			say         string
		}{
			{"unknown account", "a fine passphrase\n", []string{"nobody"}, 1, "no account"},
			{"weak password", "short\n", []string{"coach"}, 1, "at least 10"},
			{"demo account", "a fine passphrase\n", []string{"mrivera"}, 1, "demo account"},
			{"no username", "", nil, 2, "give one username"},
		} {
			code, _, stderr := cli(t, tc.stdin, append([]string{"user", "set-password", "--db", db}, tc.args...)...)
			if code != tc.code || !strings.Contains(strings.ToLower(stderr), tc.say) {
				t.Errorf("%s: %d %q", tc.name, code, stderr)
			}
		}
	})
	if r := post("/api/v1/auth/login", map[string]string{"login": "coach", "password": "a brand new passphrase"}); r.StatusCode != 200 {
		t.Errorf("a refused reset changed the password: %d", r.StatusCode)
	}
}
