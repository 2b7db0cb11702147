package forum

import (
	"context"
	"time"
)

// Live updates. A change that others can see writes its event in the same transaction as
// the change, numbered in its topic, so that nobody hears of a write that rolled back and a
// client that was away can replay exactly what it missed. The store writes the log; the
// realtime hub (plugged in by the wiring) delivers what was committed.

// Event names, as the websocket protocol spells them.
const (
	EventQuestionCreated = "question.created"
	EventAnswerCreated   = "answer.created"
	EventCommentCreated  = "comment.created"
	EventPostUpdated     = "post.updated"
	EventVoteChanged     = "vote.changed"
	EventAnswerAccepted  = "answer.accepted"
	EventPostDeleted     = "post.deleted"
	EventPostLocked      = "post.locked"
	// EventNotificationCreated goes to user:{id}: a new or grown notice (NoticeEvent).
	EventNotificationCreated = "notification.created"
)

// Event is a change as the store logs it. Data is a domain value (*Post, *Comment,
// VoteChange, AcceptChange, PostGone); Publisher.Encode turns it into what clients receive.
type Event struct {
	Topic string // a Topic's String (topic.go)
	Name  string
	Data  any
	// PostID is the post whose words Data carries, if any: deleting the post blanks its
	// logged events, so a replay cannot show what the site no longer does.
	PostID int64
	// MessageID is the channel message whose words Data carries, if any: deleting the
	// message blanks its logged events likewise.
	MessageID int64
}

// LoggedEvent is an event as the log keeps it: numbered in its topic, data encoded.
type LoggedEvent struct {
	Topic string
	Seq   int64
	Name  string
	Data  []byte // JSON
	At    time.Time
}

// VoteChange is the data of vote.changed: a post's (or one comment's) new score.
type VoteChange struct {
	PostID    int64
	CommentID int64 // 0 for a vote on the post itself
	Score     int
}

// AcceptChange is the data of answer.accepted. AnswerID 0 means the asker took the
// acceptance back.
type AcceptChange struct {
	QuestionID int64
	AnswerID   int64
}

// CloseChange is the data of post.locked: a question closed (or reopened) to new answers.
type CloseChange struct {
	PostID      int64
	Closed      bool
	Reason      string // empty when reopened
	DuplicateOf int64
}

// PostGone is the data of post.deleted.
type PostGone struct {
	PostID     int64
	QuestionID int64
}

// Publisher is the way from a store to the people watching: the store calls it with every
// event it logs. Encode runs inside the write's transaction, for each event logged (and for
// the post.deleted that a deleted post's logged events are blanked to); Publish runs once
// the transaction has committed, with the events it logged, so that a write that rolls
// back is never heard of.
//
// The server's Publisher is web.LivePublisher (forum/web/live.go): it encodes data as the
// API shows it and gives committed events to the realtime hub, which sends them to the
// connections that follow their topics. A store with no Publisher logs data as plain JSON
// and publishes nothing.
type Publisher interface {
	// Encode turns an event's data into the JSON that clients receive: the object as the
	// API shows it, so that a page can apply the event without a fetch. It must not use
	// the store: the write's transaction is open.
	Encode(Event) ([]byte, error)
	// Publish hears committed events, in commit order. It must not block: the store's
	// writer waits for it.
	Publish([]LoggedEvent)
}

// EventLog reads the log back for clients that resume.
type EventLog interface {
	// TopicHead is the seq of the topic's newest event, 0 when it has none.
	TopicHead(ctx context.Context, topic string) (int64, error)
	// EventsSince lists up to limit events of topic with seq > since, oldest first. With
	// maxBytes > 0 it stops after the event whose data brings their total past maxBytes:
	// a caller that finds the total over its bound knows the replay is too big, having
	// read little more than the bound.
	EventsSince(ctx context.Context, topic string, since int64, limit, maxBytes int) ([]LoggedEvent, error)
	// PruneEvents forgets events older than before; topic heads are kept.
	PruneEvents(ctx context.Context, before time.Time) (int64, error)
}

// LockChange is the data of post.locked when a moderator locks or unlocks a post.
type LockChange struct {
	PostID int64
	Locked bool
}
