// Package sqlite is Staffroom's SQLite store: it implements the forum storage interfaces
// over mattn/go-sqlite3 in WAL mode, with one writer connection that runs immediate
// transactions one at a time and a separate pool of read-only connections, so reads never
// wait for writes and writes never fail with "database is locked".
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"

	"staffroom/forum"
)

const (
	// busyTimeout is how long a connection waits on a lock held by another process (a
	// backup, a CLI command) before giving up; in-process writers never contend.
	busyTimeout = 5 * time.Second
	// minReaders keeps a few read connections even on one core: pages issue reads while
	// other requests hold theirs.
	minReaders = 4
)

// DB is an open Staffroom database.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB

	// stmts caches prepared read statements by query text. Preparing a statement costs
	// more than running a point lookup, and the hot reads (session, token, user) are few.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // on the reader pool
	wstmts map[string]*sql.Stmt // on the writer connection
	// wantStmts are writer statements to prepare once the connection is free.
	wantStmts map[string]struct{}

	// The group-commit writer (writer.go).
	queueMu    sync.RWMutex
	closed     bool
	queue      chan *writeRequest
	writerDone chan struct{}

	// events holds the forum.Publisher: it encodes what is logged and hears what commits (events.go).
	events atomic.Pointer[eventSink]
	// reputation hears whose reputation committed writes changed (OnReputation).
	reputation atomic.Pointer[func(userIDs []int64)]
	// notifyHook hears of commits that queued notification fan-out (OnNotify).
	notifyHook atomic.Pointer[func()]

	// search keeps what searches learn about the index (search.go).
	search searchIndex
}

// OnReputation has f told, after each commit and before the writers hear of it, the people
// whose reputation it changed (votes, acceptance, deletion undoing them), so that what is
// cached about them (forum.Accounts.ForgetUsers) shows the new number on their next page.
// f runs on the writer: it must be quick.
func (db *DB) OnReputation(f func(userIDs []int64)) {
	if f == nil {
		db.reputation.Store(nil)
		return
	}
	db.reputation.Store(&f)
}

// Open opens (creating if needed) the database at path. It does not migrate; call Migrate.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	writer, err := sql.Open(driverName, dsn(path, url.Values{
		"_txlock":       {"immediate"},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"FULL"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	// One writer: SQLite serializes writes anyway, and doing it in Go means a queue,
	// not a busy loop.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	// The writer's first connection switches the file to WAL before any reader opens it.
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Each reader connection keeps its statements prepared: lists build their queries
	// from the page (ids IN (?, ?, ...)), and preparing one costs more than running it.
	reader, err := sql.Open(driverName, dsn(path, url.Values{"_query_only": {"true"}, "_stmt_cache_size": {"128"}}))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open reader: %w", err)
	}
	n := max(minReaders, 2*runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	reader.SetConnMaxIdleTime(0)
	db := &DB{path: path, writer: writer, reader: reader, stmts: map[string]*sql.Stmt{}, wstmts: map[string]*sql.Stmt{},
		wantStmts: map[string]struct{}{}}
	db.SetPublisher(nil)
	db.startWriter()
	return db, nil
}

func dsn(path string, extra url.Values) string {
	v := url.Values{
		"_busy_timeout": {fmt.Sprint(busyTimeout.Milliseconds())},
		"_foreign_keys": {"on"},
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode()
}

// Close lets queued writes finish and closes both pools.
func (db *DB) Close() error {
	db.stopWriter()
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	for _, st := range db.wstmts {
		st.Close()
	}
	db.stmts, db.wstmts = map[string]*sql.Stmt{}, map[string]*sql.Stmt{}
	db.stmtMu.Unlock()
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// prepared returns the cached read statement for query, preparing it on first use.
// Preparing waits for a free reader connection, so no lock is held meanwhile: readers
// inside a read transaction hold a connection and look statements up here.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.cachedRead(query); ok {
		return st, nil
	}
	st, err := db.reader.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if first, ok := db.stmts[query]; ok { // prepared meanwhile by another reader
		st.Close()
		return first, nil
	}
	db.stmts[query] = st
	return st, nil
}

// cachedRead returns the read statement for query if it is prepared already.
func (db *DB) cachedRead(query string) (*sql.Stmt, bool) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	st, ok := db.stmts[query]
	return st, ok
}

// readRow runs a single-row read through a cached prepared statement.
func (db *DB) readRow(ctx context.Context, query string, args ...any) scanner {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// readRows runs a read through a cached prepared statement. Only for queries whose text
// is fixed (placeholders for values), so the cache stays small.
func (db *DB) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// errRow is a row that failed before it was read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Writer and Reader expose the pools for metrics.
func (db *DB) Writer() *sql.DB { return db.writer }
func (db *DB) Reader() *sql.DB { return db.reader }

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// isUnique reports whether err is a UNIQUE constraint failure on the given column
// ("table.column" as SQLite names it).
func isUnique(err error, column string) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique &&
		strings.Contains(se.Error(), column)
}

// notFound turns sql.ErrNoRows into the domain's not_found, nf (one of forum's NotFound
// helpers: the store phrases no message of its own).
func notFound(err error, nf *forum.Error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nf
	}
	return err
}

// nullTime converts a nullable timestamp column.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// mustAffect returns a check for an update or delete result: nf (one of forum's NotFound
// helpers) when the statement touched no row. Use it as mustAffect(nf)(tx.ExecContext(...)).
func mustAffect(nf *forum.Error) func(sql.Result, error) error {
	return func(res sql.Result, err error) error {
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return nf
		}
		return nil
	}
}
