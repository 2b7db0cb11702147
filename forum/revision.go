package forum

import (
	"context"
	"fmt"
	"time"
)

// MaxSummaryLen bounds an edit summary: one line saying what changed.
const MaxSummaryLen = 300

// Revision is one version of a post: the first is the post as written, each edit adds one.
type Revision struct {
	Number    int
	PostID    int64
	Title     string
	Body      string
	Tags      []string
	Summary   string
	Editor    *User
	CreatedAt time.Time
}

// PostEdit changes a post; nil fields stay. BaseRevision, when set, is the revision the
// editor started from: if the post has moved on since, the edit is refused as a conflict
// rather than silently overwriting someone else's change.
type PostEdit struct {
	Title        *string
	Body         *string
	Tags         *[]string
	Summary      string
	BaseRevision int
}

// StoredEdit is a checked edit ready to store, with the body already rendered.
type StoredEdit struct {
	PostID       int64
	EditorID     int64
	Title        *string
	Body         *string
	BodyHTML     string
	Tags         []string // nil: unchanged
	Summary      string
	BaseRevision int
	Now          time.Time
}

// RevisionStore keeps the history of posts.
type RevisionStore interface {
	// EditPost applies an edit and records the new revision, in one transaction, after
	// CheckLive and CheckRevision on what it read there. Returns not_found for a missing or
	// deleted post and conflict "edit_conflict" when BaseRevision is stale.
	EditPost(ctx context.Context, e StoredEdit) (*Post, error)
	// Revisions lists a post's revisions, oldest first.
	Revisions(ctx context.Context, postID int64) ([]*Revision, error)
}

// Edit changes a post. Its author may always edit it; others need the edit privilege
// (moderators have it). Returns invalid naming the field (too_many_links for a new
// member's body among them), forbidden, not_found, or conflict "edit_conflict".
func (s *QA) Edit(ctx context.Context, u *User, postID int64, e PostEdit) (*Post, error) {
	p, err := s.Post(ctx, u, postID)
	if err != nil {
		return nil, err
	}
	if err := s.Privileges.Rules().CheckEdit(u, p.Facts()); err != nil {
		return nil, err
	}
	se, err := s.storedEdit(ctx, u, p, e)
	if err != nil {
		return nil, err
	}
	return s.Revisions.EditPost(ctx, se)
}

// storedEdit checks an edit of p by u and renders it, ready to store or to suggest.
func (s *QA) storedEdit(ctx context.Context, u *User, p *Post, e PostEdit) (StoredEdit, error) {
	se, err := s.checkEdit(ctx, u, p, e)
	if err != nil {
		return StoredEdit{}, err
	}
	return *se, nil
}

func (s *QA) checkEdit(ctx context.Context, u *User, p *Post, e PostEdit) (*StoredEdit, error) {
	var err error
	se := StoredEdit{PostID: p.ID, EditorID: u.ID, BaseRevision: e.BaseRevision, Now: s.now()}
	if p.Kind == KindAnswer && (e.Title != nil || e.Tags != nil) {
		field := "title"
		if e.Title == nil {
			field = "tags"
		}
		return nil, Invalid(field, "not_a_question", "Answers have no %s; edit the question for that.", field)
	}
	// Every field is checked before any is refused, so the form shows them all at once.
	// In the edit form's order: title, body, tags, summary.
	var fe FieldErrors
	if e.Title != nil {
		t, err := CleanTitle("title", *e.Title, MinTitleLen, MaxTitleLen)
		if fe.Add(err) != nil {
			return nil, err
		}
		se.Title = &t
	}
	var body string
	if e.Body != nil {
		if body, err = CleanBody("body", *e.Body, MinBodyLen, MaxBodyLen); fe.Add(err) != nil {
			return nil, err
		}
	}
	if e.Tags != nil {
		if se.Tags, err = NormalizeTags(*e.Tags); fe.Add(err) != nil {
			return nil, err
		}
	}
	if se.Summary, err = CleanTitle("summary", e.Summary, 0, MaxSummaryLen); fe.Add(err) != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if e.Tags != nil {
		if se.Tags, err = CanonicalTags(ctx, s.Synonyms, se.Tags); err != nil {
			return nil, err
		}
		if err := s.checkNewTags(ctx, u, se.Tags); err != nil {
			return nil, err
		}
	}
	if e.Body != nil {
		if se.BodyHTML, err = s.Render.Body(body); err != nil {
			return nil, err
		}
		// The editor's standing decides, as when posting: an edit is how a new member
		// would otherwise add the links a new post may not carry.
		if err := s.checkNewUserLinks(u, "body", se.BodyHTML); err != nil {
			return nil, err
		}
		se.Body = &body
	}
	if se.Title == nil && se.Body == nil && se.Tags == nil {
		return nil, Invalid("body", "nothing_changed", "Change the title, the body or the tags to save an edit.")
	}
	return &se, nil
}

// CheckRevision decides whether an edit that started from revision base may be saved over
// revision current: conflict "edit_conflict" when someone saved another since. base 0:
// the editor did not say, and the edit applies to whatever is current.
func CheckRevision(base, current int) error {
	if base != 0 && base != current {
		return Coded(EConflict, "edit_conflict",
			"Someone saved a newer version (revision %d) since you started from revision %d; reload the post, then apply your change again.", current, base)
	}
	return nil
}

// History returns a visible post's revisions, oldest first.
func (s *QA) History(ctx context.Context, u *User, postID int64) ([]*Revision, error) {
	if _, err := s.Post(ctx, u, postID); err != nil {
		return nil, err
	}
	return s.Revisions.Revisions(ctx, postID)
}

// Rollback makes an old revision current again, as a new revision.
func (s *QA) Rollback(ctx context.Context, u *User, postID int64, number int) (*Post, error) {
	revs, err := s.History(ctx, u, postID)
	if err != nil {
		return nil, err
	}
	if number < 1 || number > len(revs) {
		return nil, Errorf(ENotFound, "Post %d has no revision %d.", postID, number)
	}
	old := revs[number-1]
	e := PostEdit{Body: &old.Body, Summary: fmt.Sprintf("Rolled back to revision %d", number), BaseRevision: len(revs)}
	if p, _ := s.Post(ctx, u, postID); p != nil && p.Kind == KindQuestion {
		e.Title, e.Tags = &old.Title, &old.Tags
	}
	return s.Edit(ctx, u, postID, e)
}

// checkNewTags refuses tags that do not exist yet unless u may create tags.
func (s *QA) checkNewTags(ctx context.Context, u *User, tags []string) error {
	existing, err := s.Posts.ExistingTags(ctx, tags)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if !existing[t] {
			if err := s.Privileges.Rules().Check(u, PrivCreateTag); err != nil {
				e := AsError(err)
				return Coded(EForbidden, e.Code, "The tag %q does not exist yet. %s Choose an existing tag.", t, e.Message).WithField("tags")
			}
		}
	}
	return nil
}
