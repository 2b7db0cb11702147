package forum

import (
	"context"
	"strings"
	"time"
)

// Action items: a title, an assignee who must be a member of the collaborative, a due
// date, and a status. They are created on their own or from a meeting, listed per person
// ("my action items") and per collaborative, and an open one past its due date is overdue.

// ActionStatus is open or done.
type ActionStatus string

const (
	ActionOpen ActionStatus = "open"
	ActionDone ActionStatus = "done"
)

// ParseActionStatus reads "open" or "done". Returns invalid "invalid_status".
func ParseActionStatus(field, s string) (ActionStatus, error) {
	switch st := ActionStatus(strings.TrimSpace(s)); st {
	case ActionOpen, ActionDone:
		return st, nil
	}
	return "", Invalid(field, "invalid_status", "%s must be open or done.", fieldLabel(field))
}

// dateLayout is a due date as the API writes it.
const dateLayout = "2006-01-02"

// ParseDue reads a due date, YYYY-MM-DD; "" is none. Returns invalid "invalid_date".
func ParseDue(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Year() < minMeetingYear || t.Year() > maxMeetingYear {
		return "", Invalid(field, "invalid_date", "%s must be a date written YYYY-MM-DD, like 2027-03-18.", fieldLabel(field))
	}
	return t.Format(dateLayout), nil
}

// Today is the date at now in zone (an IANA name; "" or unknown: UTC), as due dates are
// written: what "overdue" is measured against for a reader there.
func Today(now time.Time, zone string) string {
	loc := time.UTC
	if zone != "" {
		if l, err := time.LoadLocation(zone); err == nil {
			loc = l
		}
	}
	return now.In(loc).Format(dateLayout)
}

// ActionItem is an action item as stored.
type ActionItem struct {
	ID              int64
	CollaborativeID int64
	Collaborative   CollaborativeRef
	MeetingID       int64 // 0: on its own
	MeetingTitle    string
	Title           string
	Assignee        *User  // nil: nobody yet
	Due             string // YYYY-MM-DD, "" when none
	Status          ActionStatus
	CreatedBy       int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	DoneAt          *time.Time
}

// Overdue reports whether the item is open past its due date, today being the reader's
// date (Today).
func (a *ActionItem) Overdue(today string) bool {
	return a.Status == ActionOpen && a.Due != "" && a.Due < today
}

// NotFoundAction is the answer for an action item that does not exist or is invisible.
func NotFoundAction(id int64) *Error { return Errorf(ENotFound, "There is no action item %d.", id) }

// CheckAssignee is the rule for whom an action item is given to: a member of its
// collaborative (role is theirs there). Returns invalid "assignee_not_member".
func CheckAssignee(role MemberRole) error {
	if role == MemberNone {
		return Invalid("assignee_id", "assignee_not_member", "Action items go to members of the collaborative: that person is not one.")
	}
	return nil
}

// CheckWriteActions is who may create and change action items: the collaborative's
// members (a non-member of a private one gets notFound).
func CheckWriteActions(a CollaborativeAccess, notFound *Error) error {
	return a.CheckTakePart(notFound)
}

// UnknownMeeting answers an action item that names a meeting of another collaborative,
// or none: invalid "unknown_meeting".
func UnknownMeeting(id int64) *Error {
	return Invalid("meeting_id", "unknown_meeting", "Meeting %d is not a meeting of this collaborative.", id)
}

// ActionInput is an action item as a member writes it.
type ActionInput struct {
	Title      string
	AssigneeID int64 // 0: nobody yet
	Due        string
	MeetingID  int64 // 0: on its own
}

// ActionItemUpdate changes an action item: nil leaves a field; a pointer to 0 (or "") clears
// the assignee, meeting or due date.
type ActionItemUpdate struct {
	Title      *string
	AssigneeID *int64
	Due        *string
	MeetingID  *int64
	Status     *string
}

// NewAction is an action item ready to store; the store checks CheckWriteActions,
// CheckAssignee and the meeting inside its transaction.
type NewAction struct {
	CollaborativeID int64
	Actor           *User
	Title           string
	AssigneeID      int64
	Due             string
	MeetingID       int64
	Now             time.Time
}

// ActionChanges are checked changes of an action item; nil fields stay.
type ActionChanges struct {
	Title      *string
	AssigneeID *int64
	Due        *string
	MeetingID  *int64
	Status     *ActionStatus
}

// ActionFilter selects action items; zero fields do not filter.
type ActionFilter struct {
	CollaborativeID int64
	MeetingID       int64
	AssigneeID      int64
	Status          ActionStatus
	Limit           int
}

// ActionStore keeps action items (part of MeetingStore).
type ActionStore interface {
	// CreateAction returns CheckWriteActions' errors (NotFoundCollaborative),
	// CheckAssignee's and UnknownMeeting.
	CreateAction(ctx context.Context, a NewAction) (*ActionItem, error)
	// UpdateAction sets DoneAt when the status turns done (and clears it when reopened).
	// Returns NotFoundAction and CreateAction's errors.
	UpdateAction(ctx context.Context, id int64, actor *User, ch ActionChanges, now time.Time) (*ActionItem, error)
	// Action returns NotFoundAction.
	Action(ctx context.Context, id int64) (*ActionItem, error)
	// Actions lists items: open ones first by due date (none last), then done ones,
	// newest done first.
	Actions(ctx context.Context, f ActionFilter) ([]*ActionItem, error)
	// AssignedActions lists the open items assigned to userID in the collaboratives they
	// may still see inside (public ones, and those they are a member of).
	AssignedActions(ctx context.Context, userID int64, limit int) ([]*ActionItem, error)
	// ActionsChangedSince lists a collaborative's items opened or done after since.
	ActionsChangedSince(ctx context.Context, collaborativeID int64, since time.Time) (opened, closed []*ActionItem, err error)
}
