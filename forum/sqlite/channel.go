package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"staffroom/forum"
)

// Channels and their messages (forum.ChannelStore). Every read that answers a request is
// one prepared statement: the access check (channel, collaborative and the reader's
// membership row by primary keys) is one, a history page another, with each message's
// author, reactions (kept summarized on the message) and mentions in the same rows.

// queryRowFunc runs a single-row query on the reader pool or in a write's transaction, so that
// access checks read the same way in both.
type queryRowFunc func(ctx context.Context, query string, args ...any) scanner

func (db *DB) readRowFunc() queryRowFunc { return db.readRow }

func (t *txn) queryRowFunc() queryRowFunc {
	return func(ctx context.Context, query string, args ...any) scanner {
		return t.QueryRowContext(ctx, query, args...)
	}
}

// channelAccessQuery reads a channel, its collaborative and the viewer's role in it.
const channelAccessQuery = `SELECT ch.id, ch.collaborative_id, g.slug, ch.name, ch.topic, ch.archived_at,
	COALESCE(ch.created_by, 0), ch.created_at, ch.last_message_id, g.name, g.visibility,
	COALESCE((SELECT role FROM collaborative_members WHERE collaborative_id = g.id AND user_id = ?1), '')
	FROM channels ch JOIN collaboratives g ON g.id = ch.collaborative_id WHERE ch.id = ?2`

// scanChannelAccess reads channelAccessQuery's row.
func scanChannelAccess(row scanner, viewer *forum.User) (forum.ChannelAccess, error) {
	var ch forum.Channel
	g := &forum.Collaborative{}
	var archived sql.NullTime
	var role string
	if err := row.Scan(&ch.ID, &ch.CollaborativeID, &ch.CollaborativeSlug, &ch.Name, &ch.Topic, &archived,
		&ch.CreatedBy, &ch.CreatedAt, &ch.LastMessageID, &g.Name, &g.Visibility, &role); err != nil {
		return forum.ChannelAccess{}, err
	}
	ch.ArchivedAt, ch.CreatedAt = nullTime(archived), ch.CreatedAt.UTC()
	g.ID, g.Slug = ch.CollaborativeID, ch.CollaborativeSlug
	a := forum.ChannelAccess{CollaborativeAccess: forum.CollaborativeAccess{Collaborative: g, Viewer: viewer}, Channel: &ch}
	if viewer != nil {
		a.Role = forum.MemberRole(role)
	}
	return a, nil
}

func viewerKey(u *forum.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// channelAccess reads a channel and the viewer's access to it through q.
func channelAccess(ctx context.Context, q queryRowFunc, channelID int64, viewer *forum.User) (forum.ChannelAccess, error) {
	a, err := scanChannelAccess(q(ctx, channelAccessQuery, viewerKey(viewer), channelID), viewer)
	return a, notFound(err, forum.NotFoundChannel(channelID))
}

// ChannelAccess implements forum.ChannelStore.
func (db *DB) ChannelAccess(ctx context.Context, channelID int64, viewer *forum.User) (forum.ChannelAccess, error) {
	return channelAccess(ctx, db.readRowFunc(), channelID, viewer)
}

// Channels implements forum.ChannelStore. Unread counts stop at 100: the count runs from
// the later of the reader's marker and the channel's 100th newest message.
func (db *DB) Channels(ctx context.Context, collaborativeID int64, viewer *forum.User) ([]*forum.Channel, error) {
	rows, err := db.readRows(ctx, `SELECT ch.id, ch.collaborative_id, g.slug, ch.name, ch.topic, ch.archived_at,
		COALESCE(ch.created_by, 0), ch.created_at, ch.last_message_id, COALESCE(r.last_read_id, 0),
		CASE WHEN ?1 = 0 THEN 0 ELSE (SELECT COUNT(*) FROM messages m WHERE m.channel_id = ch.id AND m.parent_id IS NULL
			AND m.id > MAX(COALESCE(r.last_read_id, 0), COALESCE((SELECT id FROM messages l WHERE l.channel_id = ch.id
				AND l.parent_id IS NULL ORDER BY l.id DESC LIMIT 1 OFFSET 100), 0))
			AND m.deleted_at IS NULL AND m.author_id != ?1) END
		FROM channels ch JOIN collaboratives g ON g.id = ch.collaborative_id
		LEFT JOIN channel_reads r ON r.user_id = ?1 AND r.channel_id = ch.id
		WHERE ch.collaborative_id = ?2 ORDER BY ch.archived_at IS NOT NULL, ch.name`, viewerKey(viewer), collaborativeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.Channel{}
	for rows.Next() {
		var ch forum.Channel
		var archived sql.NullTime
		if err := rows.Scan(&ch.ID, &ch.CollaborativeID, &ch.CollaborativeSlug, &ch.Name, &ch.Topic, &archived,
			&ch.CreatedBy, &ch.CreatedAt, &ch.LastMessageID, &ch.LastReadID, &ch.Unread); err != nil {
			return nil, err
		}
		ch.ArchivedAt, ch.CreatedAt = nullTime(archived), ch.CreatedAt.UTC()
		out = append(out, &ch)
	}
	return out, rows.Err()
}

// createGeneral gives a new collaborative its #general channel, in its transaction.
func createGeneral(ctx context.Context, tx *txn, collaborativeID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO channels (collaborative_id, name, created_at) VALUES (?, ?, ?)`,
		collaborativeID, forum.GeneralChannel, now)
	return err
}

// CreateChannel implements forum.ChannelStore.
func (db *DB) CreateChannel(ctx context.Context, nc forum.NewChannel) (*forum.Channel, error) {
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		a, err := collaborativeAccessTx(ctx, tx, nc.CollaborativeSlug, nc.Actor)
		if err != nil {
			return err
		}
		if err := a.CheckManageChannels(forum.NotFoundCollaborative(nc.CollaborativeSlug)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO channels (collaborative_id, name, topic, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.Collaborative.ID, nc.Name, nc.Topic, nc.Actor.ID, nc.Now)
		if isUnique(err, "channels.") {
			return forum.ChannelNameTaken(nc.Name)
		}
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	a, err := db.ChannelAccess(ctx, id, nc.Actor)
	return a.Channel, err
}

// collaborativeAccessTx is CollaborativeAccess inside a write: the collaborative's row and
// the actor's membership in one query.
func collaborativeAccessTx(ctx context.Context, tx *txn, slug string, actor *forum.User) (forum.CollaborativeAccess, error) {
	g := &forum.Collaborative{Slug: slug}
	var role string
	err := tx.QueryRowContext(ctx, `SELECT g.id, g.name, g.visibility,
		COALESCE((SELECT role FROM collaborative_members WHERE collaborative_id = g.id AND user_id = ?), '')
		FROM collaboratives g WHERE g.slug = ?`, viewerKey(actor), slug).Scan(&g.ID, &g.Name, &g.Visibility, &role)
	if err != nil {
		return forum.CollaborativeAccess{}, notFound(err, forum.NotFoundCollaborative(slug))
	}
	a := forum.CollaborativeAccess{Collaborative: g, Viewer: actor}
	if actor != nil {
		a.Role = forum.MemberRole(role)
	}
	return a, nil
}

// UpdateChannel implements forum.ChannelStore.
func (db *DB) UpdateChannel(ctx context.Context, channelID int64, actor *forum.User, u forum.ChannelUpdate, now time.Time) (*forum.Channel, error) {
	var out *forum.Channel
	err := db.write(ctx, func(tx *txn) error {
		a, err := channelAccess(ctx, tx.queryRowFunc(), channelID, actor)
		if err != nil {
			return err
		}
		if err := a.CheckManageChannels(forum.NotFoundChannel(channelID)); err != nil {
			return err
		}
		ch := *a.Channel
		if u.Name != nil {
			ch.Name = *u.Name
		}
		if u.Topic != nil {
			ch.Topic = *u.Topic
		}
		if u.Archived != nil && *u.Archived != ch.Archived() {
			ch.ArchivedAt = nil
			if *u.Archived {
				at := now
				ch.ArchivedAt = &at
			}
		}
		var archived any
		if ch.ArchivedAt != nil {
			archived = *ch.ArchivedAt
		}
		_, err = tx.ExecContext(ctx, `UPDATE channels SET name = ?, topic = ?, archived_at = ? WHERE id = ?`, ch.Name, ch.Topic, archived, channelID)
		if isUnique(err, "channels.") {
			return forum.ChannelNameTaken(ch.Name)
		}
		if err != nil {
			return err
		}
		out = &ch
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(channelID), Name: forum.EventChannelUpdated, Data: out})
	})
	return out, err
}

// messageColumns are selected by every message query, in scanMessage's order, with the
// message as m and its author as u.
const messageColumns = `m.id, m.channel_id, COALESCE(m.parent_id, 0), m.author_id, u.username, u.display_name, u.reputation,
	m.body, m.body_html, m.created_at, m.edited_at, m.deleted_at, m.reply_count, m.last_reply_at, m.pinned_at,
	COALESCE(m.pinned_by, 0), m.reactions, m.mentions`

const messageFrom = ` FROM messages m JOIN users u ON u.id = m.author_id `

// scanMessage reads messageColumns and then, into extra, whatever the query selects after
// them.
func scanMessage(row scanner, extra ...any) (*forum.Message, error) {
	var m forum.Message
	u := &forum.User{}
	var edited, deleted, lastReply, pinned sql.NullTime
	var reactions, mentions string
	dest := append([]any{&m.ID, &m.ChannelID, &m.ParentID, &u.ID, &u.Username, &u.DisplayName, &u.Reputation,
		&m.Body, &m.BodyHTML, &m.CreatedAt, &edited, &deleted, &m.ReplyCount, &lastReply, &pinned,
		&m.PinnedBy, &reactions, &mentions}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	m.Author, m.CreatedAt = u, m.CreatedAt.UTC()
	m.EditedAt, m.DeletedAt, m.LastReplyAt, m.PinnedAt = nullTime(edited), nullTime(deleted), nullTime(lastReply), nullTime(pinned)
	if m.Deleted() {
		// Gone for everyone: the row stays only so that its thread hangs together.
		m.Body, m.BodyHTML, m.PinnedAt, m.PinnedBy = "", "", nil, 0
		reactions, mentions = "", ""
	}
	m.Reactions = []forum.Reaction{}
	if reactions != "" && reactions != "[]" {
		if err := json.Unmarshal([]byte(reactions), &m.Reactions); err != nil {
			return nil, err
		}
	}
	m.Mentions = splitIDs(mentions)
	return &m, nil
}

// splitIDs reads group_concat's comma-separated ids.
func splitIDs(s string) []int64 {
	out := []int64{}
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// scanMessages reads a message query's rows.
func scanMessages(rows *sql.Rows, err error) ([]*forum.Message, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ChannelMessages implements forum.ChannelStore.
func (db *DB) ChannelMessages(ctx context.Context, channelID, readerID, before int64, limit int) (*forum.MessagePage, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	// A message hidden by flags is deleted to everyone but its author, who gets its words
	// back (scanMessage blanks a deleted message's) and the mark.
	rows, err := db.readRows(ctx, `SELECT `+messageColumns+`, m.hidden_at IS NOT NULL AND m.author_id = ?1,
		CASE WHEN m.hidden_at IS NOT NULL AND m.author_id = ?1 THEN m.body ELSE '' END,
		CASE WHEN m.hidden_at IS NOT NULL AND m.author_id = ?1 THEN m.body_html ELSE '' END`+messageFrom+`
		WHERE m.channel_id = ?2 AND m.parent_id IS NULL AND m.id < ?3
		AND (m.deleted_at IS NULL OR m.reply_count > 0 OR (m.hidden_at IS NOT NULL AND m.author_id = ?1))
		ORDER BY m.id DESC LIMIT ?4`, readerID, channelID, before, limit+1)
	if err != nil {
		return nil, err
	}
	items := []*forum.Message{}
	func() {
		defer rows.Close()
		for rows.Next() {
			var own bool
			var body, html string
			m, serr := scanMessage(rows, &own, &body, &html)
			if serr != nil {
				err = serr
				return
			}
			if own {
				m.Hidden, m.DeletedAt, m.Body, m.BodyHTML = true, nil, body, html
			}
			items = append(items, m)
		}
		err = rows.Err()
	}()
	if err != nil {
		return nil, err
	}
	page := &forum.MessagePage{}
	if len(items) > limit {
		items, page.More = items[:limit], true
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	page.Items = items
	return page, nil
}

// messageAccessQuery reads a message with its channel's access facts.
const messageAccessQuery = `SELECT ` + messageColumns + `, ch.collaborative_id, g.slug, ch.name, ch.topic, ch.archived_at,
	COALESCE(ch.created_by, 0), ch.created_at, ch.last_message_id, g.name, g.visibility,
	COALESCE((SELECT role FROM collaborative_members WHERE collaborative_id = g.id AND user_id = ?1), '')` + messageFrom + `
	JOIN channels ch ON ch.id = m.channel_id JOIN collaboratives g ON g.id = ch.collaborative_id WHERE m.id = ?2`

// messageAccess reads a message and the viewer's access to its channel through q; a
// refusal of the access names the message.
func messageAccess(ctx context.Context, q queryRowFunc, messageID int64, viewer *forum.User) (*forum.Message, forum.ChannelAccess, error) {
	ch := &forum.Channel{}
	g := &forum.Collaborative{}
	var archived sql.NullTime
	var role string
	m, err := scanMessage(q(ctx, messageAccessQuery, viewerKey(viewer), messageID), &ch.CollaborativeID, &ch.CollaborativeSlug,
		&ch.Name, &ch.Topic, &archived, &ch.CreatedBy, &ch.CreatedAt, &ch.LastMessageID, &g.Name, &g.Visibility, &role)
	if err != nil {
		return nil, forum.ChannelAccess{}, notFound(err, forum.NotFoundMessage(messageID))
	}
	ch.ID, ch.ArchivedAt, ch.CreatedAt = m.ChannelID, nullTime(archived), ch.CreatedAt.UTC()
	g.ID, g.Slug = ch.CollaborativeID, ch.CollaborativeSlug
	a := forum.ChannelAccess{CollaborativeAccess: forum.CollaborativeAccess{Collaborative: g, Viewer: viewer}, Channel: ch,
		Missing: forum.NotFoundMessage(messageID)}
	if viewer != nil {
		a.Role = forum.MemberRole(role)
	}
	return m, a, nil
}

// MessageAccess implements forum.ChannelStore.
func (db *DB) MessageAccess(ctx context.Context, messageID int64, viewer *forum.User) (*forum.Message, forum.ChannelAccess, error) {
	return messageAccess(ctx, db.readRowFunc(), messageID, viewer)
}

// CreateMessage implements forum.ChannelStore.
func (db *DB) CreateMessage(ctx context.Context, nm forum.NewMessage) (*forum.Message, error) {
	var out *forum.Message
	err := db.write(ctx, func(tx *txn) error {
		a, err := channelAccess(ctx, tx.queryRowFunc(), nm.ChannelID, nm.Author)
		if err != nil {
			return err
		}
		if err := a.CheckWrite(); err != nil {
			return err
		}
		var parent any
		if nm.ParentID != 0 {
			var on, grand int64
			var deleted sql.NullTime
			err := tx.QueryRowContext(ctx, `SELECT channel_id, COALESCE(parent_id, 0), deleted_at FROM messages WHERE id = ?`, nm.ParentID).
				Scan(&on, &grand, &deleted)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err := forum.CheckMessageParent(nm.ChannelID, on, grand, deleted.Valid); err != nil {
				return err
			}
			parent = nm.ParentID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (channel_id, parent_id, author_id, body, body_html, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, nm.ChannelID, parent, nm.Author.ID, nm.Body.Text, nm.Body.HTML, nm.Now)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if nm.ParentID != 0 {
			_, err = tx.ExecContext(ctx, `UPDATE messages SET reply_count = reply_count + 1, last_reply_at = ? WHERE id = ?`, nm.Now, nm.ParentID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE channels SET last_message_id = ? WHERE id = ?`, id, nm.ChannelID)
		}
		if err != nil {
			return err
		}
		mentions, err := mentionMembers(ctx, tx, id, a.Collaborative.ID, nm.Mentions)
		if err != nil {
			return err
		}
		// Built from what was written rather than read back: this is the hot path.
		out = &forum.Message{ID: id, ChannelID: nm.ChannelID, ParentID: nm.ParentID,
			Author: &forum.User{ID: nm.Author.ID, Username: nm.Author.Username, DisplayName: nm.Author.DisplayName, Reputation: nm.Author.Reputation},
			Body:   nm.Body.Text, BodyHTML: nm.Body.HTML, CreatedAt: nm.Now, Reactions: []forum.Reaction{}, Mentions: mentions}
		return tx.emit(ctx, nm.Now, forum.Event{Topic: forum.TopicChannel(nm.ChannelID), Name: forum.EventMessageCreated, Data: out, MessageID: id})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mentionMembers stores which of the mentioned usernames belong to members of the
// collaborative (others are plain text) and returns their ids. Notifications read
// message_mentions later.
func mentionMembers(ctx context.Context, tx *txn, messageID, collaborativeID int64, keys []string) ([]int64, error) {
	ids := []int64{}
	for _, k := range keys {
		var uid int64
		err := tx.QueryRowContext(ctx, `SELECT u.id FROM users u JOIN collaborative_members cm ON cm.user_id = u.id
			AND cm.collaborative_id = ? WHERE u.username_key = ?`, collaborativeID, k).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO message_mentions (message_id, user_id) VALUES (?, ?)`, messageID, uid); err != nil {
			return nil, err
		}
		ids = append(ids, uid)
	}
	if len(ids) > 0 {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = strconv.FormatInt(id, 10)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET mentions = ? WHERE id = ?`, strings.Join(parts, ","), messageID); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// messageTx reads a message and the actor's access to it inside a write.
func messageTx(ctx context.Context, tx *txn, messageID int64, actor *forum.User) (*forum.Message, forum.ChannelAccess, error) {
	m, a, err := messageAccess(ctx, tx.queryRowFunc(), messageID, actor)
	if err != nil {
		return nil, a, err
	}
	if err := a.CheckSee(); err != nil {
		return nil, a, err
	}
	if m.Deleted() {
		return nil, a, forum.NotFoundMessage(messageID)
	}
	return m, a, nil
}

// reread reads a message back inside a write, as the API shows it.
func rereadMessage(ctx context.Context, tx *txn, id int64) (*forum.Message, error) {
	return scanMessage(tx.QueryRowContext(ctx, `SELECT `+messageColumns+messageFrom+`WHERE m.id = ?`, id))
}

// EditMessage implements forum.ChannelStore.
func (db *DB) EditMessage(ctx context.Context, messageID int64, actor *forum.User, body forum.Rendered, mentions []string, now time.Time) (*forum.Message, error) {
	var out *forum.Message
	err := db.write(ctx, func(tx *txn) error {
		m, a, err := messageTx(ctx, tx, messageID, actor)
		if err != nil {
			return err
		}
		if err := a.CheckEditMessage(m); err != nil {
			return err
		}
		if m.Body == body.Text {
			out = m
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_revisions (message_id, body, edited_by, edited_at) VALUES (?, ?, ?, ?)`,
			messageID, m.Body, actor.ID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET body = ?, body_html = ?, edited_at = ? WHERE id = ?`,
			body.Text, body.HTML, now, messageID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_mentions WHERE message_id = ?`, messageID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET mentions = '' WHERE id = ?`, messageID); err != nil {
			return err
		}
		if _, err := mentionMembers(ctx, tx, messageID, a.Collaborative.ID, mentions); err != nil {
			return err
		}
		if out, err = rereadMessage(ctx, tx, messageID); err != nil {
			return err
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(m.ChannelID), Name: forum.EventMessageUpdated, Data: out, MessageID: messageID})
	})
	return out, err
}

// DeleteMessage implements forum.ChannelStore.
func (db *DB) DeleteMessage(ctx context.Context, messageID int64, actor *forum.User, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		m, a, err := messageTx(ctx, tx, messageID, actor)
		if err != nil {
			return err
		}
		others, err := a.CheckDeleteMessage(m)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET deleted_at = ?, deleted_by = ?, pinned_at = NULL, pinned_by = NULL WHERE id = ?`,
			now, actor.ID, messageID); err != nil {
			return err
		}
		if m.ParentID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET reply_count = reply_count - 1 WHERE id = ?`, m.ParentID); err != nil {
				return err
			}
		}
		if others {
			before, _ := json.Marshal(map[string]any{"body": m.Body, "channel_id": m.ChannelID, "author_id": m.Author.ID})
			if err := tx.audit(ctx, forum.AuditEntry{ActorID: actor.ID, Action: "message.delete", TargetKind: "message",
				TargetID: messageID, Before: string(before), At: now}); err != nil {
				return err
			}
		}
		gone := forum.MessageGone{MessageID: messageID, ChannelID: m.ChannelID, ParentID: m.ParentID}
		data, err := tx.db.events.Load().Encode(forum.Event{Name: forum.EventMessageDeleted, Data: gone})
		if err != nil {
			return err
		}
		// The words leave the log too: a replay shows what the channel shows now.
		if _, err := tx.ExecContext(ctx, `UPDATE events SET name = ?, data = ? WHERE message_id = ?`,
			forum.EventMessageDeleted, string(data), messageID); err != nil {
			return err
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(m.ChannelID), Name: forum.EventMessageDeleted, Data: gone})
	})
}

// SetReaction implements forum.ChannelStore.
func (db *DB) SetReaction(ctx context.Context, messageID int64, actor *forum.User, emoji string, on bool, now time.Time) (*forum.Message, error) {
	var out *forum.Message
	err := db.write(ctx, func(tx *txn) error {
		m, a, err := messageTx(ctx, tx, messageID, actor)
		if err != nil {
			return err
		}
		if err := a.CheckWrite(); err != nil {
			return err
		}
		var res sql.Result
		if on {
			res, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO message_reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?)`,
				messageID, emoji, actor.ID, now)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?`, messageID, emoji, actor.ID)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			out = m
			return err
		}
		reactions, err := summarizeReactions(ctx, tx, messageID)
		if err != nil {
			return err
		}
		m.Reactions, out = reactions, m
		name := forum.EventReactionAdded
		if !on {
			name = forum.EventReactionRemoved
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(m.ChannelID), Name: name,
			Data: forum.ReactionChange{MessageID: messageID, ChannelID: m.ChannelID, Emoji: emoji, UserID: actor.ID, Reactions: reactions}})
	})
	return out, err
}

// summarizeReactions rewrites a message's reactions column from its rows: each emoji with
// its people, in the order the emoji first came.
func summarizeReactions(ctx context.Context, tx *txn, messageID int64) ([]forum.Reaction, error) {
	rows, err := tx.QueryContext(ctx, `SELECT emoji, user_id FROM message_reactions WHERE message_id = ? ORDER BY created_at, emoji, user_id`, messageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []forum.Reaction{}
	at := map[string]int{}
	for rows.Next() {
		var emoji string
		var uid int64
		if err := rows.Scan(&emoji, &uid); err != nil {
			return nil, err
		}
		i, ok := at[emoji]
		if !ok {
			i, at[emoji] = len(out), len(out)
			out = append(out, forum.Reaction{Emoji: emoji})
		}
		out[i].Users = append(out[i].Users, uid)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	j, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE messages SET reactions = ? WHERE id = ?`, string(j), messageID)
	return out, err
}

// SetPin implements forum.ChannelStore.
func (db *DB) SetPin(ctx context.Context, messageID int64, actor *forum.User, on bool, now time.Time) (*forum.Message, error) {
	var out *forum.Message
	err := db.write(ctx, func(tx *txn) error {
		m, a, err := messageTx(ctx, tx, messageID, actor)
		if err != nil {
			return err
		}
		if err := a.CheckWrite(); err != nil {
			return err
		}
		if (m.PinnedAt != nil) == on {
			out = m
			return nil
		}
		name := forum.EventMessagePinned
		if on {
			_, err = tx.ExecContext(ctx, `UPDATE messages SET pinned_at = ?, pinned_by = ? WHERE id = ?`, now, actor.ID, messageID)
		} else {
			name = forum.EventMessageUnpinned
			_, err = tx.ExecContext(ctx, `UPDATE messages SET pinned_at = NULL, pinned_by = NULL WHERE id = ?`, messageID)
		}
		if err != nil {
			return err
		}
		if out, err = rereadMessage(ctx, tx, messageID); err != nil {
			return err
		}
		return tx.emit(ctx, now, forum.Event{Topic: forum.TopicChannel(m.ChannelID), Name: name, Data: out, MessageID: messageID})
	})
	return out, err
}

// MessageReplies implements forum.ChannelStore.
func (db *DB) MessageReplies(ctx context.Context, parentID int64) ([]*forum.Message, error) {
	return scanMessages(db.readRows(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.parent_id = ? AND m.deleted_at IS NULL ORDER BY m.id`, parentID))
}

// PinnedMessages implements forum.ChannelStore.
func (db *DB) PinnedMessages(ctx context.Context, channelID int64) ([]*forum.Message, error) {
	return scanMessages(db.readRows(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.channel_id = ? AND m.pinned_at IS NOT NULL AND m.deleted_at IS NULL ORDER BY m.pinned_at DESC, m.id DESC`, channelID))
}

// ChannelArchive implements forum.ChannelStore.
func (db *DB) ChannelArchive(ctx context.Context, channelID int64) ([]*forum.Message, error) {
	return scanMessages(db.readRows(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.channel_id = ? AND m.deleted_at IS NULL ORDER BY COALESCE(m.parent_id, m.id), m.id`, channelID))
}

// MarkChannelRead implements forum.ChannelStore.
func (db *DB) MarkChannelRead(ctx context.Context, channelID int64, reader *forum.User, messageID int64, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		a, err := channelAccess(ctx, tx.queryRowFunc(), channelID, reader)
		if err != nil {
			return err
		}
		if err := a.CheckSee(); err != nil {
			return err
		}
		var on int64
		err = tx.QueryRowContext(ctx, `SELECT channel_id FROM messages WHERE id = ?`, messageID).Scan(&on)
		if errors.Is(err, sql.ErrNoRows) || on != channelID {
			return forum.MessageNotInChannel()
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO channel_reads (channel_id, user_id, last_read_id, read_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, channel_id) DO UPDATE SET last_read_id = MAX(last_read_id, excluded.last_read_id), read_at = excluded.read_at`,
			channelID, reader.ID, messageID, now)
		return err
	})
}

// MessageRevisions implements forum.ChannelStore.
func (db *DB) MessageRevisions(ctx context.Context, messageID int64) ([]forum.MessageRevision, error) {
	rows, err := db.readRows(ctx, `SELECT id, body, edited_by, edited_at FROM message_revisions WHERE message_id = ? ORDER BY id`, messageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []forum.MessageRevision{}
	for rows.Next() {
		var r forum.MessageRevision
		if err := rows.Scan(&r.ID, &r.Body, &r.EditedBy, &r.EditedAt); err != nil {
			return nil, err
		}
		r.EditedAt = r.EditedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddCollaborativeMember implements forum.MembershipStore.
func (db *DB) AddCollaborativeMember(ctx context.Context, collaborativeID, userID int64, role forum.MemberRole, now time.Time) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO collaborative_members (collaborative_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)`,
			collaborativeID, userID, role, now)
		if isUnique(err, "collaborative_members.") || isPrimaryKeyClash(err) {
			return forum.AlreadyCollaborativeMember()
		}
		return err
	})
}

// isPrimaryKeyClash reports whether err is a PRIMARY KEY constraint failure (SQLite words
// those apart from UNIQUE ones on WITHOUT ROWID tables).
func isPrimaryKeyClash(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}
