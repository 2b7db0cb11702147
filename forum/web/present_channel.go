package web

import (
	"strconv"
	"time"

	"staffroom/forum"
)

// Channels and messages as the API and the live events show them.

// channelJSON is a channel. LastReadID and Unread are the reader's (0 for anonymous
// readers and in events).
type channelJSON struct {
	ID            int64      `json:"id"`
	Collaborative string     `json:"collaborative"`
	Name          string     `json:"name"`
	Topic         string     `json:"topic"`
	Archived      bool       `json:"archived"`
	ArchivedAt    *time.Time `json:"archived_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	LastMessageID int64      `json:"last_message_id"`
	LastReadID    int64      `json:"last_read_id"`
	Unread        int        `json:"unread"`
	URL           string     `json:"url"`
}

// channelPath is a channel's page.
func channelPath(slug string, id int64) string {
	return "/c/" + slug + "/channels/" + strconv.FormatInt(id, 10)
}

func presentChannel(ch *forum.Channel) channelJSON {
	return channelJSON{ID: ch.ID, Collaborative: ch.CollaborativeSlug, Name: ch.Name, Topic: ch.Topic, Archived: ch.Archived(),
		ArchivedAt: ch.ArchivedAt, CreatedAt: ch.CreatedAt, LastMessageID: ch.LastMessageID, LastReadID: ch.LastReadID,
		Unread: ch.Unread, URL: channelPath(ch.CollaborativeSlug, ch.ID)}
}

// PresentChannels is a collaborative's channels as its API shows them (GET
// /api/v1/collaboratives/{slug} lists them under "channels").
func presentChannels(chs []*forum.Channel) []channelJSON {
	out := make([]channelJSON, len(chs))
	for i, ch := range chs {
		out[i] = presentChannel(ch)
	}
	return out
}

// messageAuthorJSON is a message's author: enough to draw the line.
type messageAuthorJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

// messageJSON is a message. A deleted one keeps its place (its thread hangs on it) with
// no words.
type messageJSON struct {
	ID          int64             `json:"id"`
	ChannelID   int64             `json:"channel_id"`
	ParentID    *int64            `json:"parent_id"` // null: top level
	Author      messageAuthorJSON `json:"author"`
	Body        string            `json:"body"`
	BodyHTML    string            `json:"body_html"`
	CreatedAt   time.Time         `json:"created_at"`
	Edited      bool              `json:"edited"`
	EditedAt    *time.Time        `json:"edited_at,omitempty"`
	Deleted     bool              `json:"deleted"`
	ReplyCount  int               `json:"reply_count"`
	LastReplyAt *time.Time        `json:"last_reply_at,omitempty"`
	Pinned      bool              `json:"pinned"`
	PinnedAt    *time.Time        `json:"pinned_at,omitempty"`
	PinnedBy    int64             `json:"pinned_by,omitempty"`
	Reactions   []reactionJSON    `json:"reactions"`
	Mentions    []int64           `json:"mentions"`
	// Hidden: flags hid it pending review; only its author is shown it, marked so.
	Hidden bool `json:"hidden,omitempty"`
}

// reactionJSON is one emoji on a message, with its count and who put it there.
type reactionJSON struct {
	Emoji string  `json:"emoji"`
	Count int     `json:"count"`
	Users []int64 `json:"users"`
}

func presentReactions(rs []forum.Reaction) []reactionJSON {
	out := make([]reactionJSON, len(rs))
	for i, r := range rs {
		out[i] = reactionJSON{Emoji: r.Emoji, Count: len(r.Users), Users: r.Users}
	}
	return out
}

func presentMessage(m *forum.Message) messageJSON {
	j := messageJSON{ID: m.ID, ChannelID: m.ChannelID, Body: m.Body, BodyHTML: m.BodyHTML, CreatedAt: m.CreatedAt,
		Edited: m.EditedAt != nil, EditedAt: m.EditedAt, Deleted: m.Deleted(), ReplyCount: m.ReplyCount, LastReplyAt: m.LastReplyAt,
		Pinned: m.PinnedAt != nil, PinnedAt: m.PinnedAt, PinnedBy: m.PinnedBy, Reactions: presentReactions(m.Reactions), Mentions: m.Mentions,
		Hidden: m.Hidden}
	if m.ParentID != 0 {
		p := m.ParentID
		j.ParentID = &p
	}
	if j.Mentions == nil {
		j.Mentions = []int64{}
	}
	if a := m.Author; a != nil {
		j.Author = messageAuthorJSON{ID: a.ID, Username: a.Username, DisplayName: a.DisplayName, URL: profilePath(a)}
	}
	return j
}

func presentMessages(ms []*forum.Message) []messageJSON {
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = presentMessage(m)
	}
	return out
}

// messageGoneJSON is the data of message.deleted.
type messageGoneJSON struct {
	ID        int64  `json:"id"`
	ChannelID int64  `json:"channel_id"`
	ParentID  *int64 `json:"parent_id"`
}

// reactionChangeJSON is the data of reaction.added and reaction.removed.
type reactionChangeJSON struct {
	MessageID int64          `json:"message_id"`
	ChannelID int64          `json:"channel_id"`
	Emoji     string         `json:"emoji"`
	UserID    int64          `json:"user_id"`
	Reactions []reactionJSON `json:"reactions"`
}

// encodeChannelEvent shapes the data of a channel's events; ok is false for other data.
func encodeChannelEvent(data any) (any, bool) {
	switch d := data.(type) {
	case *forum.Message:
		return presentMessage(d), true
	case *forum.Channel:
		return presentChannel(d), true
	case forum.MessageGone:
		j := messageGoneJSON{ID: d.MessageID, ChannelID: d.ChannelID}
		if d.ParentID != 0 {
			p := d.ParentID
			j.ParentID = &p
		}
		return j, true
	case forum.ReactionChange:
		return reactionChangeJSON{MessageID: d.MessageID, ChannelID: d.ChannelID, Emoji: d.Emoji, UserID: d.UserID,
			Reactions: presentReactions(d.Reactions)}, true
	}
	return nil, false
}
