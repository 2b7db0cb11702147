package forum

import (
	"context"
	"strconv"
	"strings"
)

// Topics. A topic is something a live page follows: a question's page, the feed of new
// questions, a channel. Events are logged and delivered by topic, and a client subscribes
// to one by its name, "question:42". This file is the only place that spells a topic's
// name: the store logs under Topic.String, pages embed it for live.js to subscribe with,
// and subscriptions are read back with ParseTopic.

// TopicKind is what a topic follows; its value is the name's prefix.
type TopicKind string

const (
	// TopicKindQuestions is "questions": the feed of new questions.
	TopicKindQuestions TopicKind = "questions"
	// TopicKindQuestion is "question:{id}": one question's page, its answers, comments,
	// votes and edits.
	TopicKindQuestion TopicKind = "question"
	// TopicKindTag is "tag:{name}": the feed of new questions under one tag.
	TopicKindTag TopicKind = "tag"
	// TopicKindChannel is "channel:{id}": one channel's messages.
	TopicKindChannel TopicKind = "channel"
	// TopicKindCollaborative is "collaborative:{slug}": one collaborative's news.
	TopicKindCollaborative TopicKind = "collaborative"
	// TopicKindUser is "user:{id}": one person's own notifications.
	TopicKindUser TopicKind = "user"
)

// Topic is a topic's name, parsed.
type Topic struct {
	Kind TopicKind
	ID   int64  // the question, channel or person
	Name string // the tag, or the collaborative's slug
}

// TopicQuestions is the name of the feed of new questions.
const TopicQuestions = string(TopicKindQuestions)

// TopicQuestion is the name of question id's topic.
func TopicQuestion(id int64) string { return Topic{Kind: TopicKindQuestion, ID: id}.String() }

// TopicTag is the name of the topic of new questions under the tag name.
func TopicTag(name string) string { return Topic{Kind: TopicKindTag, Name: name}.String() }

// TopicCollaborative is the name of the topic of the collaborative with the slug.
func TopicCollaborative(slug string) string {
	return Topic{Kind: TopicKindCollaborative, Name: slug}.String()
}

// String is the topic's name, as events, the log, pages and the websocket protocol spell it.
func (t Topic) String() string {
	switch t.Kind {
	case TopicKindQuestions:
		return string(t.Kind)
	case TopicKindTag, TopicKindCollaborative:
		return string(t.Kind) + ":" + t.Name
	default:
		return string(t.Kind) + ":" + strconv.FormatInt(t.ID, 10)
	}
}

// errBadTopic is the answer to a name that is no topic. Its message lists the topics
// there are, for the developer of a client.
func errBadTopic() error {
	return Coded(EInvalid, "bad_topic", "Unknown topic: use questions, question:{id}, tag:{name}, channel:{id}, collaborative:{slug} or user:{id}.")
}

// ParseTopic reads a topic's name. Only the name String gives back is accepted, so that
// one topic has one name: "question:042" and "tag:Grading" are refused, as no event is
// ever logged under them. Returns invalid, code "bad_topic", for anything else.
func ParseTopic(name string) (Topic, error) {
	kind, arg, hasArg := strings.Cut(name, ":")
	t := Topic{Kind: TopicKind(kind)}
	switch t.Kind {
	case TopicKindQuestions:
		if hasArg {
			return Topic{}, errBadTopic()
		}
		return t, nil
	case TopicKindQuestion, TopicKindChannel, TopicKindUser:
		id, ok := parseTopicID(arg)
		if !ok {
			return Topic{}, errBadTopic()
		}
		t.ID = id
		return t, nil
	case TopicKindTag:
		if tag, err := NormalizeTag(arg); err != nil || tag != arg {
			return Topic{}, errBadTopic()
		}
		t.Name = arg
		return t, nil
	case TopicKindCollaborative:
		if arg == "" {
			return Topic{}, errBadTopic()
		}
		t.Name = arg
		return t, nil
	}
	return Topic{}, errBadTopic()
}

// parseTopicID reads a positive id written as String writes it: digits, no sign, no
// leading zero. It allocates nothing, as the hub asks about topics on every subscribe.
func parseTopicID(s string) (int64, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}

// HasPresence reports whether the topic tells its viewers how many are there: question
// pages and channels.
func (t Topic) HasPresence() bool {
	return t.Kind == TopicKindQuestion || t.Kind == TopicKindChannel
}

// NamesPresence reports whether the topic's presence names the people there: channels,
// whose members know one another. A public question page only counts its readers, as
// anyone could otherwise learn who is reading what.
func (t Topic) NamesPresence() bool { return t.Kind == TopicKindChannel }

// AllowsTyping reports whether the topic takes "is typing" events: channels.
func (t Topic) AllowsTyping() bool { return t.Kind == TopicKindChannel }

// Topics decides who may follow which topic: the same visibility as pages and the API.
type Topics struct {
	Accounts *Accounts
	QA       *QA
	// Collaboratives answers for collaborative:{slug}; nil: no collaborative topic exists.
	Collaboratives CollaborativeStore
	// Channels answers for channel topics; nil: there are none.
	Channels ChannelStore
}

// CanFollow returns nil when the person viewerID (0: not signed in) may follow t. Returns
// not_found when the topic's subject does not exist or they may not see it (answered
// alike, so that following cannot probe for private things), and forbidden for another
// person's notifications.
func (s *Topics) CanFollow(ctx context.Context, viewerID int64, t Topic) error {
	switch t.Kind {
	case TopicKindQuestions, TopicKindTag:
		return nil
	case TopicKindQuestion:
		var u *User
		if viewerID != 0 {
			var err error
			if u, err = s.Accounts.User(ctx, viewerID); err != nil {
				return noTopic(err)
			}
		}
		p, err := s.QA.Post(ctx, u, t.ID)
		if err != nil {
			return noTopic(err)
		}
		if p.Kind != KindQuestion {
			return noTopic(ErrNotFound)
		}
		return nil
	case TopicKindUser:
		if viewerID == 0 || viewerID != t.ID {
			return Errorf(EForbidden, "This topic is someone else's.")
		}
		return nil
	case TopicKindCollaborative:
		// A private collaborative's news is its members': anyone else is answered as for
		// a collaborative that does not exist.
		if s.Collaboratives == nil {
			return noTopic(ErrNotFound)
		}
		u, err := s.viewer(ctx, viewerID)
		if err != nil {
			return noTopic(err)
		}
		a, err := s.Collaboratives.CollaborativeAccess(ctx, t.Name, u)
		if err != nil {
			return noTopic(err)
		}
		return noTopic(a.CheckSeeInside(ErrNotFound))
	case TopicKindChannel:
		if s.Channels == nil {
			return noTopic(ErrNotFound)
		}
		u, err := s.viewer(ctx, viewerID)
		if err != nil {
			return noTopic(err)
		}
		a, err := s.Channels.ChannelAccess(ctx, t.ID, u)
		if err == nil {
			err = a.CheckSee()
		}
		return noTopic(err)
	}
	return errBadTopic()
}

// viewer reads the person following (nil: not signed in).
func (s *Topics) viewer(ctx context.Context, viewerID int64) (*User, error) {
	if viewerID == 0 {
		return nil, nil
	}
	return s.Accounts.User(ctx, viewerID)
}

// noTopic words a not_found as following answers it, whatever was not found; other
// errors pass.
func noTopic(err error) error {
	if KindOf(err) != ENotFound {
		return err
	}
	return Errorf(ENotFound, "There is no such topic, or you may not see it.")
}

// TopicUser is the name of person id's own topic: their notifications.
func TopicUser(id int64) string { return Topic{Kind: TopicKindUser, ID: id}.String() }
