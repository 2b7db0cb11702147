package web

import (
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/forum/web/cache"
)

// Failed form posts answer with post/redirect/get. A form post that fails (a field at
// fault, a rule, a conflict such as a question closed while the answer was typed) is
// answered with a 303 to the form's own page, carrying a random id (?form=ID); that page
// shows every error beside its field and the text as it was typed, with the failure's
// status. The address bar then holds the page's own address, not the POST's
// (/posts/1/vote), and a reload draws the page again instead of posting again.
//
// What was typed waits for that GET in a store on the Server, not in a cookie (signed or
// not) nor in the address: an answer may be 96 KB of text, far past what a cookie (4 KB)
// or an address carries, and text that stays on the server is not written into proxy
// logs, the browser's history or a Referer. The store is bounded in every way a flood of
// failing posts could grow it: an entry is tied to its owner (the browser session, or an
// anonymous visitor's address) and shown only to that owner and only on its page; each
// owner has formFlashSlots places, chosen by the page (a new failure of a page takes the
// place of its last one, and of few others), an entry lives formFlashTTL, and the store
// holds at most formFlashBytes, dropping the least recently used past that. A failure larger than formFlashMaxEntry is drawn in place, the
// old way: the text is never lost, only the address stays the POST's.
//
// With several nodes, the GET must reach the node that kept the entry (sticky sessions) or
// the store must be shared, as the rate limits will be; an entry not found only means the
// page shows without the failure.
const (
	// formFlashTTL is how long a failure is shown again on a reload: long enough to come
	// back to a tab, short enough that an old error does not greet someone later.
	formFlashTTL = 10 * time.Minute
	// formFlashBytes bounds the store: 8 MiB is 80 answers at their longest, or thousands of
	// ordinary failures.
	formFlashBytes = 8 << 20
	// formFlashMaxEntry fits an answer or question of forum.MaxBodyLen characters in
	// 3-byte UTF-8 (moderation.MaxBodyBytes) with its other fields.
	formFlashMaxEntry = 100 << 10
	// formFlashSlots is how many failures one session keeps at once, one per page: a few
	// tabs' worth. Anonymous visitors share their address's slots (a school behind one
	// address signing up together), so theirs are more and chosen by the failure, not the
	// page; each is read back within milliseconds by the redirect anyway.
	formFlashSlots     = 8
	formFlashAnonSlots = 64
)

// formFlashKey is one owner's slot.
type formFlashKey struct {
	owner string
	slot  uint8
}

// formFlash is one failed form post, kept for the page it redirects to.
type formFlash struct {
	id         string
	page       string            // the path it redirects to: no other page shows it
	values     map[string]string // what was typed (never a password)
	errors     map[string]string // each field at fault and its message
	first      string            // the first field at fault: it gets the focus
	message    string            // the error when it names no field
	status     int
	retryAfter time.Duration
	// once marks a success with something to show one time only (a new API token's
	// secret): the first GET of its page takes it (onceFor), a reload shows the page
	// without it, and no failure's GET (formFlashFor) ever shows it.
	once  bool
	taken atomic.Bool
}

func (f *formFlash) size() int {
	n := 256 + len(f.id) + len(f.page) + len(f.first) + len(f.message)
	for _, m := range []map[string]string{f.values, f.errors} {
		for k, v := range m {
			n += 48 + len(k) + len(v)
		}
	}
	return n
}

type formFlashes = cache.Map[formFlashKey, *formFlash]

func newFormFlashes(now func() time.Time) *formFlashes {
	return cache.New(cache.Options[formFlashKey, *formFlash]{Name: "form_failures", MaxBytes: formFlashBytes,
		TTL: formFlashTTL, Now: now,
		Size: func(k formFlashKey, f *formFlash) int { return len(k.owner) + f.size() }})
}

// flashKey is where the failure id of page is kept for this request's owner: the browser
// session and a slot for the page, else the address and a slot for the page and id.
func (s *Server) flashKey(c *fiber.Ctx, page, id string) formFlashKey {
	h := fnv.New32a()
	h.Write([]byte(page))
	if v := viewer(c); v != nil && v.Session != nil {
		return formFlashKey{owner: "s" + strconv.FormatInt(v.Session.ID, 10), slot: uint8(h.Sum32() % formFlashSlots)}
	}
	h.Write([]byte(id))
	return formFlashKey{owner: "a" + s.clientIP(c), slot: uint8(h.Sum32() % formFlashAnonSlots)}
}

// failedForm is a failed form post: the page the form is on, where on it, what was typed
// (with the fields that say which form it was, on a page with several), and how to draw
// that page in place with the failure shown, when the failure cannot be kept.
type failedForm struct {
	page, anchor string
	values       map[string]string
	inPlace      func(ff *formFlash) error
}

// formFailed answers a failed form post: a redirect to the form's page, which shows the
// failure (formFlashFor). Errors that are not about the request (a fault of ours) go to
// the one error handler.
func (s *Server) formFailed(c *fiber.Ctx, err error, f failedForm) error {
	e := forum.AsError(err)
	if e == nil || e.Kind == forum.EInternal {
		return err
	}
	ff := newFormFlash(f.page, err, f.values)
	if ff.size() > formFlashMaxEntry {
		return f.inPlace(ff)
	}
	b := make([]byte, 16)
	rand.Read(b)
	ff.id = hex.EncodeToString(b)
	s.formFlashes.Store(s.flashKey(c, ff.page, ff.id), ff, cache.Entry[*formFlash]{})
	to := f.page + "?form=" + ff.id
	if f.anchor != "" {
		to += "#" + url.PathEscape(f.anchor)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// newFormFlash describes a failure of a form on page; err is a domain error.
func newFormFlash(page string, err error, values map[string]string) *formFlash {
	e := forum.AsError(err)
	ff := &formFlash{page: strings.Clone(page), values: make(map[string]string, len(values)), status: statusOf[e.Kind], retryAfter: e.RetryAfter}
	for k, v := range values {
		ff.values[k] = strings.Clone(v) // Fiber reuses the request's bytes
	}
	ff.errors, ff.first, ff.message = errorsOf(err)
	return ff
}

// formFlashFor returns the failure this request's ?form= names, when it was kept for this
// owner and this page; nil otherwise (expired, another's, another page's: the page shows
// as it is).
func (s *Server) formFlashFor(c *fiber.Ctx) *formFlash {
	id := c.Query("form")
	if len(id) != 32 {
		return nil
	}
	ff, st := s.formFlashes.Get(s.flashKey(c, c.Path(), id))
	if st != cache.Fresh || ff.id != id || ff.page != c.Path() || ff.once {
		return nil
	}
	return ff
}

// formOnceTTL is how long a secret to show once waits for its page: the redirect's GET
// follows within milliseconds, and a secret should not linger in memory.
const formOnceTTL = time.Minute

// doneOnce answers a form post that succeeded with something to show its author one time
// only, such as a new API token's secret: it is kept as a failure is (formFailed), for
// this owner and page, and the post is answered with a redirect to page, whose first GET
// takes it (onceFor). The secret never travels in an address, and a reload neither posts
// again nor shows it again.
func (s *Server) doneOnce(c *fiber.Ctx, page, anchor string, values map[string]string) error {
	ff := &formFlash{page: strings.Clone(page), values: make(map[string]string, len(values)), status: fiber.StatusOK, once: true}
	for k, v := range values {
		ff.values[k] = strings.Clone(v)
	}
	b := make([]byte, 16)
	rand.Read(b)
	ff.id = hex.EncodeToString(b)
	s.formFlashes.Store(s.flashKey(c, ff.page, ff.id), ff, cache.Entry[*formFlash]{Until: s.now().Add(formOnceTTL)})
	to := ff.page + "?form=" + ff.id
	if anchor != "" {
		to += "#" + url.PathEscape(anchor)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// onceFor takes what doneOnce kept for this request's ?form=, owner and page: the values
// the first time, nil ever after.
func (s *Server) onceFor(c *fiber.Ctx) map[string]string {
	id := c.Query("form")
	if len(id) != 32 {
		return nil
	}
	key := s.flashKey(c, c.Path(), id)
	ff, st := s.formFlashes.Get(key)
	if st != cache.Fresh || ff.id != id || ff.page != c.Path() || !ff.once || !ff.taken.CompareAndSwap(false, true) {
		return nil
	}
	s.formFlashes.Delete(key)
	return ff.values
}

// show puts a kept failure on its page, over the page's own values, and returns the status
// to answer with.
func (f *formFlash) show(c *fiber.Ctx, p *Page) int {
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	for k, v := range f.values {
		p.Form[k] = v
	}
	p.Errors, p.FirstError, p.Error = f.errors, f.first, f.message
	if f.status == fiber.StatusTooManyRequests && f.retryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(f.retryAfter.Seconds()+0.999)))
	}
	return f.status
}

// errorsOf lists err's field errors by field, with the first field, or else its message.
func errorsOf(err error) (fields map[string]string, first, message string) {
	fe := forum.FieldErrorsOf(err)
	if len(fe) == 0 {
		if e := forum.AsError(err); e != nil {
			message = e.Message
		}
		return nil, "", message
	}
	fields = make(map[string]string, len(fe))
	for _, e := range fe {
		fields[e.Field] = e.Message
	}
	return fields, fe[0].Field, ""
}

// formFailure answers a failed post of the admin, invitation and password reset forms the
// way formFailed does: a redirect to the form's page (the admin section's, or the GET of
// the address posted to), which render shows the failure on. p is the page as the form's
// handler drew it, for the rare failure too large to keep (drawn in place then).
func (s *Server) formFailure(c *fiber.Ctx, name string, p *Page, err error) error {
	page := c.Path()
	if av, ok := p.Data.(adminView); ok {
		page = av.Path
	}
	return s.formFailed(c, err, failedForm{page: page, values: p.Form, inPlace: func(ff *formFlash) error {
		return s.render(c, ff.show(c, p), name, p)
	}})
}
