package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// startOn starts the whole server on db with the configuration edit makes.
func startOn(t *testing.T, db string, edit func(*Config)) (*Main, func()) {
	t.Helper()
	m := NewMain()
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Hasher = forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1}
	m.Config = Config{Addr: "127.0.0.1:0", DB: db, SiteName: "Staffroom", Privileges: "moderate", RateLimits: true,
		LogLevel: "info", LogFormat: "text", SessionIdle: forum.DefaultSessionIdle, DailyVotes: forum.DefaultDailyVotes,
		EventRetention: defaultEventRetention}
	if edit != nil {
		edit(&m.Config)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return m, func() {
		cancel()
		select {
		case <-done:
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Error("shutdown did not finish")
		}
		m.Close()
	}
}

func postJSON(t *testing.T, url string, body any, header ...string) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestInviteCommand: `staffroom invite` prints a link that lets one person into a site
// whose sign-up is closed.
func TestInviteCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "site.db")
	code, out, stderr := cli(t, "", "invite", "--db", db, "--base-url", "https://staffroom.example.org/", "--email", "j.chen@district.org", "--role", "moderator")
	if code != 0 || !strings.HasPrefix(out, "https://staffroom.example.org/invite/") || !strings.Contains(stderr, "j.chen@district.org as moderator") {
		t.Fatalf("code %d, out %q, stderr %q", code, out, stderr)
	}
	token := strings.TrimSpace(strings.TrimPrefix(out, "https://staffroom.example.org/invite/"))
	if code, _, stderr := cli(t, "", "invite", "--db", db, "--role", "admin"); code != 1 || !strings.Contains(stderr, "cannot make an admin") {
		t.Fatalf("an admin invitation: code %d, %q", code, stderr)
	}

	m, stop := startOn(t, db, func(c *Config) {
		c.Signup, c.Set = "closed", map[string]bool{forum.SettingSignup: true}
	})
	defer stop()
	base := "http://" + m.Addr()
	// The site is closed from the start: its first person still gets in, and becomes admin.
	if status, _ := postJSON(t, base+"/api/v1/auth/signup", map[string]string{"username": "founder", "email": "f@district.org", "password": "correct horse founder"}); status != 201 {
		t.Fatalf("first account on a closed site: %d", status)
	}
	if status, body := postJSON(t, base+"/api/v1/auth/signup", map[string]string{"username": "walkin", "email": "w@district.org", "password": "correct horse walkin"}); status != 403 {
		t.Fatalf("a second sign-up on a closed site: %d %v", status, body)
	}
	status, body := postJSON(t, base+"/api/v1/auth/signup", map[string]string{"username": "jchen", "email": "typed@elsewhere.example",
		"password": "correct horse jchen", "invite": token})
	user, _ := body["user"].(map[string]any)
	if status != 201 || user["role"] != "moderator" || user["email"] != "j.chen@district.org" || user["known"] != true {
		t.Fatalf("joining with the printed link: %d %v", status, body)
	}
}

// TestEnvironmentWinsOverTheAdminArea: a setting the environment sets wins over the one
// stored in the admin area; one it leaves alone is the admin's.
func TestEnvironmentWinsOverTheAdminArea(t *testing.T) {
	t.Setenv("STAFFROOM_SITE_NAME", "Lakeview Staffroom")
	t.Setenv("STAFFROOM_READ", "")
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := addServeFlags(fs, &c); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--signup=invite"}); err != nil {
		t.Fatal(err)
	}
	c.noteSet(fs)
	if !c.Set[forum.SettingSiteName] || !c.Set[forum.SettingSignup] || c.Set[forum.SettingRead] || c.Set[forum.SettingPrivileges] {
		t.Fatalf("set = %v, want site_name (environment) and signup (flag)", c.Set)
	}

	db := filepath.Join(t.TempDir(), "site.db")
	m, stop := startOn(t, db, nil)
	base := "http://" + m.Addr()
	_, grant := postJSON(t, base+"/api/v1/auth/signup", map[string]string{"username": "founder", "email": "f@district.org", "password": "correct horse founder"})
	token, _ := grant["token"].(string)
	req, _ := http.NewRequest("PATCH", base+"/api/v1/admin/settings", strings.NewReader(`{"site_name":"Stored Name","read":"members"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin settings: %v %v", resp, err)
	}
	resp.Body.Close()
	stop()

	title := func(m *Main) (string, int) {
		resp, err := http.Get("http://" + m.Addr() + "/login")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		i, j := bytes.Index(b, []byte("<title>")), bytes.Index(b, []byte("</title>"))
		return string(b[i+7 : j]), resp.StatusCode
	}
	// Started again with the name in the environment: it wins; reading stays the admin's.
	m, stop = startOn(t, db, func(c *Config) {
		c.SiteName, c.Set = "Lakeview Staffroom", map[string]bool{forum.SettingSiteName: true}
	})
	if got, _ := title(m); got != "Sign in · Lakeview Staffroom" {
		t.Fatalf("title %q, want the environment's name", got)
	}
	if resp, _ := http.Get("http://" + m.Addr() + "/api/v1/questions"); resp.StatusCode != 401 {
		t.Fatalf("the stored read mode is not in force: %d", resp.StatusCode)
	}
	stop()
	// Without it, the admin's name.
	m, stop = startOn(t, db, nil)
	defer stop()
	if got, _ := title(m); got != "Sign in · Stored Name" {
		t.Fatalf("title %q, want the stored name", got)
	}
}
