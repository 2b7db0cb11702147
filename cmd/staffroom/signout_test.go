package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/realtime"
)

// TestSignOutClosesLiveSocket: the server as the binary wires it closes a websocket when
// the sign-in that opened it ends.
func TestSignOutClosesLiveSocket(t *testing.T) {
	m, cancel, done := startMain(t, filepath.Join(t.TempDir(), "signout.db"))
	defer func() { cancel(); <-done; m.Close() }()
	base := "http://" + m.Addr()
	token := signupToken(t, base, "leaver")
	var me struct{ User struct{ ID int64 } }
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()

	ws := dialLive(t, m.Addr(), token)
	ws.Subscribe(fmt.Sprintf("user:%d", me.User.ID))
	req, _ = http.NewRequest("POST", base+"/api/v1/auth/logout", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("logout: %v %v", resp, err)
	}
	if code := ws.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
		t.Fatalf("after sign-out the socket closed with %d, want %d", code, realtime.CloseSignedOut)
	}
}

func TestConnectionCapSettings(t *testing.T) {
	code, _, stderr := cli(t, "", "serve", "--ws-conns-per-ip", "-1", "--db", filepath.Join(t.TempDir(), "x.db"))
	if code == 0 || !strings.Contains(stderr, "ws-conns-per-ip") && !strings.Contains(stderr, "0 or more") {
		t.Fatalf("a negative cap: code %d stderr %q", code, stderr)
	}
	t.Setenv("STAFFROOM_WS_ANON_CONNS_PER_IP", "lots")
	if code, _, stderr := cli(t, "", "serve", "--db", filepath.Join(t.TempDir(), "y.db")); code == 0 || !strings.Contains(stderr, "STAFFROOM_WS_ANON_CONNS_PER_IP") {
		t.Fatalf("a cap that is not a number: code %d stderr %q", code, stderr)
	}
}
