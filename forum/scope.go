package forum

import (
	"context"
)

// Scoped questions (issue #19). A question may belong to a collaborative; its answers and
// comments go with it. This file is the one place that decides who sees such a post and
// who may ask into a collaborative, so that every path (pages, API, lists, search, live
// topics, caches) asks the same question with the same facts:
//
//   - a question of a public collaborative is public: everyone reads it, and everyone
//     who may write elsewhere may answer, comment and vote on it;
//   - a question of a private collaborative exists only for its members and the site's
//     moderators: to anyone else it answers exactly as a missing id;
//   - asking into a collaborative is taking part in it: members (and moderators) only.
//
// The site-wide lists, feeds and counts (home, tag pages, /api/v1/questions without a
// collaborative, the "questions" and "tag:" topics, tag counts, the site's totals) carry
// the site's own questions only: a collaborative's questions are listed on its page and
// under its filter, found by search (a private one's by its members), and announced on
// its own topic (collaborative:{slug}). So those lists and counts are the same for every
// reader, cacheable as before, and never give away a private question's title, tag or
// existence.
//
// The cost: a post's collaborative and that collaborative's visibility are read with the
// post, in the same query; only when it is private and the reader is signed in does the
// rule need one more lookup, of the membership's primary key (CollaborativeScopes.MemberRole).

// PostCollaborative is the collaborative a post belongs to, as the post is read with it.
type PostCollaborative struct {
	ID         int64
	Slug       string
	Name       string
	Visibility Visibility
}

// Private reports whether only members see the post.
func (c *PostCollaborative) Private() bool { return c != nil && c.Visibility == VisibilityPrivate }

// ScopeAccess is what viewer (nil: anonymous) is to the collaborative of a post, given
// their role in it (MemberNone when not looked up or not a member).
func ScopeAccess(c *PostCollaborative, viewer *User, role MemberRole) CollaborativeAccess {
	return CollaborativeAccess{Collaborative: &Collaborative{ID: c.ID, Slug: c.Slug, Name: c.Name, Visibility: c.Visibility},
		Viewer: viewer, Role: role}
}

// ScopeNeedsRole reports whether deciding if viewer sees a post of collaborative c needs
// their role in it: only for a private collaborative, a signed-in reader, and one who
// does not moderate the site (moderators see every collaborative).
func ScopeNeedsRole(c *PostCollaborative, viewer *User) bool {
	return c.Private() && viewer != nil && !viewer.Role.IsModerator()
}

// SeesPostScope reports whether viewer, with role in it, sees the posts of collaborative c
// (nil: the post belongs to none, and everyone who sees the post sees it).
func SeesPostScope(c *PostCollaborative, viewer *User, role MemberRole) bool {
	return c == nil || ScopeAccess(c, viewer, role).CanSeeInside()
}

// CollaborativeScopes is what the scope rules read from a store: a person's access to a
// collaborative named by its slug, and a person's role by the collaborative's id (one
// lookup of the membership's primary key).
type CollaborativeScopes interface {
	CollaborativeAccess(ctx context.Context, slug string, viewer *User) (CollaborativeAccess, error)
	MemberRole(ctx context.Context, collaborativeID, userID int64) (MemberRole, error)
	// ScopeNow reads a collaborative's visibility and userID's role in it (MemberNone
	// for 0) in one query of two primary-key lookups.
	ScopeNow(ctx context.Context, collaborativeID, userID int64) (Visibility, MemberRole, error)
	// MemberCollaboratives lists the collaboratives userID belongs to, by name.
	MemberCollaboratives(ctx context.Context, userID int64) ([]PostCollaborative, error)
}

// CheckPostScope refuses u a post of collaborative c that they may not see with notFound,
// the answer a missing id gets. Nothing is read unless c is private and u is a signed-in
// non-moderator; then one membership lookup.
func (s *QA) CheckPostScope(ctx context.Context, u *User, c *PostCollaborative, notFound *Error) error {
	if c == nil {
		return nil
	}
	role := MemberNone
	if ScopeNeedsRole(c, u) {
		if s.Scopes == nil {
			return notFound // no store to ask: a private thing stays invisible
		}
		var err error
		if role, err = s.Scopes.MemberRole(ctx, c.ID, u.ID); err != nil {
			return err
		}
	}
	return ScopeAccess(c, u, role).CheckSeeInside(notFound)
}

// askScope resolves the collaborative a question is asked into (slug, "" for none) and
// checks that u may ask there: CheckTakePart, so a private one's non-members are told
// it does not exist, a public one's that they must join first. Returns its id, 0 for none.
func (s *QA) askScope(ctx context.Context, u *User, slug string) (int64, error) {
	if slug == "" {
		return 0, nil
	}
	notFound := NotFoundCollaborative(slug).WithField("collaborative")
	if s.Scopes == nil {
		return 0, notFound
	}
	a, err := s.Scopes.CollaborativeAccess(ctx, slug, u)
	if KindOf(err) == ENotFound {
		return 0, notFound
	}
	if err != nil {
		return 0, err
	}
	if err := a.CheckTakePart(notFound); err != nil {
		return 0, err
	}
	return a.Collaborative.ID, nil
}

// listScope resolves a list's collaborative filter (f.Collaborative, a slug) for u:
// not_found, as for a missing one, when u may not see inside it.
func (s *QA) listScope(ctx context.Context, u *User, f *QuestionFilter) error {
	f.CollaborativeID = 0
	if f.Collaborative == "" {
		return nil
	}
	notFound := NotFoundCollaborative(f.Collaborative)
	if s.Scopes == nil {
		return notFound
	}
	a, err := s.Scopes.CollaborativeAccess(ctx, f.Collaborative, u)
	if err != nil {
		return err
	}
	if err := a.CheckSeeInside(notFound); err != nil {
		return err
	}
	f.CollaborativeID = a.Collaborative.ID
	return nil
}

// CheckScopeNow refuses u a post of collaborative c with notFound unless they may see it
// by the collaborative's visibility and their role as they are now, read in one query
// (its row and the membership, both by primary key). A cache serving a copy read for
// someone else asks this rather than CheckPostScope: the copy's visibility may be older
// than the request.
func (s *QA) CheckScopeNow(ctx context.Context, u *User, c *PostCollaborative, notFound *Error) error {
	if c == nil {
		return nil
	}
	if s.Scopes == nil {
		return ScopeAccess(c, u, MemberNone).CheckSeeInside(notFound)
	}
	now := *c
	var role MemberRole
	var err error
	if now.Visibility, role, err = s.Scopes.ScopeNow(ctx, c.ID, viewerID(u)); err != nil {
		return err
	}
	return ScopeAccess(&now, u, role).CheckSeeInside(notFound)
}

// AskCollaboratives lists the collaboratives u may ask into (those they belong to), for
// the ask page's choice; none for anonymous readers.
func (s *QA) AskCollaboratives(ctx context.Context, u *User) ([]PostCollaborative, error) {
	if u == nil || s.Scopes == nil {
		return nil, nil
	}
	return s.Scopes.MemberCollaboratives(ctx, u.ID)
}

// CollaborativeRole is u's role in the collaborative with id (MemberNone when anonymous
// or not a member), for a page that must decide what to offer; one membership lookup.
func (s *QA) CollaborativeRole(ctx context.Context, u *User, id int64) (MemberRole, error) {
	if u == nil || s.Scopes == nil {
		return MemberNone, nil
	}
	return s.Scopes.MemberRole(ctx, id, u.ID)
}

// QuestionCreatedEvents are the events a new question is announced with: the site's own
// on the feed of new questions and each of its tags' feeds; a collaborative's only on the
// collaborative's topic, which only those who may see inside it may follow, so that the
// open feeds never carry a private question (nor, like the site-wide lists, a public
// collaborative's).
func QuestionCreatedEvents(q *Post) []Event {
	if q.Collaborative != nil {
		return []Event{{Topic: TopicCollaborative(q.Collaborative.Slug), Name: EventQuestionCreated, Data: q, PostID: q.ID}}
	}
	events := []Event{{Topic: TopicQuestions, Name: EventQuestionCreated, Data: q, PostID: q.ID}}
	for _, tag := range q.Tags {
		events = append(events, Event{Topic: TopicTag(tag), Name: EventQuestionCreated, Data: q, PostID: q.ID})
	}
	return events
}
