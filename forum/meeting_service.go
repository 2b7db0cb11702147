package forum

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Meetings enforces the rules of meetings, agendas, notes and action items. Reads check
// who may see the collaborative's insides here (one membership lookup); writes pass the
// actor to the store, which checks the rule inside its transaction.
type Meetings struct {
	Store          MeetingStore
	Collaboratives CollaborativeStore
	Render         Renderer
	// Channels and Questions tell "since the last meeting" what happened in the group's
	// channels and scoped questions; nil: those sections are empty.
	Channels  ChannelActivitySource
	Questions QuestionActivitySource
	Now       func() time.Time
}

func (s *Meetings) now() time.Time { return s.Now().UTC() }

// calendarFeedDays is how far back a calendar feed reaches: last term's meetings stay in
// a subscriber's calendar, older ones fall away.
const calendarFeedDays = 180

// MeetingDetail is one meeting with what its page and the API show.
type MeetingDetail struct {
	Meeting *Meeting
	Access  CollaborativeAccess
	Agenda  []*AgendaItem
	Actions []*ActionItem
	Today   string // the reader's date: what overdue is measured against
}

// CollaborativeMeetings is a collaborative's list of meetings.
type CollaborativeMeetings struct {
	Access   CollaborativeAccess
	Meetings []*Meeting
}

// access reads the viewer's access to the collaborative with the slug and checks they may
// see inside; notFound answers those who may not (a missing collaborative answers its own).
func (s *Meetings) access(ctx context.Context, viewer *User, slug string, notFound *Error) (CollaborativeAccess, error) {
	a, err := s.Collaboratives.CollaborativeAccess(ctx, slug, viewer)
	if err != nil {
		return a, err
	}
	return a, a.CheckSeeInside(notFound)
}

// today is the viewer's date: in their profile's zone when the account was read whole.
func (s *Meetings) today(viewer *User) string {
	zone := ""
	if viewer != nil && viewer.Profile != nil {
		zone = viewer.Profile.TimeZone
	}
	return Today(s.now(), zone)
}

// List returns a collaborative's meetings: upcoming ones (soonest first) or all (newest
// first). Returns NotFoundCollaborative, also to those who may not see inside.
func (s *Meetings) List(ctx context.Context, viewer *User, slug string, upcoming bool) (*CollaborativeMeetings, error) {
	a, err := s.access(ctx, viewer, slug, NotFoundCollaborative(slug))
	if err != nil {
		return nil, err
	}
	ms, err := s.Store.Meetings(ctx, a.Collaborative.ID, MeetingFilter{Upcoming: upcoming, Now: s.now(), Limit: MaxMeetingsListed})
	if err != nil {
		return nil, err
	}
	return &CollaborativeMeetings{Access: a, Meetings: ms}, nil
}

// checkMeeting reads and checks a meeting input's fields.
func (s *Meetings) checkInput(in MeetingInput) (NewMeeting, error) {
	var nm NewMeeting
	var fe FieldErrors
	var err error
	if nm.Title, err = CleanTitle("title", in.Title, 1, MaxMeetingTitleLen); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if nm.StartsAt, err = ParseMeetingTime("starts_at", in.StartsAt); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if nm.EndsAt, err = ParseMeetingTime("ends_at", in.EndsAt); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if nm.TimeZone, err = ParseMeetingZone("time_zone", in.TimeZone); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if nm.Location, err = cleanOptionalLine("location", in.Location, MaxMeetingLocationLen); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if nm.VideoURL, err = ParseVideoURL("video_url", in.VideoURL); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if nm.Description, err = s.render("description", in.Description, MaxMeetingDescriptionLen); err != nil {
		if err := fe.Add(err); err != nil {
			return nm, err
		}
	}
	if !nm.StartsAt.IsZero() && !nm.EndsAt.IsZero() {
		if err := CheckMeetingTimes(nm.StartsAt, nm.EndsAt); err != nil {
			if err := fe.Add(err); err != nil {
				return nm, err
			}
		}
	}
	return nm, fe.Err()
}

// render checks and renders optional markdown of at most max characters.
func (s *Meetings) render(field, text string, max int) (Rendered, error) {
	text, err := CleanBody(field, text, 0, max)
	if err != nil || text == "" {
		return Rendered{}, err
	}
	html, err := s.Render.Body(text)
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Text: text, HTML: html}, nil
}

// Schedule creates a meeting; the collaborative's leads only. Returns invalid naming the
// field (title, starts_at, ends_at: ends_before_start, time_zone: invalid_time_zone,
// location, video_url, description), unauthorized, forbidden "not_a_lead" or
// NotFoundCollaborative.
func (s *Meetings) Schedule(ctx context.Context, viewer *User, slug string, in MeetingInput) (*Meeting, error) {
	a, err := s.Collaboratives.CollaborativeAccess(ctx, slug, viewer)
	if err != nil {
		return nil, err
	}
	if err := CheckScheduleMeeting(a, NotFoundCollaborative(slug)); err != nil {
		return nil, err
	}
	nm, err := s.checkInput(in)
	if err != nil {
		return nil, err
	}
	nm.CollaborativeID, nm.Actor, nm.Now = a.Collaborative.ID, viewer, s.now()
	return s.Store.CreateMeeting(ctx, nm)
}

// seeMeeting reads a meeting and the viewer's access to its collaborative. Returns
// NotFoundMeeting to those who may not see inside.
func (s *Meetings) seeMeeting(ctx context.Context, viewer *User, id int64) (*Meeting, CollaborativeAccess, error) {
	m, err := s.Store.Meeting(ctx, id)
	if err != nil {
		return nil, CollaborativeAccess{}, err
	}
	a, err := s.access(ctx, viewer, m.Collaborative.Slug, NotFoundMeeting(id))
	if err != nil {
		if KindOf(err) == ENotFound {
			return nil, a, NotFoundMeeting(id)
		}
		return nil, a, err
	}
	return m, a, nil
}

// Meeting returns a meeting with its agenda and action items. Returns NotFoundMeeting.
func (s *Meetings) Meeting(ctx context.Context, viewer *User, id int64) (*MeetingDetail, error) {
	m, a, err := s.seeMeeting(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	d := &MeetingDetail{Meeting: m, Access: a, Today: s.today(viewer)}
	if d.Agenda, err = s.Store.Agenda(ctx, id); err != nil {
		return nil, err
	}
	if d.Actions, err = s.Store.Actions(ctx, ActionFilter{MeetingID: id, Limit: MaxActionsListed}); err != nil {
		return nil, err
	}
	return d, nil
}

// Calendar returns a meeting for its .ics. Returns NotFoundMeeting.
func (s *Meetings) Calendar(ctx context.Context, viewer *User, id int64) (*Meeting, error) {
	m, _, err := s.seeMeeting(ctx, viewer, id)
	return m, err
}

// Update changes a meeting; leads only. Returns NotFoundMeeting, forbidden, and
// Schedule's invalid errors.
func (s *Meetings) Update(ctx context.Context, viewer *User, id int64, upd MeetingUpdate) (*Meeting, error) {
	if _, _, err := s.seeMeeting(ctx, viewer, id); err != nil {
		return nil, err
	}
	var ch MeetingChanges
	var fe FieldErrors
	if upd.Title != nil {
		t, err := CleanTitle("title", *upd.Title, 1, MaxMeetingTitleLen)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.Title = &t
	}
	if upd.StartsAt != nil {
		t, err := ParseMeetingTime("starts_at", *upd.StartsAt)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.StartsAt = &t
	}
	if upd.EndsAt != nil {
		t, err := ParseMeetingTime("ends_at", *upd.EndsAt)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.EndsAt = &t
	}
	if upd.TimeZone != nil {
		z, err := ParseMeetingZone("time_zone", *upd.TimeZone)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.TimeZone = &z
	}
	if upd.Location != nil {
		l, err := cleanOptionalLine("location", *upd.Location, MaxMeetingLocationLen)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.Location = &l
	}
	if upd.VideoURL != nil {
		u, err := ParseVideoURL("video_url", *upd.VideoURL)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.VideoURL = &u
	}
	if upd.Description != nil {
		r, err := s.render("description", *upd.Description, MaxMeetingDescriptionLen)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.Description = &r
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.UpdateMeeting(ctx, id, viewer, ch, s.now())
}

// Cancel calls a meeting off; leads only. Returns NotFoundMeeting or forbidden.
func (s *Meetings) Cancel(ctx context.Context, viewer *User, id int64) (*Meeting, error) {
	if _, _, err := s.seeMeeting(ctx, viewer, id); err != nil {
		return nil, err
	}
	return s.Store.CancelMeeting(ctx, id, viewer, s.now())
}

// ProposeAgenda adds an item to a meeting's agenda; members only. Returns
// NotFoundMeeting, forbidden "not_a_member", invalid title or note, conflict
// "meeting_cancelled" or "agenda_full".
func (s *Meetings) ProposeAgenda(ctx context.Context, viewer *User, meetingID int64, in AgendaInput) (*AgendaItem, error) {
	if _, _, err := s.seeMeeting(ctx, viewer, meetingID); err != nil {
		return nil, err
	}
	it := NewAgendaItem{MeetingID: meetingID, Actor: viewer, Now: s.now()}
	var fe FieldErrors
	var err error
	if it.Title, err = CleanTitle("title", in.Title, 1, MaxAgendaTitleLen); err != nil {
		if err := fe.Add(err); err != nil {
			return nil, err
		}
	}
	if it.Note, err = CleanBody("note", in.Note, 0, MaxAgendaNoteLen); err != nil {
		if err := fe.Add(err); err != nil {
			return nil, err
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.AddAgendaItem(ctx, it)
}

// UpdateAgenda retitles or moves an agenda item (CheckEditAgendaItem). Returns
// NotFoundAgendaItem, forbidden, invalid title, note or position.
func (s *Meetings) UpdateAgenda(ctx context.Context, viewer *User, id int64, upd AgendaUpdate) (*AgendaItem, error) {
	var fe FieldErrors
	if upd.Title != nil {
		t, err := CleanTitle("title", *upd.Title, 1, MaxAgendaTitleLen)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		upd.Title = &t
	}
	if upd.Note != nil {
		n, err := CleanBody("note", *upd.Note, 0, MaxAgendaNoteLen)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		upd.Note = &n
	}
	if upd.Position != nil && (*upd.Position < 1 || *upd.Position > MaxAgendaItems) {
		fe.Add(Invalid("position", "invalid_position", "position must be a whole number from 1 (first) to %d.", MaxAgendaItems))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.UpdateAgendaItem(ctx, id, viewer, upd, s.now())
}

// DeleteAgenda removes an agenda item: its proposer or a lead. Returns NotFoundAgendaItem
// or forbidden.
func (s *Meetings) DeleteAgenda(ctx context.Context, viewer *User, id int64) error {
	return s.Store.DeleteAgendaItem(ctx, id, viewer, s.now())
}

// SaveNotes saves a meeting's notes over revision base (the one the writer started from);
// members only. Returns NotFoundMeeting, forbidden, invalid body, or conflict
// "edit_conflict" when someone saved since.
func (s *Meetings) SaveNotes(ctx context.Context, viewer *User, meetingID int64, body string, base int) (*Meeting, error) {
	if _, _, err := s.seeMeeting(ctx, viewer, meetingID); err != nil {
		return nil, err
	}
	if base < 0 {
		return nil, Invalid("revision", "invalid_revision", "revision must be the notes' revision you started from (0 for notes never written).")
	}
	r, err := s.render("body", body, MaxNotesLen)
	if err != nil {
		return nil, err
	}
	return s.Store.SaveNotes(ctx, NotesEdit{MeetingID: meetingID, Actor: viewer, Notes: r, BaseRevision: base, Now: s.now()})
}

// CreateAction adds an action item to a collaborative, on its own or from one of its
// meetings; members only. Returns NotFoundCollaborative, forbidden "not_a_member",
// invalid title, due, assignee_id "assignee_not_member" or meeting_id "unknown_meeting".
func (s *Meetings) CreateAction(ctx context.Context, viewer *User, slug string, in ActionInput) (*ActionItem, error) {
	a, err := s.Collaboratives.CollaborativeAccess(ctx, slug, viewer)
	if err != nil {
		return nil, err
	}
	if err := CheckWriteActions(a, NotFoundCollaborative(slug)); err != nil {
		return nil, err
	}
	na := NewAction{CollaborativeID: a.Collaborative.ID, Actor: viewer, AssigneeID: in.AssigneeID, MeetingID: in.MeetingID, Now: s.now()}
	var fe FieldErrors
	if na.Title, err = CleanTitle("title", in.Title, 1, MaxActionTitleLen); err != nil {
		if err := fe.Add(err); err != nil {
			return nil, err
		}
	}
	if na.Due, err = ParseDue("due", in.Due); err != nil {
		if err := fe.Add(err); err != nil {
			return nil, err
		}
	}
	if in.AssigneeID < 0 {
		fe.Add(CheckAssignee(MemberNone))
	}
	if in.MeetingID < 0 {
		fe.Add(UnknownMeeting(in.MeetingID))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.CreateAction(ctx, na)
}

// UpdateAction changes an action item (marks it done, reassigns it...); members only.
// Returns NotFoundAction, forbidden, and CreateAction's invalid errors, status
// "invalid_status".
func (s *Meetings) UpdateAction(ctx context.Context, viewer *User, id int64, upd ActionItemUpdate) (*ActionItem, error) {
	it, err := s.Store.Action(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.access(ctx, viewer, it.Collaborative.Slug, NotFoundAction(id)); err != nil {
		if KindOf(err) == ENotFound {
			return nil, NotFoundAction(id)
		}
		return nil, err
	}
	var ch ActionChanges
	var fe FieldErrors
	if upd.Title != nil {
		t, err := CleanTitle("title", *upd.Title, 1, MaxActionTitleLen)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.Title = &t
	}
	if upd.Due != nil {
		d, err := ParseDue("due", *upd.Due)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.Due = &d
	}
	if upd.Status != nil {
		st, err := ParseActionStatus("status", *upd.Status)
		if err := fe.Add(err); err != nil {
			return nil, err
		}
		ch.Status = &st
	}
	if upd.AssigneeID != nil {
		if *upd.AssigneeID < 0 {
			fe.Add(CheckAssignee(MemberNone))
		}
		ch.AssigneeID = upd.AssigneeID
	}
	if upd.MeetingID != nil {
		if *upd.MeetingID < 0 {
			fe.Add(UnknownMeeting(*upd.MeetingID))
		}
		ch.MeetingID = upd.MeetingID
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.UpdateAction(ctx, id, viewer, ch, s.now())
}

// CollaborativeActions lists a collaborative's action items (status "" for all). Returns
// NotFoundCollaborative, invalid status.
func (s *Meetings) CollaborativeActions(ctx context.Context, viewer *User, slug, status string) ([]*ActionItem, CollaborativeAccess, error) {
	a, err := s.access(ctx, viewer, slug, NotFoundCollaborative(slug))
	if err != nil {
		return nil, a, err
	}
	f := ActionFilter{CollaborativeID: a.Collaborative.ID, Limit: MaxActionsListed}
	if status != "" {
		if f.Status, err = ParseActionStatus("status", status); err != nil {
			return nil, a, err
		}
	}
	items, err := s.Store.Actions(ctx, f)
	return items, a, err
}

// MyActions lists the viewer's open action items, in the collaboratives they may still
// see inside, with the date they are overdue against.
func (s *Meetings) MyActions(ctx context.Context, viewer *User) ([]*ActionItem, string, error) {
	if viewer == nil {
		return nil, "", Errorf(EUnauthorized, "Sign in to see your action items.")
	}
	items, err := s.Store.AssignedActions(ctx, viewer.ID, MaxActionsListed)
	return items, s.today(viewer), err
}

// Today is the viewer's date, for pages that mark overdue items.
func (s *Meetings) Today(viewer *User) string { return s.today(viewer) }

// CalendarKey returns the viewer's calendar feed key, making one the first time; reset
// replaces it, so that the old address stops working.
func (s *Meetings) CalendarKey(ctx context.Context, viewer *User, reset bool) (string, error) {
	if viewer == nil {
		return "", Errorf(EUnauthorized, "Sign in to get your calendar address.")
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return s.Store.CalendarKey(ctx, viewer.ID, hex.EncodeToString(b), reset, s.now())
}

// CalendarFeed returns the meetings of the feed whose key is key: those of the owner's
// collaboratives, from calendarFeedDays ago on. A wrong key answers not_found without
// saying more.
func (s *Meetings) CalendarFeed(ctx context.Context, key string) ([]*Meeting, error) {
	nf := Coded(ENotFound, "not_found", "There is no calendar at this address.")
	if len(key) != 48 {
		return nil, nf
	}
	owner, err := s.Store.CalendarOwner(ctx, key)
	if KindOf(err) == ENotFound {
		return nil, nf
	} else if err != nil {
		return nil, err
	}
	return s.Store.MeetingsOf(ctx, owner, s.now().AddDate(0, 0, -calendarFeedDays), MaxMeetingsListed)
}

// Overview is what a collaborative's home shows of its meetings: the next one and the
// open action items.
type Overview struct {
	Next        *Meeting
	OpenActions []*ActionItem
	Today       string
}

// overviewActions is how many open action items a collaborative's home lists.
const overviewActions = 10

// Overview returns the next meeting and the open action items of a collaborative whose
// access the caller has read (the home page). Returns NotFoundCollaborative to those who
// may not see inside.
func (s *Meetings) Overview(ctx context.Context, a CollaborativeAccess) (*Overview, error) {
	if err := a.CheckSeeInside(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return nil, err
	}
	o := &Overview{Today: s.today(a.Viewer)}
	next, err := s.Store.Meetings(ctx, a.Collaborative.ID, MeetingFilter{Upcoming: true, Now: s.now(), Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(next) > 0 {
		o.Next = next[0]
	}
	o.OpenActions, err = s.Store.Actions(ctx, ActionFilter{CollaborativeID: a.Collaborative.ID, Status: ActionOpen, Limit: overviewActions})
	return o, err
}

// Assignees lists the people an action item of the collaborative may go to, for a viewer
// who may take part (nobody else needs the list: a non-member of a public group sees
// none).
func (s *Meetings) Assignees(ctx context.Context, a CollaborativeAccess) ([]*User, error) {
	if !a.CanTakePart() {
		return []*User{}, nil
	}
	return s.Store.Assignees(ctx, a.Collaborative.ID)
}
