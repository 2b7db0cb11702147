package forum

import (
	"context"
	"time"
)

// QA enforces the rules of questions, answers, comments, votes and acceptance. Writers are
// signed-in people (the web layer turns anonymous writes into 401 first); suspended people
// are refused before they get here.
type QA struct {
	Posts      PostStore
	Revisions  RevisionStore
	Profiles   ProfileStore
	Closes     CloseStore
	Render     Renderer
	Privileges PrivilegeRules
	Votes      VoteRules
	NewUsers   NewUserRules
	Now        func() time.Time
	// Synonyms rewrite tags that stand for others to their masters; nil: tags are kept
	// as written.
	Synonyms TagSynonymStore
	// Suggestions keeps the edits of people below the edit privilege (and of curated
	// answers) for review (Propose); nil: such edits are refused.
	Suggestions SuggestionStore
	// Scopes answers who sees inside collaboratives (scope.go); nil: no collaborative can
	// be asked into, and private posts are visible to moderators only.
	Scopes CollaborativeScopes
	// Spam scores new posts and comments; nil: none is scored.
	Spam *SpamGuard
	// CommentEdits edits and deletes comments.
	CommentEdits CommentEditStore
}

func (s *QA) now() time.Time { return s.Now().UTC() }

// viewerID is 0 for anonymous readers.
func viewerID(u *User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// seesDeleted reports whether u may see deleted posts.
func seesDeleted(u *User) bool { return u != nil && u.Role.IsModerator() }

// AskInput is a question as its author writes it.
type AskInput struct {
	Title string
	Body  string
	Tags  []string
	// Collaborative is the slug of the collaborative to ask into; "" for none.
	Collaborative string
}

// Ask posts a question. Returns invalid naming the field, every field at fault listed
// (FieldErrors) (title 15-150 characters, body
// at least 30, 1-5 valid tags, too_many_links for a new member), forbidden
// "insufficient_reputation" when a tag is new and the asker may not create tags, or
// rate_limited when a new member asked less than the interval ago.
func (s *QA) Ask(ctx context.Context, u *User, in AskInput) (*Post, error) {
	// Every field is checked before any is refused, so the form shows them all at once.
	var fe FieldErrors
	title, err := CleanTitle("title", in.Title, MinTitleLen, MaxTitleLen)
	if fe.Add(err) != nil {
		return nil, err
	}
	body, err := CleanBody("body", in.Body, MinBodyLen, MaxBodyLen)
	if fe.Add(err) != nil {
		return nil, err
	}
	tags, err := NormalizeTags(in.Tags)
	if fe.Add(err) != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	collaborativeID, err := s.askScope(ctx, u, in.Collaborative)
	if err != nil {
		return nil, err
	}
	if tags, err = CanonicalTags(ctx, s.Synonyms, tags); err != nil { // sbg is filed as standards-based-grading
		return nil, err
	}
	if err := s.checkNewTags(ctx, u, tags); err != nil {
		return nil, err
	}
	html, err := s.Render.Body(body)
	if err != nil {
		return nil, err
	}
	if err := s.checkNewUserLinks(u, "body", html); err != nil {
		return nil, err
	}
	now := s.now()
	spam, err := s.screen(ctx, u, "body", title+"\n"+body, html, now)
	if err != nil {
		return nil, err
	}
	return s.Posts.CreateQuestion(ctx, NewQuestion{AuthorID: u.ID, Title: title, Body: body, BodyHTML: html, Tags: tags,
		CollaborativeID: collaborativeID, Interval: s.questionInterval(u), Now: now, DailyPosts: s.dailyPosts(u), Spam: spam})
}

// Answer posts an answer. Returns invalid "body" (too_many_links among them), not_found for a missing question, or
// conflict "question_closed".
func (s *QA) Answer(ctx context.Context, u *User, questionID int64, body string) (*Post, error) {
	body, err := CleanBody("body", body, MinBodyLen, MaxBodyLen)
	if err != nil {
		return nil, err
	}
	html, err := s.Render.Body(body)
	if err != nil {
		return nil, err
	}
	if err := s.checkNewUserLinks(u, "body", html); err != nil {
		return nil, err
	}
	now := s.now()
	spam, err := s.screen(ctx, u, "body", body, html, now)
	if err != nil {
		return nil, err
	}
	return s.Posts.CreateAnswer(ctx, NewAnswer{QuestionID: questionID, AuthorID: u.ID, Body: body, BodyHTML: html, Now: now,
		DailyPosts: s.dailyPosts(u), Spam: spam})
}

// Comment posts a comment (a reply when parentID is set). Returns invalid "body" (15-600
// characters, too_many_links for a new member) or "parent_id", not_found for a missing
// post, or insufficient_reputation.
func (s *QA) Comment(ctx context.Context, u *User, postID, parentID int64, body string) (*Comment, error) {
	if err := s.Privileges.Rules().Check(u, PrivComment); err != nil {
		return nil, err
	}
	var fe FieldErrors
	body, err := CleanBody("body", body, MinCommentLen, MaxCommentLen)
	if fe.Add(err) != nil {
		return nil, err
	}
	if parentID < 0 {
		fe.Add(Invalid("parent_id", "bad_parent", "parent_id must be the id of a comment on this post."))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	html, err := s.Render.Comment(body)
	if err != nil {
		return nil, err
	}
	if err := s.checkNewUserLinks(u, "body", html); err != nil {
		return nil, err
	}
	now := s.now()
	spam, err := s.screen(ctx, u, "body", body, html, now)
	if err != nil {
		return nil, err
	}
	return s.Posts.CreateComment(ctx, NewComment{PostID: postID, ParentID: parentID, AuthorID: u.ID, Body: body, BodyHTML: html, Now: now, Spam: spam})
}

// Vote votes a post up (1), down (-1) or takes the vote back (0). Returns invalid "value",
// not_found, forbidden "self_vote" or "insufficient_reputation", or rate_limited past the
// daily votes.
func (s *QA) Vote(ctx context.Context, u *User, postID int64, value int) (VoteResult, error) {
	if err := s.Privileges.Rules().CheckVoteValue(u, value); err != nil {
		return VoteResult{}, err
	}
	return s.Posts.Vote(ctx, postID, u.ID, value, s.Votes, s.now())
}

// VoteComment votes a comment up (value 1) or takes the vote back (0). Comments take no
// down votes and give no reputation.
func (s *QA) VoteComment(ctx context.Context, u *User, commentID int64, value int) (VoteResult, error) {
	switch value {
	case 1:
		if err := s.Privileges.Rules().Check(u, PrivUpvote); err != nil {
			return VoteResult{}, err
		}
	case 0:
	default:
		return VoteResult{}, Invalid("value", "invalid_vote", "Comments take value 1 (up) or 0 (take the vote back).")
	}
	score, err := s.Posts.VoteComment(ctx, commentID, u.ID, value == 1, s.now())
	return VoteResult{Score: score, MyVote: value}, err
}

// Accept marks an answer as the accepted one, or unmarks it when it already is. Only the
// asker may (CheckAccept, in the store's write); returns whether the answer is accepted now.
func (s *QA) Accept(ctx context.Context, u *User, answerID int64) (bool, error) {
	return s.Posts.Accept(ctx, answerID, u.ID, s.now())
}

// Delete soft-deletes a post: its author may (not a question with upvoted answers), and
// moderators may (CheckDelete, in the store's write). Everyone but moderators then gets
// not_found, but for its author on the question page (Thread, SeesDeletedPost).
func (s *QA) Delete(ctx context.Context, u *User, postID int64) error {
	return s.Posts.DeletePost(ctx, postID, u, s.now())
}

// Undelete restores a deleted post; only moderators may (CheckUndelete, in the store's
// write: to anyone else a deleted post does not exist).
func (s *QA) Undelete(ctx context.Context, u *User, postID int64) error {
	return s.Posts.UndeletePost(ctx, postID, u, s.now())
}

// Thread returns a question page's content for the viewer (nil when anonymous): deleted
// posts for moderators, and her own, marked, for their author (SeesDeletedPost).
func (s *QA) Thread(ctx context.Context, u *User, questionID int64, order AnswerSort) (*QuestionThread, error) {
	var t *QuestionThread
	var err error
	if u == nil {
		t, err = s.Posts.Thread(ctx, questionID, 0, false, order)
	} else {
		t, err = s.readThread(ctx, u, questionID, u.ID, order)
	}
	if err != nil {
		return nil, err
	}
	if err := s.CheckPostScope(ctx, u, t.Question.Collaborative, NotFoundPost(questionID)); err != nil {
		return nil, err
	}
	return t, nil
}

// Post returns one question or answer as the viewer may see it.
func (s *QA) Post(ctx context.Context, u *User, id int64) (*Post, error) {
	p, err := s.Posts.Post(ctx, id, viewerID(u), seesDeleted(u))
	if err != nil {
		return nil, err
	}
	if err := s.CheckPostScope(ctx, u, p.Collaborative, NotFoundPost(id)); err != nil {
		return nil, err
	}
	return p, nil
}

// Comments returns a visible post's comments.
func (s *QA) Comments(ctx context.Context, u *User, postID int64) ([]*Comment, error) {
	if _, err := s.Post(ctx, u, postID); err != nil {
		return nil, err
	}
	return s.Posts.Comments(ctx, postID)
}

// Questions lists a page of questions.
func (s *QA) Questions(ctx context.Context, u *User, f QuestionFilter) (*QuestionPage, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	if err := s.listScope(ctx, u, &f); err != nil {
		return nil, err
	}
	return s.Posts.Questions(ctx, f, viewerID(u))
}

// Preview renders a body exactly as a post would show it.
func (s *QA) Preview(body string) (string, error) {
	body, err := cleanBodyText("body", body)
	if err != nil {
		return "", err
	}
	if len(body) > 4*MaxBodyLen {
		return "", Invalid("body", "too_long", "Body must be at most %d characters.", MaxBodyLen)
	}
	return s.Render.Body(body)
}

// Tags lists tags by popularity, optionally those with a word starting with q (for
// autocomplete and the tags page: "grade" finds middle-grades), names starting with q first.
func (s *QA) Tags(ctx context.Context, q string, page int) ([]Tag, int, error) {
	if page < 1 {
		page = 1
	}
	return s.Posts.Tags(ctx, q, page, DefaultPageSize)
}

// Tag returns one tag.
func (s *QA) Tag(ctx context.Context, name string) (*Tag, error) {
	n, err := NormalizeTag(name)
	if err != nil {
		return nil, NotFoundTag(name)
	}
	return s.Posts.Tag(ctx, n)
}

// DescribeTag changes a tag's short description; it needs the edit privilege.
func (s *QA) DescribeTag(ctx context.Context, u *User, name, excerpt string) (*Tag, error) {
	if err := s.Privileges.Rules().Check(u, PrivEdit); err != nil {
		return nil, err
	}
	t, err := s.Tag(ctx, name)
	if err != nil {
		return nil, err
	}
	if excerpt, err = CleanBody("excerpt", excerpt, 0, MaxExcerptLen); err != nil {
		return nil, err
	}
	if err := s.Posts.SetTagExcerpt(ctx, t.Name, excerpt); err != nil {
		return nil, err
	}
	t.Excerpt = excerpt
	return t, nil
}

// screen applies the new-member image rule to a new post or comment and scores it for
// spam (nil when no guard is set).
func (s *QA) screen(ctx context.Context, u *User, field, text, html string, now time.Time) (*SpamCheck, error) {
	if err := s.checkNewUserImages(u, field, html); err != nil {
		return nil, err
	}
	if s.Spam == nil {
		return nil, nil
	}
	return s.Spam.Check(ctx, u, text, s.Render.Links(html), now)
}
