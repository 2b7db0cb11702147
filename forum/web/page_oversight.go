package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The moderators' pages for standing and the audit log (/moderation/audit, a person's
// moderation history with the suspend form at /users/{id}/moderation), the admins' spam
// lists (/admin/spam), and the routes of their APIs. Every form works without JavaScript.

func (s *Server) oversightAPIRoutes(api fiber.Router) {
	api.Patch("/comments/:id", s.apiEditComment)
	api.Delete("/comments/:id", s.apiDeleteComment)
	api.Get("/comments/:id/revisions", s.apiCommentRevisions)
	if s.oversight != nil {
		api.Post("/moderation/users/:id/suspend", s.apiSuspend)
		api.Delete("/moderation/users/:id/suspend", s.apiLiftSuspension)
		api.Get("/moderation/audit", s.apiAudit)
	}
	if s.spam != nil {
		api.Get("/admin/spam", s.apiSpamLists)
		api.Put("/admin/spam", s.apiSetSpamLists)
	}
}

func (s *Server) oversightRoutes(app fiber.Router) {
	app.Post("/comments/:id/edit", s.commentEditSubmit)
	app.Post("/comments/:id/delete", s.commentDeleteSubmit)
	if s.oversight != nil {
		app.Get("/moderation/audit", s.auditPage)
		app.Get("/users/:id/moderation", s.personModerationPage)
		app.Post("/users/:id/suspend", s.suspendSubmit)
		app.Post("/users/:id/unsuspend", s.unsuspendSubmit)
	}
	if s.spam != nil {
		app.Get("/admin/spam", s.adminSpamPage)
		app.Post("/admin/spam", s.adminSpamSubmit)
	}
}

// SuspensionNotice is what the banner on every page tells a suspended person.
type SuspensionNotice struct {
	Until  time.Time
	Reason string
}

// suspensionNotice is the viewer's suspension in force, or nil.
func suspensionNotice(u *forum.User, now time.Time) *SuspensionNotice {
	if u == nil || !u.Suspended(now) {
		return nil
	}
	return &SuspensionNotice{Until: *u.SuspendedUntil, Reason: u.SuspendReason}
}

// moderatorPage starts a moderators' page: an anonymous visitor is sent to sign in (p
// nil, err nil), anyone else but a moderator gets 403.
func (s *Server) moderatorPage(c *fiber.Ctx, title string, data any) (*forum.Viewer, *Page, error) {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil, nil, nil
	}
	if err := forum.CheckModerator(v.User); err != nil {
		return nil, nil, err
	}
	p := s.page(c, title, data)
	p.Form = map[string]string{}
	return v, p, nil
}

// auditView is the audit log page's data.
type auditView struct {
	Rows    []*forum.AuditRow
	Next    string // the query of the next page, "" when none
	CSV     string // the export's address for these filters
	Filters url.Values
}

func (s *Server) auditPage(c *fiber.Ctx) error {
	v, p, err := s.moderatorPage(c, "Audit log", nil)
	if p == nil {
		return err
	}
	data := auditView{Filters: url.Values{}}
	for _, k := range []string{"actor", "target", "action"} {
		if val := strings.TrimSpace(c.Query(k)); val != "" {
			p.Form[k] = val
			data.Filters.Set(k, val)
		}
	}
	data.CSV = "/api/v1/moderation/audit?" + withParam(data.Filters, "format", "csv").Encode()
	p.Data = &data
	f, err := s.auditFilter(c)
	if err == nil {
		var page *forum.AuditPage
		if page, err = s.oversight.AuditLog(c.UserContext(), v.User, f); err == nil {
			data.Rows = page.Items
			if page.Next != nil {
				data.Next = "/moderation/audit?" + withParam(data.Filters, "before", page.Next.String()).Encode()
			}
			return s.render(c, fiber.StatusOK, "audit", p)
		}
	}
	e := forum.AsError(err)
	if e == nil || e.Kind != forum.EInvalid {
		return err
	}
	p.Error = "These filters cannot be used: " + e.Message
	return s.render(c, fiber.StatusBadRequest, "audit", p)
}

// withParam is a copy of v with key set.
func withParam(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, value)
	return out
}

// personModerationView is a person's moderation page's data.
type personModerationView struct {
	History    *forum.PersonHistory
	Suspension *SuspensionNotice
	CanSuspend bool // the viewer may suspend this person (admins: anyone but themselves)
	Durations  []suspendDuration
}

type suspendDuration struct {
	Days  int
	Label string
}

var suspendDurations = []suspendDuration{{1, "1 day"}, {3, "3 days"}, {7, "7 days"}, {30, "30 days"}, {365, "1 year"}}

// suspendFlashes are the messages after a suspension form.
var suspendFlashes = map[string]string{
	"suspended":   "The person is suspended: they can read, not write, and see why and until when.",
	"unsuspended": "The suspension is lifted.",
}

func (s *Server) personModerationPage(c *fiber.Ctx) error {
	v, p, err := s.moderatorPage(c, "Moderation history", nil)
	if p == nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return s.renderPersonModeration(c, v, p, id, fiber.StatusOK)
}

func (s *Server) renderPersonModeration(c *fiber.Ctx, v *forum.Viewer, p *Page, id int64, status int) error {
	h, err := s.oversight.History(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	p.Title = "Moderation: " + h.Person.DisplayName
	p.Flash = suspendFlashes[c.Query("done")]
	if p.Form["days"] == "" {
		p.Form["days"] = "7"
	}
	p.Data = &personModerationView{History: h, Suspension: suspensionNotice(h.Person, s.now()), Durations: suspendDurations,
		CanSuspend: h.Person.ID != v.User.ID && (!h.Person.Role.IsModerator() || v.User.Role == forum.RoleAdmin)}
	return s.render(c, status, "person_moderation", p)
}

// suspendSubmit: the suspend form (days, reason) of a person's moderation page.
func (s *Server) suspendSubmit(c *fiber.Ctx) error {
	v, p, err := s.moderatorPage(c, "Moderation history", nil)
	if p == nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	p.Form["days"], p.Form["reason"] = c.FormValue("days"), c.FormValue("reason")
	days, derr := strconv.Atoi(p.Form["days"])
	if derr != nil || days < 1 || days > 3650 {
		err = forum.Invalid("days", "bad_days", "Choose how many days the suspension lasts.")
	} else {
		_, err = s.oversight.Suspend(c.UserContext(), v.User, id, s.now().Add(time.Duration(days)*24*time.Hour), p.Form["reason"])
	}
	if err != nil {
		if e := forum.AsError(err); e == nil || e.Kind != forum.EInvalid {
			return err
		}
		return s.formFailed(c, err, failedForm{page: "/users/" + idStr(id) + "/moderation", values: p.Form, inPlace: func(ff *formFlash) error {
			return s.renderPersonModeration(c, v, p, id, ff.show(c, p))
		}})
	}
	return c.Redirect("/users/"+idStr(id)+"/moderation?done=suspended", fiber.StatusSeeOther)
}

func (s *Server) unsuspendSubmit(c *fiber.Ctx) error {
	v, p, err := s.moderatorPage(c, "Moderation history", nil)
	if p == nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.oversight.Lift(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.Redirect("/users/"+idStr(id)+"/moderation?done=unsuspended", fiber.StatusSeeOther)
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// The admins' spam lists.

func (s *Server) apiSpamLists(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	l, err := s.spam.Lists(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	return c.JSON(presentSpamLists(l))
}

func presentSpamLists(l *forum.SpamListsView) fiber.Map {
	return fiber.Map{"words": l.Words, "domains": l.Domains, "spam_domains": l.SpamDomains}
}

// apiSetSpamLists: PUT /api/v1/admin/spam {words?, domains?}: each list given replaces
// the admins' list of that kind.
func (s *Server) apiSetSpamLists(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if err := forum.CheckAdmin(v.User); err != nil {
		return err
	}
	var in struct {
		Words   []string `json:"words"`
		Domains []string `json:"domains"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	l, err := s.spam.SetLists(c.UserContext(), v.User, in.Words, in.Domains)
	if err != nil {
		return err
	}
	return c.JSON(presentSpamLists(l))
}

func (s *Server) adminSpamPage(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/spam", "Admin: spam", nil)
	if p == nil {
		return err
	}
	l, err := s.spam.Lists(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	p.Form["words"], p.Form["domains"] = strings.Join(l.Words, "\n"), strings.Join(l.Domains, "\n")
	p.Data = adminView{Path: "/admin/spam", Sections: adminSections, Data: l}
	return s.render(c, fiber.StatusOK, "admin_spam", p)
}

func (s *Server) adminSpamSubmit(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/spam", "Admin: spam", nil)
	if p == nil {
		return err
	}
	p.Form["words"], p.Form["domains"] = c.FormValue("words"), c.FormValue("domains")
	if _, err := s.spam.SetLists(c.UserContext(), v.User, strings.Split(p.Form["words"], "\n"), strings.Split(p.Form["domains"], "\n")); err != nil {
		l, lerr := s.spam.Lists(c.UserContext(), v.User)
		if lerr != nil {
			return lerr
		}
		p.Data = adminView{Path: "/admin/spam", Sections: adminSections, Data: l}
		return s.formFailure(c, "admin_spam", p, err)
	}
	return c.Redirect("/admin/spam?done=spam", fiber.StatusSeeOther)
}
