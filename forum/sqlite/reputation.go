package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// The reputation ledger: every change to a person's reputation is a row in
// reputation_events beside the change to users.reputation, so that votes and acceptances
// can be reversed exactly and the total recounted (recount.go).

// addReputation applies delta to a person's reputation, floored, and records the applied
// part in the ledger. A zero change (capped or floored away) is still recorded, so the
// history shows the event.
func addReputation(ctx context.Context, tx *txn, userID, postID, actorID int64, kind string, delta int, now time.Time) error {
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT reputation FROM users WHERE id = ?`, userID).Scan(&current); err != nil {
		return err
	}
	applied := forum.FloorDelta(current, delta)
	if _, err := tx.ExecContext(ctx, `INSERT INTO reputation_events (user_id, post_id, actor_id, kind, delta, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, userID, postID, actorID, kind, applied, now); err != nil {
		return err
	}
	if applied != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET reputation = reputation + ? WHERE id = ?`, applied, userID); err != nil {
			return err
		}
		tx.reputed = append(tx.reputed, userID) // told after commit (OnReputation)
	}
	return nil
}

// undoReputation reverses, for each person affected, the net reputation that actor's
// events of one family ("vote" or "accept") on a post still carry.
func undoReputation(ctx context.Context, tx *txn, postID, actorID int64, family, undoKind string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, SUM(delta) FROM reputation_events
		WHERE post_id = ? AND actor_id = ? AND kind LIKE ? GROUP BY user_id HAVING SUM(delta) <> 0`, postID, actorID, family+"%")
	if err != nil {
		return err
	}
	type net struct {
		user  int64
		delta int
	}
	var nets []net
	for rows.Next() {
		var n net
		if err := rows.Scan(&n.user, &n.delta); err != nil {
			rows.Close()
			return err
		}
		nets = append(nets, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range nets {
		if err := addReputation(ctx, tx, n.user, postID, actorID, undoKind, -n.delta, now); err != nil {
			return err
		}
	}
	return nil
}
