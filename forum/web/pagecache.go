package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"staffroom/forum"
	"staffroom/forum/web/cache"
)

// The question page cache. A question page differs from one reader to the next only in
// small parts: the header, the CSRF token in its forms, the reader's own votes, and which
// buttons their role, reputation and authorship give them. So the page is kept in pieces
// and put together for each reader. The reader's side of each piece is one struct that is
// both the template's input and the piece's key (postReader, questionReader), so a fact
// about the reader cannot be drawn without being keyed (TestReaderFactsKeyTheCache):
//
//   - the thread's data, shared by every reader who sees what they see (deleted posts are
//     for moderators, and each for its author: the shared copy names the authors of the
//     posts it leaves out, and their pages are drawn whole), read once per version of the
//     thread;
//   - each post's HTML block, rendered once per (post, postReader: signed in or not, the
//     reader's vote, and what forum.PostActions lets them do), with a marker where the
//     reader's CSRF token goes;
//   - the rest of the content (heading, answer form, related questions), rendered once per
//     questionReader (signed in, may close, and so on) with markers where the posts go;
//   - the layout around it (the reader's name and reputation in the header), once per
//     reader, flash message and path.
//
// Exactness: the store raises a question's version in the same transaction as any change
// to the question, its answers, their comments and votes (forum.ThreadVersions), and each
// request reads that version first, so whoever voted, answered, commented, edited,
// accepted, closed or deleted sees it on the next page, as do all others. What the
// version does not cover (the related questions beside the thread, reputation the authors
// earned elsewhere) is about threadCacheTTL old at most (plus the millisecond a background
// read takes), as for the anonymous micro-cache; "3 minutes ago" texts are kept exact the
// same way: a copy expires when one of them would change.
//
// Who may see a thread depends on more than forum.SeesDeleted: a private collaborative's
// question is its members' alone. A copy is shared by everyone who may see it, so the
// check runs for each request before a copy is served (forum.QA.CheckScopeNow: the
// collaborative's visibility and the reader's role as they are now, in one query; nothing
// for the site's own questions).
// A live page's head seq is read per request before the version: every event on a
// question's topic comes from a change that raised its version in the same transaction,
// so the copy for the version read after it holds everything up to that seq.
const (
	// threadCacheTTL bounds how old the parts not covered by the version may be.
	threadCacheTTL = time.Second
	// threadCacheStale is how long an expired copy whose version still holds may be served
	// while it is read again in the background.
	threadCacheStale = 10 * time.Second
	// threadCacheBytes bounds the kept threads with their pieces: past it, the least
	// recently read go. An entry holds its thread (~25 KB of HTML bodies for 10 answers)
	// and the pieces drawn from it, at most threadEntryBytes of them: a piece past that is
	// drawn for its request and not kept, so that one thread read by very many people
	// cannot push out all the others.
	threadCacheBytes = 64 << 20
	threadEntryBytes = 512 << 10
	// threadRefreshTimeout bounds a background refresh.
	threadRefreshTimeout = 10 * time.Second
)

// threadKey names one shared copy of a thread.
type threadKey struct {
	id      int64
	order   forum.AnswerSort
	deleted bool // with deleted posts: the moderators' copy
}

// segments is HTML cut at each place the reader's CSRF token goes.
type segments [][]byte

// skeletonKey is what the content around the posts depends on: the reader's side of it is
// the template's own input (questionView.Reader), so nothing it shows can be left out.
type skeletonKey = questionReader

// blockKey is what one post's block depends on: the post, and the reader's side of the
// block, which is the template's own input (postCtx.Reader).
type blockKey struct {
	id     int64
	reader postReader
}

type threadEntry struct {
	key     threadKey
	version int64
	thread  *forum.QuestionThread
	threads map[int64][]commentNode
	// canonical is the page's address (slugging the title costs as much as the rest of a
	// request's bookkeeping).
	canonical string
	until     time.Time // TTL, or the first moment one of its "ago" texts changes
	base      int       // bytes the thread itself holds, as the cache counts them

	mu        sync.Mutex
	skeletons map[skeletonKey][]segments // one more part than the thread has posts
	blocks    map[blockKey]segments
	votes     map[int64]map[int64]int // reader id -> post id -> vote
	shells    map[shellKey][2]segments
	actions   map[actionsKey][]byte // the API's can_* fields (apicache.go)
	bytes     int                   // kept in the maps above, against threadEntryBytes

	// The thread as the API's JSON, in pieces (apicache.go), encoded on first use.
	jsonOnce    sync.Once
	json        *threadJSON
	jsonErr     error
	jsonCharged atomic.Bool
}

// keep reports whether n more bytes fit the entry's budget, and counts them; e.mu is held.
// The caller then charges them to the cache (threadCache.charge), once e.mu is released.
func (e *threadEntry) keep(n int) bool {
	if e.bytes+n > threadEntryBytes {
		return false
	}
	e.bytes += n
	return true
}

// threadSize estimates the bytes a thread holds: its texts, and a few hundred bytes of
// structure per post, comment and person.
func threadSize(t *forum.QuestionThread) int {
	post := func(p *forum.Post) int {
		n := 512 + len(p.Title) + len(p.Body) + len(p.BodyHTML) + len(p.QuestionTitle)
		for _, tag := range p.Tags {
			n += 16 + len(tag)
		}
		if p.Author != nil {
			n += 256 + len(p.Author.Username) + len(p.Author.DisplayName)
		}
		return n
	}
	n := post(t.Question)
	for _, ps := range [][]*forum.Post{t.Answers, t.Related, t.Linked} {
		for _, p := range ps {
			n += post(p)
		}
	}
	for _, cs := range t.Comments {
		for _, c := range cs {
			n += 384 + len(c.Body) + len(c.BodyHTML) // with its node in the comment tree
			if c.Author != nil {
				n += 256 + len(c.Author.Username) + len(c.Author.DisplayName)
			}
		}
	}
	return n
}

func (sg segments) size() int {
	n := 24 * len(sg)
	for _, part := range sg {
		n += len(part)
	}
	return n
}

// loadCall is one load of a thread that concurrent readers of the same version share.
type loadCall struct {
	version int64
	done    chan struct{}
	entry   *threadEntry
	err     error
}

type threadCache struct {
	versions forum.ThreadVersions
	qa       *forum.QA
	// shell is the question page with its content replaced by slot; skeleton is the
	// content with every post replaced by slot; posts draws the blocks ("post").
	shell, skeleton, posts *template.Template
	// slot and csrf are random markers, so no post can contain them.
	slot, csrf string
	base       string // the site's address, before canonical paths
	log        func(msg string, args ...any)
	now        func() time.Time

	entries *cache.Map[threadKey, *threadEntry]
	// loading is the load under way for each key: a reader of a version it covers waits
	// for it instead of reading the thread too.
	mu      sync.Mutex
	loading map[threadKey]*loadCall

	hits, loads atomic.Int64 // counted for tests and for the benchmarks' report
}

// newThreadCache prepares the templates; page must not have been executed yet.
func newThreadCache(versions forum.ThreadVersions, qa *forum.QA, page *template.Template, base string,
	log func(string, ...any), now func() time.Time) (*threadCache, error) {
	tc := &threadCache{versions: versions, qa: qa, posts: page, base: base, log: log, now: now,
		slot: "slot" + randomHex(), csrf: "csrf" + randomHex(), loading: map[threadKey]*loadCall{},
		entries: cache.New(cache.Options[threadKey, *threadEntry]{Name: "question_threads", MaxBytes: threadCacheBytes,
			TTL: threadCacheTTL, Stale: threadCacheStale, Now: now,
			Size: func(_ threadKey, e *threadEntry) int { return 64 + e.base }})}
	var err error
	if tc.shell, err = withSlot(page, "content", tc.slot); err != nil {
		return nil, err
	}
	if tc.skeleton, err = withSlot(page, "post", tc.slot); err != nil {
		return nil, err
	}
	return tc, nil
}

// register exports the cache's counts as metrics.
func (tc *threadCache) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "staffroom_question_page_cache_hits_total",
			Help: "Question pages put together from a cached thread."}, func() float64 { return float64(tc.hits.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "staffroom_question_page_cache_loads_total",
			Help: "Threads read from the store for question pages: missing, changed or expired."}, func() float64 { return float64(tc.loads.Load()) }),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// entry returns the shared copy of a thread for the current version, and whether it was
// kept (a hit, which the caller counts when it serves the copy).
func (tc *threadCache) entry(ctx context.Context, u *forum.User, key threadKey) (*threadEntry, bool, error) {
	v, err := tc.versions.ThreadVersion(ctx, key.id)
	if err != nil {
		return nil, false, err
	}
	e, st := tc.entries.Get(key)
	if st != cache.Miss && e.version == v {
		// Fresh, or only time has passed: what the version covers is unchanged, so
		// readers keep this copy while one background load reads the next.
		if st == cache.Refresh {
			go tc.refresh(e, u)
		}
		return e, true, nil
	}
	if st == cache.Refresh {
		tc.entries.Release(key) // the version moved: this request reads it, not a refresh
	}
	e, err = tc.load(ctx, u, key, v)
	return e, false, err
}

// refresh reads an expired entry again, off any request.
func (tc *threadCache) refresh(e *threadEntry, u *forum.User) {
	ctx, cancel := context.WithTimeout(context.Background(), threadRefreshTimeout)
	defer cancel()
	if _, err := tc.load(ctx, u, e.key, e.version); err != nil {
		tc.entries.Release(e.key) // let the next reader try
		if forum.KindOf(err) != forum.ENotFound {
			tc.log("refresh question page", "question", e.key.id, "err", err)
		}
	}
}

// load reads a thread whose version is at least v, sharing the read with every reader
// asking for the same version meanwhile.
func (tc *threadCache) load(ctx context.Context, u *forum.User, key threadKey, v int64) (*threadEntry, error) {
	tc.mu.Lock()
	if call, ok := tc.loading[key]; ok && call.version >= v {
		tc.mu.Unlock()
		select {
		case <-call.done:
			return call.entry, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &loadCall{version: v, done: make(chan struct{})}
	tc.loading[key] = call
	tc.mu.Unlock()

	tc.loads.Add(1)
	t, err := tc.qa.SharedThread(ctx, u, key.id, key.order)
	if err == nil {
		e := newThreadEntry(key, v, t, tc.base, tc.now())
		call.entry = e
		tc.entries.Store(key, e, cache.Entry[*threadEntry]{Until: e.until,
			Replace: func(old *threadEntry) bool { return old.version <= v }})
	}
	call.err = err
	tc.mu.Lock()
	if tc.loading[key] == call {
		delete(tc.loading, key)
	}
	tc.mu.Unlock()
	close(call.done)
	return call.entry, call.err
}

// charge counts n bytes kept in e against the cache's budget; e.mu is not held.
func (tc *threadCache) charge(e *threadEntry, n int) {
	tc.entries.Grow(e.key, n, func(v *threadEntry) bool { return v == e })
}

func newThreadEntry(key threadKey, v int64, t *forum.QuestionThread, base string, now time.Time) *threadEntry {
	e := &threadEntry{key: key, version: v, thread: t, threads: map[int64][]commentNode{},
		until: now.Add(threadCacheTTL), skeletons: map[skeletonKey][]segments{}, blocks: map[blockKey]segments{},
		votes: map[int64]map[int64]int{}, shells: map[shellKey][2]segments{}, actions: map[actionsKey][]byte{}}
	for postID, cs := range t.Comments {
		e.threads[postID] = threadComments(cs)
	}
	e.canonical = base + questionPath(t.Question)
	e.base = threadSize(t) + len(e.canonical)
	expire := func(at time.Time) {
		if until := agoChanges(at, now); until.Before(e.until) {
			e.until = until
		}
	}
	for _, p := range append([]*forum.Post{t.Question}, t.Answers...) {
		expire(p.CreatedAt)
		expire(p.ActivityAt)
		if p.EditedAt != nil {
			expire(*p.EditedAt)
		}
		for _, c := range t.Comments[p.ID] {
			expire(c.CreatedAt)
		}
	}
	return e
}

// agoChanges is the first moment after now at which ago(t) says something else.
func agoChanges(t, now time.Time) time.Time {
	d := now.Sub(t)
	next := func(unit time.Duration) time.Time { return t.Add((d/unit + 1) * unit) }
	switch {
	case d < time.Minute:
		return t.Add(time.Minute)
	case d < time.Hour:
		return next(time.Minute)
	case d < 24*time.Hour:
		return next(time.Hour)
	case d < 30*24*time.Hour:
		return next(24 * time.Hour)
	}
	return now.Add(100 * 365 * 24 * time.Hour) // a date: it stays
}

// votesOf returns the reader's votes in the thread, read once per version.
func (tc *threadCache) votesOf(ctx context.Context, e *threadEntry, userID int64) (map[int64]int, error) {
	e.mu.Lock()
	votes, ok := e.votes[userID]
	e.mu.Unlock()
	if ok {
		return votes, nil
	}
	votes, err := tc.versions.VotesIn(ctx, e.key.id, userID)
	if err != nil {
		return nil, err
	}
	size := 64 + 48*len(votes)
	e.mu.Lock()
	kept := e.keep(size)
	if kept {
		e.votes[userID] = votes
	}
	e.mu.Unlock()
	if kept {
		tc.charge(e, size)
	}
	return votes, nil
}

// cut splits rendered HTML at each CSRF marker.
func (tc *threadCache) cut(b []byte) segments {
	return bytes.Split(b, []byte(tc.csrf))
}

// markerPage is the Page the content around the posts is drawn with: any signed-in reader,
// their token a marker.
func (tc *threadCache) markerPage(site string, signedIn bool, data any) *Page {
	p := &Page{Site: site, Data: data}
	if signedIn {
		p.Viewer = &forum.User{}
		p.CSRF = tc.csrf
	}
	return p
}

// skeletonFor returns the content around the posts for view's kind of reader: kept under
// view.Reader, the part of view that is the reader's.
func (tc *threadCache) skeletonFor(e *threadEntry, view *questionView, site string) ([]segments, error) {
	k := view.Reader
	e.mu.Lock()
	sk, ok := e.skeletons[k]
	e.mu.Unlock()
	if ok {
		return sk, nil
	}
	var buf bytes.Buffer
	if err := tc.skeleton.ExecuteTemplate(&buf, "content", tc.markerPage(site, k.SignedIn, view)); err != nil {
		return nil, fmt.Errorf("render question skeleton: %w", err)
	}
	parts := bytes.Split(buf.Bytes(), []byte(tc.slot))
	if len(parts) != 2+len(e.thread.Answers) {
		return nil, fmt.Errorf("question skeleton has %d post slots for %d posts", len(parts)-1, 1+len(e.thread.Answers))
	}
	sk = make([]segments, len(parts))
	for i, p := range parts {
		sk[i] = tc.cut(p)
	}
	size := 0
	for _, part := range sk {
		size += part.size()
	}
	e.mu.Lock()
	kept := e.keep(size)
	if kept {
		e.skeletons[k] = sk
	}
	e.mu.Unlock()
	if kept {
		tc.charge(e, size)
	}
	return sk, nil
}

// blockFor returns one post's block as this reader sees it; ctx's post is the shared one
// and its CSRF the marker.
func (tc *threadCache) blockFor(e *threadEntry, ctx postCtx) (segments, error) {
	k := blockKey{id: ctx.Post.ID, reader: ctx.Reader}
	e.mu.Lock()
	b, ok := e.blocks[k]
	e.mu.Unlock()
	if ok {
		return b, nil
	}
	var buf bytes.Buffer
	drawn := ctx // on the heap only when drawn: a hit costs no allocation
	if err := tc.posts.ExecuteTemplate(&buf, "post", &drawn); err != nil {
		return nil, fmt.Errorf("render post %d: %w", ctx.Post.ID, err)
	}
	b = tc.cut(buf.Bytes())
	e.mu.Lock()
	kept := e.keep(b.size())
	if kept {
		e.blocks[k] = b
	}
	e.mu.Unlock()
	if kept {
		tc.charge(e, b.size())
	}
	return b, nil
}

// ownSort is the package's own copy of a sort parsed from the query string, whose bytes
// Fiber reuses for the next request: a key kept in a map must not change under it.
func ownSort(order forum.AnswerSort) forum.AnswerSort {
	for _, o := range []forum.AnswerSort{forum.AnswersByScore, forum.AnswersByNewest, forum.AnswersByOldest} {
		if o == order {
			return o
		}
	}
	return forum.AnswerSort(strings.Clone(string(order)))
}

// shellKey is what the layout around a question's content depends on, beyond the thread:
// the reader, the flash message, the path (with or without the slug).
type shellKey struct {
	userID, rep                       int64
	username, name, flash, path, site string
	role                              forum.Role // the header links to the admin area for admins
	csrf                              bool       // the layout has a meta tag only for a token
	live                              LiveTopic
	bell                              Bell // the header's unread count
}

// shellFor returns the layout around the content for p's reader, cut at the content and
// at each place of the reader's CSRF token.
func (tc *threadCache) shellFor(e *threadEntry, p *Page) ([2]segments, error) {
	k := shellKey{userID: -1, flash: p.Flash, path: p.Path, site: p.Site, csrf: p.CSRF != ""}
	if p.Live != nil {
		k.live = *p.Live
	}
	if p.Bell != nil {
		k.bell = *p.Bell
	}
	if u := p.Viewer; u != nil {
		k.userID, k.rep, k.username, k.name, k.role = u.ID, int64(u.Reputation), u.Username, u.DisplayName, u.Role
	}
	e.mu.Lock()
	sh, ok := e.shells[k]
	e.mu.Unlock()
	if ok {
		return sh, nil
	}
	marked := *p
	if marked.CSRF != "" {
		marked.CSRF = tc.csrf
	}
	before, after, err := drawShell(tc.shell, tc.slot, &marked)
	if err != nil {
		return sh, err
	}
	sh = [2]segments{tc.cut(before), tc.cut(after)}
	k.path = strings.Clone(k.path) // Fiber's path bytes serve the next request
	size := sh[0].size() + sh[1].size() + len(k.username) + len(k.name) + len(k.flash) + len(k.path)
	e.mu.Lock()
	kept := e.keep(size)
	if kept {
		e.shells[k] = sh
	}
	e.mu.Unlock()
	if kept {
		tc.charge(e, size)
	}
	return sh, nil
}

// csrfSafe reports whether a token may be put in the markers' places as it is: the
// template would have escaped nothing in it.
func csrfSafe(tok string) bool {
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// cachedQuestionPage answers a question page from the cache; ok is false when this
// request must be drawn whole (a CSRF token the markers cannot stand for).
func (s *Server) cachedQuestionPage(c *fiber.Ctx, id int64, order forum.AnswerSort, live *LiveTopic) (ok bool, err error) {
	tc := s.threads
	u := viewerUser(c)
	p := s.page(c, "", nil)
	if !csrfSafe(p.CSRF) {
		return false, nil
	}
	ctx := c.UserContext()
	e, hit, err := tc.entry(ctx, u, threadKey{id: id, order: ownSort(order), deleted: forum.SeesDeleted(u)})
	if u != nil && !forum.SeesDeleted(u) {
		// Authors see their own deleted posts: a reader who wrote one of those this copy
		// leaves out, or maybe the deleted question it is not found for, reads the thread
		// as hers, drawn whole. Everyone else is served the copy, unchanged.
		if forum.KindOf(err) == forum.ENotFound || (err == nil && slices.Contains(e.thread.DeletedAuthors, u.ID)) {
			return false, nil
		}
	}
	if err != nil {
		return true, err
	}
	if hit {
		tc.hits.Add(1)
	}
	t := e.thread
	if err := s.qa.CheckScopeNow(ctx, u, t.Question.Collaborative, forum.NotFoundPost(id)); err != nil {
		return true, err
	}
	var votes map[int64]int
	if u != nil {
		if votes, err = tc.votesOf(ctx, e, u.ID); err != nil {
			return true, err
		}
	}
	s.countView(c, id)

	view := s.questionView(c, u, t, e.threads, e.canonical)
	signedIn := u != nil
	sk, err := tc.skeletonFor(e, view, s.site().SiteName)
	if err != nil {
		return true, err
	}
	blocks := make([]segments, 0, 1+len(t.Answers))
	marker := ""
	if signedIn {
		marker = tc.csrf
	}
	for _, post := range append([]*forum.Post{t.Question}, t.Answers...) {
		b, err := tc.blockFor(e, view.postFor(post, votes[post.ID], marker))
		if err != nil {
			return true, err
		}
		blocks = append(blocks, b)
	}

	p.Title, p.Data, p.Flash, p.Live = t.Question.Title, view, s.flash(c), live
	shell, err := tc.shellFor(e, p)
	if err != nil {
		return true, err
	}

	res := c.Response()
	res.ResetBody()
	appendSegments(res, shell[0], p.CSRF)
	for i, part := range sk {
		appendSegments(res, part, p.CSRF)
		if i < len(blocks) {
			appendSegments(res, blocks[i], p.CSRF)
		}
	}
	appendSegments(res, shell[1], p.CSRF)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache, private")
	c.Status(fiber.StatusOK)
	return true, nil
}
