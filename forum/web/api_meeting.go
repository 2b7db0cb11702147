package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The meetings API: meetings of a collaborative, their agendas and notes, action items,
// each person's action items and calendar feed, and "since the last meeting". Rules are
// forum.Meetings'; everything inside a private collaborative answers 404 to non-members.

func (s *Server) meetingAPIRoutes(api fiber.Router) {
	if s.meetings == nil {
		return
	}
	api.Get("/collaboratives/:slug/meetings", s.apiMeetings)
	api.Post("/collaboratives/:slug/meetings", s.idempotent, s.apiScheduleMeeting)
	api.Get("/collaboratives/:slug/actions", s.apiCollaborativeActions)
	api.Post("/collaboratives/:slug/actions", s.idempotent, s.apiCreateAction)
	api.Get("/collaboratives/:slug/since-last-meeting", s.apiSinceLastMeeting)
	api.Get("/meetings/:id.ics", s.apiMeetingICS) // before /meetings/:id, which would take "7.ics"
	api.Get("/meetings/:id", s.apiMeeting)
	api.Patch("/meetings/:id", s.apiUpdateMeeting)
	api.Delete("/meetings/:id", s.apiCancelMeeting)
	api.Post("/meetings/:id/agenda", s.idempotent, s.apiProposeAgenda)
	api.Put("/meetings/:id/notes", s.apiSaveNotes)
	api.Patch("/agenda/:id", s.apiUpdateAgenda)
	api.Delete("/agenda/:id", s.apiDeleteAgenda)
	api.Patch("/actions/:id", s.apiUpdateAction)
	api.Get("/me/actions", s.apiMyActions)
	api.Get("/me/calendar", s.apiCalendarAddress)
	api.Post("/me/calendar/reset", s.apiResetCalendar)
}

// calendarFeedPath is the subscribable feed; it answers to its key alone, so it is routed
// before the session and members-only checks (server.go).
const calendarFeedPath = "/api/v1/me/calendar.ics"

func (s *Server) apiMeetings(c *fiber.Ctx) error {
	upcoming := c.Query("upcoming")
	if upcoming != "" && upcoming != "0" && upcoming != "1" {
		return forum.Invalid("upcoming", "invalid_upcoming", "upcoming must be 1 (only meetings still to come) or 0.")
	}
	list, err := s.meetings.List(c.UserContext(), viewerUser(c), c.Params("slug"), upcoming == "1")
	if err != nil {
		return err
	}
	items := make([]meetingJSON, 0, len(list.Meetings))
	for _, m := range list.Meetings {
		items = append(items, presentMeeting(m))
	}
	return c.JSON(listResponse[meetingJSON]{Items: items, Total: len(items), Page: 1})
}

// meetingRequest is POST /api/v1/collaboratives/{slug}/meetings.
type meetingRequest struct {
	Title       string `json:"title"`
	StartsAt    string `json:"starts_at"`
	EndsAt      string `json:"ends_at"`
	TimeZone    string `json:"time_zone"`
	Location    string `json:"location"`
	VideoURL    string `json:"video_url"`
	Description string `json:"description"`
}

func (s *Server) apiScheduleMeeting(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req meetingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.meetings.Schedule(c.UserContext(), v.User, c.Params("slug"), forum.MeetingInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentMeeting(m))
}

func (s *Server) apiMeeting(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.meetings.Meeting(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(presentMeetingDetail(d))
}

func (s *Server) apiMeetingICS(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.meetings.Calendar(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, icsContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="meeting-`+c.Params("id")+`.ics"`)
	return c.SendString(s.writeICS([]*forum.Meeting{m}, ""))
}

// meetingPatch is PATCH /api/v1/meetings/{id}: a field left out stays; null empties
// location, video_url and description.
type meetingPatch struct {
	Title       *string          `json:"title"`
	StartsAt    *string          `json:"starts_at"`
	EndsAt      *string          `json:"ends_at"`
	TimeZone    *string          `json:"time_zone"`
	Location    nullable[string] `json:"location"`
	VideoURL    nullable[string] `json:"video_url"`
	Description nullable[string] `json:"description"`
}

func (s *Server) apiUpdateMeeting(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req meetingPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.meetings.Update(c.UserContext(), v.User, id, forum.MeetingUpdate{Title: req.Title, StartsAt: req.StartsAt,
		EndsAt: req.EndsAt, TimeZone: req.TimeZone, Location: req.Location.orEmpty(), VideoURL: req.VideoURL.orEmpty(),
		Description: req.Description.orEmpty()})
	if err != nil {
		return err
	}
	return c.JSON(presentMeeting(m))
}

func (s *Server) apiCancelMeeting(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if _, err := s.meetings.Cancel(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// agendaRequest is POST /api/v1/meetings/{id}/agenda.
type agendaRequest struct {
	Title string `json:"title"`
	Note  string `json:"note"`
}

func (s *Server) apiProposeAgenda(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req agendaRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.meetings.ProposeAgenda(c.UserContext(), v.User, id, forum.AgendaInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentAgendaItem(it))
}

// agendaPatch is PATCH /api/v1/agenda/{id}.
type agendaPatch struct {
	Title    *string          `json:"title"`
	Note     nullable[string] `json:"note"`
	Position *int             `json:"position"`
}

func (s *Server) apiUpdateAgenda(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req agendaPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.meetings.UpdateAgenda(c.UserContext(), v.User, id, forum.AgendaUpdate{Title: req.Title, Note: req.Note.orEmpty(), Position: req.Position})
	if err != nil {
		return err
	}
	return c.JSON(presentAgendaItem(it))
}

func (s *Server) apiDeleteAgenda(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.meetings.DeleteAgenda(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// notesRequest is PUT /api/v1/meetings/{id}/notes: the whole text and the revision it
// was written over.
type notesRequest struct {
	Body     *string `json:"body"`
	Revision *int    `json:"revision"`
}

func (s *Server) apiSaveNotes(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req notesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Body == nil {
		return forum.Invalid("body", "required", "Send the notes' whole text as body (an empty string clears them).")
	}
	if req.Revision == nil {
		return forum.Invalid("revision", "required", "Send the revision you started from (0 for notes never written), so that nobody's save is lost.")
	}
	m, err := s.meetings.SaveNotes(c.UserContext(), v.User, id, *req.Body, *req.Revision)
	if err != nil {
		return err
	}
	return c.JSON(presentNotes(m))
}

// actionRequest is POST /api/v1/collaboratives/{slug}/actions.
type actionRequest struct {
	Title      string  `json:"title"`
	AssigneeID *int64  `json:"assignee_id"`
	Due        *string `json:"due"`
	MeetingID  *int64  `json:"meeting_id"`
}

func (s *Server) apiCreateAction(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req actionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := forum.ActionInput{Title: req.Title}
	if req.AssigneeID != nil {
		in.AssigneeID = *req.AssigneeID
	}
	if req.Due != nil {
		in.Due = *req.Due
	}
	if req.MeetingID != nil {
		in.MeetingID = *req.MeetingID
	}
	it, err := s.meetings.CreateAction(c.UserContext(), v.User, c.Params("slug"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentAction(it, s.meetings.Today(v.User)))
}

// actionPatch is PATCH /api/v1/actions/{id}: null clears assignee_id, due and meeting_id.
type actionPatch struct {
	Title      *string          `json:"title"`
	AssigneeID nullable[int64]  `json:"assignee_id"`
	Due        nullable[string] `json:"due"`
	MeetingID  nullable[int64]  `json:"meeting_id"`
	Status     *string          `json:"status"`
}

func (s *Server) apiUpdateAction(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req actionPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.meetings.UpdateAction(c.UserContext(), v.User, id, forum.ActionItemUpdate{Title: req.Title,
		AssigneeID: req.AssigneeID.orEmpty(), Due: req.Due.orEmpty(), MeetingID: req.MeetingID.orEmpty(), Status: req.Status})
	if err != nil {
		return err
	}
	return c.JSON(presentAction(it, s.meetings.Today(v.User)))
}

func (s *Server) presentActions(items []*forum.ActionItem, today string) []actionJSON {
	out := make([]actionJSON, 0, len(items))
	for _, it := range items {
		out = append(out, presentAction(it, today))
	}
	return out
}

func (s *Server) apiCollaborativeActions(c *fiber.Ctx) error {
	u := viewerUser(c)
	items, _, err := s.meetings.CollaborativeActions(c.UserContext(), u, c.Params("slug"), c.Query("status"))
	if err != nil {
		return err
	}
	out := s.presentActions(items, s.meetings.Today(u))
	return c.JSON(listResponse[actionJSON]{Items: out, Total: len(out), Page: 1})
}

func (s *Server) apiMyActions(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	items, today, err := s.meetings.MyActions(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	out := s.presentActions(items, today)
	return c.JSON(listResponse[actionJSON]{Items: out, Total: len(out), Page: 1})
}

// calendarAddressJSON is a person's calendar feed address.
type calendarAddressJSON struct {
	URL string `json:"url"`
}

// calendarURL is the feed's address for key.
func (s *Server) calendarURL(key string) string {
	return s.baseURL() + calendarFeedPath + "?key=" + key
}

func (s *Server) apiCalendarAddress(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	key, err := s.meetings.CalendarKey(c.UserContext(), v.User, false)
	if err != nil {
		return err
	}
	return c.JSON(calendarAddressJSON{URL: s.calendarURL(key)})
}

func (s *Server) apiResetCalendar(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	key, err := s.meetings.CalendarKey(c.UserContext(), v.User, true)
	if err != nil {
		return err
	}
	return c.JSON(calendarAddressJSON{URL: s.calendarURL(key)})
}

// calendarFeed answers GET /api/v1/me/calendar.ics?key=: the key is the credential (a
// calendar program has no session), and a wrong one is 404 like any missing address.
func (s *Server) calendarFeed(c *fiber.Ctx) error {
	ms, err := s.meetings.CalendarFeed(c.UserContext(), c.Query("key"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, icsContentType)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.SendString(s.writeICS(ms, s.site().SiteName+" meetings"))
}

// sinceJSON is GET /api/v1/collaboratives/{slug}/since-last-meeting.
type sinceJSON struct {
	Collaborative     meetingGroupJSON   `json:"collaborative"`
	LastMeeting       *meetingJSON       `json:"last_meeting"`
	Since             string             `json:"since"`
	Channels          []channelCountJSON `json:"channels"`
	NewQuestions      []questionRefJSON  `json:"new_questions"`
	AnsweredQuestions []questionRefJSON  `json:"answered_questions"`
	ActionsOpened     []actionJSON       `json:"actions_opened"`
	ActionsClosed     []actionJSON       `json:"actions_closed"`
}

type channelCountJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Messages int    `json:"messages"`
}

type questionRefJSON struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Answers int    `json:"answers"`
	URL     string `json:"url"`
}

func presentSince(d *forum.SinceLastMeeting) sinceJSON {
	j := sinceJSON{Collaborative: presentMeetingGroup(forum.CollaborativeRef{Slug: d.Access.Collaborative.Slug, Name: d.Access.Collaborative.Name}),
		Since: d.Since.UTC().Format("2006-01-02T15:04:05Z07:00"), Channels: []channelCountJSON{},
		ActionsOpened: make([]actionJSON, 0, len(d.ActionsOpened)), ActionsClosed: make([]actionJSON, 0, len(d.ActionsClosed))}
	if d.Meeting != nil {
		m := presentMeeting(d.Meeting)
		j.LastMeeting = &m
	}
	for _, ch := range d.Channels {
		j.Channels = append(j.Channels, channelCountJSON{ID: ch.ChannelID, Name: ch.Name, Messages: ch.Messages})
	}
	qs := func(in []forum.QuestionActivity) []questionRefJSON {
		out := make([]questionRefJSON, 0, len(in))
		for _, q := range in {
			out = append(out, questionRefJSON{ID: q.ID, Title: q.Title, Answers: q.Answers, URL: "/questions/" + strconv.FormatInt(q.ID, 10) + "/" + slugify(q.Title)})
		}
		return out
	}
	j.NewQuestions, j.AnsweredQuestions = qs(d.NewQuestions), qs(d.AnsweredQuestions)
	for _, a := range d.ActionsOpened {
		j.ActionsOpened = append(j.ActionsOpened, presentAction(a, d.Today))
	}
	for _, a := range d.ActionsClosed {
		j.ActionsClosed = append(j.ActionsClosed, presentAction(a, d.Today))
	}
	return j
}

func (s *Server) apiSinceLastMeeting(c *fiber.Ctx) error {
	d, err := s.meetings.SinceLastMeeting(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(presentSince(d))
}
