package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"staffroom/forum"
)

// The mail outbox (forum/mail.go) and what mail needs of accounts and digests.

// queueMail writes m to the outbox in this transaction; nothing when its key is there.
func queueMail(ctx context.Context, tx *txn, m forum.OutboxMail, domain string, now time.Time) error {
	data, err := json.Marshal(m.Data)
	if err != nil {
		return fmt.Errorf("encode mail: %w", err)
	}
	user := sql.NullInt64{Int64: m.UserID, Valid: m.UserID != 0}
	_, err = tx.ExecContext(ctx, `INSERT INTO mail_outbox (idem_key, message_id, user_id, to_addr, kind, data, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
		m.IdemKey, forum.MessageID(m.IdemKey, domain), user, m.To, m.Kind, string(data), now.UTC(), now.UTC())
	if err != nil {
		return fmt.Errorf("queue mail %s: %w", m.IdemKey, err)
	}
	return nil
}

// QueueMail implements forum.MailStore.
func (db *DB) QueueMail(ctx context.Context, m forum.OutboxMail, domain string, now time.Time) error {
	return db.write(ctx, func(tx *txn) error { return queueMail(ctx, tx, m, domain, now) })
}

// DueMail implements forum.MailStore.
func (db *DB) DueMail(ctx context.Context, now time.Time, limit int) ([]*forum.OutboxMail, error) {
	rows, err := db.readRows(ctx, `SELECT id, idem_key, message_id, COALESCE(user_id, 0), to_addr, kind, data, state, attempts, created_at
		FROM mail_outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	defer rows.Close()
	var out []*forum.OutboxMail
	for rows.Next() {
		var m forum.OutboxMail
		var data string
		if err := rows.Scan(&m.ID, &m.IdemKey, &m.MessageID, &m.UserID, &m.To, &m.Kind, &data, &m.State, &m.Attempts, &m.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &m.Data); err != nil {
			return nil, fmt.Errorf("mail %d: %w", m.ID, err)
		}
		out = append(out, &m)
	}
	return out, rows.Err()
}

// ClaimMail implements forum.MailStore.
func (db *DB) ClaimMail(ctx context.Context, id int64, now, lease time.Time) (bool, error) {
	claimed := false
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?
			WHERE id = ? AND state IN ('pending', 'sending') AND next_attempt_at <= ?`, lease.UTC(), id, now.UTC())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return claimed, err
}

// MailSent implements forum.MailStore. A token the message carried is blanked: the mail
// has it now, and the database need not.
func (db *DB) MailSent(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET state = 'sent', sent_at = ?, last_error = '',
			data = CASE WHEN json_extract(data, '$.token') IS NULL THEN data ELSE json_remove(data, '$.token') END
			WHERE id = ?`, now.UTC(), id)
		return err
	})
}

// MailRetry implements forum.MailStore.
func (db *DB) MailRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET state = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ? AND state <> 'sent'`,
			next.UTC(), reason, id)
		return err
	})
}

// MailFailed implements forum.MailStore.
func (db *DB) MailFailed(ctx context.Context, id int64, reason string, bounce bool, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET state = 'failed', last_error = ?,
			data = CASE WHEN json_extract(data, '$.token') IS NULL THEN data ELSE json_remove(data, '$.token') END
			WHERE id = ?`, reason, id); err != nil {
			return err
		}
		if !bounce {
			return nil
		}
		// The address that bounced, if the account still has it: a person who has since
		// changed it is not marked.
		_, err := tx.ExecContext(ctx, `UPDATE users SET email_bounced_at = ?, email_bounce = ?
			WHERE id = (SELECT user_id FROM mail_outbox WHERE id = ?) AND email_key = (SELECT lower(to_addr) FROM mail_outbox WHERE id = ?)`,
			now.UTC(), reason, id, id)
		return err
	})
}

// MailStatus implements forum.MailStore.
func (db *DB) MailStatus(ctx context.Context, userID int64) (forum.MailStatus, error) {
	var s forum.MailStatus
	var bounced sql.NullTime
	err := db.readRow(ctx, `SELECT email, email_verified_at IS NOT NULL, email_bounced_at, email_bounce FROM users WHERE id = ?`, userID).
		Scan(&s.Email, &s.Verified, &bounced, &s.Bounce)
	if err != nil {
		return s, notFound(err, forum.NotFoundUser(userID))
	}
	s.BouncedAt = nullTime(bounced)
	return s, nil
}

// CreateEmailVerification implements forum.MailStore.
func (db *DB) CreateEmailVerification(ctx context.Context, userID int64, hash []byte, expires time.Time, m forum.OutboxMail, domain string, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email); err != nil {
			return notFound(err, forum.NotFoundUser(userID))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_verifications (hash, user_id, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hash, userID, email, now.UTC(), expires.UTC()); err != nil {
			return err
		}
		m.To = email
		return queueMail(ctx, tx, m, domain, now)
	})
}

// UseEmailVerification implements forum.MailStore.
func (db *DB) UseEmailVerification(ctx context.Context, hash []byte, now time.Time) (*forum.User, error) {
	var userID int64
	err := db.write(ctx, func(tx *txn) error {
		var email, current string
		var expires time.Time
		var used sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT v.user_id, v.email, v.expires_at, v.used_at, u.email FROM email_verifications v
			JOIN users u ON u.id = v.user_id WHERE v.hash = ?`, hash).Scan(&userID, &email, &expires, &used, &current)
		if errors.Is(err, sql.ErrNoRows) || err == nil && forum.EmailKey(email) != forum.EmailKey(current) {
			return forum.VerifyNotFound()
		} else if err != nil {
			return err
		}
		if err := forum.CheckVerifyUsable(nullTime(used), expires, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE email_verifications SET used_at = ? WHERE hash = ?`, now.UTC(), hash); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET email_verified_at = ?, email_bounced_at = NULL, email_bounce = '' WHERE id = ?`, now.UTC(), userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, userID)
}

// DigestPeople implements forum.DigestStore.
func (db *DB) DigestPeople(ctx context.Context, after int64, limit int, userID int64) ([]forum.DigestPerson, error) {
	rows, err := db.readRows(ctx, `SELECT u.id, u.display_name, u.email, COALESCE(u.time_zone, ''),
		COALESCE((SELECT json_group_object(kind, mode) FROM notification_settings WHERE user_id = u.id), '{}'),
		COALESCE((SELECT json_group_object(period, sent_at) FROM digests WHERE user_id = u.id), '{}')
		FROM users u WHERE u.id > ? AND (? = 0 OR u.id = ?) AND u.email_verified_at IS NOT NULL AND u.email_bounced_at IS NULL
			AND u.demo = 0 AND u.disabled_at IS NULL
		ORDER BY u.id LIMIT ?`, after, userID, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("digest people: %w", err)
	}
	defer rows.Close()
	var out []forum.DigestPerson
	for rows.Next() {
		var p forum.DigestPerson
		var modes, last string
		if err := rows.Scan(&p.UserID, &p.Name, &p.Email, &p.TimeZone, &modes, &last); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(modes), &p.Modes); err != nil {
			return nil, err
		}
		var times map[string]string
		if err := json.Unmarshal([]byte(last), &times); err != nil {
			return nil, err
		}
		p.Last = map[string]time.Time{}
		for period, s := range times {
			if t, err := parseStoredTime(s); err == nil {
				p.Last[period] = t
			}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// parseStoredTime reads a time as the driver stores it in TEXT form.
func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// DigestNotices implements forum.DigestStore.
func (db *DB) DigestNotices(ctx context.Context, userID int64, kinds []forum.NotificationKind, since time.Time, limit int) ([]*forum.Notice, error) {
	ks, _ := json.Marshal(kinds)
	rows, err := db.readRows(ctx, `SELECT n.id, n.kind, n.count, n.title, n.url, n.excerpt, n.created_at, n.updated_at,
		COALESCE(u.id, 0), COALESCE(u.username, ''), COALESCE(u.display_name, '')
		FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
		WHERE n.user_id = ? AND n.read_at IS NULL AND n.digested_at IS NULL AND n.updated_at >= ?
			AND n.kind IN (SELECT value FROM json_each(?))`+visibleNotice+`
		ORDER BY n.updated_at DESC, n.id DESC LIMIT ?`, userID, since.UTC(), string(ks), limit)
	if err != nil {
		return nil, fmt.Errorf("digest notices: %w", err)
	}
	defer rows.Close()
	var out []*forum.Notice
	for rows.Next() {
		var n forum.Notice
		var kind string
		var actor forum.UserRef
		if err := rows.Scan(&n.ID, &kind, &n.Count, &n.Title, &n.URL, &n.Excerpt, &n.CreatedAt, &n.UpdatedAt,
			&actor.ID, &actor.Username, &actor.DisplayName); err != nil {
			return nil, err
		}
		n.Kind = forum.NotificationKind(kind)
		if actor.ID != 0 {
			n.Actor = &actor
		}
		out = append(out, &n)
	}
	return out, rows.Err()
}

// DigestQuestions implements forum.DigestStore.
func (db *DB) DigestQuestions(ctx context.Context, userID int64, since time.Time, limit int) ([]forum.DigestPost, error) {
	rows, err := db.readRows(ctx, `SELECT p.id, p.title, p.answer_count, p.score FROM posts p
		WHERE p.kind = 'question' AND p.deleted_at IS NULL AND p.created_at >= ? AND p.author_id <> ?
			AND p.id IN (SELECT pt.post_id FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
				JOIN follows f ON f.kind = 'tag' AND f.target = t.name AND f.user_id = ?)
		ORDER BY p.score DESC, p.answer_count DESC, p.id DESC LIMIT ?`, since.UTC(), userID, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("digest questions: %w", err)
	}
	defer rows.Close()
	var out []forum.DigestPost
	for rows.Next() {
		var id int64
		var p forum.DigestPost
		if err := rows.Scan(&id, &p.Title, &p.Answers, &p.Score); err != nil {
			return nil, err
		}
		p.Path = forum.QuestionURL(id)
		out = append(out, p)
	}
	return out, rows.Err()
}

// QueueDigest implements forum.DigestStore.
func (db *DB) QueueDigest(ctx context.Context, userID int64, period string, m forum.OutboxMail, noticeIDs []int64, domain string, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		if err := queueMail(ctx, tx, m, domain, now); err != nil {
			return err
		}
		ids, _ := json.Marshal(noticeIDs)
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET digested_at = ? WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))`,
			now.UTC(), userID, string(ids)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO digests (user_id, period, sent_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id, period) DO UPDATE SET sent_at = excluded.sent_at`, userID, period, now.UTC())
		return err
	})
}
