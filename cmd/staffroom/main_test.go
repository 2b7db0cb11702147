package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// cli runs the command line and returns its exit code and output.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cli.db")
	t.Run("unknown command: one line, exit 2", func(t *testing.T) {
		code, _, stderr := cli(t, "", "frobnicate")
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
			t.Fatalf("code %d stderr %q", code, stderr)
		}
	})
	t.Run("unknown flag: one line, exit 2", func(t *testing.T) {
		for _, args := range [][]string{{"--nope"}, {"serve", "--nope"}, {"migrate", "--nope"}, {"backup", "--nope", "x"}} {
			code, _, stderr := cli(t, "", args...)
			if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "nope") {
				t.Fatalf("%v: code %d stderr %q", args, code, stderr)
			}
		}
	})
	t.Run("help everywhere", func(t *testing.T) {
		for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"migrate", "-h"}, {"user", "--help"}, {"user", "create", "--help"}, {"backup", "--help"}, {"healthcheck", "--help"}} {
			code, stdout, _ := cli(t, "", args...)
			if code != 0 || !strings.Contains(stdout, "staffroom") {
				t.Fatalf("%v: code %d stdout %q", args, code, stdout)
			}
			if strings.Count(stdout, "Usage") > 1 {
				t.Fatalf("%v prints its usage twice:\n%s", args, stdout)
			}
		}
	})
	t.Run("bad configuration is a clear error", func(t *testing.T) {
		code, _, stderr := cli(t, "", "serve", "--privileges", "lax", "--db", db)
		if code != 1 || !strings.Contains(stderr, "open, moderate or strict") {
			t.Fatalf("code %d stderr %q", code, stderr)
		}
	})
	t.Run("migrate and its status", func(t *testing.T) {
		code, stdout, stderr := cli(t, "", "migrate", "--status", "--db", db)
		if code != 0 || !strings.Contains(stdout, "pending") {
			t.Fatalf("status before: %d %q %q", code, stdout, stderr)
		}
		if code, stdout, _ := cli(t, "", "migrate", "--db", db); code != 0 || !strings.Contains(stdout, "applied 0001_accounts") {
			t.Fatalf("migrate: %d %q", code, stdout)
		}
		if code, stdout, _ := cli(t, "", "migrate", "--db", db); code != 0 || !strings.Contains(stdout, "up to date") {
			t.Fatalf("migrate again: %d %q", code, stdout)
		}
		if _, stdout, _ := cli(t, "", "migrate", "--status", "--db", db); strings.Contains(stdout, "pending") {
			t.Fatalf("status after: %q", stdout)
		}
	})
	t.Run("user create and set-role", func(t *testing.T) {
		pwFile := filepath.Join(dir, "pw")
		os.WriteFile(pwFile, []byte("a long admin passphrase\n"), 0o600)
		code, stdout, stderr := cli(t, "", "user", "create", "--db", db, "--username", "root.admin", "--email", "admin@district.org", "--password-file", pwFile)
		if code != 0 || !strings.Contains(stdout, "role admin") {
			t.Fatalf("first user: %d %q %q", code, stdout, stderr)
		}
		code, stdout, _ = cli(t, "second passphrase here\n", "user", "create", "--db", db, "--username", "coach", "--email", "coach@district.org")
		if code != 0 || !strings.Contains(stdout, "role member") {
			t.Fatalf("second user from stdin: %d %q", code, stdout)
		}
		if code, _, stderr := cli(t, "short\n", "user", "create", "--db", db, "--username", "weak", "--email", "weak@district.org"); code != 1 || !strings.Contains(stderr, "at least 10") {
			t.Fatalf("weak password: %d %q", code, stderr)
		}
		if code, stdout, _ := cli(t, "", "user", "set-role", "--db", db, "coach", "moderator"); code != 0 || !strings.Contains(stdout, "coach is now moderator") {
			t.Fatalf("set-role: %d %q", code, stdout)
		}
		if code, _, stderr := cli(t, "", "user", "set-role", "--db", db, "coach", "overlord"); code != 1 || !strings.Contains(stderr, "member, moderator or admin") {
			t.Fatalf("bad role: %d %q", code, stderr)
		}
		if code, _, _ := cli(t, "", "user", "set-role", "--db", db, "nobody", "admin"); code != 1 {
			t.Fatalf("unknown user: %d", code)
		}
	})
	t.Run("backup", func(t *testing.T) {
		dest := filepath.Join(dir, "copy.db")
		if code, stdout, stderr := cli(t, "", "backup", "--db", db, dest); code != 0 || !strings.Contains(stdout, "consistent copy") {
			t.Fatalf("backup: %d %q %q", code, stdout, stderr)
		}
		if code, _, _ := cli(t, "", "migrate", "--status", "--db", dest); code != 0 {
			t.Fatal("the copy does not open")
		}
		if code, _, stderr := cli(t, "", "backup", "--db", db, dest); code != 1 || !strings.Contains(stderr, "already exists") {
			t.Fatalf("backup over a file: %d %q", code, stderr)
		}
		if code, _, _ := cli(t, "", "backup", "--db", db); code != 2 {
			t.Fatalf("backup without a path: %d", code)
		}
	})
	t.Run("version", func(t *testing.T) {
		if code, stdout, _ := cli(t, "", "version"); code != 0 || !strings.HasPrefix(stdout, "staffroom ") {
			t.Fatalf("%d %q", code, stdout)
		}
	})
}

// startMain opens the whole server on a free port, as the binary does.
func startMain(t *testing.T, db string, tune ...func(*Config)) (*Main, context.CancelFunc, chan error) {
	t.Helper()
	m := NewMain()
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Hasher = forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1}
	m.Config = Config{Addr: "127.0.0.1:0", DB: db, SiteName: "Staffroom", Privileges: "moderate", RateLimits: true, Demo: true,
		LogLevel: "info", LogFormat: "text", SessionIdle: forum.DefaultSessionIdle, DailyVotes: forum.DefaultDailyVotes,
		EventRetention: defaultEventRetention}
	for _, f := range tune {
		f(&m.Config)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return m, cancel, done
}

func TestServeEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e2e.db")
	m, cancel, done := startMain(t, db)
	base := "http://" + m.Addr()

	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()

	// The demo community is there for a newcomer.
	resp, _ = http.Get(base + "/")
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Elena Petrova") || !strings.Contains(string(page), forum.DemoQuestions[0].Title[:40]) {
		t.Fatal("the home page does not show the demo community and its questions")
	}
	drifts, err := m.DB.Recount(context.Background(), false)
	if err != nil || len(drifts) != 0 {
		t.Fatalf("the demo left counters drifting: %v %v", drifts, err)
	}
	var list struct{ Total int }
	resp, _ = http.Get(base + "/api/v1/questions")
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if list.Total != len(forum.DemoQuestions) {
		t.Fatalf("demo questions = %d, want %d", list.Total, len(forum.DemoQuestions))
	}

	body, _ := json.Marshal(map[string]string{"username": "firstadmin", "email": "first@district.org", "password": "long enough pass"})
	resp, err = http.Post(base+"/api/v1/auth/signup", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var grant struct {
		User struct{ Role string } `json:"user"`
	}
	json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	if resp.StatusCode != 201 || grant.User.Role != "admin" {
		t.Fatalf("first signup after the demo: %d role %q", resp.StatusCode, grant.User.Role)
	}

	if code, stdout, stderr := cli(t, "", "healthcheck", "--addr", m.Addr()); code != 0 {
		t.Fatalf("healthcheck: %d %q %q", code, stdout, stderr)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatal("shutdown did not finish")
	}
	m.Close()
	if code, _, _ := cli(t, "", "healthcheck", "--addr", m.Addr()); code != 1 {
		t.Fatalf("healthcheck of a stopped server: %d", code)
	}

	// A restart on the same database keeps the data and does not seed the demo again.
	m2, cancel2, done2 := startMain(t, db)
	defer func() { cancel2(); <-done2; m2.Close() }()
	n, err := m2.DB.CountUsers(context.Background())
	if err != nil || n != len(forum.Demo.People)+1 {
		t.Fatalf("users after restart = %d, %v", n, err)
	}
}

// TestStopRightAfterStart is a stop signal that arrives before the server took its
// listener: Run must still return.
func TestStopRightAfterStart(t *testing.T) {
	for i := range 20 {
		m, cancel, done := startMain(t, filepath.Join(t.TempDir(), fmt.Sprintf("quick%d.db", i)))
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v", err)
			}
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Fatal("Run did not return after an early stop")
		}
		m.Close()
	}
}
