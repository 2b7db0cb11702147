package forum

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Meetings of a collaborative. Leads schedule, change and cancel them; members propose
// agenda items, which leads put in order; everyone taking part writes the shared notes,
// with the same stale-revision protection as post edits. A meeting keeps its start and
// end as UTC instants together with the IANA zone it was scheduled in (DESIGN.md
// "Times"), and a sequence number that rises with every change a calendar shows, so that
// its .ics (RFC 5545 SEQUENCE) replaces the copy people imported. Cancelling keeps the
// meeting and its notes (they are the group's record) and marks it cancelled.
//
// Everything about a meeting of a private collaborative is its members' (and the site's
// moderators'): to anyone else it answers exactly as a missing id.

// Meeting limits, each a size a working group's meeting fits with room to spare.
const (
	MaxMeetingTitleLen       = 150
	MaxMeetingLocationLen    = 200
	MaxMeetingURLLen         = 500
	MaxMeetingDescriptionLen = 5000
	// MaxNotesLen fits the notes of a two-day convening typed by several people.
	MaxNotesLen = 50000
	// MaxMeetingLength: a convening lasts days, not weeks; longer is a typing slip.
	MaxMeetingLength   = 14 * 24 * time.Hour
	MaxAgendaTitleLen  = 200
	MaxAgendaNoteLen   = 2000
	MaxAgendaItems     = 100 // a meeting's agenda; more is not an agenda
	MaxActionTitleLen  = 200
	MaxMeetingsListed  = 200 // one collaborative's meetings on one list
	MaxActionsListed   = 500 // action items on one list
	minMeetingYear     = 2000
	maxMeetingYear     = 2200
	meetingTimeExample = "2027-03-04T15:30:00-06:00"
)

// Live events of a collaborative's meetings, on its collaborative:{slug} topic.
const (
	EventMeetingCreated   = "meeting.created"
	EventMeetingUpdated   = "meeting.updated"
	EventMeetingCancelled = "meeting.cancelled"
	EventNotesUpdated     = "meeting.notes_updated"
	EventAgendaCreated    = "agenda.created"
	EventAgendaUpdated    = "agenda.updated"
	EventAgendaDeleted    = "agenda.deleted"
	EventActionCreated    = "action.created"
	EventActionUpdated    = "action.updated"
)

// Meeting is a meeting as stored.
type Meeting struct {
	ID              int64
	Collaborative   CollaborativeRef
	CollaborativeID int64
	Title           string
	Description     string // markdown as written
	DescriptionHTML string
	Location        string
	VideoURL        string
	StartsAt        time.Time // UTC
	EndsAt          time.Time // UTC
	TimeZone        string    // the IANA zone it was scheduled in
	Sequence        int       // RFC 5545 SEQUENCE: raised by every change
	CancelledAt     *time.Time
	Notes           Notes
	CreatedBy       int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Cancelled reports whether the meeting was called off.
func (m *Meeting) Cancelled() bool { return m.CancelledAt != nil }

// Location returns the zone the meeting was scheduled in (UTC if it cannot be loaded,
// which a stored zone always can).
func (m *Meeting) Zone() *time.Location {
	if loc, err := time.LoadLocation(m.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Notes are a meeting's shared notes. Revision counts the saves; 0: never written.
type Notes struct {
	Text      string
	HTML      string
	Revision  int
	UpdatedBy *User // nil when never written
	UpdatedAt *time.Time
}

// AgendaItem is one item of a meeting's agenda.
type AgendaItem struct {
	ID         int64
	MeetingID  int64
	Position   int // 1, 2, ... in the order leads give
	Title      string
	Note       string // plain text
	ProposedBy *User
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// NotFoundMeeting is the answer for a meeting that does not exist or that the viewer may
// not see.
func NotFoundMeeting(id int64) *Error { return Errorf(ENotFound, "There is no meeting %d.", id) }

// NotFoundAgendaItem is the answer for an agenda item that does not exist or is invisible.
func NotFoundAgendaItem(id int64) *Error {
	return Errorf(ENotFound, "There is no agenda item %d.", id)
}

// MeetingInput is a meeting as a lead writes it: times in RFC 3339 with an offset.
type MeetingInput struct {
	Title, StartsAt, EndsAt, TimeZone string
	Location, VideoURL, Description   string
}

// MeetingUpdate changes a meeting: nil leaves a field as it is; "" empties location,
// video_url and description.
type MeetingUpdate struct {
	Title, StartsAt, EndsAt, TimeZone *string
	Location, VideoURL, Description   *string
}

// NewMeeting is a meeting ready to store. The store checks that Actor may schedule in
// the collaborative (CheckScheduleMeeting) inside its transaction.
type NewMeeting struct {
	CollaborativeID  int64
	Actor            *User
	Title            string
	Description      Rendered
	Location         string
	VideoURL         string
	StartsAt, EndsAt time.Time
	TimeZone         string
	Now              time.Time
}

// MeetingChanges are checked changes to a meeting; nil fields stay. The store merges them
// with the stored times and checks the result with CheckMeetingTimes.
type MeetingChanges struct {
	Title            *string
	Description      *Rendered
	Location         *string
	VideoURL         *string
	StartsAt, EndsAt *time.Time
	TimeZone         *string
}

// ParseMeetingTime reads an instant in RFC 3339 with an offset. Returns invalid
// "invalid_time" naming field.
func ParseMeetingTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, Invalid(field, "required", "%s is required, in RFC 3339 with an offset, like %s.", fieldLabel(field), meetingTimeExample)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, Invalid(field, "invalid_time", "%s must be a time in RFC 3339 with an offset, like %s.", fieldLabel(field), meetingTimeExample)
	}
	if t.Year() < minMeetingYear || t.Year() > maxMeetingYear {
		return time.Time{}, Invalid(field, "invalid_time", "%s must be between the years %d and %d.", fieldLabel(field), minMeetingYear, maxMeetingYear)
	}
	return t.UTC(), nil
}

// localTimeLayout is a time as an HTML datetime-local input sends it.
const localTimeLayout = "2006-01-02T15:04"

// LocalMeetingTime turns a wall-clock time in zone, as a form's datetime-local input
// sends it ("2027-03-04T15:30"), into the RFC 3339 instant the API takes. An empty value
// or an unknown zone passes through unchanged, for ParseMeetingTime and ParseMeetingZone
// to refuse in their words. Returns invalid "invalid_time" naming field.
func LocalMeetingTime(field, local, zone string) (string, error) {
	local = strings.TrimSpace(local)
	loc, err := time.LoadLocation(strings.TrimSpace(zone))
	if local == "" || err != nil || strings.TrimSpace(zone) == "" {
		return local, nil
	}
	layout := localTimeLayout
	if len(local) == len(localTimeLayout)+3 {
		layout += ":05" // browsers add seconds when a step asks for them
	}
	t, err := time.ParseInLocation(layout, local, loc)
	if err != nil {
		return "", Invalid(field, "invalid_time", "%s must be a date and a time, like 2027-03-04 15:30.", fieldLabel(field))
	}
	return t.Format(time.RFC3339), nil
}

// ParseMeetingZone reads a required IANA zone name. Returns invalid "invalid_time_zone"
// (an unknown zone) or "required", naming field.
func ParseMeetingZone(field, s string) (string, error) {
	z, err := NormalizeTimeZone(field, s)
	if err != nil {
		return "", err
	}
	if z == "" {
		return "", Invalid(field, "required", "%s is required: the IANA zone the meeting is in, such as America/Chicago.", fieldLabel(field))
	}
	return z, nil
}

// CheckMeetingTimes is the rule for a meeting's span: it ends after it starts, and lasts
// at most MaxMeetingLength. Returns invalid naming ends_at: "ends_before_start" or
// "too_long".
func CheckMeetingTimes(starts, ends time.Time) error {
	if !ends.After(starts) {
		return Invalid("ends_at", "ends_before_start", "The meeting must end after it starts: ends_at is not after starts_at.")
	}
	if ends.Sub(starts) > MaxMeetingLength {
		return Invalid("ends_at", "too_long", "A meeting lasts at most %d days; schedule a longer convening as several meetings.", int(MaxMeetingLength/(24*time.Hour)))
	}
	return nil
}

// ParseVideoURL checks a video link: an http or https address. "" is none. Returns
// invalid "invalid_url" naming field.
func ParseVideoURL(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > MaxMeetingURLLen ||
		strings.ContainsAny(s, " \t\r\n") {
		return "", Invalid(field, "invalid_url", "%s must be an http or https address of at most %d characters, like https://meet.example.org/ct-framework.", fieldLabel(field), MaxMeetingURLLen)
	}
	return s, nil
}

// cleanOptionalLine checks an optional one-line field of at most max characters.
func cleanOptionalLine(field, s string, max int) (string, error) {
	s, err := CleanLine(field, s)
	if err != nil {
		return "", err
	}
	return s, checkLen(field, s, 0, max)
}

// CheckScheduleMeeting is who may schedule, change and cancel meetings: the
// collaborative's leads (and the site's moderators). notFound answers those who may not
// see inside.
func CheckScheduleMeeting(a CollaborativeAccess, notFound *Error) error {
	return a.CheckManage(notFound)
}

// CheckMeetingOpen refuses changes to the agenda of a cancelled meeting: conflict
// "meeting_cancelled".
func CheckMeetingOpen(m *Meeting) error {
	if m.Cancelled() {
		return Coded(EConflict, "meeting_cancelled", "The meeting %q is cancelled; its agenda no longer changes.", m.Title)
	}
	return nil
}

// CheckProposeAgenda is who may propose agenda items: the collaborative's members.
func CheckProposeAgenda(a CollaborativeAccess, m *Meeting) error {
	if err := a.CheckTakePart(NotFoundMeeting(m.ID)); err != nil {
		return err
	}
	return CheckMeetingOpen(m)
}

// CheckEditAgendaItem is who may change an agenda item: its proposer or a lead may
// retitle or remove it; only leads order the agenda (reorder set). Returns not_found for
// those who may not see it, forbidden "not_a_lead" or "not_yours".
func CheckEditAgendaItem(a CollaborativeAccess, m *Meeting, item *AgendaItem, reorder bool) error {
	nf := NotFoundAgendaItem(item.ID)
	if reorder {
		if err := a.CheckManage(nf); err != nil {
			return err
		}
		return CheckMeetingOpen(m)
	}
	if err := a.CheckTakePart(nf); err != nil {
		return err
	}
	if !a.CanManage() && (item.ProposedBy == nil || item.ProposedBy.ID != a.Viewer.ID) {
		return Coded(EForbidden, "not_yours", "Only the person who proposed an agenda item, or a lead, can change it.")
	}
	return CheckMeetingOpen(m)
}

// CheckWriteNotes is who may write a meeting's shared notes: the collaborative's
// members; base is the revision the writer started from, current the stored one.
// Returns conflict "edit_conflict" when someone saved since base.
func CheckWriteNotes(a CollaborativeAccess, m *Meeting, base int) error {
	if err := a.CheckTakePart(NotFoundMeeting(m.ID)); err != nil {
		return err
	}
	if base != m.Notes.Revision {
		return Coded(EConflict, "edit_conflict",
			"Someone saved the notes (revision %d) since you started from revision %d; reload them, then apply your change again.", m.Notes.Revision, base)
	}
	return nil
}

// NewAgendaItem is an agenda item ready to store; the store places it last.
type NewAgendaItem struct {
	MeetingID int64
	Actor     *User
	Title     string
	Note      string
	Now       time.Time
}

// AgendaInput is an agenda item as a member proposes it.
type AgendaInput struct{ Title, Note string }

// AgendaUpdate changes an agenda item: nil leaves a field as it is. Position moves the
// item there (1 is first), shifting the others.
type AgendaUpdate struct {
	Title, Note *string
	Position    *int
}

// NotesEdit is a save of a meeting's notes.
type NotesEdit struct {
	MeetingID    int64
	Actor        *User
	Notes        Rendered
	BaseRevision int
	Now          time.Time
}

// MeetingFilter selects a collaborative's meetings. Upcoming: those not yet ended and not
// cancelled, soonest first; else all, newest first.
type MeetingFilter struct {
	Upcoming bool
	Now      time.Time
	Limit    int
}

// MeetingStore keeps meetings, their agendas and notes, action items and calendar keys.
// Every write takes its Actor and checks the rule (CheckScheduleMeeting,
// CheckProposeAgenda, ...) on what it reads inside its transaction, and logs its event on
// the collaborative's topic in the same transaction. Reads return what is stored: the
// caller checks who may see it (Meetings does).
type MeetingStore interface {
	// CreateMeeting returns the errors of CheckScheduleMeeting (NotFoundCollaborative).
	CreateMeeting(ctx context.Context, m NewMeeting) (*Meeting, error)
	// UpdateMeeting raises the sequence. Returns NotFoundMeeting, CheckScheduleMeeting's
	// and CheckMeetingTimes' errors.
	UpdateMeeting(ctx context.Context, id int64, actor *User, ch MeetingChanges, now time.Time) (*Meeting, error)
	// CancelMeeting marks it cancelled and raises the sequence; cancelling again changes
	// nothing. Returns NotFoundMeeting and CheckScheduleMeeting's errors.
	CancelMeeting(ctx context.Context, id int64, actor *User, now time.Time) (*Meeting, error)
	// Meeting returns NotFoundMeeting.
	Meeting(ctx context.Context, id int64) (*Meeting, error)
	// Meetings lists a collaborative's meetings.
	Meetings(ctx context.Context, collaborativeID int64, f MeetingFilter) ([]*Meeting, error)
	// MeetingsOf lists the meetings of the collaboratives userID is a member of that end
	// after since, cancelled ones included, soonest first: a calendar feed's.
	MeetingsOf(ctx context.Context, userID int64, since time.Time, limit int) ([]*Meeting, error)
	// LastMeetingBefore returns the collaborative's latest meeting that started before t
	// and was not cancelled, or nil.
	LastMeetingBefore(ctx context.Context, collaborativeID int64, t time.Time) (*Meeting, error)

	// Agenda lists a meeting's items in order.
	Agenda(ctx context.Context, meetingID int64) ([]*AgendaItem, error)
	// AddAgendaItem places the item last. Returns CheckProposeAgenda's errors and conflict
	// "agenda_full" past MaxAgendaItems.
	AddAgendaItem(ctx context.Context, it NewAgendaItem) (*AgendaItem, error)
	// UpdateAgendaItem returns NotFoundAgendaItem and CheckEditAgendaItem's errors.
	UpdateAgendaItem(ctx context.Context, id int64, actor *User, upd AgendaUpdate, now time.Time) (*AgendaItem, error)
	// DeleteAgendaItem closes the gap in the order. Returns NotFoundAgendaItem and
	// CheckEditAgendaItem's errors.
	DeleteAgendaItem(ctx context.Context, id int64, actor *User, now time.Time) error
	// SaveNotes stores a new revision of the notes. Returns NotFoundMeeting and
	// CheckWriteNotes' errors (edit_conflict).
	SaveNotes(ctx context.Context, e NotesEdit) (*Meeting, error)

	ActionStore
	// Assignees lists the people an action item of the collaborative may be given to:
	// its members, by name.
	Assignees(ctx context.Context, collaborativeID int64) ([]*User, error)

	// CalendarKey returns userID's feed key, storing newKey first when they have none (or
	// always, with reset).
	CalendarKey(ctx context.Context, userID int64, newKey string, reset bool, now time.Time) (string, error)
	// CalendarOwner returns the person whose feed key is key, or NotFoundUser(0).
	CalendarOwner(ctx context.Context, key string) (int64, error)
}

// AgendaGone is the data of agenda.deleted.
type AgendaGone struct {
	ID        int64
	MeetingID int64
}

// CheckAgendaRoom refuses an item past MaxAgendaItems (n is how many the agenda has):
// conflict "agenda_full".
func CheckAgendaRoom(n int) error {
	if n >= MaxAgendaItems {
		return Coded(EConflict, "agenda_full", "This agenda has %d items, the most a meeting takes; remove one first.", MaxAgendaItems)
	}
	return nil
}
