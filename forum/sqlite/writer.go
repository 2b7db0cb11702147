package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Group commit. SQLite commits one transaction at a time, and with synchronous=FULL each
// commit waits for the disk. So writes queue here, and one goroutine runs whatever is
// waiting as one transaction, each write in a savepoint of its own, and commits them
// together: one disk sync for many writes, and each caller is answered only after the
// commit that made its write durable. A write that fails rolls back to its savepoint and
// leaves the others in the batch untouched.
const (
	// maxBatch bounds how many writes share a commit, so that one commit's latency
	// stays small while the queue is long.
	maxBatch = 256
	// queueSize is how many writes may wait; beyond it callers block, which is the
	// back-pressure a flood of writes should feel.
	queueSize = 4096
)

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("sqlite: database is closed")

type writeRequest struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

func (db *DB) startWriter() {
	db.queue = make(chan *writeRequest, queueSize)
	db.writerDone = make(chan struct{})
	go db.writeLoop()
}

// write runs fn inside the next batch's transaction and returns once that transaction is
// committed (nil) or fn's error once its savepoint is rolled back.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.queueMu.RLock()
	if db.closed {
		db.queueMu.RUnlock()
		return ErrClosed
	}
	select {
	case db.queue <- req:
	case <-ctx.Done():
		db.queueMu.RUnlock()
		return ctx.Err()
	}
	db.queueMu.RUnlock()
	// Wait even if ctx ends now: the write may already be in a commit, and the caller
	// must learn whether it happened.
	return <-req.done
}

// stopWriter lets the queued writes finish and stops the loop.
func (db *DB) stopWriter() {
	db.queueMu.Lock()
	if !db.closed {
		db.closed = true
		close(db.queue)
	}
	db.queueMu.Unlock()
	<-db.writerDone
}

func (db *DB) writeLoop() {
	defer close(db.writerDone)
	batch := make([]*writeRequest, 0, maxBatch)
	for first := range db.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case req, ok := <-db.queue:
				if !ok {
					break fill
				}
				batch = append(batch, req)
			default:
				break fill
			}
		}
		db.runBatch(batch)
	}
}

func (db *DB) runBatch(batch []*writeRequest) {
	results := make([]error, len(batch))
	finish := func(err error) {
		for i, req := range batch {
			if results[i] == nil {
				results[i] = err
			}
			req.done <- results[i]
		}
	}
	tx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		finish(fmt.Errorf("begin: %w", err))
		return
	}
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.Exec(`SAVEPOINT write`); err != nil {
			tx.Rollback()
			finish(fmt.Errorf("savepoint: %w", err))
			return
		}
		if err := req.fn(tx); err != nil {
			results[i] = err
			if _, rerr := tx.Exec(`ROLLBACK TO write`); rerr != nil {
				tx.Rollback()
				finish(fmt.Errorf("rollback to savepoint: %w", rerr))
				return
			}
		}
		if _, err := tx.Exec(`RELEASE write`); err != nil {
			tx.Rollback()
			finish(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	finish(nil)
}
