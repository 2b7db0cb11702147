package sqlite

import (
	"context"
	"time"

	"staffroom/forum"
)

// checkDailyPosts applies forum.CheckDailyPosts to the author's questions and answers
// since the UTC day began, inside the write that adds the next one.
func checkDailyPosts(ctx context.Context, tx *txn, authorID int64, quota int, now time.Time) error {
	if quota <= 0 {
		return nil
	}
	var today int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE author_id = ? AND kind IN ('question', 'answer')
		AND created_at >= ?`, authorID, forum.UTCDay(now)).Scan(&today); err != nil {
		return err
	}
	return forum.CheckDailyPosts(quota, today, now)
}

// spamVerdict completes a new post's or comment's spam check with the repeats of its text
// in the window and records its text. The write calls hideSpam at its end when the verdict
// hides it, in place of announcing it: nobody else ever sees it go by.
func spamVerdict(ctx context.Context, tx *txn, authorID int64, check *forum.SpamCheck, now time.Time) (forum.SpamVerdict, error) {
	if check == nil {
		return forum.SpamVerdict{}, nil
	}
	var repeats int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM spam_texts WHERE hash = ? AND at > ?`,
		check.Hash, check.RepeatSince(now)).Scan(&repeats); err != nil {
		return forum.SpamVerdict{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO spam_texts (hash, author_id, at) VALUES (?, ?, ?)`, check.Hash, authorID, now); err != nil {
		return forum.SpamVerdict{}, err
	}
	return check.WithRepeats(repeats), nil
}

// hideSpam hides a suspect new post or comment pending review, as flags hide one
// (hideFlagged: out of every list and count, its author still sees it, marked), with the
// signals as its reason and the system as the actor, and puts it in the flags queue.
func hideSpam(ctx context.Context, tx *txn, kind string, id, postID int64, v forum.SpamVerdict, now time.Time) error {
	if err := hideFlagged(ctx, tx, kind, id, 0, v.Reason(), now); err != nil {
		return err
	}
	table := "posts"
	if kind == forum.FlagOnComment {
		table = "comments"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET hidden_reason = ? WHERE id = ?`, v.Reason(), id); err != nil {
		return err
	}
	return enqueue(ctx, tx, forum.QueueFlags, kind, id, postID, now)
}

// PruneSpamTexts forgets the text hashes older than before: past the repeat window they
// no longer count.
func (db *DB) PruneSpamTexts(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM spam_texts WHERE at < ?`, before)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// SpamTerms implements forum.SpamStore.
func (db *DB) SpamTerms(ctx context.Context) ([]forum.SpamTerm, error) {
	rows, err := db.readRows(ctx, `SELECT kind, value, source, created_at FROM spam_terms ORDER BY kind, value`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.SpamTerm
	for rows.Next() {
		var t forum.SpamTerm
		if err := rows.Scan(&t.Kind, &t.Value, &t.Source, &t.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetSpamTerms implements forum.SpamStore.
func (db *DB) SetSpamTerms(ctx context.Context, kind string, values []string, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM spam_terms WHERE kind = ? AND source = 'admin'`, kind); err != nil {
			return err
		}
		for _, v := range values {
			if _, err := tx.ExecContext(ctx, `INSERT INTO spam_terms (kind, value, source, created_at) VALUES (?, ?, 'admin', ?)
				ON CONFLICT (kind, value) DO UPDATE SET source = 'admin'`, kind, v, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddSpamDomains implements forum.SpamStore.
func (db *DB) AddSpamDomains(ctx context.Context, domains []string, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		for _, d := range domains {
			if _, err := tx.ExecContext(ctx, `INSERT INTO spam_terms (kind, value, source, created_at) VALUES ('domain', ?, 'removed_spam', ?)
				ON CONFLICT (kind, value) DO NOTHING`, d, now); err != nil {
				return err
			}
		}
		return nil
	})
}
