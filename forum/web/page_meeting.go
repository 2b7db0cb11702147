package web

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// Meeting pages: a collaborative's meetings (with the schedule form for leads and its
// action items), one meeting (details, agenda, notes, action items), "since the last
// meeting", the reader's own action items (/actions) and their calendar address. Every
// form works without JavaScript and answers a failure with post/redirect/get
// (formflash.go).

func (s *Server) meetingRoutes(app *fiber.App) {
	if s.meetings == nil {
		return
	}
	app.Get("/c/:slug/meetings", s.meetingsPage)
	app.Post("/c/:slug/meetings", s.scheduleSubmit)
	app.Get("/c/:slug/since-last-meeting", s.sinceLastMeetingPage)
	app.Post("/c/:slug/actions", s.actionSubmit)
	app.Get("/c/:slug/meetings/:id", s.meetingPage)
	app.Post("/c/:slug/meetings/:id/change", s.changeMeetingSubmit)
	app.Post("/c/:slug/meetings/:id/cancel", s.cancelMeetingSubmit)
	app.Post("/c/:slug/meetings/:id/agenda", s.agendaSubmit)
	app.Post("/c/:slug/meetings/:id/agenda/:item/move", s.agendaMoveSubmit)
	app.Post("/c/:slug/meetings/:id/agenda/:item/delete", s.agendaDeleteSubmit)
	app.Post("/c/:slug/meetings/:id/notes", s.notesSubmit)
	app.Post("/c/:slug/meetings/:id/actions", s.actionSubmit)
	app.Get("/actions", s.myActionsPage)
	app.Post("/actions/:id/status", s.actionStatusSubmit)
	app.Get("/settings/calendar", s.calendarPage)
	app.Post("/settings/calendar/reset", s.calendarResetSubmit)
}

// reader is the signed-in person read whole (their profile's time zone among it), or nil.
func (s *Server) reader(c *fiber.Ctx) (*forum.User, error) {
	v := viewer(c)
	if v == nil {
		return nil, nil
	}
	if v.User.Profile != nil {
		return v.User, nil
	}
	return s.accounts.User(c.UserContext(), v.User.ID)
}

// readerZone is the reader's zone from their profile, "" when they have not said.
func readerZone(u *forum.User) string {
	if u != nil && u.Profile != nil {
		return u.Profile.TimeZone
	}
	return ""
}

// spanView is a meeting's time as a page shows it: in the reader's zone, with the exact
// time in the meeting's own zone and in UTC on hover. Browser is set when the reader has
// no zone of their own: meetings.js then shows it in the browser's.
type spanView struct {
	Start, End string // RFC 3339 in UTC, for <time datetime> and the script
	Text       string
	Exact      string
	Browser    bool
}

// meetingSpan describes when m is for a reader in zone ("": the meeting's own zone, and
// the browser's once the script runs).
func meetingSpan(m *forum.Meeting, zone string) spanView {
	own := m.Zone()
	loc := own
	if l, err := time.LoadLocation(zone); zone != "" && err == nil {
		loc = l
	}
	a, b := m.StartsAt.In(loc), m.EndsAt.In(loc)
	v := spanView{Start: m.StartsAt.UTC().Format(time.RFC3339), End: m.EndsAt.UTC().Format(time.RFC3339), Browser: zone == ""}
	if a.Format("2006-01-02") == b.Format("2006-01-02") {
		v.Text = a.Format("Mon 2 Jan 2006, 15:04") + "–" + b.Format("15:04 MST")
	} else {
		v.Text = a.Format("Mon 2 Jan 2006 15:04") + " – " + b.Format("Mon 2 Jan 2006 15:04 MST")
	}
	oa, ob := m.StartsAt.In(own), m.EndsAt.In(own)
	v.Exact = oa.Format("Monday 2 January 2006 15:04") + "–" + ob.Format("15:04") + " " + m.TimeZone +
		" (" + m.StartsAt.UTC().Format("15:04") + "–" + m.EndsAt.UTC().Format("15:04 UTC") + ")"
	return v
}

// meetingRow is a meeting in a list.
type meetingRow struct {
	Meeting *forum.Meeting
	When    spanView
	Path    string
}

func meetingRows(ms []*forum.Meeting, zone string) []meetingRow {
	out := make([]meetingRow, 0, len(ms))
	for _, m := range ms {
		out = append(out, meetingRow{Meeting: m, When: meetingSpan(m, zone), Path: meetingPath(m)})
	}
	return out
}

// actionRow is an action item as a page lists it.
type actionRow struct {
	Item    *forum.ActionItem
	Overdue bool
	Due     string // "Tue 30 Nov 2026", "" when none
	Meeting string // the meeting's page, "" when on its own
}

func actionRows(items []*forum.ActionItem, today string) []actionRow {
	out := make([]actionRow, 0, len(items))
	for _, it := range items {
		r := actionRow{Item: it, Overdue: it.Overdue(today)}
		if d, err := time.Parse("2006-01-02", it.Due); err == nil {
			r.Due = d.Format("Mon 2 Jan 2006")
		}
		if it.MeetingID != 0 {
			r.Meeting = "/c/" + it.Collaborative.Slug + "/meetings/" + strconv.FormatInt(it.MeetingID, 10)
		}
		out = append(out, r)
	}
	return out
}

// groupView names the collaborative a page belongs to, and what the reader may do in it.
type groupView struct {
	Slug, Name       string
	Private          bool
	Manage, TakePart bool
}

func groupOf(a forum.CollaborativeAccess) groupView {
	return groupView{Slug: a.Collaborative.Slug, Name: a.Collaborative.Name, Private: a.Collaborative.Private(),
		Manage: a.CanManage(), TakePart: a.CanTakePart()}
}

// meetingsView is /c/{slug}/meetings.
type meetingsView struct {
	Group     groupView
	Upcoming  []meetingRow
	Past      []meetingRow
	Actions   []actionRow
	Assignees []*forum.User
	TimeZones []string
	Back      string
}

func (s *Server) meetingsPageFor(c *fiber.Ctx) (*Page, error) {
	u, err := s.reader(c)
	if err != nil {
		return nil, err
	}
	slug := c.Params("slug")
	list, err := s.meetings.List(c.UserContext(), u, slug, false)
	if err != nil {
		return nil, err
	}
	items, a, err := s.meetings.CollaborativeActions(c.UserContext(), u, slug, "")
	if err != nil {
		return nil, err
	}
	zone, now := readerZone(u), s.now()
	v := &meetingsView{Group: groupOf(a), TimeZones: forum.CommonTimeZones, Actions: actionRows(items, s.meetings.Today(u)),
		Back: "/c/" + slug + "/meetings"}
	for _, m := range list.Meetings { // newest first
		if m.EndsAt.After(now) && !m.Cancelled() {
			v.Upcoming = append([]meetingRow{meetingRows([]*forum.Meeting{m}, zone)[0]}, v.Upcoming...)
		} else {
			v.Past = append(v.Past, meetingRows([]*forum.Meeting{m}, zone)[0])
		}
	}
	if v.Assignees, err = s.meetings.Assignees(c.UserContext(), a); err != nil {
		return nil, err
	}
	p := s.page(c, "Meetings · "+a.Collaborative.Name, v)
	p.Form = map[string]string{"time_zone": zone}
	if p.Form["time_zone"] == "" {
		p.Form["time_zone"] = "America/Chicago"
	}
	p.Flash = s.flash(c)
	return p, nil
}

func (s *Server) meetingsPage(c *fiber.Ctx) error {
	p, err := s.meetingsPageFor(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "meetings", p)
}

// renamed gives err's field errors the names of the form's inputs (a page with several
// forms names their inputs apart: agenda_title, action_title).
func renamed(err error, names map[string]string) error {
	fe := forum.FieldErrorsOf(err)
	if len(fe) == 0 {
		return err
	}
	out := make(forum.FieldErrors, 0, len(fe))
	for _, e := range fe {
		if n, ok := names[e.Field]; ok {
			e = e.WithField(n)
		}
		out = append(out, e)
	}
	return out.Err()
}

// meetingFormNames are the schedule and change forms' inputs for the API's fields.
var meetingFormNames = map[string]string{"title": "meeting_title"}

// meetingFormInput reads the schedule and change forms: wall-clock times in the chosen zone.
func meetingFormInput(c *fiber.Ctx) (forum.MeetingInput, map[string]string, error) {
	values := map[string]string{}
	for _, k := range []string{"meeting_title", "starts_at", "ends_at", "time_zone", "location", "video_url", "description"} {
		values[k] = c.FormValue(k)
	}
	in := forum.MeetingInput{Title: values["meeting_title"], TimeZone: values["time_zone"], Location: values["location"],
		VideoURL: values["video_url"], Description: values["description"]}
	var fe forum.FieldErrors
	var err error
	if in.StartsAt, err = forum.LocalMeetingTime("starts_at", values["starts_at"], in.TimeZone); err != nil {
		fe.Add(err)
	}
	if in.EndsAt, err = forum.LocalMeetingTime("ends_at", values["ends_at"], in.TimeZone); err != nil {
		fe.Add(err)
	}
	return in, values, fe.Err()
}

func (s *Server) scheduleSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	slug := c.Params("slug")
	in, values, err := meetingFormInput(c)
	var m *forum.Meeting
	if err == nil {
		m, err = s.meetings.Schedule(c.UserContext(), v.User, slug, in)
	}
	if err != nil {
		values["form"] = "schedule"
		return s.formFailed(c, renamed(err, meetingFormNames), failedForm{page: "/c/" + slug + "/meetings", anchor: "schedule", values: values,
			inPlace: s.inPlace(c, "meetings", s.meetingsPageFor)})
	}
	return c.Redirect(meetingPath(m)+"?done=scheduled", fiber.StatusSeeOther)
}

// inPlace draws a page with a failure that was too large to keep (formflash.go).
func (s *Server) inPlace(c *fiber.Ctx, name string, build func(*fiber.Ctx) (*Page, error)) func(*formFlash) error {
	return func(ff *formFlash) error {
		p, err := build(c)
		if err != nil {
			return err
		}
		return s.render(c, ff.show(c, p), name, p)
	}
}

// meetingView is /c/{slug}/meetings/{id}.
type meetingView struct {
	Group     groupView
	Meeting   *forum.Meeting
	When      spanView
	Agenda    []*forum.AgendaItem
	Positions []int // 1..len(Agenda), for the leads' move forms
	Actions   []actionRow
	Assignees []*forum.User
	TimeZones []string
	ICS       string
	Path      string
	ViewerID  int64
}

// pageMeeting reads the meeting of the path for the reader: not found when the path's
// collaborative is not the meeting's.
func (s *Server) pageMeeting(c *fiber.Ctx, u *forum.User) (*forum.MeetingDetail, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.meetings.Meeting(c.UserContext(), u, id)
	if err != nil {
		return nil, err
	}
	if d.Meeting.Collaborative.Slug != c.Params("slug") {
		return nil, forum.NotFoundMeeting(id)
	}
	return d, nil
}

func (s *Server) meetingPageFor(c *fiber.Ctx) (*Page, error) {
	u, err := s.reader(c)
	if err != nil {
		return nil, err
	}
	d, err := s.pageMeeting(c, u)
	if err != nil {
		return nil, err
	}
	m := d.Meeting
	v := &meetingView{Group: groupOf(d.Access), Meeting: m, When: meetingSpan(m, readerZone(u)), Agenda: d.Agenda,
		Actions: actionRows(d.Actions, d.Today), TimeZones: forum.CommonTimeZones, ICS: meetingICSPath(m.ID), Path: meetingPath(m)}
	if u != nil {
		v.ViewerID = u.ID
	}
	for i := range d.Agenda {
		v.Positions = append(v.Positions, i+1)
	}
	if v.Assignees, err = s.meetings.Assignees(c.UserContext(), d.Access); err != nil {
		return nil, err
	}
	p := s.page(c, m.Title, v)
	own := m.Zone()
	p.Form = map[string]string{"meeting_title": m.Title, "starts_at": m.StartsAt.In(own).Format("2006-01-02T15:04"),
		"ends_at": m.EndsAt.In(own).Format("2006-01-02T15:04"), "time_zone": m.TimeZone, "location": m.Location,
		"video_url": m.VideoURL, "description": m.Description, "body": m.Notes.Text, "revision": strconv.Itoa(m.Notes.Revision)}
	p.Flash = s.flash(c)
	return p, nil
}

func (s *Server) meetingPage(c *fiber.Ctx) error {
	p, err := s.meetingPageFor(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "meeting", p)
}

// meetingFormFailed answers a failed form of the meeting page: the page again, at the form.
func (s *Server) meetingFormFailed(c *fiber.Ctx, err error, form, anchor string, values map[string]string) error {
	id, _ := paramID(c, "id")
	values["form"] = form
	page := "/c/" + c.Params("slug") + "/meetings/" + strconv.FormatInt(id, 10)
	return s.formFailed(c, err, failedForm{page: page, anchor: anchor, values: values, inPlace: s.inPlace(c, "meeting", s.meetingPageFor)})
}

// meetingAction starts a form post on a meeting page: the signed-in person and the
// meeting of the path (checked against its collaborative).
func (s *Server) meetingAction(c *fiber.Ctx) (*forum.Viewer, *forum.MeetingDetail, error) {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil, nil, nil
	}
	d, err := s.pageMeeting(c, v.User)
	return v, d, err
}

// backTo redirects to a meeting page's section after a form succeeded.
func backTo(c *fiber.Ctx, m *forum.Meeting, done, anchor string) error {
	to := meetingPath(m)
	if done != "" {
		to += "?done=" + done
	}
	if anchor != "" {
		to += "#" + anchor
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (s *Server) changeMeetingSubmit(c *fiber.Ctx) error {
	v, d, err := s.meetingAction(c)
	if v == nil || err != nil {
		return err
	}
	in, values, err := meetingFormInput(c)
	if err == nil {
		_, err = s.meetings.Update(c.UserContext(), v.User, d.Meeting.ID, forum.MeetingUpdate{Title: &in.Title, StartsAt: &in.StartsAt,
			EndsAt: &in.EndsAt, TimeZone: &in.TimeZone, Location: &in.Location, VideoURL: &in.VideoURL, Description: &in.Description})
	}
	if err != nil {
		return s.meetingFormFailed(c, renamed(err, meetingFormNames), "change", "change", values)
	}
	return backTo(c, d.Meeting, "meetingchanged", "")
}

func (s *Server) cancelMeetingSubmit(c *fiber.Ctx) error {
	v, d, err := s.meetingAction(c)
	if v == nil || err != nil {
		return err
	}
	if _, err := s.meetings.Cancel(c.UserContext(), v.User, d.Meeting.ID); err != nil {
		return s.meetingFormFailed(c, err, "cancel", "change", map[string]string{})
	}
	return backTo(c, d.Meeting, "meetingcancelled", "")
}

var agendaFormNames = map[string]string{"title": "agenda_title", "note": "agenda_note"}

func (s *Server) agendaSubmit(c *fiber.Ctx) error {
	v, d, err := s.meetingAction(c)
	if v == nil || err != nil {
		return err
	}
	values := map[string]string{"agenda_title": c.FormValue("agenda_title"), "agenda_note": c.FormValue("agenda_note")}
	if _, err := s.meetings.ProposeAgenda(c.UserContext(), v.User, d.Meeting.ID,
		forum.AgendaInput{Title: values["agenda_title"], Note: values["agenda_note"]}); err != nil {
		return s.meetingFormFailed(c, renamed(err, agendaFormNames), "agenda", "agenda", values)
	}
	return backTo(c, d.Meeting, "", "agenda")
}

// agendaItemID is the :item of the path.
func agendaItemID(c *fiber.Ctx) (int64, error) { return paramID(c, "item") }

func (s *Server) agendaMoveSubmit(c *fiber.Ctx) error {
	v, d, err := s.meetingAction(c)
	if v == nil || err != nil {
		return err
	}
	item, err := agendaItemID(c)
	if err != nil {
		return err
	}
	pos, convErr := strconv.Atoi(c.FormValue("position"))
	if convErr != nil {
		pos = 0 // refused by the rule, in its words
	}
	if _, err := s.meetings.UpdateAgenda(c.UserContext(), v.User, item, forum.AgendaUpdate{Position: &pos}); err != nil {
		return s.meetingFormFailed(c, err, "move", "agenda", map[string]string{"on": strconv.FormatInt(item, 10)})
	}
	return backTo(c, d.Meeting, "", "agenda")
}

func (s *Server) agendaDeleteSubmit(c *fiber.Ctx) error {
	v, d, err := s.meetingAction(c)
	if v == nil || err != nil {
		return err
	}
	item, err := agendaItemID(c)
	if err != nil {
		return err
	}
	if err := s.meetings.DeleteAgenda(c.UserContext(), v.User, item); err != nil {
		return s.meetingFormFailed(c, err, "move", "agenda", map[string]string{"on": strconv.FormatInt(item, 10)})
	}
	return backTo(c, d.Meeting, "", "agenda")
}

func (s *Server) notesSubmit(c *fiber.Ctx) error {
	v, d, err := s.meetingAction(c)
	if v == nil || err != nil {
		return err
	}
	values := map[string]string{"body": c.FormValue("body"), "revision": c.FormValue("revision")}
	base, convErr := strconv.Atoi(values["revision"])
	if convErr != nil {
		base = -1
	}
	if _, err := s.meetings.SaveNotes(c.UserContext(), v.User, d.Meeting.ID, values["body"], base); err != nil {
		if forum.IsKind(err, forum.EConflict) {
			// Keep what they typed, but over the revision now stored: saving again
			// replaces the other person's notes knowingly.
			values["revision"] = strconv.Itoa(d.Meeting.Notes.Revision)
		}
		return s.meetingFormFailed(c, err, "notes", "notes", values)
	}
	return backTo(c, d.Meeting, "notes", "notes")
}

var actionFormNames = map[string]string{"title": "action_title"}

func (s *Server) actionSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	slug := c.Params("slug")
	values := map[string]string{"action_title": c.FormValue("action_title"), "assignee_id": c.FormValue("assignee_id"),
		"due": c.FormValue("due")}
	in := forum.ActionInput{Title: values["action_title"], Due: values["due"]}
	var err error
	if values["assignee_id"] != "" {
		if in.AssigneeID, err = strconv.ParseInt(values["assignee_id"], 10, 64); err != nil {
			in.AssigneeID = -1 // refused by the rule, in its words
		}
	}
	// From a meeting's page the path names the meeting; from the group's meetings page
	// the item is on its own.
	page, name, build := "/c/"+slug+"/meetings", "meetings", s.meetingsPageFor
	if c.Params("id") != "" {
		d, err := s.pageMeeting(c, v.User)
		if err != nil {
			return err
		}
		in.MeetingID = d.Meeting.ID
		page, name, build = meetingPath(d.Meeting), "meeting", s.meetingPageFor
	}
	if _, err := s.meetings.CreateAction(c.UserContext(), v.User, slug, in); err != nil {
		values["form"] = "action"
		return s.formFailed(c, renamed(err, actionFormNames), failedForm{page: page, anchor: "actions", values: values,
			inPlace: s.inPlace(c, name, build)})
	}
	return c.Redirect(page+"?done=action#actions", fiber.StatusSeeOther)
}

func (s *Server) actionStatusSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	status := c.FormValue("status")
	back := safeNext(c.FormValue("back"))
	if _, err := s.meetings.UpdateAction(c.UserContext(), v.User, id, forum.ActionItemUpdate{Status: &status}); err != nil {
		if e := forum.AsError(err); e == nil || e.Kind == forum.ENotFound || e.Kind == forum.EInternal {
			return err
		}
		path, _, _ := strings.Cut(back, "?")
		return s.formFailed(c, err, failedForm{page: path, anchor: "actions", values: map[string]string{"form": "status"},
			inPlace: func(ff *formFlash) error { return err }})
	}
	u, perr := url.Parse(back)
	if perr != nil {
		return c.Redirect("/actions", fiber.StatusSeeOther)
	}
	q := u.Query()
	q.Set("done", "action"+status)
	u.RawQuery = q.Encode()
	return c.Redirect(u.String()+"#actions", fiber.StatusSeeOther)
}

// myActionsView is /actions.
type myActionsView struct {
	Actions []actionRow
	Back    string
}

func (s *Server) myActionsPage(c *fiber.Ctx) error {
	if _, ok := requirePageViewer(c); !ok {
		return nil
	}
	u, err := s.reader(c)
	if err != nil {
		return err
	}
	items, today, err := s.meetings.MyActions(c.UserContext(), u)
	if err != nil {
		return err
	}
	p := s.page(c, "My action items", myActionsView{Actions: actionRows(items, today), Back: "/actions"})
	p.Flash = s.flash(c)
	return s.render(c, fiber.StatusOK, "actions", p)
}

// sinceView is /c/{slug}/since-last-meeting.
type sinceView struct {
	Group  groupView
	Since  *forum.SinceLastMeeting
	Last   *meetingRow
	From   string
	Opened []actionRow
	Closed []actionRow
	Back   string
	Quiet  bool // nothing happened: the page says so once
}

func (s *Server) sinceLastMeetingPage(c *fiber.Ctx) error {
	u, err := s.reader(c)
	if err != nil {
		return err
	}
	d, err := s.meetings.SinceLastMeeting(c.UserContext(), u, c.Params("slug"))
	if err != nil {
		return err
	}
	v := sinceView{Group: groupOf(d.Access), Since: d, Opened: actionRows(d.ActionsOpened, d.Today),
		Closed: actionRows(d.ActionsClosed, d.Today), Back: "/c/" + d.Access.Collaborative.Slug + "/since-last-meeting"}
	loc := time.UTC
	if l, err := time.LoadLocation(readerZone(u)); readerZone(u) != "" && err == nil {
		loc = l
	}
	v.From = d.Since.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
	if d.Meeting != nil {
		r := meetingRows([]*forum.Meeting{d.Meeting}, readerZone(u))[0]
		v.Last = &r
	}
	v.Quiet = len(d.Channels)+len(d.NewQuestions)+len(d.AnsweredQuestions)+len(d.ActionsOpened)+len(d.ActionsClosed) == 0
	return s.render(c, fiber.StatusOK, "since", s.page(c, "Since the last meeting · "+d.Access.Collaborative.Name, v))
}

// calendarView is /settings/calendar.
type calendarView struct{ URL string }

func (s *Server) calendarPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	key, err := s.meetings.CalendarKey(c.UserContext(), v.User, false)
	if err != nil {
		return err
	}
	p := s.page(c, "Your calendar", calendarView{URL: s.calendarURL(key)})
	p.Flash = s.flash(c)
	return s.renderPrivate(c, fiber.StatusOK, "calendar", p)
}

func (s *Server) calendarResetSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	if _, err := s.meetings.CalendarKey(c.UserContext(), v.User, true); err != nil {
		return err
	}
	return c.Redirect("/settings/calendar?done=calendarreset", fiber.StatusSeeOther)
}

// meetingsOverviewView is the "meetings-overview" fragment (_meetings.html) a
// collaborative's home shows: its next meeting and open action items.
type meetingsOverviewView struct {
	Group   groupView
	Next    *meetingRow
	Actions []actionRow
	Back    string
}

// meetingsOverview returns the data of the "meetings-overview" template for a
// collaborative's home page, whose handler has read the reader's access; nil when the
// site serves no meetings. Returns not found when the reader may not see inside.
func (s *Server) meetingsOverview(c *fiber.Ctx, a forum.CollaborativeAccess) (*meetingsOverviewView, error) {
	if s.meetings == nil {
		return nil, nil
	}
	u, err := s.reader(c)
	if err != nil {
		return nil, err
	}
	a.Viewer = u
	o, err := s.meetings.Overview(c.UserContext(), a)
	if err != nil {
		return nil, err
	}
	v := &meetingsOverviewView{Group: groupOf(a), Actions: actionRows(o.OpenActions, o.Today), Back: "/c/" + a.Collaborative.Slug}
	if o.Next != nil {
		r := meetingRows([]*forum.Meeting{o.Next}, readerZone(u))[0]
		v.Next = &r
	}
	return v, nil
}

// actionListView is what the "action-list" template draws.
type actionListView struct {
	P                      *Page
	Rows                   []actionRow
	Back                   string // where the done/reopen forms return
	ShowGroup, ShowMeeting bool
	Empty                  string
}

// actionFormView is what the "action-form" template draws.
type actionFormView struct {
	P         *Page
	Action    string
	Assignees []*forum.User
	MaxTitle  int
}

// meetingFieldsView is what the "meeting-fields" template draws.
type meetingFieldsView struct {
	P     *Page
	Zones []string
}

// overviewView is what the "meetings-overview" template draws.
type overviewView struct {
	P *Page
	V *meetingsOverviewView
}

// meetingFuncs are the meeting pages' template helpers: they pack a fragment's data.
var meetingFuncs = template.FuncMap{
	"actionsOf": func(p *Page, rows []actionRow, back string, showGroup, showMeeting bool, empty string) actionListView {
		return actionListView{P: p, Rows: rows, Back: back, ShowGroup: showGroup, ShowMeeting: showMeeting, Empty: empty}
	},
	"actionForm": func(p *Page, action string, assignees []*forum.User) actionFormView {
		return actionFormView{P: p, Action: action, Assignees: assignees, MaxTitle: forum.MaxActionTitleLen}
	},
	"meetingFields": func(p *Page, zones []string) meetingFieldsView { return meetingFieldsView{P: p, Zones: zones} },
	"overviewOn":    func(p *Page, v *meetingsOverviewView) overviewView { return overviewView{P: p, V: v} },
	"meetingTimeField": func(p *Page, name, label string) meetingTimeView {
		return meetingTimeView{P: p, Name: name, Label: label}
	},
	"localTimeValue": func(s string) string { return inputValue(s, "2006-01-02T15:04", "2006-01-02T15:04:05") },
	"dateValue":      func(s string) string { return inputValue(s, "2006-01-02") },
}

// meetingTimeView is what the "meeting-time" template draws.
type meetingTimeView struct {
	P           *Page
	Name, Label string
}

// inputValue returns s when it is a value a date or datetime-local input can hold (HTML's
// valid date string, and local date and time string) in one of layouts, else "": the
// input could not show anything else.
func inputValue(s string, layouts ...string) string {
	for _, l := range layouts {
		if _, err := time.Parse(l, s); err == nil {
			return s
		}
	}
	return ""
}
