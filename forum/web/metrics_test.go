package web_test

import (
	"strings"
	"testing"
)

const metricsToken = "scrape-token-0123456789abcdef"

// withMetricsToken serves /metrics on the site to requests bearing token.
func withMetricsToken(token string) siteOption {
	return func(s *testSite) { s.cfg.MetricsToken = token }
}

func TestMetricsAreNotPublic(t *testing.T) {
	t.Run("without a token /metrics does not exist", func(t *testing.T) {
		s := newSite(t)
		for _, h := range []map[string]string{nil, {"Authorization": "Bearer " + metricsToken}} {
			r := s.do(req{method: "GET", path: "/metrics", headers: h})
			if r.StatusCode == 200 || strings.Contains(string(r.body), "staffroom_http_requests_total") {
				t.Fatalf("%d %s", r.StatusCode, r.body)
			}
		}
		if r := s.do(req{method: "GET", path: "/metrics"}); r.StatusCode != 404 {
			t.Fatalf("anonymous: %d", r.StatusCode)
		}
	})
	t.Run("with a token only its bearer sees them", func(t *testing.T) {
		s := newSite(t, withMetricsToken(metricsToken))
		a := s.signup("curious")
		for name, h := range map[string]map[string]string{
			"no credentials":          nil,
			"a wrong token":           {"Authorization": "Bearer scrape-token-0123456789abcdeX"},
			"a prefix of the token":   {"Authorization": "Bearer scrape-token"},
			"the token, not a bearer": {"Authorization": "Basic " + metricsToken},
			"a person's API token":    a.bearer(),
		} {
			r := s.do(req{method: "GET", path: "/metrics", headers: h})
			if r.StatusCode != 404 || strings.Contains(string(r.body), "staffroom_http") {
				t.Fatalf("%s: %d %s", name, r.StatusCode, r.body)
			}
		}
		r := s.do(req{method: "GET", path: "/metrics", headers: map[string]string{"Authorization": "Bearer " + metricsToken}})
		if r.StatusCode != 200 || !strings.Contains(string(r.body), "staffroom_http_requests_total") {
			t.Fatalf("the scraper: %d %s", r.StatusCode, r.body)
		}
	})
}
