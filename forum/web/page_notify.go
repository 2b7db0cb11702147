package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The notification pages: the inbox (grouped by day), what I follow, the mail settings,
// one-click unsubscribe and address confirmation; and the header's bell.

func init() {
	flashes["notifications"] = "Your notification settings are saved."
	flashes["read"] = "Marked as read."
	flashes["unfollowed"] = "You no longer follow it."
	flashes["followed"] = "You follow it now: you will be told of what happens."
	flashes["verify"] = "A confirmation link is on its way to your address."
	pageFuncs["modeLabel"] = modeLabel
}

// modeLabel is how the settings page names a mail mode.
func modeLabel(m forum.MailMode) string {
	return map[forum.MailMode]string{forum.MailImmediate: "Right away", forum.MailDaily: "In the daily summary",
		forum.MailWeekly: "In the weekly summary", forum.MailNever: "Never"}[m]
}

// bell is the header's unread count for u, with their topic's head read first so that
// the bell's script misses nothing. Nil when notifications are off or the count cannot
// be read (the page is drawn without a bell rather than not at all).
func (s *Server) bell(c *fiber.Ctx, u *forum.User) *Bell {
	if s.notes == nil {
		return nil
	}
	b := &Bell{Topic: forum.TopicUser(u.ID)}
	if s.events != nil && s.live != nil {
		seq, err := s.events.TopicHead(c.UserContext(), b.Topic)
		if err != nil {
			return nil
		}
		b.Seq = seq
	} else {
		b.Topic = "" // no live updates: the script has nothing to follow
	}
	n, err := s.notes.Unread(c.UserContext(), u)
	if err != nil {
		s.log.Warn("unread count", "request_id", requestID(c), "err", err)
		return nil
	}
	b.Unread = n
	return b
}

// notifyRoutes registers the notification pages (nil service: none).
func (s *Server) notifyRoutes(app fiber.Router) {
	if s.notes == nil {
		return
	}
	app.Get("/notifications", s.notificationsPage)
	app.Post("/notifications/read", s.markReadSubmit)
	app.Get("/notifications/:id/open", s.openNotification)
	app.Get("/following", s.followingPage)
	app.Post("/following", s.followSubmit)
	app.Post("/following/remove", s.unfollowSubmit)
	app.Get("/settings/notifications", s.notificationSettingsPage)
	app.Post("/settings/notifications", s.notificationSettingsSubmit)
	if s.unsubscribes != nil {
		app.Get("/unsubscribe/:token", s.unsubscribePage)
		app.Post("/unsubscribe/:token", s.unsubscribeSubmit)
	}
	if s.accountMail != nil {
		app.Get("/verify-email/:token", s.verifyEmailPage)
		app.Post("/settings/verify-email", s.sendVerificationSubmit)
	}
}

// inboxDay is one day of the inbox page.
type inboxDay struct {
	Label   string
	Notices []*forum.Notice
}

type inboxView struct {
	Days       []inboxDay
	Unread     int
	UnreadOnly bool
	Page       int
	More       bool
}

// viewerLocation is where the reader's days begin and end: their profile's time zone, else UTC.
func viewerLocation(u *forum.User) *time.Location {
	if u != nil && u.Profile != nil && u.Profile.TimeZone != "" {
		if loc, err := time.LoadLocation(u.Profile.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// groupByDay puts notices under the day they last changed, in loc, newest first.
func groupByDay(items []*forum.Notice, loc *time.Location, now time.Time) []inboxDay {
	var days []inboxDay
	today := now.In(loc).Format("2006-01-02")
	yesterday := now.In(loc).AddDate(0, 0, -1).Format("2006-01-02")
	for _, n := range items {
		t := n.UpdatedAt.In(loc)
		label := t.Format("Monday 2 January 2006")
		switch t.Format("2006-01-02") {
		case today:
			label = "Today"
		case yesterday:
			label = "Yesterday"
		}
		if len(days) == 0 || days[len(days)-1].Label != label {
			days = append(days, inboxDay{Label: label})
		}
		days[len(days)-1].Notices = append(days[len(days)-1].Notices, n)
	}
	return days
}

func (s *Server) notificationsPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	f := forum.NotificationFilter{Page: page, UnreadOnly: c.Query("unread") == "1"}
	in, err := s.notes.Inbox(c.UserContext(), v.User, f)
	if err != nil {
		return err
	}
	u, err := s.accounts.Users.UserByID(c.UserContext(), v.User.ID) // whole, for the time zone
	if err != nil {
		return err
	}
	data := inboxView{Days: groupByDay(in.Items, viewerLocation(u), s.now()), Unread: in.Unread, UnreadOnly: f.UnreadOnly,
		Page: in.Page, More: in.More}
	p := s.page(c, "Notifications", data)
	p.Flash = s.flash(c)
	return s.render(c, fiber.StatusOK, "notifications", p)
}

// markReadSubmit marks one notice (id) or all of them read, and goes back to the inbox.
func (s *Server) markReadSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	var ids []int64
	if id := c.FormValue("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return forum.Invalid("id", "invalid_id", "id must be a notification's number.")
		}
		ids = append(ids, n)
	}
	if err := s.notes.MarkRead(c.UserContext(), v.User, ids, len(ids) == 0); err != nil {
		return err
	}
	return c.Redirect("/notifications?done=read", fiber.StatusSeeOther)
}

// openNotification marks a notice read and goes to what it is about: the inbox's links
// pass through here, so reading a notice needs no script.
func (s *Server) openNotification(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	if err := s.notes.MarkRead(c.UserContext(), v.User, []int64{id}, false); err != nil {
		return err
	}
	in, err := s.notes.Inbox(c.UserContext(), v.User, forum.NotificationFilter{Page: 1, PageSize: 100})
	if err != nil {
		return err
	}
	for _, n := range in.Items {
		if n.ID == id && strings.HasPrefix(n.URL, "/") && !strings.HasPrefix(n.URL, "//") {
			return c.Redirect(n.URL, fiber.StatusSeeOther)
		}
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}

type followingView struct {
	Follows []forum.Follow
}

func (s *Server) followingPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	fs, err := s.notes.Follows(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	p := s.page(c, "Following", followingView{Follows: fs})
	p.Flash = s.flash(c)
	return s.render(c, fiber.StatusOK, "following", p)
}

// followSubmit follows (kind, target) from a page's form and goes back there.
func (s *Server) followSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	kind, target := c.FormValue("kind"), c.FormValue("target")
	if _, err := s.notes.Follow(c.UserContext(), v.User, kind, target); err != nil {
		return err
	}
	back := forum.FollowURL(forum.FollowKind(kind), target)
	if back == "" {
		back = "/following"
	}
	return c.Redirect(back+"?done=followed", fiber.StatusSeeOther)
}

func (s *Server) unfollowSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	if err := s.notes.Unfollow(c.UserContext(), v.User, c.FormValue("kind"), c.FormValue("target")); err != nil {
		return err
	}
	return c.Redirect("/following?done=unfollowed", fiber.StatusSeeOther)
}

type notificationSettingsView struct {
	Kinds  []forum.KindSetting
	Modes  []forum.MailMode
	MailOn bool
	Status *forum.MailStatus
}

func (s *Server) notificationSettingsPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	kinds, err := s.notes.MailModes(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	data := notificationSettingsView{Kinds: kinds, MailOn: s.accountMail != nil,
		Modes: []forum.MailMode{forum.MailImmediate, forum.MailDaily, forum.MailWeekly, forum.MailNever}}
	if s.mailStatus != nil {
		st, err := s.mailStatus.MailStatus(c.UserContext(), v.User.ID)
		if err != nil {
			return err
		}
		data.Status = &st
	}
	p := s.page(c, "Notification settings", data)
	p.Flash = s.flash(c)
	return s.render(c, fiber.StatusOK, "notification_settings", p)
}

func (s *Server) notificationSettingsSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	modes := map[string]string{}
	for _, k := range forum.NotificationKinds {
		if m := c.FormValue("kind_" + string(k.Kind)); m != "" {
			modes[string(k.Kind)] = m
		}
	}
	if err := s.notes.SetMailModes(c.UserContext(), v.User, modes); err != nil {
		return err
	}
	return c.Redirect("/settings/notifications?done=notifications", fiber.StatusSeeOther)
}

func (s *Server) sendVerificationSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	if err := s.accountMail.SendVerification(c.UserContext(), v.User); err != nil {
		return err
	}
	return c.Redirect("/settings/notifications?done=verify", fiber.StatusSeeOther)
}

type unsubscribeView struct {
	Token   string
	What    string
	Done    bool
	Problem string
}

// unsubscribePage shows what the link would stop and a button; it changes nothing (mail
// scanners follow links).
func (s *Server) unsubscribePage(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	p := s.page(c, "Unsubscribe", nil)
	_, kind, err := s.unsubscribes.Check(token)
	if err != nil {
		return s.unsubscribeProblem(c, p, err)
	}
	p.Data = unsubscribeView{Token: token, What: forum.UnsubscribeLabel(kind)}
	return s.renderPrivate(c, fiber.StatusOK, "unsubscribe", p)
}

// unsubscribeSubmit is the one-click unsubscribe (RFC 8058): a mail program's POST with
// the body List-Unsubscribe=One-Click, or the confirmation page's button.
func (s *Server) unsubscribeSubmit(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	p := s.page(c, "Unsubscribe", nil)
	userID, kind, err := s.unsubscribes.Check(token)
	if err != nil {
		return s.unsubscribeProblem(c, p, err)
	}
	if c.FormValue("List-Unsubscribe") != "One-Click" {
		return forum.Invalid("List-Unsubscribe", "bad_unsubscribe_body", "Send List-Unsubscribe=One-Click to unsubscribe.")
	}
	if err := s.notes.Unsubscribe(c.UserContext(), userID, kind); err != nil {
		return err
	}
	p.Data = unsubscribeView{What: forum.UnsubscribeLabel(kind), Done: true}
	return s.renderPrivate(c, fiber.StatusOK, "unsubscribe", p)
}

// unsubscribeProblem answers a link that is not valid: 400 with the page saying why (or
// the error shape, for a program).
func (s *Server) unsubscribeProblem(c *fiber.Ctx, p *Page, err error) error {
	e := forum.AsError(err)
	if e == nil || wantsJSON(c) {
		return err
	}
	p.Data = unsubscribeView{Problem: e.Message}
	return s.render(c, fiber.StatusBadRequest, "unsubscribe", p)
}

type verifyView struct {
	Email   string
	Problem string
}

// verifyEmailPage follows a confirmation link.
func (s *Server) verifyEmailPage(c *fiber.Ctx) error {
	p := s.page(c, "Confirm your address", nil)
	u, err := s.accountMail.Verify(c.UserContext(), strings.Clone(c.Params("token")))
	if err != nil {
		e := forum.AsError(err)
		if e == nil {
			return err
		}
		p.Data = verifyView{Problem: e.Message}
		return s.render(c, statusOf[e.Kind], "verify_email", p)
	}
	p.Data = verifyView{Email: u.Email}
	return s.renderPrivate(c, fiber.StatusOK, "verify_email", p)
}
