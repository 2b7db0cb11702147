// Package imageproxy serves the images people put in posts from this site, so that no
// reader's browser ever talks to a third-party host (which would learn who reads what,
// from where, and when). Like GitHub's camo, the renderer rewrites each off-site image to
// /img/{signature}/{hex-encoded URL}, signed with a site secret; the proxy fetches only
// URLs it signed, only from public addresses (checked after DNS, on every connection and
// every redirect, so it is no way into the server's own network), only images of a few
// raster types and a bounded size, and keeps what it fetched in a bounded cache.
package imageproxy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Paths. Route is the pattern forum/web mounts; URL writes Prefix + signature + "/" + the
// hex-encoded URL.
const (
	Prefix = "/img/"
	Route  = "/img/:sig/:url"
)

// Limits, each bounding what one image or the proxy as a whole may cost the server.
const (
	// MaxImageBytes bounds one image: photos of a whiteboard fit, a video or a disk
	// image posing as one does not.
	MaxImageBytes = 5 << 20
	// MaxURLLen bounds the URLs the proxy signs (longer images stay links). Hex doubles
	// it, and the path must fit with a browser's headers in the server's 4 KB read
	// buffer; real image URLs are far shorter.
	MaxURLLen = 1024
	// MinKeyLen is the shortest signing key accepted: 128 bits.
	MinKeyLen = 16
	// connectTimeout bounds one TCP connection or TLS handshake upstream.
	connectTimeout = 5 * time.Second
	// fetchTimeout bounds a whole fetch, redirects and body included: the reader's page
	// is waiting for it.
	fetchTimeout = 10 * time.Second
	// maxRedirects a fetch follows; each is checked like the first URL.
	maxRedirects = 3
	// maxHeaderBytes bounds an upstream response's headers.
	maxHeaderBytes = 32 << 10
	// defaultCacheBytes bounds the cache: a few dozen pages' worth of images.
	defaultCacheBytes = 64 << 20
	// defaultMaxAge is how long a fetched image is served without asking again; it is
	// also what browsers are told (Cache-Control max-age).
	defaultMaxAge = 24 * time.Hour
	// failureAge is how long a failed fetch is remembered, so a broken image on a popular
	// page costs one upstream request a minute, not one per reader.
	failureAge = time.Minute
	// defaultMaxFetches is how many upstream fetches run at once; more wait, for at most
	// fetchTimeout, then get 503.
	defaultMaxFetches = 8
	// userAgent is the one header the proxy sends about itself; nothing of the reader's
	// (cookies, authorization, their address, their user agent) goes upstream.
	userAgent = "Staffroom-ImageProxy/1.0"
)

// Errors of Image. The HTTP answers are 404 for ErrBadSignature, 503 for ErrBusy and 502
// for the rest: the request was fine, the image upstream was not.
var (
	ErrBadSignature = errors.New("imageproxy: missing or bad signature")
	ErrRefused      = errors.New("imageproxy: destination not allowed")
	ErrNotImage     = errors.New("imageproxy: not an allowed image type")
	ErrTooLarge     = errors.New("imageproxy: image too large")
	ErrUpstream     = errors.New("imageproxy: upstream failed")
	ErrBusy         = errors.New("imageproxy: too many fetches at once")
)

// Resolver looks up a host's addresses; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures a Proxy. Key is required; the rest have defaults.
type Config struct {
	// Key signs URLs (HMAC-SHA256). It must stay the same across restarts: stored HTML
	// holds the URLs it signed.
	Key []byte
	// Resolver finds upstream hosts' addresses. Nil: net.DefaultResolver.
	Resolver Resolver
	// AllowAddr decides which resolved addresses may be dialled. Nil: PublicAddr, the
	// only rule production uses. Tests pass a rule that also admits their fixture's
	// loopback address.
	AllowAddr func(netip.Addr) bool
	// Ports upstream URLs may name. Nil: 80 and 443.
	Ports []int
	// CacheBytes bounds the cache. Zero: 64 MiB.
	CacheBytes int64
	// MaxAge is how long a fetched image is kept and browsers may keep it. Zero: 24 h.
	MaxAge time.Duration
	// MaxFetches bounds concurrent upstream fetches. Zero: 8.
	MaxFetches int
	// Now is the clock for cache ages. Nil: time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Proxy signs image URLs and serves them. It is safe for concurrent use.
type Proxy struct {
	key       []byte
	resolver  Resolver
	allowAddr func(netip.Addr) bool
	ports     map[string]bool
	maxAge    time.Duration
	now       func() time.Time
	log       *slog.Logger
	client    *http.Client
	slots     chan struct{} // one per upstream fetch in flight

	mu    sync.Mutex // guards cache and calls
	cache *cache
	calls map[string]*call // fetches in flight, by URL, for callers to share
}

// call is one upstream fetch that concurrent requests for the same URL wait on.
type call struct {
	done chan struct{}
	img  *Image
	err  error
}

// Image is a fetched image, as served.
type Image struct {
	ContentType string
	Body        []byte
	ETag        string
}

// New returns a Proxy.
func New(cfg Config) (*Proxy, error) {
	if len(cfg.Key) < MinKeyLen {
		return nil, fmt.Errorf("imageproxy: the signing key must be at least %d bytes", MinKeyLen)
	}
	p := &Proxy{
		key: cfg.Key, resolver: cfg.Resolver, allowAddr: cfg.AllowAddr, maxAge: cfg.MaxAge, now: cfg.Now, log: cfg.Logger,
		ports: map[string]bool{}, calls: map[string]*call{},
	}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	if p.allowAddr == nil {
		p.allowAddr = PublicAddr
	}
	if p.maxAge <= 0 {
		p.maxAge = defaultMaxAge
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	ports := cfg.Ports
	if ports == nil {
		ports = []int{80, 443}
	}
	for _, port := range ports {
		p.ports[strconv.Itoa(port)] = true
	}
	cacheBytes := cfg.CacheBytes
	if cacheBytes <= 0 {
		cacheBytes = defaultCacheBytes
	}
	p.cache = newCache(cacheBytes)
	fetches := cfg.MaxFetches
	if fetches <= 0 {
		fetches = defaultMaxFetches
	}
	p.slots = make(chan struct{}, fetches)
	p.client = p.newClient()
	return p, nil
}

// URL returns the site-relative proxy path for an image at src, or "" when src is not an
// image the proxy would fetch (not http or https, credentials in it, a port other than the
// allowed ones, too long): the renderer then shows it as a link.
func (p *Proxy) URL(src string) string {
	if len(src) > MaxURLLen {
		return ""
	}
	u, err := url.Parse(src)
	if err != nil || p.checkURL(u) != nil {
		return ""
	}
	return Prefix + hex.EncodeToString(p.sign(src)) + "/" + hex.EncodeToString([]byte(src))
}

func (p *Proxy) sign(src string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(src))
	return m.Sum(nil)
}

// checkURL refuses what the proxy never fetches: schemes but http and https, no host,
// credentials (the reader's or anyone's), and ports but the allowed ones. It is applied to
// signed URLs and to every redirect.
func (p *Proxy) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q", ErrRefused, u.Scheme)
	}
	if u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return fmt.Errorf("%w: %s has no plain host", ErrRefused, u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if !p.ports[port] {
		return fmt.Errorf("%w: port %s", ErrRefused, port)
	}
	return nil
}

// Image returns the image a proxy path names, from the cache or fetched. sig and encoded
// are the path's two parts, hex. It returns ErrBadSignature when sig is not the site's
// signature of the URL (nothing is fetched), and the errors above for fetches that fail.
func (p *Proxy) Image(ctx context.Context, sig, encoded string) (*Image, error) {
	mac, err1 := hex.DecodeString(sig)
	raw, err2 := hex.DecodeString(encoded)
	if err1 != nil || err2 != nil || len(raw) > MaxURLLen || !hmac.Equal(mac, p.sign(string(raw))) {
		return nil, ErrBadSignature
	}
	src := string(raw)
	u, err := url.Parse(src)
	if err != nil {
		return nil, ErrBadSignature // signed, so never; but never fetch what does not parse
	}
	if err := p.checkURL(u); err != nil {
		return nil, err
	}
	return p.get(ctx, src)
}

// get serves src from the cache, or joins the fetch already under way for it, or fetches
// it and caches the outcome (images for maxAge, failures for failureAge).
func (p *Proxy) get(ctx context.Context, src string) (*Image, error) {
	p.mu.Lock()
	if e := p.cache.get(src, p.now()); e != nil {
		p.mu.Unlock()
		return e.img, e.err
	}
	if c, ok := p.calls[src]; ok {
		p.mu.Unlock()
		select {
		case <-c.done:
			return c.img, c.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
		}
	}
	c := &call{done: make(chan struct{})}
	p.calls[src] = c
	p.mu.Unlock()

	c.img, c.err = p.fetchLimited(ctx, src)

	p.mu.Lock()
	switch {
	case c.err == nil:
		p.cache.put(src, c.img, nil, p.now().Add(p.maxAge))
	case !errors.Is(c.err, ErrBusy):
		p.cache.put(src, nil, c.err, p.now().Add(failureAge))
	}
	delete(p.calls, src)
	p.mu.Unlock()
	close(c.done)
	return c.img, c.err
}

// fetchLimited waits for a fetch slot (for at most fetchTimeout) and fetches src. The
// fetch does not end with the request that started it: others may be waiting for it.
func (p *Proxy) fetchLimited(ctx context.Context, src string) (*Image, error) {
	wait := time.NewTimer(fetchTimeout)
	defer wait.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-wait.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
	defer func() { <-p.slots }()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	img, err := p.fetch(fctx, src)
	if err != nil {
		level := slog.LevelDebug
		if errors.Is(err, ErrRefused) {
			level = slog.LevelInfo // worth seeing: someone pointed an image at a private address
		}
		p.log.Log(ctx, level, "image proxy fetch failed", "url", src, "err", err)
	}
	return img, err
}

// Response is the proxy's answer to one request, for a server to write.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Serve answers a request for the proxy path Prefix+sig+"/"+encoded. ifNoneMatch is the
// request's If-None-Match header. Every answer says what it is (nosniff) and may do
// nothing if opened as a page (a CSP that allows nothing, sandboxed); errors have no body.
func (p *Proxy) Serve(ctx context.Context, sig, encoded, ifNoneMatch string) Response {
	h := http.Header{}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	img, err := p.Image(ctx, sig, encoded)
	if err != nil {
		h.Set("Cache-Control", "no-store")
		return Response{Status: Status(err), Header: h}
	}
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(p.maxAge/time.Second)))
	h.Set("ETag", img.ETag)
	if etagMatches(ifNoneMatch, img.ETag) {
		return Response{Status: http.StatusNotModified, Header: h}
	}
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(img.Body)))
	return Response{Status: http.StatusOK, Header: h, Body: img.Body}
}

// ServeHTTP serves GET and HEAD requests for proxy paths under Prefix.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	sig, encoded, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	res := p.Serve(r.Context(), sig, encoded, r.Header.Get("If-None-Match"))
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.Status)
	if r.Method == http.MethodGet {
		w.Write(res.Body)
	}
}

// Status is the HTTP status for an error of Image.
func Status(err error) int {
	switch {
	case errors.Is(err, ErrBadSignature):
		return http.StatusNotFound
	case errors.Is(err, ErrBusy):
		return http.StatusServiceUnavailable
	}
	return http.StatusBadGateway
}

// etagMatches reports whether an If-None-Match list names tag (weak comparison).
func etagMatches(header, tag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == tag || part == "*" {
			return true
		}
	}
	return false
}
