package forum

import (
	"context"
	"time"
)

// ReputationDay is one day of a person's reputation changes.
type ReputationDay struct {
	Day    time.Time
	Delta  int
	Events int
}

// ProfileStore reads what a profile shows.
type ProfileStore interface {
	// UserPosts lists a person's live questions or answers, newest first, with the total.
	// Answers carry their question's title.
	UserPosts(ctx context.Context, userID int64, kind PostKind, page, pageSize int, viewerID int64) ([]*Post, int, error)
	// ReputationHistory sums a person's reputation changes by UTC day since a time,
	// newest first.
	ReputationHistory(ctx context.Context, userID int64, since time.Time) ([]ReputationDay, error)
}

// Profile is what a profile page shows besides the person.
type Profile struct {
	User      *User
	Questions []*Post
	Answers   []*Post
	NQuestion int
	NAnswer   int
	History   []ReputationDay
}

// profileListSize is how many questions and answers a profile page lists.
const profileListSize = 10

// profileHistoryDays is how far back a profile's reputation history goes.
const profileHistoryDays = 60

// UserPosts lists a person's questions or answers for the API.
func (s *QA) UserPosts(ctx context.Context, viewer *User, userID int64, kind PostKind, page int) ([]*Post, int, error) {
	if kind != KindQuestion && kind != KindAnswer {
		return nil, 0, Invalid("type", "invalid_type", "type must be question or answer.")
	}
	if page < 1 {
		page = 1
	}
	return s.Profiles.UserPosts(ctx, userID, kind, page, DefaultPageSize, viewerID(viewer))
}

// Profile gathers a person's recent questions, answers and reputation history.
func (s *QA) Profile(ctx context.Context, viewer, u *User) (*Profile, error) {
	p := &Profile{User: u}
	var err error
	if p.Questions, p.NQuestion, err = s.Profiles.UserPosts(ctx, u.ID, KindQuestion, 1, profileListSize, viewerID(viewer)); err != nil {
		return nil, err
	}
	if p.Answers, p.NAnswer, err = s.Profiles.UserPosts(ctx, u.ID, KindAnswer, 1, profileListSize, viewerID(viewer)); err != nil {
		return nil, err
	}
	if p.History, err = s.Profiles.ReputationHistory(ctx, u.ID, UTCDay(s.now()).AddDate(0, 0, -profileHistoryDays)); err != nil {
		return nil, err
	}
	return p, nil
}
