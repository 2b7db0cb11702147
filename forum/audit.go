package forum

import "time"

// The audit log. Every moderator's and lead's action that changes someone else's content
// or standing is written as one row in the same transaction as the change (who, what, on
// what, the state before and after, why, when), so that the log can never disagree with
// what happened. The moderation feature reads it (its page, filters and CSV); every
// feature that acts on others writes it through its store.

// AuditEntry is one audited action.
type AuditEntry struct {
	ID         int64
	ActorID    int64  // who acted; 0: the system (an automatic rule)
	Action     string // snake_case verb with its object: "post.delete", "user.suspend", "member.remove"
	TargetKind string // "post", "comment", "message", "user", "collaborative", ...
	TargetID   int64
	// Before and After are the changed state as JSON objects ("" when there is none:
	// nothing before a creation, nothing after a purge).
	Before, After string
	Reason        string
	At            time.Time
}
