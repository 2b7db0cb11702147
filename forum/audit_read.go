package forum

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The audit log's reading side: moderators filter it, page through it newest first (by
// keyset: the time and id of the last row seen, so that a page costs the same at row
// 100,000 as at row 1) and export it as CSV.

// Audit paging limits.
const (
	AuditPageSize    = 50
	MaxAuditPageSize = 500
	// MaxAuditExport bounds one CSV export; a larger log is exported in pieces with before.
	MaxAuditExport = 10000
)

// AuditCursor is the position after a row: rows older than At, or as old with a smaller ID.
type AuditCursor struct {
	At time.Time
	ID int64 // 0: every row at At is older
}

// String is the cursor as the API hands it out (next) and takes it back (before).
func (c AuditCursor) String() string {
	return strconv.FormatInt(c.At.UnixNano(), 10) + "_" + strconv.FormatInt(c.ID, 10)
}

// ParseAuditBefore reads before: an RFC 3339 time (rows before it) or a cursor the API
// returned as next. invalid "before".
func ParseAuditBefore(s string) (*AuditCursor, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &AuditCursor{At: t.UTC()}, nil
	}
	if ns, id, ok := strings.Cut(s, "_"); ok {
		n, err1 := strconv.ParseInt(ns, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if err1 == nil && err2 == nil && i >= 0 {
			return &AuditCursor{At: time.Unix(0, n).UTC(), ID: i}, nil
		}
	}
	return nil, Invalid("before", "bad_before", "before must be an RFC 3339 time (2027-03-04T15:30:00Z) or the next value of a previous page.")
}

// AuditFilter selects audit rows; zero fields select everything.
type AuditFilter struct {
	ActorID    int64
	TargetKind string
	TargetID   int64 // only with TargetKind
	Action     string
	Before     *AuditCursor
	Limit      int
}

// maxAuditFilterLen bounds the kind and action a filter names.
const maxAuditFilterLen = 60

// ParseAuditTarget reads target: "user:12", "post:7" or a kind alone ("comment").
// invalid "target".
func ParseAuditTarget(s string) (kind string, id int64, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, nil
	}
	kind, ids, hasID := strings.Cut(s, ":")
	if kind == "" || len(kind) > maxAuditFilterLen || !isAuditWord(kind) {
		return "", 0, Invalid("target", "bad_target", "target must be a kind and an id, such as user:12 or post:7, or a kind alone.")
	}
	if hasID {
		if id, err = strconv.ParseInt(ids, 10, 64); err != nil || id < 1 {
			return "", 0, Invalid("target", "bad_target", "target must be a kind and an id, such as user:12 or post:7, or a kind alone.")
		}
	}
	return kind, id, nil
}

// CheckAuditAction refuses an action filter that no action could match. invalid "action".
func CheckAuditAction(s string) error {
	if s != "" && (len(s) > maxAuditFilterLen || !isAuditWord(s)) {
		return Invalid("action", "bad_action", "action must be an audited action such as user.suspend or post.delete.")
	}
	return nil
}

func isAuditWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// AuditRow is an audit entry as moderators read it: with the actor's account (nil: the
// system, or an account since purged).
type AuditRow struct {
	AuditEntry
	Actor *User
}

// Cursor is the position after this row.
func (r *AuditRow) Cursor() AuditCursor { return AuditCursor{At: r.At, ID: r.ID} }

// AuditReader reads the audit log.
type AuditReader interface {
	// AuditLog returns up to f.Limit rows matching f, newest first, from f.Before on.
	AuditLog(ctx context.Context, f AuditFilter) ([]*AuditRow, error)
	// PersonAudit returns up to limit rows about a person, newest first: actions on their
	// account and on their posts and comments.
	PersonAudit(ctx context.Context, userID int64, limit int) ([]*AuditRow, error)
}

// AuditPage is one page of the audit log and where the next one starts (nil: none).
type AuditPage struct {
	Items []*AuditRow
	Next  *AuditCursor
}

// AuditLog returns a page of the audit log to a moderator. forbidden "not_moderator".
func (m *Oversight) AuditLog(ctx context.Context, by *User, f AuditFilter) (*AuditPage, error) {
	if err := CheckModerator(by); err != nil {
		return nil, err
	}
	if err := CheckAuditAction(f.Action); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = AuditPageSize
	}
	if f.Limit > MaxAuditExport {
		return nil, Invalid("limit", "bad_limit", "limit can be at most %d.", MaxAuditExport)
	}
	want := f.Limit
	f.Limit++ // one more tells whether there is a next page
	rows, err := m.Audit.AuditLog(ctx, f)
	if err != nil {
		return nil, err
	}
	p := &AuditPage{Items: rows}
	if len(rows) > want {
		p.Items = rows[:want]
		c := p.Items[want-1].Cursor()
		p.Next = &c
	}
	return p, nil
}

// PersonHistory is a person's moderation history as moderators see it.
type PersonHistory struct {
	Person  *User
	Actions []*AuditRow // on them and on what they wrote, newest first
}

// maxPersonHistory bounds the history page.
const maxPersonHistory = 200

// History returns a person's moderation history to a moderator: not_found for a missing
// person, forbidden "not_moderator".
func (m *Oversight) History(ctx context.Context, by *User, id int64) (*PersonHistory, error) {
	if err := CheckModerator(by); err != nil {
		return nil, err
	}
	u, err := m.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := m.Audit.PersonAudit(ctx, id, maxPersonHistory)
	if err != nil {
		return nil, err
	}
	return &PersonHistory{Person: u, Actions: rows}, nil
}

// AuditTarget words an entry's target for a list: "user 12".
func (e *AuditEntry) AuditTarget() string { return fmt.Sprintf("%s %d", e.TargetKind, e.TargetID) }

// ParseAuditActor reads the actor filter: an account id or a username. invalid "actor"
// when no such account exists.
func (m *Oversight) ParseAuditActor(ctx context.Context, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	if len(s) > MaxUsernameLen*4 {
		return 0, Invalid("actor", "unknown_actor", "actor must be an account id or a username.")
	}
	u, err := m.Users.UserByLogin(ctx, s)
	if err != nil {
		if e := AsError(err); e != nil && e.Kind == ENotFound {
			return 0, Invalid("actor", "unknown_actor", "There is no account %q; actor must be an account id or a username.", s)
		}
		return 0, err
	}
	return u.ID, nil
}
