package web

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Micro-caching: the pages everyone sees alike (question lists, question pages, tag pages)
// are kept for one second for anonymous readers, so a crowd arriving from a link costs one
// render a second, not one per person. When a page's second is up, the next reader renders
// it again while the others are still served the previous copy (stale while revalidating),
// so nobody waits in a queue behind the render. Signed-in people always get a fresh page
// (their votes, their forms); a second of staleness for anonymous readers is what live
// updates will cover.
const (
	microcacheTTL = time.Second
	// microcacheStale is how long an expired copy may still be served while it is being
	// rendered again; past it, readers wait for a fresh one.
	microcacheStale   = 10 * time.Second
	microcacheEntries = 2048 // bounds memory: a few MiB of pages
)

type cachedPage struct {
	body       []byte
	ctype      string
	etag       string // computed once per copy, not per answer
	expires    time.Time
	refreshing bool // someone is rendering the page again

	// The body compressed, once per copy: the compress middleware would spend 3-4x the
	// whole cached answer's CPU compressing the same page again for every browser.
	brOnce, gzipOnce sync.Once
	br, gzip         []byte
}

var (
	encodingBr   = []byte("br")
	encodingGzip = []byte("gzip")
)

// send answers with the copy, compressed as the compress middleware would have chosen
// (brotli, else gzip; other codings are left to the middleware).
func (p *cachedPage) send(c *fiber.Ctx) {
	body, encoding := p.body, ""
	switch h := &c.Request().Header; {
	case h.HasAcceptEncodingBytes(encodingBr):
		p.brOnce.Do(func() { p.br = fasthttp.AppendBrotliBytesLevel(nil, p.body, fasthttp.CompressBrotliDefaultCompression) })
		body, encoding = p.br, "br"
	case h.HasAcceptEncodingBytes(encodingGzip):
		p.gzipOnce.Do(func() { p.gzip = fasthttp.AppendGzipBytesLevel(nil, p.body, fasthttp.CompressDefaultCompression) })
		body, encoding = p.gzip, "gzip"
	}
	c.Set(fiber.HeaderContentType, p.ctype)
	c.Set(fiber.HeaderCacheControl, "no-cache, private")
	c.Set(fiber.HeaderETag, p.etag)
	if encoding != "" {
		c.Set(fiber.HeaderContentEncoding, encoding)
		c.Vary(fiber.HeaderAcceptEncoding)
	}
	c.Response().SetBodyRaw(body) // shared and never changed: no copy per request
}

type microcache struct {
	mu      sync.Mutex
	entries map[string]*cachedPage
}

func newMicrocache() *microcache { return &microcache{entries: map[string]*cachedPage{}} }

// lookup returns the copy to serve, if any, and whether the caller should render the page
// (and store it) because it is missing or due for a refresh nobody has started.
func (m *microcache) lookup(key string, now time.Time) (page *cachedPage, render bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.entries[key]
	switch {
	case !ok || now.After(p.expires.Add(microcacheStale)):
		return nil, true
	case now.Before(p.expires):
		return p, false
	case !p.refreshing:
		p.refreshing = true
		return nil, true
	}
	return p, false // stale, and being refreshed: serve it meanwhile
}

func (m *microcache) store(key string, p *cachedPage, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= microcacheEntries {
		for k, e := range m.entries {
			if now.After(e.expires.Add(microcacheStale)) {
				delete(m.entries, k)
			}
		}
		if len(m.entries) >= microcacheEntries {
			clear(m.entries)
		}
	}
	m.entries[key] = p
}

// release lets another reader refresh a page whose render failed or was not cacheable.
func (m *microcache) release(key string) {
	m.mu.Lock()
	if p, ok := m.entries[key]; ok {
		p.refreshing = false
	}
	m.mu.Unlock()
}

// anonymousCache serves a page from the micro-cache to readers without credentials.
// onHit runs for each cached answer (to count the view).
func (s *Server) anonymousCache(onHit func(c *fiber.Ctx)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet || viewer(c) != nil || c.Get(fiber.HeaderAuthorization) != "" ||
			len(c.Request().Header.Peek(fiber.HeaderCookie)) > 0 {
			return c.Next()
		}
		key := string(c.Request().URI().RequestURI()) // a copy: the request buffer is reused
		now := s.now()
		page, render := s.cache.lookup(key, now)
		if !render {
			if onHit != nil {
				onHit(c)
			}
			page.send(c)
			return nil
		}
		if err := c.Next(); err != nil {
			s.cache.release(key)
			return err
		}
		if c.Response().StatusCode() != fiber.StatusOK || len(c.Response().Header.Peek(fiber.HeaderSetCookie)) > 0 {
			s.cache.release(key)
			return nil
		}
		body := append([]byte(nil), c.Response().Body()...)
		s.cache.store(key, &cachedPage{body: body, etag: etagOf(body),
			ctype: string(c.Response().Header.ContentType()), expires: now.Add(microcacheTTL)}, now)
		return nil
	}
}
