package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// The hooks forum/storetest needs beyond forum's interfaces (storetest.Tapped), for this
// package's tests only.

// eventTime stamps the events of WriteEvents: when they happened does not matter to it.
var eventTime = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// PublishTo sends committed events to p, with their data as plain JSON.
func (db *DB) PublishTo(p forum.Publisher) { db.SetPublisher(p) }

// WriteEvents runs one write that logs events and then commits, or rolls back with fail.
func (db *DB) WriteEvents(ctx context.Context, fail error, events ...forum.Event) error {
	return db.write(ctx, func(tx *txn) error {
		if err := tx.emit(ctx, eventTime, events...); err != nil {
			return err
		}
		return fail
	})
}

// Notify runs one write that describes n through tx.notify.
func (db *DB) Notify(ctx context.Context, n forum.Notification) error {
	return db.write(ctx, func(tx *txn) error { return tx.notify(ctx, n) })
}
