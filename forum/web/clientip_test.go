package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// sessionIPWith signs up through the API with the given X-Forwarded-For headers (one
// header per value) and returns the address the new session records.
func sessionIPWith(t *testing.T, s *testSite, username string, xff ...string) string {
	t.Helper()
	hr := httptest.NewRequest("POST", "/api/v1/auth/signup", strings.NewReader(jsonBody(map[string]string{
		"username": username, "email": username + "@d.org", "password": "long enough pass"})))
	hr.Host = "staffroom.test"
	hr.Header.Set("Content-Type", "application/json")
	for _, v := range xff {
		hr.Header.Add("X-Forwarded-For", v)
	}
	resp, err := s.server.App().Test(hr, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	var grant struct{ Token string }
	if resp.StatusCode != 201 || json.Unmarshal(b, &grant) != nil {
		t.Fatalf("signup: %d %s", resp.StatusCode, b)
	}
	list := s.do(req{method: "GET", path: "/api/v1/me/sessions", headers: map[string]string{"Authorization": "Bearer " + grant.Token}})
	return list.json(t)["items"].([]any)[0].(map[string]any)["ip"].(string)
}

func TestClientAddressIsTheRightMostUntrustedHop(t *testing.T) {
	// app.Test's requests come from 0.0.0.0: that is the proxy in front.
	s := newSite(t, withTrustedProxies("0.0.0.0/32", "10.0.0.0/8"))
	for i, tc := range []struct {
		name string
		xff  []string
		want string
	}{
		{"an address the client wrote itself is ignored", []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9"},
		{"our own proxies on the right are skipped", []string{"6.6.6.6, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"several headers are one list", []string{"6.6.6.6", "203.0.113.9"}, "203.0.113.9"},
		{"all trusted: the left-most is the client", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"ports and spaces are read", []string{"6.6.6.6 ,203.0.113.9:4711"}, "203.0.113.9"},
		{"an unreadable hop stops the walk", []string{"203.0.113.9, garbage, 10.0.0.7"}, "10.0.0.7"},
		{"no header: the proxy itself", nil, "0.0.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sessionIPWith(t, s, fmt.Sprintf("proxied%d", i), tc.xff...); got != tc.want {
				t.Fatalf("X-Forwarded-For %q: the session records %q, want %q", tc.xff, got, tc.want)
			}
		})
	}
	t.Run("from an untrusted peer the header is not believed", func(t *testing.T) {
		s := newSite(t, withTrustedProxies("10.0.0.0/8"))
		if got := sessionIPWith(t, s, "direct", "203.0.113.9"); got != "0.0.0.0" {
			t.Fatalf("the session records %q", got)
		}
	})
}
