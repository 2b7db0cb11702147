package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"staffroom/forum"
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
	fn   func(tx *txn) error
	done chan error
}

// txn is a write transaction whose statements are prepared once on the writer connection
// and reused: preparing costs more than running most of them.
type txn struct {
	*sql.Tx
	db *DB
	// pending are the events logged by this batch's writes so far, published after commit.
	pending []forum.LoggedEvent
	// reputed are the people whose reputation this batch's writes changed, told after
	// commit (OnReputation).
	reputed []int64
	// notices counts the fan-out jobs this batch's writes queued (notify), for OnNotify.
	notices int
}

// stmt returns the statement for query in this transaction: the cached one prepared on
// the writer connection, or else one prepared for this transaction alone, and the query is
// queued to be prepared for good once the connection is free (the one writer connection
// is busy with this very transaction now).
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	t.db.stmtMu.Lock()
	st, ok := t.db.wstmts[query]
	if !ok {
		t.db.wantStmts[query] = struct{}{}
	}
	t.db.stmtMu.Unlock()
	if ok {
		return t.Tx.StmtContext(ctx, st), nil
	}
	return t.Tx.PrepareContext(ctx, query)
}

// ExecContext runs a statement through the writer's statement cache.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext runs a single-row query through the writer's statement cache.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // reports the same preparation error
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a query through the writer's statement cache.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// prepareWanted prepares, between batches, the statements transactions asked for.
func (db *DB) prepareWanted() {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	for q := range db.wantStmts {
		if st, err := db.writer.Prepare(q); err == nil {
			db.wstmts[q] = st
		}
		delete(db.wantStmts, q)
	}
}

func (db *DB) startWriter() {
	db.queue = make(chan *writeRequest, queueSize)
	db.writerDone = make(chan struct{})
	go db.writeLoop()
}

// write runs fn inside the next batch's transaction and returns once that transaction is
// committed (nil) or fn's error once its savepoint is rolled back.
func (db *DB) write(ctx context.Context, fn func(tx *txn) error) error {
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
		db.prepareWanted()
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
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		finish(fmt.Errorf("begin: %w", err))
		return
	}
	tx := &txn{Tx: sqlTx, db: db}
	// Savepoints go through the statement cache too: three per write add up.
	ctx := context.Background()
	for i, req := range batch {
		if err := req.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
			tx.Rollback()
			finish(fmt.Errorf("savepoint: %w", err))
			return
		}
		logged, reputed, notices := len(tx.pending), len(tx.reputed), tx.notices
		if err := req.fn(tx); err != nil {
			results[i] = err
			tx.pending, tx.reputed, tx.notices = tx.pending[:logged], tx.reputed[:reputed], notices
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO write`); rerr != nil {
				tx.Rollback()
				finish(fmt.Errorf("rollback to savepoint: %w", rerr))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE write`); err != nil {
			tx.Rollback()
			finish(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	// Published before the callers hear of their commit, so that a client that acts and
	// then subscribes finds its own event already in the log and the hub's hands alike.
	db.publishCommitted(tx.pending)
	if f := db.reputation.Load(); f != nil && len(tx.reputed) > 0 {
		(*f)(tx.reputed)
	}
	if f := db.notifyHook.Load(); f != nil && tx.notices > 0 {
		(*f)()
	}
	finish(nil)
}
