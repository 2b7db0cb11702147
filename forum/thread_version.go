package forum

import "context"

// ThreadVersions is what a cache of question pages needs from the store to stay exact.
type ThreadVersions interface {
	// ThreadVersion is a number that changes in the same transaction as any change to the
	// question, its answers, their comments, votes on them, and links to or from it (0 for
	// a question never written, or none). Reputation earned elsewhere by the people on the
	// page and the related questions beside it are not covered.
	ThreadVersion(ctx context.Context, questionID int64) (int64, error)
	// VotesIn returns userID's votes (1 or -1) on the question and its answers, by post id.
	VotesIn(ctx context.Context, questionID, userID int64) (map[int64]int, error)
}

// SeesDeleted reports whether u sees every deleted post (moderators do): with the authors
// of deleted posts, who see their own (QuestionThread.DeletedAuthors), the ways in which
// the content of a question page depends on who reads it, apart from their own votes.
func SeesDeleted(u *User) bool { return seesDeleted(u) }

// SharedThread returns a question page's content as everyone who sees what u sees gets it:
// nobody's votes (every MyVote is 0), deleted posts only when SeesDeleted(u). A cache may
// key it by (questionID, SeesDeleted(u), order) and add each reader's votes from VotesIn.
// Without the deleted posts, the thread names their authors in DeletedAuthors: each of
// them reads the thread with her own (Thread), not this one. A deleted question is not
// found here for anyone but moderators; its author reads it with Thread.
// It is shared, so it does not decide who may see it: before serving it to a reader, the
// cache asks CheckScopeNow of the question's collaborative (scope.go).
func (s *QA) SharedThread(ctx context.Context, u *User, questionID int64, order AnswerSort) (*QuestionThread, error) {
	if seesDeleted(u) {
		return s.Posts.Thread(ctx, questionID, 0, true, order)
	}
	return s.readThread(ctx, nil, questionID, 0, order)
}
