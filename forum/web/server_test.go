package web_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newSite(t)
	for _, p := range []string{"/", "/login", "/api/v1/me", "/nowhere", "/api/v1/nowhere", "/healthz"} {
		r := s.do(req{method: "GET", path: p})
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP = %q", p, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers = %v", p, r.Header)
		}
		if r.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no request id", p)
		}
	}
}

func TestNotFound(t *testing.T) {
	s := newSite(t)
	r := s.do(req{method: "GET", path: "/api/v1/nowhere"})
	if code, _ := r.errorCode(t); r.StatusCode != 404 || code != "not_found" {
		t.Fatalf("api: %d %s", r.StatusCode, r.body)
	}
	r = s.do(req{method: "GET", path: "/no/such/page"})
	if r.StatusCode != 404 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Page not found") {
		t.Fatalf("page: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// panickyHome makes the home page panic, as a bug would.
type panickyHome struct{}

func (panickyHome) Community(context.Context) (*forum.Community, error) { panic("boom: a bug") }

// failingHome makes the home page fail with an error that is not the person's fault.
type failingHome struct{}

func (failingHome) Community(context.Context) (*forum.Community, error) {
	return nil, errors.New("disk I/O error at /var/lib/secret/path")
}

func TestFaultsBecomeInternalErrors(t *testing.T) {
	for name, home := range map[string]interface {
		Community(context.Context) (*forum.Community, error)
	}{"panic": panickyHome{}, "error": failingHome{}} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, withHome(home))
			r := s.do(req{method: "GET", path: "/"})
			if r.StatusCode != 500 {
				t.Fatalf("status %d", r.StatusCode)
			}
			body := string(r.body)
			if strings.Contains(body, "boom") || strings.Contains(body, "/var/lib") || strings.Contains(body, "goroutine") {
				t.Fatalf("the fault leaked into the page: %s", body)
			}
			if !strings.Contains(body, r.Header.Get("X-Request-ID")) {
				t.Fatal("the page does not give the request id to report")
			}
			// The site keeps serving.
			if r := s.do(req{method: "GET", path: "/login"}); r.StatusCode != 200 {
				t.Fatalf("after the fault: %d", r.StatusCode)
			}
		})
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	s := newSite(t)
	page := string(s.do(req{method: "GET", path: "/"}).body)
	m := regexp.MustCompile(`href="(/static/css/site\.[0-9a-f]{8}\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no hashed stylesheet link in the page")
	}
	r := s.do(req{method: "GET", path: m[1], headers: map[string]string{"Accept-Encoding": "gzip"}})
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("asset: %d %v", r.StatusCode, r.Header)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	etag := r.Header.Get("ETag")
	if r := s.do(req{method: "GET", path: m[1], headers: map[string]string{"If-None-Match": etag}}); r.StatusCode != 304 {
		t.Fatalf("revalidation: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/static/css/site.00000000.css"}); r.StatusCode != 404 {
		t.Fatalf("unknown asset: %d", r.StatusCode)
	}
}

func TestPagesHaveETags(t *testing.T) {
	s := newSite(t)
	r := s.do(req{method: "GET", path: "/login"})
	etag := r.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on a page")
	}
	if r := s.do(req{method: "GET", path: "/login", headers: map[string]string{"If-None-Match": etag}}); r.StatusCode != 304 {
		t.Fatalf("revalidation: %d", r.StatusCode)
	}
}

func TestOperations(t *testing.T) {
	s := newSite(t, withMetricsToken(metricsToken))
	if r := s.do(req{method: "GET", path: "/healthz"}); r.StatusCode != 200 {
		t.Fatalf("healthz %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/readyz"}); r.StatusCode != 200 {
		t.Fatalf("readyz %d", r.StatusCode)
	}
	s.do(req{method: "GET", path: "/users/1"})
	for range 3 {
		s.do(req{method: "POST", path: "/api/v1/auth/login", body: `{"login":"x","password":"y"}`})
		s.do(req{method: "GET", path: "/login"})
	}
	r := s.do(req{method: "GET", path: "/metrics", headers: map[string]string{"Authorization": "Bearer " + metricsToken}})
	body := string(r.body)
	if !strings.Contains(body, `staffroom_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"} 3`) {
		t.Fatalf("login failures are not counted under POST:\n%s", body)
	}
	if r.StatusCode != 200 || !strings.Contains(body, `staffroom_http_requests_total{method="GET",route="/users/:id",status="404"}`) ||
		!strings.Contains(body, "staffroom_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics: %d\n%s", r.StatusCode, body)
	}
	s.db.Close()
	if r := s.do(req{method: "GET", path: "/readyz"}); r.StatusCode != 503 {
		t.Fatalf("readyz with the database closed: %d", r.StatusCode)
	}
}

// TestOverARealListener checks what only a socket shows: body limits and shutdown.
func TestOverARealListener(t *testing.T) {
	s := newSite(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.server.Serve(ln) }()
	base := "http://" + ln.Addr().String()

	t.Run("20 MB body gets 413 before it is read", func(t *testing.T) {
		// A raw socket: the server answers from the Content-Length alone and closes, so a
		// client still writing the 20 MB sees a reset; reading the answer first shows the 413.
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"username\":\"", 20<<20)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 413 || !strings.Contains(string(b), `"too_large"`) {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("the 413 lacks the security headers: %v", resp.Header)
		}
	})
	t.Run("a form post of normal size works", func(t *testing.T) {
		form := url.Values{"username": {"listener"}, "email": {"l@d.org"}, "password": {"long enough pass"}, "password_confirm": {"long enough pass"}}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(base+"/signup", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 303 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("shutdown turns readyz to 503 and stops serving", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.server.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("serve returned %v", err)
		}
		if r := s.do(req{method: "GET", path: "/readyz"}); r.StatusCode != 503 {
			t.Fatalf("readyz while draining: %d", r.StatusCode)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Fatal("the listener still accepts connections after shutdown")
		}
	})
}
