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
	// Form and Errors re-fill a form that failed, with each error beside its field;
	// FirstError names the first field at fault, which gets the focus.
	Form       map[string]string
	Errors     map[string]string
	FirstError string
	// Error is the page-level message of a failed form or of an error page.
	Error string
	// Live names the topic the page's script follows, and its head when the page's data
	// was read: the script subscribes with since set to it and misses nothing.
	Live *LiveTopic
	// AdminWelcome tells the site's first account, just signed up, that it runs the site.
	AdminWelcome bool
	// Moderator: the header links the moderation dashboard, with ModQueue, the open review
	// items (counted at most every few seconds: forum.Moderation.Counts).
	Moderator bool
	ModQueue  int
	// Suspension is the viewer's suspension in force: every page says why and until when.
	Suspension *SuspensionNotice
	// Bell is the header's notification bell (nil: nobody signed in, or no notifications).
	Bell *Bell
}

// Bell is the unread count in the header, live over the person's own topic from Seq.
type Bell struct {
	Unread int
	Topic  string
	Seq    int64
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
	"flagReasons":    forum.FlagReasons,
	"flagReasonText": func(r string) string { return forum.FlagReasonText[r] },
	"queueActions":   forum.QueueActions,
	"profilePath":    profilePath,
	"questionPath":   questionPath,
	"tagPath":        tagPath,
	"postTagPath":    postTagPath,
	"add":            func(a, b int) int { return a + b },
	"safe":           moderation.SafeHTML,
	"date":           func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime":       func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"iso":            func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago":            ago,
	"agent":          shortAgent,
	"count":          count,
	"field": func(p *Page, name, label, typ, autocomplete, hint string) formField {
		return formField{P: p, Name: name, Label: label, Type: typ, Autocomplete: autocomplete, Hint: hint,
			fieldRule: fieldRules[name]}
	},
	"limit":  func(name string) int { return textLimits[name] },
	"formOn": formOn,
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
	for _, m := range []map[string]any{pageFuncs, questionFuncs, directoryFuncs, moderationFuncs, channelFuncs, meetingFuncs} {
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
	fieldRule
}

// fieldRule is the part of a field's rules a browser can check as it is typed, so that
// site.js can take a field's error away once the field is right (the forms are sent
// novalidate: the server's check is the one that counts, in its own words). Match names
// the field this one must repeat.
type fieldRule struct {
	Required       bool
	MinLen, MaxLen int
	Pattern, Match string
}

// fieldRules are the browser-checkable rules of the inputs the "input" template draws, by
// name, from the forum's own limits.
var fieldRules = map[string]fieldRule{
	"username":             {Required: true, MinLen: forum.MinUsernameLen, MaxLen: forum.MaxUsernameLen, Pattern: `[A-Za-z0-9_.\-]+`},
	"display_name":         {MaxLen: forum.MaxDisplayNameLen},
	"email":                {Required: true, MaxLen: forum.MaxEmailLen},
	"password":             {Required: true},
	"password_confirm":     {Required: true, Match: "password"},
	"login":                {Required: true},
	"current_password":     {Required: true},
	"new_password":         {Required: true, MinLen: forum.MinPasswordLen},
	"new_password_confirm": {Required: true, Match: "new_password"},
	"title":                {Required: true, MinLen: forum.MinTitleLen, MaxLen: forum.MaxTitleLen},
	"summary":              {MaxLen: forum.MaxSummaryLen},
	"name":                 {Required: true, MaxLen: forum.MaxTokenNameLen},
}

// textLimits are the lengths the hand-written text areas state (minlength, maxlength).
var textLimits = map[string]int{
	"body.min":    forum.MinBodyLen,
	"comment.min": forum.MinCommentLen,
	"comment.max": forum.MaxCommentLen,
}

// pageForm is one of the forms of a page that has several (the question page's answer,
// comment, close and post forms): when it is the one whose failure the page shows,
// Failed is set with what was typed and the errors; else it is empty.
type pageForm struct {
	Failed         bool
	Values, Errors map[string]string
	Message, First string
}

// formOn returns the failure on p of the form named form acting on ids (the values "on"
// and then "parent" it was sent with), or nothing when another form failed.
func formOn(p *Page, form string, ids ...int64) pageForm {
	if p == nil || p.Form["form"] != form {
		return pageForm{}
	}
	for i, key := range []string{"on", "parent"}[:min(len(ids), 2)] {
		if p.Form[key] != strconv.FormatInt(ids[i], 10) {
			return pageForm{}
		}
	}
	return pageForm{Failed: true, Values: p.Form, Errors: p.Errors, Message: p.Error, First: p.FirstError}
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
	p := &Page{Site: s.site().SiteName, Title: title, Path: c.Path(), Data: data}
	if v := viewer(c); v != nil {
		p.Viewer = v.User
		if v.Session != nil {
			p.CSRF = v.Session.CSRFToken
		}
		// Only the first account is an admin the moment it signs up (NewAccountRole).
		p.AdminWelcome = v.User.Role == forum.RoleAdmin && c.Query("done") == "welcome"
		if s.moderation != nil && v.User.Role.IsModerator() {
			p.Moderator = true
			counts, err := s.moderation.Counts(c.UserContext(), v.User)
			if err != nil {
				s.log.Warn("queue counts", "err", err)
			}
			for _, n := range counts {
				p.ModQueue += n
			}
		}
		p.Suspension = suspensionNotice(v.User, s.now())
		p.Bell = s.bell(c, v.User)
	}
	return p
}

// render writes the named page with the given status.
func (s *Server) render(c *fiber.Ctx, status int, name string, p *Page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if c.Method() == fiber.MethodGet {
		// A failed form's redirect lands here (formflash.go): the page shows what was sent
		// and why it failed, with the failure's status, whichever handler drew it.
		if ff := s.formFlashFor(c); ff != nil {
			status = ff.show(c, p)
		}
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
// request can make the site display text of its choosing. {site} stands for the site's
// name.
var flashes = map[string]string{
	"welcome":    "Welcome to {site}! Your account is ready.",
	"signedin":   "You are signed in.",
	"signedout":  "You are signed out.",
	"profile":    "Your profile is saved.",
	"password":   "Your password is changed; every other session has been signed out.",
	"session":    "That session is signed out.",
	"token":      "The token is revoked.",
	"described":  "The tag's description is saved.",
	"asked":      "Your question is posted.",
	"answered":   "Your answer is posted.",
	"edited":     "Your edit is saved.",
	"suggested":  "Your edit is suggested: a reviewer will look at it.",
	"flagged":    "Thank you: your flag is with the moderators. Your flags page shows its outcome.",
	"moderated":  "Done; the audit log has it.",
	"deleted":    "The post is deleted.",
	"undeleted":  "The post is restored.",
	"rollback":   "The post is rolled back to that revision.",
	"closevote":  "Your vote to close is counted.",
	"closed":     "The question is closed.",
	"reopenvote": "Your vote to reopen is counted.",
	"reopened":   "The question is reopened.",
	"reset":      "Your new password is set, and every other sign-in of your account has ended. Sign in with it.",
	// Meetings (page_meeting.go).
	"scheduled":        "The meeting is scheduled.",
	"meetingchanged":   "The meeting is changed; calendars that imported it get the new version.",
	"meetingcancelled": "The meeting is cancelled.",
	"notes":            "The notes are saved.",
	"action":           "The action item is added.",
	"actiondone":       "The action item is marked done.",
	"actionopen":       "The action item is open again.",
	"calendarreset":    "Your calendar has a new address; the old one no longer works.",
}

// flash is the message a request's ?done= names, as it stands in the flashes table: what
// cache keys hold (s.flash is the text a page shows).
func flash(c *fiber.Ctx) string { return flashes[c.Query("done")] }

// flash is the message a request's ?done= names, in this site's words.
func (s *Server) flash(c *fiber.Ctx) string {
	return strings.ReplaceAll(flash(c), "{site}", s.cfg.SiteName)
}
