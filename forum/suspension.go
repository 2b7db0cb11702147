package forum

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// Suspensions and the reading side of the audit log: the moderators' tools for a
// person's standing. A suspended person still reads and signs in; every write of theirs
// is refused with the reason and the end (User.CheckCanWrite), and the suspension ends by
// itself when its time comes: nothing has to run to lift it.

// MaxSuspendReasonLen bounds the reason a suspended person is shown.
const MaxSuspendReasonLen = 500

// SuspensionFacts are what the rules about suspending someone depend on, read by the
// store in the transaction that changes it.
type SuspensionFacts struct {
	Exists bool
	Role   Role
	Until  *time.Time // the suspension in force or past; nil: never suspended
	Reason string
}

// Suspension is a change of someone's suspension: Until set suspends, nil lifts.
type Suspension struct {
	By     *User
	UserID int64
	Until  *time.Time
	Reason string
	Now    time.Time
}

// CheckSuspend decides whether s may be applied to the person f describes: not_found,
// forbidden "not_moderator", forbidden "moderator_target" when a moderator suspends a
// moderator or an admin (only admins may), invalid "user" for oneself, invalid "until"
// when it is not in the future. Lifting (Until nil) needs the same standing.
func CheckSuspend(s Suspension, f SuspensionFacts) error {
	if err := CheckModerator(s.By); err != nil {
		return err
	}
	if !f.Exists {
		return NotFoundUser(s.UserID)
	}
	if s.UserID == s.By.ID {
		return Invalid("user", "own_account", "You cannot suspend your own account.")
	}
	if f.Role.IsModerator() && s.By.Role != RoleAdmin {
		return Coded(EForbidden, "moderator_target", "Only an admin can suspend a moderator or an admin, or lift their suspension.")
	}
	if s.Until != nil && !s.Until.After(s.Now) {
		return Invalid("until", "until_past", "The suspension must end in the future; give until as an RFC 3339 time such as %s.",
			s.Now.Add(7*24*time.Hour).Format(time.RFC3339))
	}
	return nil
}

// SuspensionAudit is the audit row of a suspension change from before (f) to after (s).
func SuspensionAudit(s Suspension, f SuspensionFacts) AuditEntry {
	action := "user.suspend"
	if s.Until == nil {
		action = "user.unsuspend"
	}
	state := func(until *time.Time, reason string) string {
		if until == nil || !until.After(s.Now) {
			return `{"suspended":false}`
		}
		b, _ := json.Marshal(map[string]any{"suspended": true, "until": until.UTC().Format(time.RFC3339), "reason": reason})
		return string(b)
	}
	return AuditEntry{ActorID: s.By.ID, Action: action, TargetKind: "user", TargetID: s.UserID,
		Before: state(f.Until, f.Reason), After: state(s.Until, s.Reason), Reason: s.Reason, At: s.Now}
}

// SuspensionStore changes suspensions.
type SuspensionStore interface {
	// SetSuspension reads the person's SuspensionFacts, applies CheckSuspend, stores the
	// suspension (or its end) and writes SuspensionAudit, all in one transaction.
	SetSuspension(ctx context.Context, s Suspension) error
}

// Oversight is the moderators' service for people's standing and the audit log.
type Oversight struct {
	Users       UserStore
	Suspensions SuspensionStore
	Audit       AuditReader
	// Accounts forgets the cached sign-ins of a person whose standing changed, so that
	// their next request sees it. Nil: the cache's short TTL does.
	Accounts *Accounts
	Now      func() time.Time
}

func (m *Oversight) now() time.Time { return m.Now().UTC() }

// ParseSuspendUntil reads until as the API sends it: an RFC 3339 time. invalid "until".
func ParseSuspendUntil(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, Invalid("until", "bad_time", "until must be an RFC 3339 time with an offset, such as 2027-03-04T15:30:00-06:00.")
	}
	return t.UTC(), nil
}

// Suspend suspends a person until until, for reason (required: they are shown it).
// Returns CheckSuspend's refusals and invalid "reason".
func (m *Oversight) Suspend(ctx context.Context, by *User, id int64, until time.Time, reason string) (*User, error) {
	if err := CheckModerator(by); err != nil {
		return nil, err
	}
	reason, err := CleanLine("reason", reason)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, Invalid("reason", "reason_required", "Say why: the person is shown the reason with the end of the suspension.")
	}
	if utf8.RuneCountInString(reason) > MaxSuspendReasonLen {
		return nil, Invalid("reason", "too_long", "The reason can be at most %d characters.", MaxSuspendReasonLen)
	}
	until = until.UTC()
	return m.change(ctx, Suspension{By: by, UserID: id, Until: &until, Reason: reason, Now: m.now()})
}

// Lift ends a person's suspension now. Lifting one that is not in force succeeds and
// changes nothing worth auditing beyond the row itself.
func (m *Oversight) Lift(ctx context.Context, by *User, id int64) (*User, error) {
	return m.change(ctx, Suspension{By: by, UserID: id, Now: m.now()})
}

func (m *Oversight) change(ctx context.Context, s Suspension) (*User, error) {
	if err := m.Suspensions.SetSuspension(ctx, s); err != nil {
		return nil, err
	}
	if m.Accounts != nil {
		m.Accounts.ForgetUser(s.UserID) // their cached sign-in carries the old standing
	}
	return m.Users.UserByID(ctx, s.UserID)
}
