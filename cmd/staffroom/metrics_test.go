package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// startMainWith opens the whole server, as startMain does, with the configuration changed
// by edit.
func startMainWith(t *testing.T, edit func(*Config)) (*Main, func()) {
	t.Helper()
	m := NewMain()
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Hasher = forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1}
	m.Config = Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "m.db"), SiteName: "Staffroom", Privileges: "moderate",
		RateLimits: true, LogLevel: "info", LogFormat: "text", SessionIdle: forum.DefaultSessionIdle,
		DailyVotes: forum.DefaultDailyVotes, EventRetention: defaultEventRetention}
	edit(&m.Config)
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
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Error("shutdown did not finish")
		}
		m.Close()
	}
}

// scrape GETs url with an optional bearer token and returns the status and body.
func scrape(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsListeners(t *testing.T) {
	t.Run("neither: no metrics over HTTP", func(t *testing.T) {
		m, stop := startMainWith(t, func(*Config) {})
		defer stop()
		if code, body := scrape(t, "http://"+m.Addr()+"/metrics", ""); code != 404 || strings.Contains(body, "go_goroutines") {
			t.Fatalf("public /metrics: %d", code)
		}
		if m.MetricsAddr() != "" {
			t.Fatalf("a metrics listener on %s", m.MetricsAddr())
		}
	})
	t.Run("an address of their own", func(t *testing.T) {
		m, stop := startMainWith(t, func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
		code, body := scrape(t, "http://"+m.MetricsAddr()+"/metrics", "")
		if code != 200 || !strings.Contains(body, "go_goroutines") || !strings.Contains(body, "staffroom_ws_connections") {
			t.Fatalf("metrics listener: %d %.300s", code, body)
		}
		if code, _ := scrape(t, "http://"+m.MetricsAddr()+"/", ""); code != 404 {
			t.Fatalf("metrics listener serves /: %d", code)
		}
		if code, _ := scrape(t, "http://"+m.Addr()+"/metrics", ""); code != 404 {
			t.Fatalf("public /metrics: %d", code)
		}
		addr := m.MetricsAddr()
		stop()
		if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
			t.Fatal("the metrics listener still answers after shutdown")
		}
	})
	t.Run("a token on the public listener", func(t *testing.T) {
		const token = "0123456789abcdef0123456789abcdef"
		m, stop := startMainWith(t, func(c *Config) { c.MetricsToken = token })
		defer stop()
		if code, body := scrape(t, "http://"+m.Addr()+"/metrics", token); code != 200 || !strings.Contains(body, "staffroom_ws_connections") {
			t.Fatalf("with the token: %d", code)
		}
		for _, wrong := range []string{"", "0123456789abcdef0123456789abcdee"} {
			if code, _ := scrape(t, "http://"+m.Addr()+"/metrics", wrong); code != 404 {
				t.Fatalf("token %q: %d", wrong, code)
			}
		}
	})
	t.Run("configuration is checked", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "c.db")
		if code, _, stderr := cli(t, "", "serve", "--db", db, "--metrics-token", "short"); code != 1 || !strings.Contains(stderr, "at least 16") {
			t.Fatalf("short token: %d %q", code, stderr)
		}
		if code, _, stderr := cli(t, "", "serve", "--db", db, "--metrics-addr", "9090"); code != 1 || !strings.Contains(stderr, "host:port") {
			t.Fatalf("bad address: %d %q", code, stderr)
		}
	})
}

func TestRateLimitsOffLiftsPreviewPacing(t *testing.T) {
	m, stop := startMainWith(t, func(c *Config) { c.RateLimits = false })
	defer stop()
	base := "http://" + m.Addr()
	body, _ := json.Marshal(map[string]string{"username": "fastwriter", "email": "f@district.org", "password": "long enough pass"})
	resp, err := http.Post(base+"/api/v1/auth/signup", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var grant struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	for i := range 30 {
		req, _ := http.NewRequest("POST", base+"/api/v1/preview", strings.NewReader(`{"body":"a *draft*"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+grant.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("preview %d with rate limits off: %d", i+1, resp.StatusCode)
		}
	}
}
