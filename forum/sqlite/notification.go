package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"staffroom/forum"
)

// Notifications (forum/notification.go): the write seam every feature's store calls in its
// transaction (tx.notify), the fan-out that expands it after commit, inboxes, follows and
// mail settings.

// OnNotify has f called after each commit that wrote fan-out jobs (the notifier's Wake). f
// runs on the writer: it must be quick.
func (db *DB) OnNotify(f func()) {
	if f == nil {
		db.notifyHook.Store(nil)
		return
	}
	db.notifyHook.Store(&f)
}

// notify writes n as one fan-out job in this transaction: it commits or rolls back with the
// change it describes, and costs the change one row however many people will be told. A
// notification with nobody to tell is dropped here.
func (t *txn) notify(ctx context.Context, n forum.Notification) error {
	if len(n.Direct) == 0 && (n.Follow == "" || len(n.FollowTargets) == 0) {
		return nil
	}
	data, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode %s notification: %w", n.Kind, err)
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO notification_jobs (data, created_at) VALUES (?, ?)`, string(data), n.At.UTC()); err != nil {
		return fmt.Errorf("queue %s notification: %w", n.Kind, err)
	}
	t.notices++
	return nil
}

// follow makes userID follow (kind, target) in this transaction; nothing if they do already.
func (t *txn) follow(ctx context.Context, userID int64, kind forum.FollowKind, target string, now time.Time) (bool, error) {
	res, err := t.ExecContext(ctx, `INSERT INTO follows (kind, target, user_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, string(kind), target, userID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("follow %s %s: %w", kind, target, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// mentioned resolves mentioned username keys to account ids, in this transaction.
func (t *txn) mentioned(ctx context.Context, markdownKeys []string) ([]int64, error) {
	if len(markdownKeys) == 0 {
		return nil, nil
	}
	keys, _ := json.Marshal(markdownKeys)
	rows, err := t.QueryContext(ctx, `SELECT id FROM users WHERE username_key IN (SELECT value FROM json_each(?)) ORDER BY id`, string(keys))
	if err != nil {
		return nil, fmt.Errorf("mentions: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// notifyAll writes each of ns (notify).
func (t *txn) notifyAll(ctx context.Context, ns []forum.Notification) error {
	for _, n := range ns {
		if err := t.notify(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// questionRef reads what notices about question id say of it.
func questionRef(ctx context.Context, tx *txn, id int64) (forum.QuestionRef, error) {
	q := forum.QuestionRef{ID: id}
	var tags string
	err := tx.QueryRowContext(ctx, `SELECT p.title, p.author_id, p.tags, CASE WHEN g.visibility = 'private' THEN g.id ELSE 0 END
		FROM posts p LEFT JOIN collaboratives g ON g.id = p.collaborative_id WHERE p.id = ?`, id).Scan(&q.Title, &q.AskerID, &tags, &q.PrivateTo)
	q.Tags = strings.Fields(tags)
	return q, err
}

// actorTx reads the acting person for a notice's text.
func actorTx(ctx context.Context, tx *txn, id int64) (*forum.User, error) {
	u := &forum.User{ID: id}
	err := tx.QueryRowContext(ctx, `SELECT username, display_name FROM users WHERE id = ?`, id).Scan(&u.Username, &u.DisplayName)
	return u, err
}

// recipientColumns are RecipientFacts' columns, for users u; the job's kind is bound for the
// settings join and the private collaborative for the membership join.
const recipientColumns = `u.id, u.role, u.disabled_at IS NOT NULL, u.demo, m.user_id IS NOT NULL,
	u.email, u.email_verified_at IS NOT NULL, u.email_bounced_at IS NOT NULL, COALESCE(ns.mode, '')`

const recipientJoins = ` LEFT JOIN collaborative_members m ON m.collaborative_id = ? AND m.user_id = u.id
	LEFT JOIN notification_settings ns ON ns.user_id = u.id AND ns.kind = ? `

func scanRecipients(rows *sql.Rows) ([]forum.RecipientFacts, error) {
	defer rows.Close()
	var out []forum.RecipientFacts
	for rows.Next() {
		var f forum.RecipientFacts
		var role, mode string
		if err := rows.Scan(&f.UserID, &role, &f.Disabled, &f.Demo, &f.Member, &f.Email, &f.Verified, &f.Bounced, &mode); err != nil {
			return nil, err
		}
		f.Role, f.Mode = forum.Role(role), forum.MailMode(mode)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ExpandNotifications implements forum.NotificationStore.
func (db *DB) ExpandNotifications(ctx context.Context, batch int, mailDomain string, now time.Time) (int, error) {
	left := 0
	err := db.write(ctx, func(tx *txn) error {
		var id, stage, after int64
		var data string
		err := tx.QueryRowContext(ctx, `SELECT id, data, stage, after FROM notification_jobs ORDER BY id LIMIT 1`).Scan(&id, &data, &stage, &after)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		var n forum.Notification
		if err := json.Unmarshal([]byte(data), &n); err != nil {
			return fmt.Errorf("notification job %d: %w", id, err)
		}
		done, err := db.expandJob(ctx, tx, id, &n, stage, after, batch, mailDomain, now)
		if err != nil {
			return err
		}
		if done {
			if _, err := tx.ExecContext(ctx, `DELETE FROM notification_jobs WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notification_jobs`).Scan(&left)
	})
	return left, err
}

// expandJob handles one step of job id and reports whether the job is done. Its progress
// is written in the same transaction as the rows it made.
func (db *DB) expandJob(ctx context.Context, tx *txn, id int64, n *forum.Notification, stage, after int64, batch int, mailDomain string, now time.Time) (bool, error) {
	if n.PostID != 0 {
		f, err := postFacts(ctx, tx, n.PostID, systemActor)
		if err != nil {
			return false, err
		}
		if !f.Exists || f.Deleted || f.QuestionDeleted {
			return true, nil // gone before anyone was told: nobody is
		}
	}
	private := sql.NullInt64{Int64: n.PrivateTo, Valid: n.PrivateTo != 0}
	var cands []forum.RecipientFacts
	var skip map[int64]bool
	done := false
	if stage == 0 && len(n.Direct) == 0 {
		stage = 1 // nobody named: straight to the followers
	}
	if stage == 0 {
		ids, _ := json.Marshal(n.Direct)
		rows, err := tx.QueryContext(ctx, `SELECT `+recipientColumns+` FROM users u`+recipientJoins+`
			WHERE u.id IN (SELECT value FROM json_each(?)) ORDER BY u.id`, private, string(n.Kind), string(ids))
		if err != nil {
			return false, err
		}
		if cands, err = scanRecipients(rows); err != nil {
			return false, err
		}
		skip = n.SkipSet()
		if n.Follow == "" || len(n.FollowTargets) == 0 {
			done = true
		} else if _, err := tx.ExecContext(ctx, `UPDATE notification_jobs SET stage = 1, after = 0 WHERE id = ?`, id); err != nil {
			return false, err
		}
	} else {
		targets, _ := json.Marshal(n.FollowTargets)
		rows, err := tx.QueryContext(ctx, `SELECT `+recipientColumns+` FROM users u`+recipientJoins+`
			WHERE u.id IN (SELECT DISTINCT f.user_id FROM follows f
				WHERE f.kind = ? AND f.target IN (SELECT value FROM json_each(?)) AND f.user_id > ?
				ORDER BY f.user_id LIMIT ?)
			ORDER BY u.id`, private, string(n.Kind), string(n.Follow), string(targets), after, batch)
		if err != nil {
			return false, err
		}
		if cands, err = scanRecipients(rows); err != nil {
			return false, err
		}
		skip = n.SkipSet()
		for _, d := range n.Direct {
			skip[d] = true
		}
		if len(cands) < batch {
			done = true
		} else if _, err := tx.ExecContext(ctx, `UPDATE notification_jobs SET after = ? WHERE id = ?`, cands[len(cands)-1].UserID, id); err != nil {
			return false, err
		}
	}
	if err := deliver(ctx, tx, id, n, forum.NotificationRecipients(n, cands, skip, mailDomain != ""), private, mailDomain, now); err != nil {
		return false, err
	}
	return done, nil
}

// deliver writes the recipients' inbox rows (each collapsing into its unread row of the
// same group), their events and their mail. Rows and events go in one statement each for
// the whole batch: per-row statements made the fan-out's cost mostly the calls into SQLite,
// and the fan-out holds the one writer meanwhile.
func deliver(ctx context.Context, tx *txn, jobID int64, n *forum.Notification, rs []forum.Recipient, private sql.NullInt64, mailDomain string, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.UserID
	}
	list, _ := json.Marshal(ids)
	actor := sql.NullInt64{Int64: n.ActorID, Valid: n.ActorID != 0}
	post := sql.NullInt64{Int64: n.PostID, Valid: n.PostID != 0}
	rows, err := tx.QueryContext(ctx, `INSERT INTO notifications (user_id, kind, group_key, actor_id, title, url, excerpt, post_id, private_to, created_at, updated_at)
		SELECT j.value, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM json_each(?) j WHERE true
		ON CONFLICT (user_id, group_key) WHERE read_at IS NULL DO UPDATE SET count = count + 1, actor_id = excluded.actor_id,
			url = excluded.url, excerpt = excluded.excerpt, updated_at = excluded.updated_at
		RETURNING user_id, id, count, created_at`,
		string(n.Kind), n.GroupKeyOf(), actor, n.Title, n.URL, n.Excerpt, post, private, now, now, string(list))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	notices := make(map[int64]*forum.Notice, len(rs))
	for rows.Next() {
		var userID int64
		nt := &forum.Notice{Kind: n.Kind, Title: n.Title, URL: n.URL, Excerpt: n.Excerpt, UpdatedAt: now}
		if err := rows.Scan(&userID, &nt.ID, &nt.Count, &nt.CreatedAt); err != nil {
			rows.Close()
			return err
		}
		nt.CreatedAt = nt.CreatedAt.UTC()
		if n.ActorID != 0 {
			nt.Actor = &forum.UserRef{ID: n.ActorID, DisplayName: n.Actor}
		}
		notices[userID] = nt
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	unread, err := unreadCounts(ctx, tx, string(list))
	if err != nil {
		return err
	}
	events := make([]forum.Event, 0, len(rs))
	for _, r := range rs {
		events = append(events, forum.Event{Topic: forum.TopicUser(r.UserID), Name: forum.EventNotificationCreated,
			Data: forum.NoticeEvent{Notice: notices[r.UserID], Unread: unread[r.UserID]}})
	}
	if err := tx.emitEach(ctx, now, events); err != nil {
		return err
	}
	for _, r := range rs {
		if r.MailTo == "" {
			continue
		}
		m := forum.NoticeMail(n, notices[r.UserID])
		key := "n:" + strconv.FormatInt(jobID, 10) + ":" + strconv.FormatInt(r.UserID, 10)
		if err := queueMail(ctx, tx, forum.OutboxMail{IdemKey: key, UserID: r.UserID, To: r.MailTo, Kind: string(n.Kind), Data: m}, mailDomain, now); err != nil {
			return err
		}
	}
	return nil
}

// unreadCounts counts the unread visible notices of each person in the JSON array list.
func unreadCounts(ctx context.Context, tx *txn, list string) (map[int64]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT n.user_id, COUNT(*) FROM notifications n
		WHERE n.user_id IN (SELECT value FROM json_each(?)) AND n.read_at IS NULL`+visibleNotice+` GROUP BY n.user_id`, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var c int
		if err := rows.Scan(&id, &c); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

// emitEach logs events whose topics are all different (one person's each), in one
// statement: each numbered one past its topic's head, as emit numbers them.
func (t *txn) emitEach(ctx context.Context, now time.Time, events []forum.Event) error {
	pub := t.db.events.Load()
	type row struct {
		Topic string `json:"t"`
		Name  string `json:"n"`
		Data  string `json:"d"`
	}
	batch := make([]row, len(events))
	for i, e := range events {
		data, err := pub.Encode(e)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", e.Name, err)
		}
		batch[i] = row{e.Topic, e.Name, string(data)}
	}
	list, err := json.Marshal(batch)
	if err != nil {
		return err
	}
	rows, err := t.QueryContext(ctx, `INSERT INTO events (topic, seq, name, data, created_at)
		SELECT json_extract(j.value, '$.t'), COALESCE((SELECT seq FROM topic_heads WHERE topic = json_extract(j.value, '$.t')), 0) + 1,
			json_extract(j.value, '$.n'), json_extract(j.value, '$.d'), ? FROM json_each(?) j WHERE true
		RETURNING topic, seq, name, data`, now, string(list))
	if err != nil {
		return fmt.Errorf("log events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := forum.LoggedEvent{At: now}
		var data string
		if err := rows.Scan(&e.Topic, &e.Seq, &e.Name, &data); err != nil {
			return err
		}
		e.Data = []byte(data)
		t.pending = append(t.pending, e)
	}
	return rows.Err()
}

// visibleNotice is the condition an inbox row must meet to be shown to its owner n.user_id:
// its post is not deleted (nor an answer's question), and a private collaborative's row is
// shown only to its members and the site's moderators.
const visibleNotice = ` AND (n.post_id IS NULL OR EXISTS (SELECT 1 FROM posts p LEFT JOIN posts q ON q.id = p.question_id
		WHERE p.id = n.post_id AND p.deleted_at IS NULL AND q.deleted_at IS NULL))
	AND (n.private_to IS NULL OR EXISTS (SELECT 1 FROM collaborative_members m WHERE m.collaborative_id = n.private_to AND m.user_id = n.user_id)
		OR EXISTS (SELECT 1 FROM users r WHERE r.id = n.user_id AND r.role IN ('moderator', 'admin')))`

// UnreadCount implements forum.NotificationStore.
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.readRow(ctx, `SELECT COUNT(*) FROM notifications n WHERE n.user_id = ? AND n.read_at IS NULL`+visibleNotice, userID).Scan(&n)
	return n, err
}

// Inbox implements forum.NotificationStore.
func (db *DB) Inbox(ctx context.Context, userID int64, f forum.NotificationFilter) (*forum.Inbox, error) {
	where := ``
	if f.UnreadOnly {
		where = ` AND n.read_at IS NULL`
	}
	rows, err := db.readRows(ctx, `SELECT n.id, n.kind, n.count, n.title, n.url, n.excerpt, n.created_at, n.updated_at, n.read_at,
		COALESCE(u.id, 0), COALESCE(u.username, ''), COALESCE(u.display_name, '')
		FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
		WHERE n.user_id = ?`+where+visibleNotice+` ORDER BY n.updated_at DESC, n.id DESC LIMIT ? OFFSET ?`,
		userID, f.PageSize+1, (f.Page-1)*f.PageSize)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	in := &forum.Inbox{Page: f.Page, Items: []*forum.Notice{}}
	for rows.Next() {
		var n forum.Notice
		var kind string
		var read sql.NullTime
		var actor forum.UserRef
		if err := rows.Scan(&n.ID, &kind, &n.Count, &n.Title, &n.URL, &n.Excerpt, &n.CreatedAt, &n.UpdatedAt, &read,
			&actor.ID, &actor.Username, &actor.DisplayName); err != nil {
			return nil, err
		}
		n.Kind, n.ReadAt = forum.NotificationKind(kind), nullTime(read)
		n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
		if actor.ID != 0 {
			n.Actor = &actor
		}
		in.Items = append(in.Items, &n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(in.Items) > f.PageSize {
		in.Items, in.More = in.Items[:f.PageSize], true
	}
	if in.Unread, err = db.UnreadCount(ctx, userID); err != nil {
		return nil, err
	}
	return in, nil
}

// MarkRead implements forum.NotificationStore.
func (db *DB) MarkRead(ctx context.Context, userID int64, ids []int64, all bool, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		if all {
			_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, now.UTC(), userID)
			return err
		}
		list, _ := json.Marshal(ids)
		rows, err := tx.QueryContext(ctx, `SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM notifications WHERE user_id = ?)`, string(list), userID)
		if err != nil {
			return err
		}
		var missing []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			missing = append(missing, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(missing) > 0 {
			return forum.NotFoundNotification(missing[0])
		}
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL
			AND id IN (SELECT value FROM json_each(?))`, now.UTC(), userID, string(list))
		return err
	})
}

// Follow implements forum.NotificationStore.
func (db *DB) Follow(ctx context.Context, userID int64, kind forum.FollowKind, target string, now time.Time) (bool, error) {
	created := false
	err := db.write(ctx, func(tx *txn) error {
		var err error
		created, err = tx.follow(ctx, userID, kind, target, now)
		return err
	})
	return created, err
}

// Unfollow implements forum.NotificationStore.
func (db *DB) Unfollow(ctx context.Context, userID int64, kind forum.FollowKind, target string) error {
	return db.write(ctx, func(tx *txn) error {
		return mustAffect(forum.NotFollowing(kind))(
			tx.ExecContext(ctx, `DELETE FROM follows WHERE kind = ? AND target = ? AND user_id = ?`, string(kind), target, userID))
	})
}

// Follows implements forum.NotificationStore.
func (db *DB) Follows(ctx context.Context, userID int64) ([]forum.Follow, error) {
	rows, err := db.readRows(ctx, `SELECT f.kind, f.target, f.created_at,
		CASE f.kind WHEN 'question' THEN (SELECT title FROM posts WHERE id = CAST(f.target AS INTEGER) AND deleted_at IS NULL)
			WHEN 'collaborative' THEN (SELECT name FROM collaboratives WHERE slug = f.target)
			ELSE f.target END
		FROM follows f WHERE f.user_id = ? ORDER BY f.created_at DESC, f.kind, f.target`, userID)
	if err != nil {
		return nil, fmt.Errorf("follows: %w", err)
	}
	defer rows.Close()
	out := []forum.Follow{}
	for rows.Next() {
		var f forum.Follow
		var kind string
		var title sql.NullString
		if err := rows.Scan(&kind, &f.Target, &f.CreatedAt, &title); err != nil {
			return nil, err
		}
		if !title.Valid {
			continue // a deleted question, a collaborative since removed
		}
		f.Kind, f.Title, f.CreatedAt = forum.FollowKind(kind), title.String, f.CreatedAt.UTC()
		f.URL = forum.FollowURL(f.Kind, f.Target)
		out = append(out, f)
	}
	return out, rows.Err()
}

// MailModes implements forum.NotificationStore.
func (db *DB) MailModes(ctx context.Context, userID int64) (map[forum.NotificationKind]forum.MailMode, error) {
	rows, err := db.readRows(ctx, `SELECT kind, mode FROM notification_settings WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[forum.NotificationKind]forum.MailMode{}
	for rows.Next() {
		var k, m string
		if err := rows.Scan(&k, &m); err != nil {
			return nil, err
		}
		out[forum.NotificationKind(k)] = forum.MailMode(m)
	}
	return out, rows.Err()
}

// SetMailModes implements forum.NotificationStore.
func (db *DB) SetMailModes(ctx context.Context, userID int64, modes map[forum.NotificationKind]forum.MailMode) error {
	return db.write(ctx, func(tx *txn) error {
		for k, m := range modes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_settings (user_id, kind, mode) VALUES (?, ?, ?)
				ON CONFLICT (user_id, kind) DO UPDATE SET mode = excluded.mode`, userID, string(k), string(m)); err != nil {
				return err
			}
		}
		return nil
	})
}
