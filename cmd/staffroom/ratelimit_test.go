package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// STAFFROOM_RATE_LIMITS decides whether a burst of answers is metered: on, the 11th of a
// burst waits a minute; off, thirty pass (the new-member daily quota is lifted with it).
func TestActionLimitsFollowTheSwitch(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprintf("rate limits %v", on), func(t *testing.T) {
			m, cancel, done := startMain(t, filepath.Join(t.TempDir(), "limits.db"), func(c *Config) { c.RateLimits = on; c.Demo = false })
			defer func() { cancel(); <-done; m.Close() }()
			base := "http://" + m.Addr() + "/api/v1"
			call := func(method, path, token string, body any) (*http.Response, map[string]any) {
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				json.NewDecoder(resp.Body).Decode(&out)
				return resp, out
			}
			token := func(name string) string {
				resp, out := call("POST", "/auth/signup", "", map[string]string{"username": name, "email": name + "@district.org", "password": "long enough pass " + name})
				if resp.StatusCode != 201 {
					t.Fatalf("signup: %d %v", resp.StatusCode, out)
				}
				return out["token"].(string)
			}
			admin, teacher := token("founder"), token("teacher")
			resp, q := call("POST", "/questions", admin, map[string]any{"title": "How do you pace a unit on fractions?", "body": "Our fraction unit always runs long; how do you pace it?", "tags": []string{"math"}})
			if resp.StatusCode != 201 {
				t.Fatalf("ask: %d %v", resp.StatusCode, q)
			}
			path := fmt.Sprintf("/questions/%v/answers", q["id"])
			passed, last := 0, (*http.Response)(nil)
			var lastBody map[string]any
			for i := range 30 {
				last, lastBody = call("POST", path, teacher, map[string]any{"body": fmt.Sprintf("Answer number %d: we split the unit into two halves.", i)})
				if last.StatusCode == 201 {
					passed++
				}
			}
			if on {
				msg, _ := lastBody["error"].(map[string]any)["message"].(string)
				if passed != 10 || last.StatusCode != 429 || last.Header.Get("Retry-After") != "60" || !strings.Contains(msg, "answers") {
					t.Fatalf("on: %d passed, last %d Retry-After %q %q", passed, last.StatusCode, last.Header.Get("Retry-After"), msg)
				}
			} else if passed != 30 {
				t.Fatalf("off: %d of 30 passed, last %d %v", passed, last.StatusCode, lastBody)
			}
		})
	}
}
