package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The question list cache, for signed-in readers (anonymous ones have the micro-cache). A
// list's content (the rows, the pager, the community panel) is the same for every signed-in
// reader of the same address, but drawing thirty rows through html/template costs about a
// millisecond, most of a list request. So the content is drawn once a second per address
// and kept with a marker where the reader's CSRF token goes; the layout around it (the
// reader's name, their token) is drawn for each request. A list may thus be a second old,
// as the anonymous one is; the live head kept with it was read before its data, so the
// page's script replays whatever came after.
const (
	listCacheTTL = time.Second
	// listCacheStale is how long an expired list is still served to others while one
	// request draws the next: a crowd does not all draw it at the same moment.
	listCacheStale = 10 * time.Second
	// listCacheEntries bounds the kept lists (each with up to maxShells layouts, ~200 KB
	// at most): past it, lists older than listCacheStale go, or else all.
	listCacheEntries = 256
)

// listKey is what a list's content depends on: the list asked for (by its parsed filter,
// so that addresses differing in ignored parameters share a copy and cannot flood the
// cache) and whether the reader may describe the tag.
type listKey struct {
	tag, sort, after, before string
	page, pageSize           int
	canDescribe              bool
}

type listEntry struct {
	content segments
	title   string
	live    *LiveTopic
	at      time.Time
	drawing atomic.Bool // a request is drawing its successor

	// shells are the layouts drawn around this copy, per reader: a reader who reloads
	// or pages back gets theirs again without html/template.
	mu     sync.Mutex
	shells map[shellOf][2][]byte
}

// shellOf is what a list's layout depends on besides the list: the reader, their token,
// the flash message.
type shellOf struct {
	userID, rep                 int64
	username, name, csrf, flash string
}

// maxShells bounds the layouts kept with one copy of a list.
const maxShells = 64

type listCache struct {
	mu      sync.Mutex
	entries map[listKey]*listEntry
	// shell is the list page with its content replaced by slot.
	shell      *template.Template
	slot, csrf string
}

// newListCache prepares the shell; page must not have been executed yet.
func newListCache(page *template.Template) (*listCache, error) {
	lc := &listCache{entries: map[listKey]*listEntry{}, slot: "slot" + randomHex(), csrf: "csrf" + randomHex()}
	var err error
	if lc.shell, err = withSlot(page, "content", lc.slot); err != nil {
		return nil, err
	}
	return lc, nil
}

// get returns the kept list for k, or nil when this request is to draw it: there is none,
// or it has expired and no other request is drawing it.
func (lc *listCache) get(k listKey, now time.Time) *listEntry {
	lc.mu.Lock()
	e := lc.entries[k]
	lc.mu.Unlock()
	switch {
	case e == nil || now.Before(e.at) || now.Sub(e.at) >= listCacheStale:
		return nil
	case now.Sub(e.at) < listCacheTTL:
		return e
	case e.drawing.CompareAndSwap(false, true):
		return nil // this request draws the next copy; the others keep this one meanwhile
	default:
		return e
	}
}

func (lc *listCache) put(k listKey, e *listEntry) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if len(lc.entries) >= listCacheEntries {
		for old, oe := range lc.entries {
			if e.at.Sub(oe.at) >= listCacheStale {
				delete(lc.entries, old)
			}
		}
		if len(lc.entries) >= listCacheEntries {
			lc.entries = map[listKey]*listEntry{}
		}
	}
	lc.entries[k] = e
}

// cachedList answers a signed-in reader's list from the cache; ok is false when the list
// must be read and drawn.
func (s *Server) cachedList(c *fiber.Ctx, k listKey) (ok bool, err error) {
	p := s.page(c, "", nil)
	if !s.listCacheable(c, p) {
		return false, nil
	}
	e := s.lists.get(k, s.now())
	if e == nil {
		return false, nil
	}
	return true, s.writeList(c, p, e)
}

// drawList draws a list's content once for every signed-in reader of its address, keeps
// it, and answers this request with it.
func (s *Server) drawList(c *fiber.Ctx, k listKey, p *Page) error {
	marked := *p
	if marked.CSRF != "" {
		marked.CSRF = s.lists.csrf
	}
	var buf bytes.Buffer
	if err := s.pages["home"].ExecuteTemplate(&buf, "content", &marked); err != nil {
		return fmt.Errorf("render list: %w", err)
	}
	e := &listEntry{content: bytes.Split(buf.Bytes(), []byte(s.lists.csrf)), title: p.Title, live: p.Live, at: s.now()}
	s.lists.put(k, e)
	return s.writeList(c, p, e)
}

// writeList writes the layout for p's reader around a kept list.
func (s *Server) writeList(c *fiber.Ctx, p *Page, e *listEntry) error {
	p.Title, p.Live, p.Flash = e.title, e.live, flash(c)
	k := shellOf{userID: p.Viewer.ID, rep: int64(p.Viewer.Reputation), username: p.Viewer.Username, name: p.Viewer.DisplayName,
		csrf: p.CSRF, flash: p.Flash}
	e.mu.Lock()
	sh, ok := e.shells[k]
	e.mu.Unlock()
	if !ok {
		before, after, err := drawShell(s.lists.shell, s.lists.slot, p)
		if err != nil {
			return err
		}
		sh = [2][]byte{before, after}
		e.mu.Lock()
		if e.shells == nil {
			e.shells = map[shellOf][2][]byte{}
		}
		if len(e.shells) < maxShells {
			e.shells[k] = sh
		}
		e.mu.Unlock()
	}
	before, after := sh[0], sh[1]
	res := c.Response()
	res.ResetBody()
	res.AppendBody(before)
	appendSegments(res, e.content, p.CSRF)
	res.AppendBody(after)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache, private")
	c.Status(fiber.StatusOK)
	return nil
}

// listCacheable reports whether p's request may be answered from, and drawn into, the
// cache: a signed-in reader, a token the marker can stand for, and not the page a write
// redirected to (?done=...), which must show that write.
func (s *Server) listCacheable(c *fiber.Ctx, p *Page) bool {
	return s.lists != nil && p.Viewer != nil && csrfSafe(p.CSRF) && len(c.Request().URI().QueryArgs().Peek("done")) == 0
}

// listKeyOf is the cache key of a list request. Strings are copied: Fiber reuses the bytes
// of the request once it is answered.
func (s *Server) listKeyOf(c *fiber.Ctx, f forum.QuestionFilter, tag *forum.Tag) listKey {
	k := listKey{sort: strings.Clone(string(f.Sort)), page: f.Page, pageSize: f.PageSize,
		after: strings.Clone(f.After), before: strings.Clone(f.Before),
		canDescribe: tag != nil && s.qa.Privileges.Allowed(viewerUser(c), forum.PrivEdit)}
	if f.Tag != nil {
		k.tag = strings.Clone(*f.Tag)
	}
	return k
}
