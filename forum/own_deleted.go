package forum

import "context"

// Deleted posts stay readable to the people who may bring them back or who wrote them:
// moderators see every deleted post, and an author sees her own, marked as deleted, on
// the question page (a deleted question of hers answers there instead of not found).
// Everyone else reads the thread as if the deleted posts were not there. A single post
// (QA.Post, GET /api/v1/posts/{id}) stays the moderators' alone: the contract answers 404
// to everyone else once a post is deleted.

// SeesDeletedPost reports whether u (nil: anonymous) sees a deleted post written by
// authorID.
func SeesDeletedPost(u *User, authorID int64) bool {
	return u != nil && (u.Role.IsModerator() || (u.ID != 0 && u.ID == authorID))
}

func authorOf(p *Post) int64 {
	if p.Author == nil {
		return 0
	}
	return p.Author.ID
}

// withoutDeleted leaves out of t, read with its deleted posts, those u may not see, and
// notes their authors in DeletedAuthors. It reports false when the question itself is
// such a post: to u the thread does not exist.
func (t *QuestionThread) withoutDeleted(u *User) bool {
	if q := t.Question; q.DeletedAt != nil && !SeesDeletedPost(u, authorOf(q)) {
		return false
	}
	kept := t.Answers[:0:0]
	for _, a := range t.Answers {
		if a.DeletedAt == nil || SeesDeletedPost(u, authorOf(a)) {
			kept = append(kept, a)
			continue
		}
		t.DeletedAuthors = appendOnce(t.DeletedAuthors, authorOf(a))
		delete(t.Comments, a.ID)
	}
	t.Answers = kept
	return true
}

func appendOnce(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// readThread reads a question page's content for u, with viewerID's votes: moderators get
// every deleted post; anyone signed in, the thread with its deleted posts, of which those
// not theirs are left out (withoutDeleted, recording their authors). What u may not see
// answers exactly as a read without deleted posts does, errors and all, so that a deleted
// post not theirs is told from a missing one by nothing.
func (s *QA) readThread(ctx context.Context, u *User, questionID, viewerID int64, order AnswerSort) (*QuestionThread, error) {
	if seesDeleted(u) {
		return s.Posts.Thread(ctx, questionID, viewerID, true, order)
	}
	t, err := s.Posts.Thread(ctx, questionID, viewerID, true, order)
	if err == nil && t.withoutDeleted(u) {
		return t, nil
	}
	if err != nil && KindOf(err) != ENotFound {
		return nil, err
	}
	return s.Posts.Thread(ctx, questionID, viewerID, false, order)
}
