package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/moderation"
)

// Page is what every template gets: the site, the viewer, and the page's own data.
type Page struct {
	Site   string
	Title  string
	Path   string
	Viewer *forum.User
	CSRF   string
	Flash  string
	Data   any
	// Form and Errors re-fill a form that failed, with each error beside its field.
	Form   map[string]string
	Errors map[string]string
	// Error is the page-level message of a failed form or of an error page.
	Error string
	// Live names the topic the page's script follows, and its head when the page's data
	// was read: the script subscribes with since set to it and misses nothing.
	Live *LiveTopic
}

// LiveTopic is a page's live-update topic and the seq its data is current to.
type LiveTopic struct {
	Topic string
	Seq   int64
}

// liveHead reads a topic's head for a page, before the page's data. Without live updates,
// or if the head cannot be read, the page is simply not live.
func (s *Server) liveHead(c *fiber.Ctx, topic string) *LiveTopic {
	if s.events == nil || s.live == nil {
		return nil
	}
	seq, err := s.events.TopicHead(c.UserContext(), topic)
	if err != nil {
		s.log.Warn("page live head", "topic", topic, "err", err)
		return nil
	}
	return &LiveTopic{Topic: topic, Seq: seq}
}

// pageFuncs are the helpers every template may call.
var pageFuncs = template.FuncMap{
	"profilePath":  profilePath,
	"questionPath": questionPath,
	"tagPath":      tagPath,
	"add":          func(a, b int) int { return a + b },
	"safe":         moderation.SafeHTML,
	"date":         func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago":          ago,
	"agent":        shortAgent,
	"count":        count,
	"field": func(p *Page, name, label, typ, autocomplete, hint string) formField {
		return formField{P: p, Name: name, Label: label, Type: typ, Autocomplete: autocomplete, Hint: hint}
	},
	"initial": func(s string) string {
		for _, r := range s {
			return strings.ToUpper(string(r))
		}
		return "?"
	},
}

// templateFuncs returns the page helpers together with the question page's.
func templateFuncs() template.FuncMap {
	all := template.FuncMap{}
	for _, m := range []map[string]any{pageFuncs, questionFuncs, directoryFuncs} {
		for k, v := range m {
			all[k] = v
		}
	}
	return all
}

// formField is one labelled input of a form, as the "input" template draws it.
type formField struct {
	P                                     *Page
	Name, Label, Type, Autocomplete, Hint string
	Required                              bool
}

// profilePath is the canonical address of a person's profile.
func profilePath(u *forum.User) string {
	return "/users/" + strconv.FormatInt(u.ID, 10) + "/" + url.PathEscape(u.Username)
}

// tagPath is a tag's page; tags may hold # and +, which must be escaped in a path.
func tagPath(name string) string { return "/tags/" + url.PathEscape(name) }

// count says how many of a thing there are in English: "1 answer", "3 answers", "0 answers".
// It takes any integer type the templates hold.
func count(n any, one, many string) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case int32:
		v = int64(x)
	}
	if v == 1 || v == -1 {
		return strconv.FormatInt(v, 10) + " " + one
	}
	return strconv.FormatInt(v, 10) + " " + many
}

// ago says how long ago t was, the way people say it.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.UTC().Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// page starts the Page for a request.
func (s *Server) page(c *fiber.Ctx, title string, data any) *Page {
	p := &Page{Site: s.cfg.SiteName, Title: title, Path: c.Path(), Data: data}
	if v := viewer(c); v != nil {
		p.Viewer = v.User
		if v.Session != nil {
			p.CSRF = v.Session.CSRFToken
		}
	}
	return p
}

// render writes the named page with the given status.
func (s *Server) render(c *fiber.Ctx, status int, name string, p *Page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if p.Viewer != nil {
		c.Set(fiber.HeaderCacheControl, "no-store") // it holds their CSRF token, maybe more
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache, private")
	}
	return c.Status(status).Send(buf.Bytes())
}

// renderError shows the friendly error page.
func (s *Server) renderError(c *fiber.Ctx, status int, e *forum.Error) error {
	p := s.page(c, errorTitle(status), nil)
	p.Error = e.Message
	p.Data = status
	if err := s.render(c, status, "error", p); err != nil {
		s.log.Error("render error page", "err", err)
		return c.Status(status).SendString(e.Message)
	}
	return nil
}

func errorTitle(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "Page not found"
	case fiber.StatusUnauthorized:
		return "Please sign in"
	case fiber.StatusForbidden:
		return "Not allowed"
	case fiber.StatusTooManyRequests:
		return "Slow down"
	case fiber.StatusInternalServerError:
		return "Something went wrong"
	}
	return "That did not work"
}

// formFailure re-renders a form page with the error beside its field. Errors that are not
// about the input (a fault, a rate limit with its header) go to the one error handler.
func (s *Server) formFailure(c *fiber.Ctx, name string, p *Page, err error) error {
	e := forum.AsError(err)
	if e == nil || e.Kind == forum.EInternal {
		return err
	}
	if e.Kind == forum.ERateLimited && e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	if e.Field != "" {
		p.Errors[e.Field] = e.Message
	} else {
		p.Error = e.Message
	}
	return s.render(c, statusOf[e.Kind], name, p)
}

// safeNext returns a local path to go to after signing in, refusing anything that would
// leave the site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become
	// "//evil.example": refuse every control character and space outright.
	for i := 0; i < len(next); i++ {
		if next[i] <= 0x20 || next[i] == 0x7f {
			return "/"
		}
	}
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// flashes are the fixed messages a redirect may ask a page to show (?done=...), so no
// request can make the site display text of its choosing.
var flashes = map[string]string{
	"welcome":   "Welcome to Staffroom! Your account is ready.",
	"signedin":  "You are signed in.",
	"signedout": "You are signed out.",
	"profile":   "Your profile is saved.",
	"password":  "Your password is changed; every other session has been signed out.",
	"session":   "That session is signed out.",
	"token":     "The token is revoked.",
	"described": "The tag's description is saved.",
}

func flash(c *fiber.Ctx) string { return flashes[c.Query("done")] }
