package forum

import "context"

// CollaborativeQuestions implements CollaborativeQuestionLister: a collaborative's newest
// questions for its home, through the same list and privacy rules as the API's
// ?collaborative= list.
func (s *QA) CollaborativeQuestions(ctx context.Context, a CollaborativeAccess, limit int) ([]*Post, error) {
	if err := a.CheckSeeInside(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return nil, err
	}
	p, err := s.Questions(ctx, a.Viewer, QuestionFilter{Sort: SortNewest, Collaborative: a.Collaborative.Slug, Page: 1, PageSize: limit})
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}
