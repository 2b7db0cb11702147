package web_test

import (
	"testing"
	"time"
)

func TestPreviewNeedsSignInAndIsRateLimited(t *testing.T) {
	s := newSite(t)
	a, b := s.signup("writer"), s.signup("other")
	draft := jsonBody(map[string]string{"body": "A *draft* of my answer."})
	preview := func(headers map[string]string) *response {
		return s.do(req{method: "POST", path: "/api/v1/preview", headers: headers, body: draft})
	}

	if r := preview(nil); r.StatusCode != 401 {
		t.Fatalf("anonymous preview: %d %s", r.StatusCode, r.body)
	}
	// A browser session, as the ask page's script sends it.
	session := map[string]string{"Cookie": "staffroom_session=" + a.Cookie, "X-CSRF-Token": a.CSRF}
	for i := range 10 {
		if r := preview(session); r.StatusCode != 200 {
			t.Fatalf("preview %d: %d %s", i+1, r.StatusCode, r.body)
		}
	}
	r := preview(a.bearer())
	if code, _ := r.errorCode(t); r.StatusCode != 429 || code != "rate_limited" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("preview 11 at once: %d %s Retry-After %q", r.StatusCode, r.body, r.Header.Get("Retry-After"))
	}
	if r := preview(b.bearer()); r.StatusCode != 200 {
		t.Fatalf("another account is limited too: %d", r.StatusCode)
	}
	s.clock.Add(time.Second)
	if r := preview(a.bearer()); r.StatusCode != 200 {
		t.Fatalf("a second later: %d %s", r.StatusCode, r.body)
	}
}
