package forum

import (
	"context"
	"time"
)

// "Since the last meeting": what happened in a collaborative between its previous meeting
// and now, for the people getting ready for the next one. Action items are the meetings
// feature's own; channel messages and scoped questions belong to other features, which
// plug in through the two small sources below.

// ChannelActivity is how many messages one channel had in the window.
type ChannelActivity struct {
	ChannelID int64
	Name      string
	Messages  int
}

// QuestionActivity is a scoped question asked or answered in the window.
type QuestionActivity struct {
	ID      int64
	Title   string
	Answers int
}

// ChannelActivitySource counts a collaborative's messages by channel since a time.
type ChannelActivitySource interface {
	ChannelActivitySince(ctx context.Context, collaborativeID int64, since time.Time) ([]ChannelActivity, error)
}

// QuestionActivitySource lists a collaborative's questions asked, and those answered,
// since a time.
type QuestionActivitySource interface {
	QuestionActivitySince(ctx context.Context, collaborativeID int64, since time.Time) (asked, answered []QuestionActivity, err error)
}

// SinceLastMeeting is what happened in a collaborative since its previous meeting.
type SinceLastMeeting struct {
	Access CollaborativeAccess
	// Meeting is the previous meeting (nil: none yet, and Since is the collaborative's
	// start); Since is when the window opens: that meeting's end.
	Meeting           *Meeting
	Since             time.Time
	Channels          []ChannelActivity
	NewQuestions      []QuestionActivity
	AnsweredQuestions []QuestionActivity
	ActionsOpened     []*ActionItem
	ActionsClosed     []*ActionItem
	Today             string
}

// SinceLastMeeting gathers what happened since the collaborative's previous meeting (the
// latest one that started before now and was not cancelled). Returns
// NotFoundCollaborative, also to those who may not see inside.
func (s *Meetings) SinceLastMeeting(ctx context.Context, viewer *User, slug string) (*SinceLastMeeting, error) {
	a, err := s.access(ctx, viewer, slug, NotFoundCollaborative(slug))
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &SinceLastMeeting{Access: a, Since: a.Collaborative.CreatedAt, Today: s.today(viewer),
		Channels: []ChannelActivity{}, NewQuestions: []QuestionActivity{}, AnsweredQuestions: []QuestionActivity{}}
	if out.Meeting, err = s.Store.LastMeetingBefore(ctx, a.Collaborative.ID, now); err != nil {
		return nil, err
	}
	if out.Meeting != nil {
		out.Since = out.Meeting.EndsAt
		if out.Since.After(now) { // it is under way: what happened since it began
			out.Since = out.Meeting.StartsAt
		}
	}
	id := a.Collaborative.ID
	if out.ActionsOpened, out.ActionsClosed, err = s.Store.ActionsChangedSince(ctx, id, out.Since); err != nil {
		return nil, err
	}
	if s.Channels != nil {
		if out.Channels, err = s.Channels.ChannelActivitySince(ctx, id, out.Since); err != nil {
			return nil, err
		}
	}
	if s.Questions != nil {
		if out.NewQuestions, out.AnsweredQuestions, err = s.Questions.QuestionActivitySince(ctx, id, out.Since); err != nil {
			return nil, err
		}
	}
	return out, nil
}
