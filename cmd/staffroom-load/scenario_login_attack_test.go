package main

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSignIn answers ten wrong passwords with 401 and every later one with 429, as a
// server with a limit of ten would; a slow prober path stands for a starved server.
func fakeSignIn(t *testing.T) *httptest.Server {
	var tries atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(20 * time.Millisecond) })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("process_resident_memory_bytes 52428800\n"))
	})
	mux.HandleFunc("POST /api/v1/auth/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if tries.Add(1) <= 10 {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":{"code":"invalid_credentials","message":"Wrong username, email or password."}}`))
			return
		}
		w.Header().Set("Retry-After", "90")
		w.WriteHeader(429)
		w.Write([]byte(`{"error":{"code":"rate_limited","message":"Too many failed sign-in attempts."}}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestLoginAttackAgainstFakeServer(t *testing.T) {
	srv := fakeSignIn(t)
	code, rep, out := runTool(t, "login-attack", "--url", srv.URL, "--attackers", "8", "--duration", "300ms", "--baseline", "50ms", "--probe", "/healthz")
	if code != exitOK || !rep.OK {
		t.Fatalf("exit %d, problems %v\n%s", code, rep.Problems, out)
	}
	a := rep.Attack
	if a.Statuses["401"] != 10 || a.Statuses["429"] < 1 || a.Attempts != a.Statuses["401"]+a.Statuses["429"] {
		t.Errorf("statuses %v of %d attempts", a.Statuses, a.Attempts)
	}
	if len(a.Probes) != 1 || a.Probes[0].Latency.Count == 0 || a.RSSMax != 50<<20 {
		t.Errorf("probes %+v, peak %d", a.Probes, a.RSSMax)
	}
}

func TestLoginAttackMissedTargetsFailTheRun(t *testing.T) {
	srv := fakeSignIn(t)
	code, rep, out := runTool(t, "login-attack", "--url", srv.URL, "--attackers", "2", "--duration", "200ms", "--baseline", "10ms",
		"--probe", "/slow", "--max-p99", "5ms", "--max-rss-mb", "10")
	if code != exitIncomplete || rep.OK || len(rep.Problems) != 2 {
		t.Fatalf("exit %d, problems %v; want both targets missed\n%s", code, rep.Problems, out)
	}
}
