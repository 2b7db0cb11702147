package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/forum/web/cache"
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
	// listCacheBytes bounds the kept lists with their layouts (a list of 30 questions is
	// ~40 KB, each reader's layout ~3 KB): past it, the least recently read go.
	listCacheBytes = 16 << 20
)

// listKey is what a list's content depends on: the list asked for (by its parsed filter,
// so that addresses differing in ignored parameters share a copy and cannot flood the
// cache), the kind of page it is on, and whether the reader may describe the tag.
type listKey struct {
	// tagPage: a tag's own page (/tags/x), not the home list filtered by ?tag=x. Their
	// questions are the same, their title, heading and live topic are not.
	tagPage                  bool
	tag, sort, after, before string
	page, pageSize           int
	canDescribe              bool
}

func (k listKey) size() int {
	return 64 + len(k.tag) + len(k.sort) + len(k.after) + len(k.before)
}

// listReq is a list request's key, and the cache's epoch read before the list's data: a
// list drawn from data older than a purge may show what was purged, and is not kept.
type listReq struct {
	key   listKey
	epoch cache.Epoch
}

type listEntry struct {
	content segments
	title   string
	live    *LiveTopic

	// shells are the layouts drawn around this copy, per reader: a reader who reloads
	// or pages back gets theirs again without html/template. What they hold is counted
	// against the cache's budget (grow).
	mu     sync.Mutex
	shells map[shellOf][2][]byte
	grow   func(n int)
}

func (e *listEntry) size() int {
	n := e.content.size() + len(e.title)
	if e.live != nil {
		n += 32 + len(e.live.Topic)
	}
	return n
}

// shellOf is what a list's layout depends on besides the list: the reader, their token,
// the flash message.
type shellOf struct {
	userID, rep                       int64
	username, name, csrf, flash, site string
	role                              forum.Role // the header links to the admin area for admins
	bell                              Bell       // the header's unread count
}

// maxShells bounds the layouts kept with one copy of a list.
const maxShells = 64

type listCache struct {
	entries *cache.Map[listKey, *listEntry]
	// shell is the list page with its content replaced by slot.
	shell      *template.Template
	slot, csrf string
}

// newListCache prepares the shell; page must not have been executed yet.
func newListCache(page *template.Template, now func() time.Time) (*listCache, error) {
	lc := &listCache{slot: "slot" + randomHex(), csrf: "csrf" + randomHex(),
		entries: cache.New(cache.Options[listKey, *listEntry]{Name: "lists", MaxBytes: listCacheBytes,
			TTL: listCacheTTL, Stale: listCacheStale, Now: now,
			Size: func(k listKey, e *listEntry) int { return k.size() + e.size() }})}
	var err error
	if lc.shell, err = withSlot(page, "content", lc.slot); err != nil {
		return nil, err
	}
	return lc, nil
}

// get returns the kept list for k, or nil when this request is to draw it: there is none,
// or it has expired and no other request is drawing it.
func (lc *listCache) get(k listKey) *listEntry {
	e, st := lc.entries.Get(k)
	if st == cache.Fresh || st == cache.Stale {
		return e
	}
	return nil // Refresh: this request draws the next copy; the others keep this one meanwhile
}

// cachedList answers a signed-in reader's list from the cache; ok is false when the list
// must be read and drawn.
func (s *Server) cachedList(c *fiber.Ctx, r listReq) (ok bool, err error) {
	p := s.page(c, "", nil)
	if !s.listCacheable(c, p) {
		return false, nil
	}
	e := s.lists.get(r.key)
	if e == nil {
		return false, nil
	}
	return true, s.writeList(c, p, e)
}

// drawList draws a list's content once for every signed-in reader of its address, keeps
// it, and answers this request with it.
func (s *Server) drawList(c *fiber.Ctx, r listReq, p *Page) error {
	marked := *p
	if marked.CSRF != "" {
		marked.CSRF = s.lists.csrf
	}
	var buf bytes.Buffer
	if err := s.pages["home"].ExecuteTemplate(&buf, "content", &marked); err != nil {
		return fmt.Errorf("render list: %w", err)
	}
	e := &listEntry{content: bytes.Split(buf.Bytes(), []byte(s.lists.csrf)), title: p.Title, live: p.Live}
	e.grow = func(n int) { s.lists.entries.Grow(r.key, n, func(v *listEntry) bool { return v == e }) }
	s.lists.entries.Store(r.key, e, cache.Entry[*listEntry]{Since: r.epoch})
	return s.writeList(c, p, e)
}

// writeList writes the layout for p's reader around a kept list.
func (s *Server) writeList(c *fiber.Ctx, p *Page, e *listEntry) error {
	p.Title, p.Live, p.Flash = e.title, e.live, s.flash(c)
	k := shellOf{userID: p.Viewer.ID, rep: int64(p.Viewer.Reputation), username: p.Viewer.Username, name: p.Viewer.DisplayName,
		csrf: p.CSRF, flash: p.Flash, site: p.Site, role: p.Viewer.Role}
	if p.Bell != nil {
		k.bell = *p.Bell
	}
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
		kept := len(e.shells) < maxShells
		if kept {
			e.shells[k] = sh
		}
		e.mu.Unlock()
		if kept {
			e.grow(len(before) + len(after) + len(k.username) + len(k.name) + len(k.csrf) + len(k.flash) + 64)
		}
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
	// A failed form's page (?form=, formflash.go) shows that failure to its owner alone.
	args := c.Request().URI().QueryArgs()
	return s.lists != nil && p.Viewer != nil && csrfSafe(p.CSRF) && len(args.Peek("done")) == 0 && len(args.Peek("form")) == 0
}

// listKeyOf is the cache key of a list request, with the cache's epoch before the list is
// read.
func (s *Server) listKeyOf(c *fiber.Ctx, f forum.QuestionFilter, tag *forum.Tag) listReq {
	r := listReq{key: listKeyFor(f, tag != nil, tag != nil && s.qa.Privileges.Rules().Allowed(viewerUser(c), forum.PrivEdit))}
	if s.lists != nil {
		r.epoch = s.lists.entries.Epoch()
	}
	return r
}

// listKeyFor is the key of a list. Strings are copied: Fiber reuses the bytes of the
// request once it is answered.
func listKeyFor(f forum.QuestionFilter, tagPage, canDescribe bool) listKey {
	k := listKey{tagPage: tagPage, sort: ownQuestionSort(f.Sort), page: f.Page, pageSize: f.PageSize,
		after: strings.Clone(f.After), before: strings.Clone(f.Before), canDescribe: canDescribe}
	if f.Tag != nil {
		k.tag = strings.Clone(*f.Tag)
	}
	return k
}

// ownQuestionSort is the package's own copy of a parsed list sort (see ownSort).
func ownQuestionSort(sort forum.QuestionSort) string {
	for _, o := range []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes, forum.SortUnanswered} {
		if o == sort {
			return string(o)
		}
	}
	return strings.Clone(string(sort))
}
