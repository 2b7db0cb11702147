package sqlite

import (
	"context"
	"fmt"

	"staffroom/forum"
)

// audit writes one audit log row in this transaction, so that it commits or rolls back
// with the action it records. Every store method that acts on someone else's content or
// standing calls it.
func (t *txn) audit(ctx context.Context, e forum.AuditEntry) error {
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO audit_log (actor_id, action, target_kind, target_id, before, after, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, actor, e.Action, e.TargetKind, e.TargetID, e.Before, e.After, e.Reason, e.At.UTC()); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}
