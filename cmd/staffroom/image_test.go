package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/web/imageproxy"
)

// fixedResolver maps one name to one address, as DNS would.
type fixedResolver struct {
	name string
	addr netip.Addr
}

func (r fixedResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if host == r.name {
		return []netip.Addr{r.addr}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// startImageSite runs the whole server on db with the image proxy on or off, its resolver
// mapping img.example.test to upstream (a loopback server the test admits by address).
func startImageSite(t *testing.T, db string, on bool, upstream *httptest.Server) (*Main, func()) {
	t.Helper()
	ap := netip.MustParseAddrPort(upstream.Listener.Addr().String())
	m := NewMain()
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Hasher = forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1}
	m.Config = Config{Addr: "127.0.0.1:0", DB: db, SiteName: "Staffroom", Privileges: "open",
		RateLimits: true, LogLevel: "info", LogFormat: "text", SessionIdle: forum.DefaultSessionIdle,
		DailyVotes: forum.DefaultDailyVotes, EventRetention: defaultEventRetention, ImageProxy: on}
	m.TuneImages = func(c *imageproxy.Config) {
		c.Resolver = fixedResolver{"img.example.test", ap.Addr()}
		c.AllowAddr = func(a netip.Addr) bool { return a == ap.Addr() || imageproxy.PublicAddr(a) }
		c.Ports = []int{int(ap.Port())}
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

// askWithImage signs up and asks a question whose body shows src; it returns the
// question page's response and body.
func askWithImage(t *testing.T, base, src string) (*http.Response, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": "imageasker", "email": "img@district.org", "password": "long enough pass"})
	resp, err := http.Post(base+"/api/v1/auth/signup", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var grant struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	body, _ = json.Marshal(map[string]any{"title": "How do I read this fractions chart with my class?",
		"body": "Here is the chart:\n\n![a fractions chart](" + src + ")\n\nWhat should I ask first?", "tags": []string{"math"}})
	req, _ := http.NewRequest("POST", base+"/api/v1/questions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+grant.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var q struct{ ID int64 }
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if json.Unmarshal(out, &q); resp.StatusCode != 201 {
		t.Fatalf("ask: %d %s", resp.StatusCode, out)
	}
	resp, err = http.Get(base + "/questions/" + strconv.FormatInt(q.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(page)
}

var pageImage = regexp.MustCompile(`<img src="(/img/[^"]+)" alt="a fractions chart">`)

// TestImagesInPostsComeFromThisSite: a reader's browser is sent to this site for a post's
// image, never to the host it came from, and the page's CSP allows no other host.
func TestImagesInPostsComeFromThisSite(t *testing.T) {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3)))
	var hits atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(b.Bytes())
	}))
	defer upstream.Close()
	src := "http://img.example.test:" + strconv.Itoa(int(netip.MustParseAddrPort(upstream.Listener.Addr().String()).Port())) + "/chart.png?v="
	src += strings.Repeat("x", imageproxy.MaxURLLen-len(src)) // the longest: its path fits the server's read buffer
	db := filepath.Join(t.TempDir(), "images.db")

	m, stop := startImageSite(t, db, true, upstream)
	base := "http://" + m.Addr()
	resp, page := askWithImage(t, base, src)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self';") || strings.Contains(csp, "https:") {
		t.Errorf("page CSP = %q", csp)
	}
	match := pageImage.FindStringSubmatch(page)
	if match == nil || strings.Contains(page, "img.example.test") {
		t.Fatalf("the page does not show the image through the proxy:\n%s", page)
	}
	path := match[1]
	for range 2 {
		img, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(img.Body)
		img.Body.Close()
		if img.StatusCode != 200 || img.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, b.Bytes()) ||
			img.Header.Get("Content-Security-Policy") != "default-src 'none'; sandbox" || img.Header.Get("Set-Cookie") != "" {
			t.Fatalf("image: %d %v", img.StatusCode, img.Header)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("upstream fetched %d times, want once (then cached)", n)
	}
	forged := "/img/" + strings.Repeat("0", 64) + path[len("/img/")+64:] // the same URL, another signature
	if r, _ := http.Get(base + forged); r.StatusCode != 404 {
		t.Fatalf("forged signature: %d", r.StatusCode)
	}
	stop()

	// Stored HTML keeps its signed URLs: the key is the database's, the same after a restart.
	m2, stop2 := startImageSite(t, db, true, upstream)
	if again := m2.Images.URL(src); again != path {
		t.Errorf("after a restart the proxy signs %s as %q, the stored page has %q", src, again, path)
	}
	stop2()

	t.Run("off: images are links, and there is no proxy", func(t *testing.T) {
		m, stop := startImageSite(t, filepath.Join(t.TempDir(), "off.db"), false, upstream)
		defer stop()
		base := "http://" + m.Addr()
		_, page := askWithImage(t, base, src)
		if strings.Contains(page, "<img src=\"/img/") || !strings.Contains(page, `<a href="`+src+`" rel="nofollow ugc noopener">a fractions chart</a>`) {
			t.Fatalf("page:\n%s", page)
		}
		if r, _ := http.Get(base + path); r.StatusCode != 404 {
			t.Fatalf("/img/ with the proxy off: %d", r.StatusCode)
		}
	})
}

func TestImageProxyConfiguration(t *testing.T) {
	db := filepath.Join(t.TempDir(), "conf.db")
	t.Run("a short key is refused", func(t *testing.T) {
		code, _, stderr := cli(t, "", "serve", "--image-proxy-key", "short", "--db", db)
		if code != 1 || !strings.Contains(stderr, "image proxy key must be at least 32 characters") {
			t.Fatalf("code %d stderr %q", code, stderr)
		}
	})
	t.Run("on or off only", func(t *testing.T) {
		t.Setenv("STAFFROOM_IMAGE_PROXY", "sometimes")
		code, _, stderr := cli(t, "", "serve", "--db", db)
		if code != 1 || !strings.Contains(stderr, "STAFFROOM_IMAGE_PROXY must be on or off") {
			t.Fatalf("code %d stderr %q", code, stderr)
		}
	})
	t.Run("a configured key signs instead of the database's", func(t *testing.T) {
		key := strings.Repeat("k", 64)
		m := NewMain()
		m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		m.Config = Config{Addr: "127.0.0.1:0", DB: db, SiteName: "Staffroom", Privileges: "open", RateLimits: true,
			LogLevel: "info", LogFormat: "text", SessionIdle: forum.DefaultSessionIdle, DailyVotes: forum.DefaultDailyVotes,
			EventRetention: defaultEventRetention, ImageProxy: true, ImageProxyKey: key}
		if err := m.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		defer m.ln.Close()
		want, _ := imageproxy.New(imageproxy.Config{Key: []byte(key)})
		src := "https://img.example.org/a.png"
		if got := m.Images.URL(src); got != want.URL(src) {
			t.Fatalf("signed %q, want %q", got, want.URL(src))
		}
	})
}
