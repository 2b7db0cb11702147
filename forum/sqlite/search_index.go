package sqlite

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Filling the index: posts written before the index existed (a database migrated to
// 0013) are indexed in batches after start, newest first, each batch one short write
// between the site's own; `staffroom reindex` rebuilds the whole index the same way.

// backfillBatch is how many post ids one backfill transaction covers: small enough that
// the site's writes queued behind it wait a few tens of milliseconds, not seconds.
const backfillBatch = 2000

// The statements that index existing posts with ids in [?, ?), skipping those the
// triggers indexed meanwhile (an edit to a post the backfill has not reached yet).
const (
	// (A document is in the index when it has a size there: the content tables are views
	// of the posts, which have every row.)
	backfillQuestions = `INSERT INTO search_questions (docid, title, body, tags, meta)
		SELECT t.rowid, t.title, t.body, t.tags, t.meta FROM search_question_text t WHERE t.rowid >= ? AND t.rowid < ?
		AND NOT EXISTS (SELECT 1 FROM search_questions_docsize d WHERE d.docid = t.rowid)`
	backfillAnswers = `INSERT INTO search_answers (docid, body, meta)
		SELECT t.rowid, t.body, t.meta FROM search_answer_text t WHERE t.rowid >= ? AND t.rowid < ?
		AND NOT EXISTS (SELECT 1 FROM search_answers_docsize d WHERE d.docid = t.rowid)`
)

// SearchBackfillPending reports how many post ids are still to be indexed (0: none).
func (db *DB) SearchBackfillPending(ctx context.Context) (int64, error) {
	var below int64
	err := db.readRow(ctx, `SELECT backfill_below FROM search_state WHERE id = 1`).Scan(&below)
	return max(0, below-1), err
}

// BackfillSearch indexes the posts written before the index, newest first, a batch per
// transaction, until none are left or ctx ends. progress, if set, hears how many post ids
// are left after each batch. Running it again, or after an interruption, continues.
func (db *DB) BackfillSearch(ctx context.Context, progress func(left int64)) error {
	return db.backfill(ctx, progress, backfillBatch)
}

func (db *DB) backfill(ctx context.Context, progress func(left int64), batch int64) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var left int64
		err := db.write(ctx, func(tx *txn) error {
			var below int64
			if err := tx.QueryRowContext(ctx, `SELECT backfill_below FROM search_state WHERE id = 1`).Scan(&below); err != nil {
				return err
			}
			if below <= 1 {
				return nil
			}
			lo := max(1, below-batch)
			if _, err := tx.ExecContext(ctx, backfillQuestions, lo, below); err != nil {
				return fmt.Errorf("index questions: %w", err)
			}
			if _, err := tx.ExecContext(ctx, backfillAnswers, lo, below); err != nil {
				return fmt.Errorf("index answers: %w", err)
			}
			left = lo - 1
			_, err := tx.ExecContext(ctx, `UPDATE search_state SET backfill_below = ?, gen = gen + 1 WHERE id = 1`, lo)
			return err
		})
		if err != nil {
			return fmt.Errorf("search backfill: %w", err)
		}
		if progress != nil {
			progress(left)
		}
		if left == 0 {
			return nil
		}
	}
}

// searchTables are the full-text tables, rebuilt by Reindex.
var searchTables = []string{"search_questions", "search_answers"}

// searchAnalyzer names how the index's text is made: the folding (and the Unicode tables
// under it) and the store's tokens. Documents leave the index by the words the content
// views compute now, so an index built by another analyzer is rebuilt, never edited.
const searchAnalyzer = "fold1/unicode-" + norm.Version + "/meta1"

// checkSearchAnalyzer rebuilds the index when it was built by another analyzer (a new
// version of Staffroom with other Unicode tables); Migrate runs it, before any write.
func (db *DB) checkSearchAnalyzer(ctx context.Context) error {
	return db.write(ctx, func(tx *txn) error {
		var have string
		if err := tx.QueryRowContext(ctx, `SELECT analyzer FROM search_state WHERE id = 1`).Scan(&have); err != nil {
			return fmt.Errorf("search analyzer: %w", err)
		}
		switch have {
		case searchAnalyzer:
			return nil
		case "": // built by this version from the start (or still empty)
		default:
			if err := resetSearchIndex(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE search_state SET analyzer = ? WHERE id = 1`, searchAnalyzer)
		return err
	})
}

// resetSearchIndex empties the index and marks every post as still to be indexed.
func resetSearchIndex(ctx context.Context, tx *txn) error {
	for _, table := range searchTables {
		// Dropped and created again from its own definition: deleting every row of an FTS
		// table reads and unindexes each of them.
		var create string
		if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&create); err != nil {
			return fmt.Errorf("reset search index: %s: %w", table, err)
		}
		if !strings.HasPrefix(create, "CREATE VIRTUAL TABLE") {
			return fmt.Errorf("reset search index: %s is not a virtual table", table)
		}
		for _, stmt := range []string{`DROP TABLE ` + table, create,
			`INSERT INTO ` + table + ` (` + table + `) VALUES ('automerge=8')`} {
			if _, err := tx.Tx.ExecContext(ctx, stmt); err != nil { // DDL: not through the statement cache
				return fmt.Errorf("reset search index: %w", err)
			}
		}
	}
	_, err := tx.Tx.ExecContext(ctx, `UPDATE search_state SET gen = gen + 1,
		backfill_below = (SELECT COALESCE(MAX(id), 0) + 1 FROM posts) WHERE id = 1`)
	return err
}

// CheckSearchIndex runs FTS4's integrity check: every document in the index has exactly
// the words its post's text has now. Meaningful once the backfill is done.
func (db *DB) CheckSearchIndex(ctx context.Context) error {
	return db.write(ctx, func(tx *txn) error {
		for _, table := range searchTables {
			if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`) VALUES ('integrity-check')`); err != nil {
				return fmt.Errorf("search index %s: %w", table, err)
			}
		}
		return nil
	})
}

// Reindex empties the search index and fills it again from the posts (BackfillSearch),
// then merges its segments into one, which makes searches a little faster. Searches
// meanwhile find what is indexed so far, newest first; writes keep indexing themselves.
func (db *DB) Reindex(ctx context.Context, progress func(left int64)) error {
	return db.reindex(ctx, progress, backfillBatch)
}

func (db *DB) reindex(ctx context.Context, progress func(left int64), batch int64) error {
	if err := db.write(ctx, func(tx *txn) error { return resetSearchIndex(ctx, tx) }); err != nil {
		return err
	}
	db.search.mu.Lock()
	db.search.df, db.search.stats = nil, nil
	db.search.mu.Unlock()
	if err := db.backfill(ctx, progress, batch); err != nil {
		return err
	}
	return db.write(ctx, func(tx *txn) error {
		for _, table := range searchTables {
			if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`) VALUES ('optimize')`); err != nil {
				return fmt.Errorf("reindex: optimize %s: %w", table, err)
			}
		}
		return nil
	})
}

// indexingTriggers are the triggers that index new posts.
var indexingTriggers = []string{"search_question_insert", "search_answer_insert"}

// pauseSearchIndexing stops new posts from indexing themselves, for BenchmarkData's bulk
// load of an empty database; restore puts the triggers back and indexes every post since.
func (db *DB) pauseSearchIndexing(ctx context.Context) (restore func() error, err error) {
	var saved []string
	for _, name := range indexingTriggers {
		var create string
		if err := db.writer.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, name).Scan(&create); err != nil {
			return nil, fmt.Errorf("pause search indexing: %s: %w", name, err)
		}
		saved = append(saved, create)
	}
	var from int64
	if err := db.writer.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM posts`).Scan(&from); err != nil {
		return nil, err
	}
	for _, name := range indexingTriggers {
		if _, err := db.writer.ExecContext(ctx, `DROP TRIGGER `+name); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, create := range saved {
			if _, err := db.writer.ExecContext(context.Background(), create); err != nil {
				return fmt.Errorf("restore search indexing: %w", err)
			}
		}
		// Posts from id "from" on were not indexed: index them like a backfill (only
		// this run's posts, which are all the database has).
		if _, err := db.writer.ExecContext(ctx, `UPDATE search_state SET backfill_below = (SELECT COALESCE(MAX(id), 0) + 1 FROM posts)
			WHERE id = 1 AND backfill_below <= ?`, from); err != nil {
			return err
		}
		return db.BackfillSearch(ctx, nil)
	}, nil
}
