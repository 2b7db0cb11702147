package forum

import "context"

// Propose edits a post when u may edit it (Edit), and otherwise, when the refusal is only
// that u lacks the edit privilege or that the answer is curated, stores the edit as a
// suggestion for the review queue instead: exactly one of the post and the suggestion is
// returned. Returns what Edit returns otherwise.
func (s *QA) Propose(ctx context.Context, u *User, postID int64, e PostEdit) (*Post, *SuggestedEdit, error) {
	p, err := s.Post(ctx, u, postID)
	if err != nil {
		return nil, nil, err
	}
	refused := s.Privileges.Rules().CheckEdit(u, p.Facts())
	if refused == nil {
		edited, err := s.Edit(ctx, u, postID, e)
		return edited, nil, err
	}
	if s.Suggestions == nil || !Suggestible(refused) {
		return nil, nil, refused
	}
	se, err := s.storedEdit(ctx, u, p, e)
	if err != nil {
		return nil, nil, err
	}
	base := se.BaseRevision
	if base == 0 {
		base = p.Revision
	}
	sug, err := s.Suggestions.SuggestEdit(ctx, SuggestedEdit{PostID: postID, AuthorID: u.ID, Author: u, Title: se.Title, Body: se.Body,
		BodyHTML: se.BodyHTML, Tags: se.Tags, Summary: se.Summary, BaseRevision: base, Status: "pending", CreatedAt: se.Now})
	return nil, sug, err
}

// Suggestible reports whether an edit refused with err may be suggested instead: the
// editor lacks the edit privilege, or the answer is curated.
func Suggestible(err error) bool {
	e := AsError(err)
	return e != nil && (e.Code == "insufficient_reputation" || e.Code == ErrCuratedNeedsReview.Code)
}
