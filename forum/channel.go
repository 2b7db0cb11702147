package forum

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Channels. A collaborative talks in channels between its meetings, as a working group
// used to Slack or Zulip expects: every collaborative starts with #general, its leads add,
// rename and archive others, and members post messages (markdown, rendered once when
// written), answer them in threads one level deep, edit and delete their own, react with
// emoji, pin what matters and keep a last-read marker per channel. A channel is inside its
// collaborative: who may read and write it is the collaborative's CollaborativeAccess, so a
// private group's channels answer a non-member exactly as a missing id would.

// Channel and message limits.
const (
	// MaxChannelNameLen is Slack's: long enough for "grade-6-ela-assessment-pilot".
	MaxChannelNameLen = 80
	// MaxChannelTopicLen keeps a topic to the one line shown under the channel's name.
	MaxChannelTopicLen = 250
	// MaxMessageLen is a long message's worth (Slack's is 40,000, but a chat message past
	// a few screens belongs in notes or a question).
	MaxMessageLen = 10000
	// DefaultMessagePage and MaxMessagePage bound a history page (the limit parameter).
	DefaultMessagePage = 50
	MaxMessagePage     = 100
	// GeneralChannel is the channel every collaborative starts with.
	GeneralChannel = "general"
	// maxReactionBytes bounds one reaction: the longest emoji ZWJ sequences (families,
	// flags of subdivisions) are about 30 bytes.
	maxReactionBytes = 40
	// maxUnread is where unread counts stop counting ("99+" is all a badge shows).
	maxUnread = 100
)

// Channel is a channel as stored, with the reader's unread facts where the store filled
// them (Channels, for a signed-in reader).
type Channel struct {
	ID                int64
	CollaborativeID   int64
	CollaborativeSlug string
	Name              string
	Topic             string
	ArchivedAt        *time.Time // nil: open
	CreatedBy         int64      // 0: made with the collaborative
	CreatedAt         time.Time
	LastMessageID     int64 // newest top-level message, 0: none yet
	// LastReadID is the reader's last-read marker; Unread counts the top-level messages
	// past it (at most maxUnread).
	LastReadID int64
	Unread     int
}

// Archived reports whether the channel takes no more messages.
func (c *Channel) Archived() bool { return c.ArchivedAt != nil }

// Reaction is one emoji on a message and who put it there, in the order they did.
type Reaction struct {
	Emoji string  `json:"emoji"`
	Users []int64 `json:"users"`
}

// Message is a channel message as stored. A deleted message keeps its row (threads hang on
// it) but loses its words to everyone.
type Message struct {
	ID          int64
	ChannelID   int64
	ParentID    int64 // 0: top level
	Author      *User // ID, Username, DisplayName, Reputation
	Body        string
	BodyHTML    string
	CreatedAt   time.Time
	EditedAt    *time.Time
	DeletedAt   *time.Time
	ReplyCount  int
	LastReplyAt *time.Time
	PinnedAt    *time.Time
	PinnedBy    int64
	Reactions   []Reaction
	Mentions    []int64 // the members it mentions
	// Hidden: flags took it out of sight pending review. Only its author is shown it
	// (marked); to everyone else it is deleted.
	Hidden bool
}

// Deleted reports whether the message was deleted.
func (m *Message) Deleted() bool { return m.DeletedAt != nil }

// NotFoundChannel is the answer for a channel that does not exist or that the reader may
// not see.
func NotFoundChannel(id int64) *Error { return Errorf(ENotFound, "There is no channel %d.", id) }

// NotFoundMessage is the answer for a message that does not exist, was deleted, or that
// the reader may not see.
func NotFoundMessage(id int64) *Error { return Errorf(ENotFound, "There is no message %d.", id) }

// ChannelNameTaken is the conflict of a second channel of one name in a collaborative.
func ChannelNameTaken(name string) *Error {
	return Coded(EConflict, "channel_name_taken", "There is already a channel #%s here; choose another name.", name).WithField("name")
}

// ParseChannelName reads a channel's name the way Slack does: a leading # is dropped,
// letters are lowered and spaces become hyphens, and what is left must be 1 to 80
// lower-case letters, digits, hyphens and underscores with a letter or digit among them.
// Returns invalid "invalid_channel_name" naming field.
func ParseChannelName(field, s string) (string, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	s = strings.Join(strings.Fields(strings.ToLower(s)), "-")
	ok, visible := s != "" && utf8.RuneCountInString(s) <= MaxChannelNameLen, false
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		alnum := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		visible = visible || alnum
		ok = alnum || c == '-' || c == '_'
	}
	if !ok || !visible {
		return "", Invalid(field, "invalid_channel_name",
			"%s must be 1 to %d lower-case letters, digits, hyphens and underscores, like grading-policy.", fieldLabel(field), MaxChannelNameLen)
	}
	return s, nil
}

// ParseReaction checks a reaction: exactly one emoji, as a person picks it from a
// keyboard (a single emoji grapheme: a pictograph with its skin tone, variation selector
// or zero-width-joined partners, a flag, or a keycap). Returns invalid "invalid_emoji".
func ParseReaction(s string) (string, error) {
	if len(s) == 0 || len(s) > maxReactionBytes || !utf8.ValidString(s) || !isOneEmoji(s) {
		return "", Invalid("emoji", "invalid_emoji", "A reaction must be one emoji, like 👍.")
	}
	return s, nil
}

// mentionRunes are the characters of a username (NormalizeUsername's).
func mentionRune(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '-' || b == '.'
}

// ParseMentions lists the username keys a body mentions (@ada, @ada.lovelace), each once,
// in order. An @ inside a word (an email address) mentions nobody, and a trailing dot is
// the sentence's, not the name's. The store keeps those who are members.
func ParseMentions(body string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(body); i++ {
		if body[i] != '@' || (i > 0 && (mentionRune(body[i-1]) || body[i-1] == '@')) {
			continue
		}
		j := i + 1
		for j < len(body) && mentionRune(body[j]) {
			j++
		}
		name := strings.TrimRight(body[i+1:j], ".-")
		if len(name) >= MinUsernameLen && len(name) <= MaxUsernameLen {
			if k := UsernameKey(name); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		i = j - 1
	}
	return out
}

// ChannelAccess is what one person is to one channel: its collaborative's access and the
// channel. Stores fill it with one query (the channel, its collaborative and the reader's
// membership row).
type ChannelAccess struct {
	CollaborativeAccess
	Channel *Channel
	// Missing is the answer to a reader who may not see inside: NotFoundChannel, or
	// NotFoundMessage when the request named a message.
	Missing *Error
}

// missing is what a refused reader is told.
func (a ChannelAccess) missing() *Error {
	if a.Missing != nil {
		return a.Missing
	}
	return NotFoundChannel(a.Channel.ID)
}

// CheckSee refuses a reader who may not see the channel, as if it did not exist.
func (a ChannelAccess) CheckSee() error {
	return a.CheckSeeInside(a.missing())
}

// CheckWrite refuses a writer who may not post in the channel (CheckTakePart), and any
// write to an archived channel (conflict "channel_archived").
func (a ChannelAccess) CheckWrite() error {
	if err := a.CheckTakePart(a.missing()); err != nil {
		return err
	}
	if a.Channel.Archived() {
		return Coded(EConflict, "channel_archived", "#%s is archived: it takes no new messages, edits, reactions or pins.", a.Channel.Name)
	}
	return nil
}

// CheckManageChannels refuses a person who may not add, rename or archive channels: only
// leads (and the site's moderators) may.
func (a CollaborativeAccess) CheckManageChannels(notFound *Error) error {
	return a.CheckManage(notFound)
}

// CheckMessageParent checks a reply's parent: a top-level message of the same channel that still
// stands. parentChannel is 0 when no such message exists. Returns invalid "bad_parent".
func CheckMessageParent(channelID, parentChannel, parentsParent int64, parentDeleted bool) error {
	if parentChannel != channelID || parentsParent != 0 || parentDeleted {
		return Invalid("parent_id", "bad_parent", "parent_id must be the id of a top-level message in this channel.")
	}
	return nil
}

// CheckEditMessage: only a message's author edits it, in a channel open for messages.
func (a ChannelAccess) CheckEditMessage(m *Message) error {
	if err := a.CheckWrite(); err != nil {
		return err
	}
	if a.Viewer == nil || m.Author == nil || m.Author.ID != a.Viewer.ID {
		return Coded(EForbidden, "not_author", "Only the person who wrote a message can edit it.")
	}
	return nil
}

// CheckDeleteMessage: authors delete their own messages; the collaborative's leads and the
// site's moderators delete any (audited: the returned bool says the deletion acts on
// someone else's words).
func (a ChannelAccess) CheckDeleteMessage(m *Message) (others bool, err error) {
	if err := a.CheckSee(); err != nil {
		return false, err
	}
	if a.Viewer == nil {
		return false, Errorf(EUnauthorized, "Sign in to delete messages.")
	}
	if m.Author != nil && m.Author.ID == a.Viewer.ID {
		return false, nil
	}
	if !a.CanManage() {
		return false, Coded(EForbidden, "not_author", "Only a message's author, the leads of %s and moderators can delete it.", a.Collaborative.Name)
	}
	return true, nil
}

// CheckReadRevisions: a message's earlier bodies are for the site's moderators.
func (a ChannelAccess) CheckReadRevisions() error {
	if err := a.CheckSee(); err != nil {
		return err
	}
	if !a.staff() {
		return Coded(EForbidden, "moderators_only", "Only moderators can read a message's earlier versions.")
	}
	return nil
}

// NewChannel is a channel ready to store; the store checks CheckManageChannels with Actor.
type NewChannel struct {
	CollaborativeSlug string
	Name              string
	Topic             string
	Actor             *User
	Now               time.Time
}

// ChannelUpdate changes a channel; nil fields stay as they are.
type ChannelUpdate struct {
	Name     *string
	Topic    *string
	Archived *bool
}

// NewMessage is a message ready to store: cleaned, rendered, its mentions parsed.
type NewMessage struct {
	ChannelID int64
	ParentID  int64
	Author    *User
	Body      Rendered
	Mentions  []string // username keys (ParseMentions)
	Now       time.Time
}

// MessagePage is a page of a channel's history, oldest first. More says older messages
// exist (ask again with before set to Items[0].ID).
type MessagePage struct {
	Items []*Message
	More  bool
}

// MessageThread is a top-level message and its replies, oldest first.
type MessageThread struct {
	Parent *Message
	Items  []*Message
}

// MessageRevision is a body a message had before an edit.
type MessageRevision struct {
	ID       int64
	Body     string
	EditedBy int64
	EditedAt time.Time
}

// ChannelStore keeps channels and messages. Every method that takes a reader or an actor
// checks their access inside its own query or transaction, through ChannelAccess's rules:
// a channel of a private collaborative answers a non-member NotFoundChannel, and a
// message in it NotFoundMessage.
type ChannelStore interface {
	// ChannelAccess reads the channel and the viewer's access to it in one query.
	// Returns NotFoundChannel when there is no such channel (whoever asks).
	ChannelAccess(ctx context.Context, channelID int64, viewer *User) (ChannelAccess, error)
	// Channels lists a collaborative's channels by name, archived ones last; for a
	// signed-in viewer each with their last-read marker and unread count.
	Channels(ctx context.Context, collaborativeID int64, viewer *User) ([]*Channel, error)
	// CreateChannel adds a channel. Returns NotFoundCollaborative, the refusals of
	// CheckManageChannels, or conflict "channel_name_taken".
	CreateChannel(ctx context.Context, c NewChannel) (*Channel, error)
	// UpdateChannel renames, re-topics, archives or reopens a channel, logging
	// channel.updated. Returns NotFoundChannel, CheckManageChannels' refusals or
	// channel_name_taken.
	UpdateChannel(ctx context.Context, channelID int64, actor *User, u ChannelUpdate, now time.Time) (*Channel, error)
	// ChannelMessages is a page of a channel's top-level messages before the message id
	// before (0: the newest), oldest first, with one query. Deleted messages are left
	// out unless replies hang on them; one hidden by flags is shown, Hidden, to its
	// author readerID only (0: nobody). The caller has checked access.
	ChannelMessages(ctx context.Context, channelID, readerID, before int64, limit int) (*MessagePage, error)
	// CreateMessage stores a message or a reply and logs message.created. Returns
	// NotFoundChannel, CheckWrite's refusals, or invalid "bad_parent" (CheckMessageParent).
	CreateMessage(ctx context.Context, m NewMessage) (*Message, error)
	// EditMessage replaces a message's body, keeping the old one as a revision, and logs
	// message.updated. Returns NotFoundMessage or CheckEditMessage's refusals.
	EditMessage(ctx context.Context, messageID int64, actor *User, body Rendered, mentions []string, now time.Time) (*Message, error)
	// DeleteMessage soft-deletes a message (audited when it is someone else's), blanks its
	// logged events and logs message.deleted. Returns NotFoundMessage or
	// CheckDeleteMessage's refusals.
	DeleteMessage(ctx context.Context, messageID int64, actor *User, now time.Time) error
	// SetReaction adds (on) or takes back the actor's emoji on a message, logging
	// reaction.added or reaction.removed. Doing what is already done changes nothing and
	// logs nothing. Returns NotFoundMessage or CheckWrite's refusals.
	SetReaction(ctx context.Context, messageID int64, actor *User, emoji string, on bool, now time.Time) (*Message, error)
	// SetPin pins (on) or unpins a message, logging message.pinned or message.unpinned.
	// Returns NotFoundMessage or CheckWrite's refusals.
	SetPin(ctx context.Context, messageID int64, actor *User, on bool, now time.Time) (*Message, error)
	// MessageAccess reads a message (deleted ones included) and the viewer's access to its
	// channel in one query. Returns NotFoundMessage when there is none.
	MessageAccess(ctx context.Context, messageID int64, viewer *User) (*Message, ChannelAccess, error)
	// MessageReplies lists a top-level message's live replies, oldest first.
	MessageReplies(ctx context.Context, parentID int64) ([]*Message, error)
	// PinnedMessages lists a channel's pinned, live messages, newest pin first.
	PinnedMessages(ctx context.Context, channelID int64) ([]*Message, error)
	// MarkChannelRead moves the reader's last-read marker to messageID (never backwards).
	// Returns NotFoundChannel, or invalid "message_id" when the message is not in the
	// channel.
	MarkChannelRead(ctx context.Context, channelID int64, reader *User, messageID int64, now time.Time) error
	// ChannelArchive lists every live message of a channel, each top-level message
	// followed by its replies, oldest first (for exports).
	ChannelArchive(ctx context.Context, channelID int64) ([]*Message, error)
	// MessageRevisions lists a message's earlier bodies, oldest first. The caller has
	// checked CheckReadRevisions.
	MessageRevisions(ctx context.Context, messageID int64) ([]MessageRevision, error)
}

// Event names of channels.
const (
	EventMessageCreated  = "message.created"
	EventMessageUpdated  = "message.updated"
	EventMessageDeleted  = "message.deleted"
	EventMessagePinned   = "message.pinned"
	EventMessageUnpinned = "message.unpinned"
	EventReactionAdded   = "reaction.added"
	EventReactionRemoved = "reaction.removed"
	EventChannelUpdated  = "channel.updated"
)

// TopicChannel is the name of channel id's topic.
func TopicChannel(id int64) string { return Topic{Kind: TopicKindChannel, ID: id}.String() }

// MessageGone is the data of message.deleted.
type MessageGone struct {
	MessageID int64
	ChannelID int64
	ParentID  int64
}

// ReactionChange is the data of reaction.added and reaction.removed: who did what, and the
// message's reactions now.
type ReactionChange struct {
	MessageID int64
	ChannelID int64
	Emoji     string
	UserID    int64
	Reactions []Reaction
}

// Channels is the service of channels and messages: it cleans and renders what people
// write and leaves who may do what to the store's transaction (ChannelAccess's rules).
type Channels struct {
	Store          ChannelStore
	Collaboratives CollaborativeStore
	Render         Renderer
	Now            func() time.Time
}

func (s *Channels) now() time.Time { return s.Now().UTC() }

// List returns a collaborative's channels as the viewer may see them. Returns
// NotFoundCollaborative, or NotFoundCollaborative when the viewer may not see inside.
func (s *Channels) List(ctx context.Context, viewer *User, slug string) (CollaborativeAccess, []*Channel, error) {
	a, err := s.Collaboratives.CollaborativeAccess(ctx, slug, viewer)
	if err != nil {
		return a, nil, err
	}
	if err := a.CheckSeeInside(NotFoundCollaborative(slug)); err != nil {
		return a, nil, err
	}
	chs, err := s.Store.Channels(ctx, a.Collaborative.ID, viewer)
	return a, chs, err
}

// Create adds a channel to a collaborative. Returns invalid "name" or "topic",
// NotFoundCollaborative, the refusals of CheckManage, or channel_name_taken.
func (s *Channels) Create(ctx context.Context, actor *User, slug, name, topic string) (*Channel, error) {
	var fe FieldErrors
	name, err := ParseChannelName("name", name)
	fe.Add(err)
	topic, err = CleanTitle("topic", topic, 0, MaxChannelTopicLen)
	fe.Add(err)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.CreateChannel(ctx, NewChannel{CollaborativeSlug: slug, Name: name, Topic: topic, Actor: actor, Now: s.now()})
}

// Update renames, re-topics, archives or reopens a channel (leads). Returns invalid
// "name" or "topic", NotFoundChannel, CheckManage's refusals or channel_name_taken.
func (s *Channels) Update(ctx context.Context, actor *User, channelID int64, u ChannelUpdate) (*Channel, error) {
	var fe FieldErrors
	if u.Name != nil {
		n, err := ParseChannelName("name", *u.Name)
		fe.Add(err)
		u.Name = &n
	}
	if u.Topic != nil {
		t, err := CleanTitle("topic", *u.Topic, 0, MaxChannelTopicLen)
		fe.Add(err)
		u.Topic = &t
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.UpdateChannel(ctx, channelID, actor, u, s.now())
}

// Channel returns a channel the viewer may see, with their access to it.
func (s *Channels) Channel(ctx context.Context, viewer *User, channelID int64) (ChannelAccess, error) {
	a, err := s.Store.ChannelAccess(ctx, channelID, viewer)
	if err != nil {
		return a, err
	}
	return a, a.CheckSee()
}

// ParseMessageLimit reads a history page's limit: 1 to MaxMessagePage, 0 for the default.
// Returns invalid "limit".
func ParseMessageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultMessagePage, nil
	case n < 1 || n > MaxMessagePage:
		return 0, Invalid("limit", "invalid_limit", "limit must be a whole number from 1 to %d.", MaxMessagePage)
	}
	return n, nil
}

// Messages returns a page of a channel's history before the message id before (0: the
// newest), with the reader's access. Returns NotFoundChannel or invalid "limit".
func (s *Channels) Messages(ctx context.Context, viewer *User, channelID, before int64, limit int) (ChannelAccess, *MessagePage, error) {
	limit, err := ParseMessageLimit(limit)
	if err != nil {
		return ChannelAccess{}, nil, err
	}
	if before < 0 {
		return ChannelAccess{}, nil, Invalid("before", "invalid_before", "before must be a message id.")
	}
	a, err := s.Channel(ctx, viewer, channelID)
	if err != nil {
		return a, nil, err
	}
	var readerID int64
	if viewer != nil {
		readerID = viewer.ID
	}
	page, err := s.Store.ChannelMessages(ctx, channelID, readerID, before, limit)
	return a, page, err
}

// cleanMessage checks and renders a message body. Returns invalid "body".
func (s *Channels) cleanMessage(body string) (Rendered, []string, error) {
	body, err := CleanBody("body", body, 1, MaxMessageLen)
	if err != nil {
		return Rendered{}, nil, err
	}
	html, err := s.Render.Body(body) // lists, code and quotes are at home in a chat message
	if err != nil {
		return Rendered{}, nil, err
	}
	return Rendered{Text: body, HTML: html}, ParseMentions(body), nil
}

// Post writes a message (a reply when parentID is set). Returns invalid "body" (1 to
// MaxMessageLen characters) or "parent_id", NotFoundChannel, or CheckWrite's refusals
// (channel_archived among them).
func (s *Channels) Post(ctx context.Context, author *User, channelID, parentID int64, body string) (*Message, error) {
	if parentID < 0 {
		return nil, CheckMessageParent(channelID, 0, 0, false)
	}
	r, mentions, err := s.cleanMessage(body)
	if err != nil {
		return nil, err
	}
	return s.Store.CreateMessage(ctx, NewMessage{ChannelID: channelID, ParentID: parentID, Author: author, Body: r, Mentions: mentions, Now: s.now()})
}

// Edit replaces the author's message body. Returns invalid "body", NotFoundMessage or
// CheckEditMessage's refusals.
func (s *Channels) Edit(ctx context.Context, actor *User, messageID int64, body string) (*Message, error) {
	r, mentions, err := s.cleanMessage(body)
	if err != nil {
		return nil, err
	}
	return s.Store.EditMessage(ctx, messageID, actor, r, mentions, s.now())
}

// Delete soft-deletes a message. Returns NotFoundMessage or CheckDeleteMessage's refusals.
func (s *Channels) Delete(ctx context.Context, actor *User, messageID int64) error {
	return s.Store.DeleteMessage(ctx, messageID, actor, s.now())
}

// React adds (on) or takes back an emoji reaction. Returns invalid "emoji",
// NotFoundMessage or CheckWrite's refusals.
func (s *Channels) React(ctx context.Context, actor *User, messageID int64, emoji string, on bool) (*Message, error) {
	emoji, err := ParseReaction(emoji)
	if err != nil {
		return nil, err
	}
	return s.Store.SetReaction(ctx, messageID, actor, emoji, on, s.now())
}

// Pin pins (on) or unpins a message. Returns NotFoundMessage or CheckWrite's refusals.
func (s *Channels) Pin(ctx context.Context, actor *User, messageID int64, on bool) (*Message, error) {
	return s.Store.SetPin(ctx, messageID, actor, on, s.now())
}

// Message returns a live message the viewer may see, with their access to its channel.
func (s *Channels) Message(ctx context.Context, viewer *User, messageID int64) (*Message, ChannelAccess, error) {
	m, a, err := s.Store.MessageAccess(ctx, messageID, viewer)
	if err != nil {
		return nil, a, err
	}
	if err := a.CheckSee(); err != nil {
		return nil, a, err
	}
	if m.Deleted() && m.ReplyCount == 0 {
		return nil, a, NotFoundMessage(messageID)
	}
	return m, a, nil
}

// Thread returns a top-level message (or the thread a reply belongs to) and its replies.
// Returns NotFoundMessage.
func (s *Channels) Thread(ctx context.Context, viewer *User, messageID int64) (*MessageThread, ChannelAccess, error) {
	m, a, err := s.Message(ctx, viewer, messageID)
	if err != nil {
		return nil, a, err
	}
	if m.ParentID != 0 {
		if m, a, err = s.Message(ctx, viewer, m.ParentID); err != nil {
			return nil, a, err
		}
	}
	replies, err := s.Store.MessageReplies(ctx, m.ID)
	if err != nil {
		return nil, a, err
	}
	return &MessageThread{Parent: m, Items: replies}, a, nil
}

// Pinned lists a channel's pinned messages. Returns NotFoundChannel.
func (s *Channels) Pinned(ctx context.Context, viewer *User, channelID int64) ([]*Message, error) {
	if _, err := s.Channel(ctx, viewer, channelID); err != nil {
		return nil, err
	}
	return s.Store.PinnedMessages(ctx, channelID)
}

// MarkRead moves the reader's last-read marker in a channel. Returns NotFoundChannel or
// invalid "message_id".
func (s *Channels) MarkRead(ctx context.Context, reader *User, channelID, messageID int64) error {
	if messageID <= 0 {
		return Invalid("message_id", "invalid_message_id", "message_id must be the id of a message in this channel.")
	}
	return s.Store.MarkChannelRead(ctx, channelID, reader, messageID, s.now())
}

// Revisions lists a message's earlier bodies, for moderators. Returns NotFoundMessage or
// forbidden "moderators_only".
func (s *Channels) Revisions(ctx context.Context, viewer *User, messageID int64) ([]MessageRevision, error) {
	_, a, err := s.Store.MessageAccess(ctx, messageID, viewer)
	if err != nil {
		return nil, err
	}
	if err := a.CheckReadRevisions(); err != nil {
		return nil, err
	}
	return s.Store.MessageRevisions(ctx, messageID)
}

// MessageNotInChannel is the answer to a last-read marker set on a message of another
// channel, or on none.
func MessageNotInChannel() *Error {
	return Invalid("message_id", "invalid_message_id", "message_id must be the id of a message in this channel.")
}

// AlreadyCollaborativeMember is the conflict of adding a member twice.
func AlreadyCollaborativeMember() *Error {
	return Coded(EConflict, "already_member", "That person is already a member.")
}

// ChannelView is what a channel's page shows: the channel, the reader's access, its
// collaborative's channels (with the reader's unread counts) and a page of history.
type ChannelView struct {
	Access   ChannelAccess
	Channels []*Channel
	Page     *MessagePage
	// LastReadID is the reader's marker as it was before this view moved it: the page
	// draws its "new" line after it.
	LastReadID int64
}

// View reads a channel's page for the viewer and moves their last-read marker to its
// newest message. Returns NotFoundChannel (also when slug is not the channel's
// collaborative) or invalid "before".
func (s *Channels) View(ctx context.Context, viewer *User, slug string, channelID, before int64) (*ChannelView, error) {
	a, page, err := s.Messages(ctx, viewer, channelID, before, DefaultMessagePage)
	if err != nil {
		return nil, err
	}
	if a.Collaborative.Slug != slug {
		return nil, NotFoundChannel(channelID)
	}
	v := &ChannelView{Access: a, Page: page}
	if v.Channels, err = s.Store.Channels(ctx, a.Collaborative.ID, viewer); err != nil {
		return nil, err
	}
	for _, ch := range v.Channels {
		if ch.ID == channelID {
			v.LastReadID = ch.LastReadID
			if viewer != nil && ch.LastMessageID > ch.LastReadID && before == 0 {
				if err := s.Store.MarkChannelRead(ctx, channelID, viewer, ch.LastMessageID, s.now()); err != nil {
					return nil, err
				}
				ch.LastReadID, ch.Unread = ch.LastMessageID, 0
			}
		}
	}
	return v, nil
}

// InCollaborative lists a collaborative's channels for a reader whose access was read
// already (the collaborative's home page and API read it once; this adds no lookup of its
// own). Returns NotFoundCollaborative when the reader may not see inside.
func (s *Channels) InCollaborative(ctx context.Context, a CollaborativeAccess) ([]*Channel, error) {
	if err := a.CheckSeeInside(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return nil, err
	}
	return s.Store.Channels(ctx, a.Collaborative.ID, a.Viewer)
}

// CollaborativeChannels implements ChannelLister: the channels on a collaborative's home.
func (s *Channels) CollaborativeChannels(ctx context.Context, a CollaborativeAccess) ([]ChannelSummary, error) {
	chs, err := s.InCollaborative(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelSummary, len(chs))
	for i, ch := range chs {
		out[i] = ChannelSummary{ID: ch.ID, Name: ch.Name, Topic: ch.Topic, Archived: ch.Archived(), Unread: ch.Unread}
	}
	return out, nil
}

// ChannelArchive is one channel as an export keeps it: every live message, replies after
// their parent.
type ChannelArchive struct {
	Channel  *Channel
	Messages []*Message
}

// Export reads every channel of a collaborative with all its live messages: the channels
// part of the collaborative's export (the record that outlives the site). Only those who
// manage it may export: returns CheckManage's refusals.
func (s *Channels) Export(ctx context.Context, a CollaborativeAccess) ([]ChannelArchive, error) {
	if err := a.CheckManage(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return nil, err
	}
	chs, err := s.Store.Channels(ctx, a.Collaborative.ID, nil)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelArchive, 0, len(chs))
	for _, ch := range chs {
		ms, err := s.Store.ChannelArchive(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ChannelArchive{Channel: ch, Messages: ms})
	}
	return out, nil
}
