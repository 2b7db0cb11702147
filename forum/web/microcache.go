package web

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"staffroom/forum"
	"staffroom/forum/web/cache"
)

// Micro-caching: the pages everyone sees alike (question lists, question pages, tag pages)
// are kept for one second for anonymous readers, so a crowd arriving from a link costs one
// render a second, not one per person. When a page's second is up, the next reader renders
// it again while the others are still served the previous copy (stale while revalidating),
// so nobody waits in a queue behind the render. A request with credentials, or with any
// cookie, never gets these copies (they hold no reader's votes or forms): signed-in
// readers' question pages and lists come from the caches that put a page together for
// each reader (pagecache.go, listcache.go). A second of staleness for anonymous readers
// is what live updates cover, and deleting a post purges its copies at once
// (purgeQuestion, caches.go).
//
// A copy is kept under what its page depends on (pageKey), parsed from the request as the
// page's handler parses it, never under the raw address: addresses that differ in what
// the page ignores share one copy, so no client can fill the cache by varying them.
const (
	microcacheTTL = time.Second
	// microcacheStale is how long an expired copy may still be served while it is being
	// rendered again; past it, readers wait for a fresh one.
	microcacheStale = 10 * time.Second
	// microcacheBytes bounds the copies, their compressed forms included: past it, the
	// least recently read go. A 20 KB question page in three encodings takes ~30 KB, so
	// this holds the thousand-odd pages a crowd can be reading at once.
	microcacheBytes = 32 << 20
)

// pageKey is what an anonymous reader's page depends on.
type pageKey struct {
	question int64            // the question page's id; 0 on lists
	order    forum.AnswerSort // the question page's answer order
	list     listKey          // the list, on lists
	flash    string           // the message a redirect asked for (a constant from flashes)
}

func (k pageKey) size() int {
	return 64 + len(k.order) + len(k.list.tag) + len(k.list.sort) + len(k.list.after) + len(k.list.before)
}

type cachedPage struct {
	body  []byte
	ctype string
	etag  string // computed once per copy, not per answer

	// The body compressed, once per copy: the compress middleware would spend 3-4x the
	// whole cached answer's CPU compressing the same page again for every browser. What
	// they add is counted against the cache's budget (grow).
	brOnce, gzipOnce sync.Once
	br, gzip         []byte
	grow             func(n int)
}

func (p *cachedPage) size() int {
	return len(p.body) + len(p.br) + len(p.gzip) + len(p.ctype) + len(p.etag)
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
		p.brOnce.Do(func() {
			p.br = fasthttp.AppendBrotliBytesLevel(nil, p.body, fasthttp.CompressBrotliDefaultCompression)
			p.grow(len(p.br))
		})
		body, encoding = p.br, "br"
	case h.HasAcceptEncodingBytes(encodingGzip):
		p.gzipOnce.Do(func() {
			p.gzip = fasthttp.AppendGzipBytesLevel(nil, p.body, fasthttp.CompressDefaultCompression)
			p.grow(len(p.gzip))
		})
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

type microcache = cache.Map[pageKey, *cachedPage]

func newMicrocache(now func() time.Time) *microcache {
	return cache.New(cache.Options[pageKey, *cachedPage]{Name: "anonymous_pages", MaxBytes: microcacheBytes,
		TTL: microcacheTTL, Stale: microcacheStale, Now: now,
		Size: func(k pageKey, p *cachedPage) int { return k.size() + p.size() }})
}

// questionPageKey is what a question page depends on: its id, the answers' order and the
// flash (the slug, like any other parameter, changes nothing on it). ok is false for a
// request the page refuses: it is not cached.
func questionPageKey(c *fiber.Ctx) (k pageKey, ok bool) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return k, false
	}
	order, err := forum.ParseAnswerSort(c.Query("answers"))
	if err != nil {
		return k, false
	}
	return pageKey{question: id, order: ownSort(order), flash: flash(c)}, true
}

// listPageKey returns what the home list (tagPage false) or a tag's page depends on: the
// parsed filter, the tag of a tag page, the page's kind and the flash.
func listPageKey(tagPage bool) func(c *fiber.Ctx) (pageKey, bool) {
	return func(c *fiber.Ctx) (k pageKey, ok bool) {
		f, err := questionFilter(c)
		if err != nil {
			return k, false
		}
		if tagPage {
			tag, err := forum.NormalizeTag(pathParam(c, "tag"))
			if err != nil {
				return k, false
			}
			f.Tag = &tag // as the page does: its own tag, whatever ?tag= says
		}
		return pageKey{list: listKeyFor(f, tagPage, false), flash: flash(c)}, true
	}
}

// anonymousCache serves a page from the micro-cache to readers without credentials; keyOf
// says what the page depends on. onHit runs for each cached answer (to count the view).
func (s *Server) anonymousCache(keyOf func(c *fiber.Ctx) (pageKey, bool), onHit func(c *fiber.Ctx)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet || viewer(c) != nil || c.Get(fiber.HeaderAuthorization) != "" ||
			len(c.Request().Header.Peek(fiber.HeaderCookie)) > 0 {
			return c.Next()
		}
		key, ok := keyOf(c)
		if !ok {
			return c.Next()
		}
		page, st := s.cache.Get(key)
		if st == cache.Fresh || st == cache.Stale {
			if onHit != nil {
				onHit(c)
			}
			page.send(c)
			return nil
		}
		epoch := s.cache.Epoch() // before the page reads its data: a purge meanwhile drops it
		if err := c.Next(); err != nil {
			if st == cache.Refresh && forum.KindOf(err) == forum.ENotFound {
				// Gone, however it went: others are not served its stale copy meanwhile.
				s.cache.Delete(key)
			} else {
				s.cache.Release(key)
			}
			return err
		}
		switch res := c.Response(); {
		case res.StatusCode() != fiber.StatusOK || len(res.Header.Peek(fiber.HeaderSetCookie)) > 0:
			s.cache.Release(key)
		default:
			body := append([]byte(nil), res.Body()...)
			p := &cachedPage{body: body, etag: etagOf(body), ctype: string(res.Header.ContentType())}
			kept := key // its own variable: key itself stays off the heap on every other path
			p.grow = func(n int) { s.cache.Grow(kept, n, func(v *cachedPage) bool { return v == p }) }
			s.cache.Store(key, p, cache.Entry[*cachedPage]{Since: epoch})
		}
		return nil
	}
}
