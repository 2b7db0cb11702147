package imageproxy_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"staffroom/forum/web/imageproxy"
)

// resolver answers from a fixed table, as DNS would for the names in it.
type resolver map[string][]netip.Addr

func (r resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := r[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upstream is a web server on 127.0.0.1 playing the third-party image host
// img.example.test, which the test resolver maps to it. It counts the requests it gets.
type upstream struct {
	srv     *httptest.Server
	addr    netip.Addr
	port    int
	hits    atomic.Int64
	png     []byte
	release chan struct{} // /slow.png waits for it
	entered chan struct{} // /slow.png says it was reached
	headers chan http.Header
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{png: pngBytes(t), release: make(chan struct{}), entered: make(chan struct{}, 16), headers: make(chan http.Header, 16)}
	mux := http.NewServeMux()
	image := func(ct string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write(body)
		}
	}
	mux.HandleFunc("/a.png", func(w http.ResponseWriter, r *http.Request) {
		u.headers <- r.Header.Clone()
		image("image/png", u.png)(w, r)
	})
	mux.HandleFunc("/b.png", image("image/png", u.png))
	mux.HandleFunc("/jpg-alias.png", image("image/jpg", []byte("\xFF\xD8\xFF\xE0rest of a jpeg")))
	mux.HandleFunc("/a.svg", image("image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)))
	mux.HandleFunc("/page.html", image("text/html", []byte(`<html><script>alert(1)</script></html>`)))
	mux.HandleFunc("/lying.png", image("image/png", []byte(`<html><script>alert(1)</script></html>`)))
	mux.HandleFunc("/png-as.gif", image("image/gif", u.png))
	mux.HandleFunc("/svg-as.png", image("image/png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`)))
	big := append(append([]byte{}, u.png[:8]...), make([]byte, imageproxy.MaxImageBytes)...)
	mux.HandleFunc("/big.png", image("image/png", big))
	mux.HandleFunc("/big-chunked.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		for i := 0; i < len(big); i += 1 << 20 {
			w.Write(big[i:min(i+1<<20, len(big))])
			w.(http.Flusher).Flush() // no Content-Length: the limit must hold while reading
		}
	})
	mux.HandleFunc("/pad.png", image("image/png", big[:100<<10]))
	mux.HandleFunc("/missing.png", http.NotFound)
	mux.HandleFunc("/slow.png", func(w http.ResponseWriter, r *http.Request) {
		u.entered <- struct{}{}
		<-u.release
		image("image/png", u.png)(w, r)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	mux.HandleFunc("/hop/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if n == 0 {
			image("image/png", u.png)(w, r)
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
	})
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(u.srv.Close)
	t.Cleanup(func() {
		select {
		case <-u.release:
		default:
			close(u.release)
		}
	})
	ap := netip.MustParseAddrPort(u.srv.Listener.Addr().String())
	u.addr, u.port = ap.Addr(), int(ap.Port())
	return u
}

// url is the fixture's address for path under the name img.example.test.
func (u *upstream) url(path string) string {
	return "http://img.example.test:" + strconv.Itoa(u.port) + path
}

var testKey = []byte("a test key of thirty-two bytes..")

// newProxy is a proxy whose resolver maps img.example.test to the fixture, and whose
// address rule admits the fixture's loopback address besides the public ones. Every other
// name resolves as the table says, and is refused or admitted by the production rule.
func newProxy(t *testing.T, u *upstream, edit ...func(*imageproxy.Config)) *imageproxy.Proxy {
	t.Helper()
	cfg := imageproxy.Config{
		Key: testKey,
		Resolver: resolver{
			"img.example.test":      {u.addr},
			"loopback.example.test": {netip.MustParseAddr("127.0.0.1")},
			"private.example.test":  {netip.MustParseAddr("10.1.2.3")},
			"metadata.example.test": {netip.MustParseAddr("169.254.169.254")},
			"ula.example.test":      {netip.MustParseAddr("fd00::1")},
			"mapped.example.test":   {netip.MustParseAddr("::ffff:127.0.0.1")},
			"mixed.example.test":    {u.addr, netip.MustParseAddr("10.1.2.3")},
		},
		AllowAddr: func(a netip.Addr) bool { return a == u.addr || imageproxy.PublicAddr(a) },
		Ports:     []int{80, 443, u.port},
		Logger:    slog.New(slog.DiscardHandler),
	}
	for _, e := range edit {
		e(&cfg)
	}
	p, err := imageproxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// get requests the proxy path URL wrote for src, through ServeHTTP.
func get(t *testing.T, p *imageproxy.Proxy, src string, header ...string) *http.Response {
	t.Helper()
	path := p.URL(src)
	if path == "" {
		t.Fatalf("URL(%q) = \"\"", src)
	}
	return getPath(t, p, path, header...)
}

func getPath(t *testing.T, p *imageproxy.Proxy, path string, header ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	return w.Result()
}

// fetchErr fetches src through the proxy's Image and returns its error.
func fetchErr(t *testing.T, p *imageproxy.Proxy, src string) error {
	t.Helper()
	path := p.URL(src)
	if path == "" {
		t.Fatalf("URL(%q) = \"\"", src)
	}
	sig, enc, _ := strings.Cut(strings.TrimPrefix(path, imageproxy.Prefix), "/")
	_, err := p.Image(context.Background(), sig, enc)
	return err
}

func TestServesSignedImage(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	resp := get(t, p, u.url("/a.png"), "Cookie", "staffroom_session=secret", "Authorization", "Bearer secret")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(body, u.png) {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	want := map[string]string{
		"Content-Type":            "image/png",
		"Cache-Control":           "public, max-age=86400",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	up := <-u.headers
	if up.Get("User-Agent") != "Staffroom-ImageProxy/1.0" || up.Get("Cookie") != "" || up.Get("Authorization") != "" {
		t.Errorf("upstream saw headers %v", up)
	}
	t.Run("If-None-Match answers 304", func(t *testing.T) {
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		again := get(t, p, u.url("/a.png"), "If-None-Match", etag)
		if again.StatusCode != 304 {
			t.Fatalf("status %d", again.StatusCode)
		}
	})
	t.Run("image/jpg is read as image/jpeg", func(t *testing.T) {
		if resp := get(t, p, u.url("/jpg-alias.png")); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

func TestSignatureRequired(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	src := u.url("/a.png")
	path := p.URL(src)
	sig, enc, _ := strings.Cut(strings.TrimPrefix(path, imageproxy.Prefix), "/")
	other, _ := imageproxy.New(imageproxy.Config{Key: []byte("another key, another site......")})
	otherSig, _, _ := strings.Cut(strings.TrimPrefix(other.URL(src), imageproxy.Prefix), "/")
	_, otherEnc, _ := strings.Cut(strings.TrimPrefix(p.URL(u.url("/b.png")), imageproxy.Prefix), "/")
	for name, path := range map[string]string{
		"missing signature":              imageproxy.Prefix + "/" + enc,
		"no URL":                         imageproxy.Prefix + sig,
		"another key's signature":        imageproxy.Prefix + otherSig + "/" + enc,
		"signature of another URL":       imageproxy.Prefix + sig + "/" + otherEnc,
		"truncated signature":            imageproxy.Prefix + sig[:32] + "/" + enc,
		"not hex":                        imageproxy.Prefix + "zz" + sig[2:] + "/" + enc,
		"signature over a mangled URL":   imageproxy.Prefix + sig + "/" + enc + "00",
		"plain URL instead of a hex one": imageproxy.Prefix + sig + "/" + url.PathEscape(src),
	} {
		t.Run(name, func(t *testing.T) {
			resp := getPath(t, p, path)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 404 || len(body) != 0 {
				t.Fatalf("status %d body %q", resp.StatusCode, body)
			}
		})
	}
	if n := u.hits.Load(); n != 0 {
		t.Fatalf("upstream fetched %d times for unsigned URLs", n)
	}
	if resp := getPath(t, p, path); resp.StatusCode != 200 {
		t.Fatalf("the signed path: status %d", resp.StatusCode)
	}
}

func TestURLOnlyForFetchableImages(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	for _, src := range []string{
		"ftp://img.example.test/a.png", "javascript:alert(1)", "data:image/png;base64,AAAA", "/relative.png",
		"//img.example.test/a.png", "https://user:pass@img.example.test/a.png", "https://img.example.test:22/a.png",
		"https://img.example.test/" + strings.Repeat("a", imageproxy.MaxURLLen), "http:///a.png", "https://%zz/",
	} {
		if got := p.URL(src); got != "" {
			t.Errorf("URL(%q) = %q, want none", src, got)
		}
	}
	got := p.URL("https://img.example.test/a.png")
	if !strings.HasPrefix(got, "/img/") || strings.Count(got, "/") != 3 {
		t.Fatalf("URL = %q", got)
	}
}

// TestPrivateAddressesRefused: names that resolve to the server's own network, and such
// addresses written literally, are refused before any connection is made. loopback.example.test
// resolves to 127.0.0.1, where the fixture really listens, under the production rule.
func TestPrivateAddressesRefused(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u, func(c *imageproxy.Config) { c.AllowAddr = nil })
	port := ":" + strconv.Itoa(u.port)
	for _, src := range []string{
		"http://loopback.example.test" + port + "/a.png",
		"http://127.0.0.1" + port + "/a.png",
		"http://[::1]" + port + "/a.png",
		"http://[::ffff:127.0.0.1]" + port + "/a.png",
		"http://mapped.example.test" + port + "/a.png",
		"http://private.example.test/a.png",
		"http://metadata.example.test/latest/meta-data/",
		"http://169.254.169.254/latest/meta-data/",
		"http://ula.example.test/a.png",
		"http://[fe80::1]/a.png",
		"http://0.0.0.0" + port + "/a.png",
		"http://100.64.0.1/a.png",
		"http://img.example.test" + port + "/a.png", // the fixture itself: loopback
	} {
		t.Run(src, func(t *testing.T) {
			if err := fetchErr(t, p, src); !errors.Is(err, imageproxy.ErrRefused) {
				t.Fatalf("err = %v, want refused", err)
			}
		})
	}
	if n := u.hits.Load(); n != 0 {
		t.Fatalf("the loopback fixture got %d requests", n)
	}
	t.Run("one private address among public ones", func(t *testing.T) {
		p := newProxy(t, u) // the fixture's address admitted, 10.1.2.3 not
		if err := fetchErr(t, p, "http://mixed.example.test"+port+"/a.png"); !errors.Is(err, imageproxy.ErrRefused) {
			t.Fatalf("err = %v, want refused", err)
		}
		if n := u.hits.Load(); n != 0 {
			t.Fatalf("fixture got %d requests", n)
		}
	})
	t.Run("the refusal answers 502", func(t *testing.T) {
		if resp := get(t, p, "http://metadata.example.test/latest/meta-data/"); resp.StatusCode != 502 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestRedirects(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	redirect := func(to string) string { return u.url("/redirect?to=" + url.QueryEscape(to)) }
	t.Run("followed to an allowed image", func(t *testing.T) {
		if err := fetchErr(t, p, redirect(u.url("/b.png"))); err != nil {
			t.Fatal(err)
		}
		if err := fetchErr(t, p, u.url("/hop/3")); err != nil {
			t.Fatalf("three redirects: %v", err)
		}
	})
	t.Run("at most three", func(t *testing.T) {
		if err := fetchErr(t, p, u.url("/hop/4")); !errors.Is(err, imageproxy.ErrUpstream) || !strings.Contains(err.Error(), "redirects") {
			t.Fatalf("err = %v", err)
		}
	})
	for name, to := range map[string]string{
		"to a private name":     "http://private.example.test/a.png",
		"to loopback":           "http://127.0.0.2:" + strconv.Itoa(u.port) + "/a.png", // the fixture is 127.0.0.1 alone
		"to cloud metadata":     "http://169.254.169.254/latest/meta-data/iam/",
		"to an IPv6 ULA":        "http://ula.example.test/a.png",
		"to ftp":                "ftp://img.example.test/a.png",
		"to file":               "file:///etc/passwd",
		"to a disallowed port":  "http://img.example.test:22/",
		"to a URL with a login": "http://user:pw@img.example.test:" + strconv.Itoa(u.port) + "/a.png",
	} {
		t.Run(name, func(t *testing.T) {
			before := u.hits.Load()
			if err := fetchErr(t, p, redirect(to)); !errors.Is(err, imageproxy.ErrRefused) {
				t.Fatalf("err = %v, want refused", err)
			}
			if n := u.hits.Load() - before; n != 1 {
				t.Fatalf("%d requests reached the fixture, want only the redirect", n)
			}
		})
	}
}

func TestOnlyRasterImages(t *testing.T) {
	u := newUpstream(t)
	p := newProxy(t, u)
	for path, want := range map[string]error{
		"/a.svg":            imageproxy.ErrNotImage,
		"/page.html":        imageproxy.ErrNotImage,
		"/lying.png":        imageproxy.ErrNotImage,
		"/png-as.gif":       imageproxy.ErrNotImage,
		"/svg-as.png":       imageproxy.ErrNotImage,
		"/big.png":          imageproxy.ErrTooLarge,
		"/big-chunked.png":  imageproxy.ErrTooLarge,
		"/missing.png":      imageproxy.ErrUpstream,
		"/nothing-here.png": imageproxy.ErrUpstream,
	} {
		t.Run(path, func(t *testing.T) {
			if err := fetchErr(t, p, u.url(path)); !errors.Is(err, want) {
				t.Fatalf("err = %v, want %v", err, want)
			}
			resp := get(t, p, u.url(path))
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 502 || len(body) != 0 || resp.Header.Get("Content-Type") != "" {
				t.Fatalf("status %d, type %q, body %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

func TestCache(t *testing.T) {
	u := newUpstream(t)
	clk := &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	p := newProxy(t, u, func(c *imageproxy.Config) { c.Now = clk.Now })
	src := u.url("/b.png")
	t.Run("a hit does not refetch", func(t *testing.T) {
		for range 3 {
			if err := fetchErr(t, p, src); err != nil {
				t.Fatal(err)
			}
		}
		if n := u.hits.Load(); n != 1 {
			t.Fatalf("%d fetches", n)
		}
	})
	t.Run("refetched after a day", func(t *testing.T) {
		clk.Add(24*time.Hour + time.Second)
		if err := fetchErr(t, p, src); err != nil {
			t.Fatal(err)
		}
		if n := u.hits.Load(); n != 2 {
			t.Fatalf("%d fetches", n)
		}
	})
	t.Run("failures remembered for a minute", func(t *testing.T) {
		before := u.hits.Load()
		fetchErr(t, p, u.url("/missing.png"))
		fetchErr(t, p, u.url("/missing.png"))
		if n := u.hits.Load() - before; n != 1 {
			t.Fatalf("%d fetches", n)
		}
		clk.Add(time.Minute)
		fetchErr(t, p, u.url("/missing.png"))
		if n := u.hits.Load() - before; n != 2 {
			t.Fatalf("%d fetches after a minute", n)
		}
	})
	t.Run("bounded by bytes, least recently used out first", func(t *testing.T) {
		// Room for two 100 KB images and change, not three.
		p := newProxy(t, u, func(c *imageproxy.Config) { c.CacheBytes = 250 << 10 })
		a, b, c := u.url("/pad.png?a"), u.url("/pad.png?b"), u.url("/pad.png?c")
		before := u.hits.Load()
		fetchErr(t, p, a)
		fetchErr(t, p, b)
		fetchErr(t, p, a) // a is now the most recently used
		fetchErr(t, p, c) // evicts b
		fetchErr(t, p, a)
		if n := u.hits.Load() - before; n != 3 {
			t.Fatalf("%d fetches, want 3 (a, b, c)", n)
		}
		fetchErr(t, p, b)
		if n := u.hits.Load() - before; n != 4 {
			t.Fatalf("b was not evicted: %d fetches", n)
		}
	})
}

func TestConcurrentFetches(t *testing.T) {
	t.Run("identical requests share one fetch", func(t *testing.T) {
		u := newUpstream(t)
		p := newProxy(t, u)
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Go(func() { errs <- fetchErr(t, p, u.url("/slow.png")) })
		}
		<-u.entered
		close(u.release)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := u.hits.Load(); n != 1 {
			t.Fatalf("%d fetches", n)
		}
	})
	t.Run("past the limit, a request gives up with 503", func(t *testing.T) {
		u := newUpstream(t)
		p := newProxy(t, u, func(c *imageproxy.Config) { c.MaxFetches = 1 })
		done := make(chan error, 1)
		go func() { done <- fetchErr(t, p, u.url("/slow.png")) }()
		<-u.entered
		ctx, cancel := context.WithCancel(context.Background())
		path := p.URL(u.url("/b.png"))
		sig, enc, _ := strings.Cut(strings.TrimPrefix(path, imageproxy.Prefix), "/")
		cancel()
		if _, err := p.Image(ctx, sig, enc); !errors.Is(err, imageproxy.ErrBusy) || imageproxy.Status(err) != 503 {
			t.Fatalf("err = %v", err)
		}
		close(u.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if _, err := p.Image(context.Background(), sig, enc); err != nil {
			t.Fatalf("a busy answer was cached: %v", err)
		}
	})
}

func TestPublicAddr(t *testing.T) {
	for _, s := range []string{
		"127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "169.254.0.1", "fe80::1", "fc00::1", "fd12:3456::1", "100.64.0.1", "100.127.255.254",
		"224.0.0.1", "239.255.255.250", "ff02::1", "255.255.255.255", "240.0.0.1", "0.1.2.3", "192.0.2.1",
		"198.18.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
		"64:ff9b::a00:1", "2002:a00:1::1", "2001:0:a00:1::1", "2001:db8::1", "fec0::1", "fe80::1%eth0",
	} {
		if imageproxy.PublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s counted as public", s)
		}
	}
	for _, s := range []string{"93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8"} {
		if !imageproxy.PublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("%s counted as not public", s)
		}
	}
}

func TestNewNeedsAKey(t *testing.T) {
	if _, err := imageproxy.New(imageproxy.Config{Key: []byte("short")}); err == nil {
		t.Fatal("a short key was accepted")
	}
}
