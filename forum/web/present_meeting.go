package web

import (
	"strconv"
	"time"

	"staffroom/forum"
)

// Meetings, agendas, notes and action items as the API shows them. Times travel in RFC
// 3339 with the offset of the meeting's own zone (DESIGN.md "Times"), beside that zone.

// meetingPersonJSON is a person named by a meeting: an agenda item's proposer, an assignee.
type meetingPersonJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

func presentMeetingPerson(u *forum.User) *meetingPersonJSON {
	if u == nil {
		return nil
	}
	return &meetingPersonJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, URL: profilePath(u)}
}

// meetingGroupJSON names the collaborative something belongs to.
type meetingGroupJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

func presentMeetingGroup(r forum.CollaborativeRef) meetingGroupJSON {
	return meetingGroupJSON{Slug: r.Slug, Name: r.Name, URL: groupHomePath(r.Slug)}
}

// groupHomePath is a collaborative's home page.
func groupHomePath(slug string) string { return "/c/" + slug }

// meetingPath is a meeting's page.
func meetingPath(m *forum.Meeting) string {
	return "/c/" + m.Collaborative.Slug + "/meetings/" + strconv.FormatInt(m.ID, 10)
}

// meetingICSPath is a meeting's calendar file.
func meetingICSPath(id int64) string { return "/api/v1/meetings/" + strconv.FormatInt(id, 10) + ".ics" }

type notesJSON struct {
	MeetingID int64              `json:"meeting_id"`
	Body      string             `json:"body"`
	BodyHTML  string             `json:"body_html"`
	Revision  int                `json:"revision"`
	UpdatedBy *meetingPersonJSON `json:"updated_by"`
	UpdatedAt *time.Time         `json:"updated_at"`
}

func presentNotes(m *forum.Meeting) notesJSON {
	return notesJSON{MeetingID: m.ID, Body: m.Notes.Text, BodyHTML: m.Notes.HTML, Revision: m.Notes.Revision,
		UpdatedBy: presentMeetingPerson(m.Notes.UpdatedBy), UpdatedAt: m.Notes.UpdatedAt}
}

// meetingJSON is a meeting; the detail adds agenda and actions.
type meetingJSON struct {
	ID              int64             `json:"id"`
	Collaborative   meetingGroupJSON  `json:"collaborative"`
	Title           string            `json:"title"`
	StartsAt        string            `json:"starts_at"`
	EndsAt          string            `json:"ends_at"`
	TimeZone        string            `json:"time_zone"`
	Location        string            `json:"location"`
	VideoURL        string            `json:"video_url"`
	Description     string            `json:"description"`
	DescriptionHTML string            `json:"description_html"`
	Status          string            `json:"status"` // scheduled or cancelled
	CancelledAt     *time.Time        `json:"cancelled_at"`
	Sequence        int               `json:"sequence"`
	Notes           notesJSON         `json:"notes"`
	CreatedBy       int64             `json:"created_by"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	URL             string            `json:"url"`
	ICSURL          string            `json:"ics_url"`
	Agenda          *[]agendaItemJSON `json:"agenda,omitempty"`
	Actions         *[]actionJSON     `json:"actions,omitempty"`
	Can             *meetingCanJSON   `json:"can,omitempty"`
}

// meetingCanJSON says what the viewer may do with the meeting, as pages show it.
type meetingCanJSON struct {
	Manage   bool `json:"manage"`    // change, cancel, order the agenda
	TakePart bool `json:"take_part"` // propose items, write notes, add action items
}

// zonedTime writes t in RFC 3339 with the offset zone has then.
func zonedTime(t time.Time, zone *time.Location) string { return t.In(zone).Format(time.RFC3339) }

func presentMeeting(m *forum.Meeting) meetingJSON {
	zone := m.Zone()
	j := meetingJSON{ID: m.ID, Collaborative: presentMeetingGroup(m.Collaborative), Title: m.Title,
		StartsAt: zonedTime(m.StartsAt, zone), EndsAt: zonedTime(m.EndsAt, zone), TimeZone: m.TimeZone,
		Location: m.Location, VideoURL: m.VideoURL, Description: m.Description, DescriptionHTML: m.DescriptionHTML,
		Status: "scheduled", CancelledAt: m.CancelledAt, Sequence: m.Sequence, Notes: presentNotes(m),
		CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, URL: meetingPath(m), ICSURL: meetingICSPath(m.ID)}
	if m.Cancelled() {
		j.Status = "cancelled"
	}
	return j
}

func presentMeetingDetail(d *forum.MeetingDetail) meetingJSON {
	j := presentMeeting(d.Meeting)
	agenda := make([]agendaItemJSON, 0, len(d.Agenda))
	for _, it := range d.Agenda {
		agenda = append(agenda, presentAgendaItem(it))
	}
	actions := make([]actionJSON, 0, len(d.Actions))
	for _, a := range d.Actions {
		actions = append(actions, presentAction(a, d.Today))
	}
	j.Agenda, j.Actions = &agenda, &actions
	j.Can = &meetingCanJSON{Manage: d.Access.CanManage(), TakePart: d.Access.CanTakePart()}
	return j
}

type agendaItemJSON struct {
	ID         int64              `json:"id"`
	MeetingID  int64              `json:"meeting_id"`
	Position   int                `json:"position"`
	Title      string             `json:"title"`
	Note       string             `json:"note"`
	ProposedBy *meetingPersonJSON `json:"proposed_by"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

func presentAgendaItem(it *forum.AgendaItem) agendaItemJSON {
	return agendaItemJSON{ID: it.ID, MeetingID: it.MeetingID, Position: it.Position, Title: it.Title, Note: it.Note,
		ProposedBy: presentMeetingPerson(it.ProposedBy), CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

type actionJSON struct {
	ID            int64              `json:"id"`
	Collaborative meetingGroupJSON   `json:"collaborative"`
	MeetingID     *int64             `json:"meeting_id"`
	MeetingTitle  string             `json:"meeting_title,omitempty"`
	Title         string             `json:"title"`
	AssigneeID    *int64             `json:"assignee_id"`
	Assignee      *meetingPersonJSON `json:"assignee"`
	Due           *string            `json:"due"`
	Status        forum.ActionStatus `json:"status"`
	Overdue       bool               `json:"overdue"`
	CreatedBy     int64              `json:"created_by"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	DoneAt        *time.Time         `json:"done_at"`
}

// presentAction shows an action item; today is the reader's date, which overdue is
// measured against ("" for events, read by people in many zones: overdue is false).
func presentAction(a *forum.ActionItem, today string) actionJSON {
	j := actionJSON{ID: a.ID, Collaborative: presentMeetingGroup(a.Collaborative), MeetingTitle: a.MeetingTitle,
		Title: a.Title, Assignee: presentMeetingPerson(a.Assignee), Status: a.Status, Overdue: today != "" && a.Overdue(today),
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, DoneAt: a.DoneAt}
	if a.MeetingID != 0 {
		id := a.MeetingID
		j.MeetingID = &id
	}
	if a.Assignee != nil {
		id := a.Assignee.ID
		j.AssigneeID = &id
	}
	if a.Due != "" {
		d := a.Due
		j.Due = &d
	}
	return j
}

// presentMeetingEvent encodes the data of the meetings' live events as the API shows
// it; ok is false for data of other features.
func presentMeetingEvent(data any) (any, bool) {
	switch d := data.(type) {
	case *forum.Meeting:
		return presentMeeting(d), true
	case *forum.AgendaItem:
		return presentAgendaItem(d), true
	case forum.AgendaGone:
		return struct {
			ID        int64 `json:"id"`
			MeetingID int64 `json:"meeting_id"`
		}{d.ID, d.MeetingID}, true
	case *forum.ActionItem:
		return presentAction(d, ""), true
	}
	return nil, false
}
