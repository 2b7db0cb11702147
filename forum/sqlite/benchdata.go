package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// benchBatch is how many questions go into one transaction while generating: large
// enough that commits do not dominate, small enough to keep the WAL modest.
const benchBatch = 20000

// BenchmarkData fills the database with generated content for load tests: questions
// (each with a few tags from a pool of 500), answers and comments per question as asked,
// by a pool of generated people. It writes directly in large transactions, not through the
// group-commit queue: this is a tool for empty benchmark databases, not for live sites.
// Counters are kept consistent, so Recount finds no drift afterwards.
func (db *DB) BenchmarkData(ctx context.Context, questions, answersPer, commentsPer int, progress func(done int)) error {
	// The search index is filled once at the end, in batches, rather than a post at a time
	// by the triggers: several times faster (search_index.go).
	restore, err := db.pauseSearchIndexing(ctx)
	if err != nil {
		return err
	}
	return errors.Join(db.benchmarkData(ctx, questions, answersPer, commentsPer, progress), restore())
}

func (db *DB) benchmarkData(ctx context.Context, questions, answersPer, commentsPer int, progress func(done int)) error {
	now := time.Now().UTC()
	rng := rand.New(rand.NewPCG(1, 2))
	// A generated database needs no durability until it is done, and a big page cache
	// keeps the many indexes' pages in memory between commits: the load is several times
	// faster. The writer's usual settings come back at the end.
	if _, err := db.writer.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return err
	}
	defer db.writer.ExecContext(context.Background(), `PRAGMA synchronous = FULL`)
	if _, err := db.writer.ExecContext(ctx, `PRAGMA cache_size = -524288`); err != nil { // 512 MiB
		return err
	}
	defer db.writer.ExecContext(context.Background(), `PRAGMA cache_size = -2000`) // SQLite's default
	// Checkpoint the log into the file in big steps rather than every 4 MB.
	if _, err := db.writer.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 65536`); err != nil {
		return err
	}
	defer db.writer.ExecContext(context.Background(), `PRAGMA wal_autocheckpoint = 1000`)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }() // the batch open when an error returns, not the first
	const people, tags = 2000, 500
	var firstUser int64
	for i := range people {
		name := fmt.Sprintf("bench%04d", i)
		res, err := tx.ExecContext(ctx, `INSERT INTO users (username, username_key, email, email_key, display_name, role, created_at)
			VALUES (?, ?, ?, ?, ?, 'member', ?)`, name, name, name+"@bench.invalid", name+"@bench.invalid", "Bench Person "+fmt.Sprint(i), now)
		if err != nil {
			return fmt.Errorf("bench users (run on an empty database): %w", err)
		}
		if i == 0 {
			firstUser, _ = res.LastInsertId()
		}
	}
	var firstTag int64
	for i := range tags {
		res, err := tx.ExecContext(ctx, `INSERT INTO tags (name, excerpt, created_at) VALUES (?, ?, ?)`,
			fmt.Sprintf("topic-%03d", i), "Generated tag for benchmarks.", now)
		if err != nil {
			return err
		}
		if i == 0 {
			firstTag, _ = res.LastInsertId()
		}
	}
	st, err := prepareBench(ctx, tx)
	if err != nil {
		return err
	}
	insQ, insA, insT, insC := st[0], st[1], st[2], st[3]
	// Text drawn from a vocabulary with a natural spread of word frequencies (benchtext.go),
	// so that searches meet common and rare words as they would on a real site.
	text := newBenchText(rng)
	comment := "Thanks, this is helpful for our team."
	tagCounts := make([]int, tags)
	for q := range questions {
		at := now.Add(-time.Duration(questions-q) * time.Minute)
		author := firstUser + int64(rng.IntN(people))
		picked := map[int]bool{}
		var names []string
		for len(picked) < 1+rng.IntN(3) {
			picked[rng.IntN(tags)] = true
		}
		for t := range picked {
			names = append(names, fmt.Sprintf("topic-%03d", t))
		}
		body := text.paragraph(70)
		res, err := insQ.ExecContext(ctx, author, text.title(), body, "<p>"+body+"</p>", strings.Join(names, " "), 0, answersPer, commentsPer, at, at)
		if err != nil {
			return err
		}
		qid, _ := res.LastInsertId()
		for t := range picked {
			if _, err := insT.ExecContext(ctx, qid, firstTag+int64(t), at); err != nil {
				return err
			}
			tagCounts[t]++
		}
		for range commentsPer {
			if _, err := insC.ExecContext(ctx, qid, firstUser+int64(rng.IntN(people)), comment, comment, at); err != nil {
				return err
			}
		}
		for range answersPer {
			answer := text.paragraph(50)
			res, err := insA.ExecContext(ctx, qid, firstUser+int64(rng.IntN(people)), answer, "<p>"+answer+"</p>", commentsPer, at, at)
			if err != nil {
				return err
			}
			aid, _ := res.LastInsertId()
			for range commentsPer {
				if _, err := insC.ExecContext(ctx, aid, firstUser+int64(rng.IntN(people)), comment, comment, at); err != nil {
					return err
				}
			}
		}
		if (q+1)%benchBatch == 0 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = db.writer.BeginTx(ctx, nil); err != nil {
				return err
			}
			if st, err = prepareBench(ctx, tx); err != nil {
				return err
			}
			insQ, insA, insT, insC = st[0], st[1], st[2], st[3]
			if progress != nil {
				progress(q + 1)
			}
		}
	}
	unanswered := 0
	if answersPer == 0 {
		unanswered = questions
	}
	if err := countQuestions(ctx, &txn{Tx: tx, db: db}, questions, unanswered); err != nil {
		return err
	}
	for t, n := range tagCounts {
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET question_count = ? WHERE id = ?`, n, firstTag+int64(t)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// benchInserts are the generator's statements: question, answer, tag link, comment.
var benchInserts = [...]string{
	`INSERT INTO posts (kind, author_id, title, body, body_html, tags, score, answer_count, comment_count, created_at, activity_at)
		VALUES ('question', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	`INSERT INTO posts (kind, question_id, author_id, body, body_html, score, comment_count, created_at, activity_at)
		VALUES ('answer', ?, ?, ?, ?, 0, ?, ?, ?)`,
	`INSERT INTO post_tags (post_id, tag_id, created_at) VALUES (?, ?, ?)`,
	`INSERT INTO comments (post_id, author_id, body, body_html, created_at) VALUES (?, ?, ?, ?, ?)`,
}

// prepareBench prepares benchInserts on tx.
func prepareBench(ctx context.Context, tx *sql.Tx) ([len(benchInserts)]*sql.Stmt, error) {
	var st [len(benchInserts)]*sql.Stmt
	for i, q := range benchInserts {
		var err error
		if st[i], err = tx.PrepareContext(ctx, q); err != nil {
			return st, err
		}
	}
	return st, nil
}
