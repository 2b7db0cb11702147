package forum

// Who may do what to a post. Each rule is a function of facts, never of a query: a store
// calls it inside the write that acts, with the rows it has read there (so the rule holds
// whatever commits meanwhile), and pages and the API call the same function with the
// thread they show (Privileges.Actions), so that they offer exactly what the write would
// accept. A store writes SQL and nothing else (DESIGN.md "Rules live in forum").

// PostFacts are what the rules about one post depend on.
type PostFacts struct {
	ID       int64
	Exists   bool // false: no post has this id (every other field is then zero)
	Kind     PostKind
	AuthorID int64
	// The question's side; for a question, the post itself.
	QuestionID       int64
	AskerID          int64
	Deleted          bool  // the post itself is deleted
	QuestionDeleted  bool  // its question is deleted (for a question, the same as Deleted)
	Closed           bool  // the question is closed to new answers
	AcceptedAnswerID int64 // the question's accepted answer; 0 when none
	// UpvotedAnswers is, for a question, whether a live answer scores above 0. Only
	// CheckDelete reads it, and only for a question's author.
	UpvotedAnswers bool
}

// Live reports whether the post takes writes: it exists, and neither it nor its question
// is deleted.
func (f PostFacts) Live() bool { return f.Exists && !f.Deleted && !f.QuestionDeleted }

// Refusals whose words never change, made once: the page asks these rules for every post
// it draws.
var (
	errSelfVote          = Coded(EForbidden, "self_vote", "You cannot vote on your own post.")
	errSelfCommentVote   = Coded(EForbidden, "self_vote", "You cannot vote on your own comment.")
	errNotAsker          = Coded(EForbidden, "not_asker", "Only the person who asked the question can accept an answer.")
	errNotAuthor         = Coded(EForbidden, "not_author", "You can delete only your own posts.")
	errHasUpvotedAnswers = Coded(EConflict, "has_upvoted_answers", "This question has upvoted answers, so it stays for the people they help; flag it for a moderator if it must go.")
	errQuestionDeleted   = Coded(EConflict, "question_deleted", "Undelete the question first.")
	errQuestionClosed    = Coded(EConflict, "question_closed", "This question is closed, so it takes no new answers.")
)

// CheckLive returns not_found unless the post is live: a deleted post takes no vote,
// comment, edit or acceptance from anyone (a moderator undeletes it first).
func CheckLive(f PostFacts) error {
	if !f.Live() {
		return NotFoundPost(f.ID)
	}
	return nil
}

// CheckAnswer decides whether question q takes a new answer: not_found unless it is a live
// question, conflict "question_closed" while it is closed.
func CheckAnswer(q PostFacts) error {
	if !q.Live() || q.Kind != KindQuestion {
		return NotFoundQuestion(q.ID)
	}
	if q.Closed {
		return errQuestionClosed
	}
	return nil
}

// CheckComment decides whether u may comment on the post: the comment privilege, on a live
// post. (A store checks the post alone, with CheckLive: the service checked the privilege.)
func (p Privileges) CheckComment(u *User, f PostFacts) error {
	if err := p.Check(u, PrivComment); err != nil {
		return err
	}
	return CheckLive(f)
}

// CheckReply decides whether a comment on postID may reply to comment parentID; parentOn
// is the post that comment is on, 0 when there is no such live comment. invalid
// "bad_parent" unless the parent is a comment on the same post.
func CheckReply(postID, parentID, parentOn int64) error {
	if parentID != 0 && parentOn != postID {
		return Invalid("parent_id", "bad_parent", "Comment %d is not a comment on this post; reply to a comment shown under it.", parentID)
	}
	return nil
}

// CheckAccept decides whether userID may accept (or unaccept) answer f: only the asker
// may, and only a live answer. not_found, or forbidden "not_asker".
func CheckAccept(userID int64, f PostFacts) error {
	if !f.Live() {
		return NotFoundPost(f.ID)
	}
	if f.Kind != KindAnswer {
		return NotFoundAnswer(f.ID)
	}
	if f.AskerID != userID {
		return errNotAsker
	}
	return nil
}

// CheckDelete decides whether u may delete the post: moderators may delete any live post;
// its author may, but not a question with upvoted answers (they help people: a moderator
// decides). not_found, forbidden "not_author", or conflict "has_upvoted_answers".
func CheckDelete(u *User, f PostFacts) error {
	if !f.Live() {
		return NotFoundPost(f.ID)
	}
	if u.Role.IsModerator() {
		return nil
	}
	if f.AuthorID != u.ID {
		return errNotAuthor
	}
	if f.Kind == KindQuestion && f.UpvotedAnswers {
		return errHasUpvotedAnswers
	}
	return nil
}

// CheckUndelete decides whether u may restore the post: only moderators, who alone see
// deleted posts (to anyone else it does not exist), and an answer only once its question
// is back. not_found, or conflict "not_deleted" or "question_deleted".
func CheckUndelete(u *User, f PostFacts) error {
	if !u.Role.IsModerator() || !f.Exists {
		return NotFoundPost(f.ID)
	}
	if !f.Deleted {
		return Coded(EConflict, "not_deleted", "Post %d is not deleted.", f.ID)
	}
	if f.Kind == KindAnswer && f.QuestionDeleted {
		return errQuestionDeleted
	}
	return nil
}

// CheckEdit decides whether u may edit the post: its author always, anyone else with the
// edit privilege (moderators have it); only a live post. not_found or
// insufficient_reputation.
func (p Privileges) CheckEdit(u *User, f PostFacts) error {
	if !f.Live() {
		return NotFoundPost(f.ID)
	}
	if f.AuthorID == u.ID {
		return nil
	}
	return p.Check(u, PrivEdit)
}

// Allowance says whether an action is allowed and, when it is not, why, in the words the
// refusal would use: a page shows the reason beside a disabled control.
type Allowance struct {
	OK  bool
	Why string
}

func allowance(err error) Allowance {
	if err == nil {
		return Allowance{OK: true}
	}
	if e := AsError(err); e != nil {
		return Allowance{Why: e.Message}
	}
	return Allowance{}
}

// PostActions is what one reader may do to one post, each decided by the check its write
// makes (the day's vote limit aside: it needs a count that pages do not read). Pages draw
// their buttons from it and the question API returns it (can_*), so nobody is offered
// what the server would refuse. It is comparable: the page cache keys blocks by it.
type PostActions struct {
	VoteUp, VoteDown Allowance
	Accept           bool
	Edit             bool
	Delete           bool
	Undelete         bool
	Comment          bool
	Close            bool // questions: may vote to close, or to reopen
	CloseBinding     bool // questions: that vote decides at once (a moderator's)
}

// Actions returns what u (nil: an anonymous reader, who may do nothing) may do to the post
// f describes.
func (p Privileges) Actions(u *User, f PostFacts) PostActions {
	var a PostActions
	if u == nil {
		return a
	}
	vote := func(value int) Allowance {
		if err := p.CheckVoteValue(u, value); err != nil {
			return allowance(err)
		}
		return allowance(CheckVote(u.ID, f))
	}
	a.VoteUp, a.VoteDown = vote(1), vote(-1)
	a.Accept = CheckAccept(u.ID, f) == nil
	a.Edit = p.CheckEdit(u, f) == nil
	a.Delete = CheckDelete(u, f) == nil
	a.Undelete = CheckUndelete(u, f) == nil
	a.Comment = p.CheckComment(u, f) == nil
	if f.Kind == KindQuestion {
		a.Close = p.CheckClose(u, f) == nil
		a.CloseBinding = a.Close && CloseBinding(u)
	}
	return a
}

// Facts returns what the post alone tells the rules: its question's side (asker, closed,
// deleted question) is left out, for a store or QuestionThread.Facts to fill in.
func (p *Post) Facts() PostFacts {
	f := PostFacts{ID: p.ID, Exists: true, Kind: p.Kind, QuestionID: p.QuestionID, Deleted: p.DeletedAt != nil}
	if p.Kind == KindQuestion {
		f.QuestionID, f.QuestionDeleted = p.ID, f.Deleted
	}
	if p.Author != nil {
		f.AuthorID = p.Author.ID
	}
	return f
}

// Facts returns what the rules need to know about p, one of the thread's posts, as a store
// reads them in a write: the page and the write then ask the same question.
func (t *QuestionThread) Facts(p *Post) PostFacts {
	q := t.Question
	f := PostFacts{ID: p.ID, Exists: true, Kind: p.Kind, QuestionID: q.ID, Deleted: p.DeletedAt != nil,
		QuestionDeleted: q.DeletedAt != nil, Closed: q.ClosedReason != "", AcceptedAnswerID: q.AcceptedAnswerID}
	if p.Author != nil {
		f.AuthorID = p.Author.ID
	}
	if q.Author != nil {
		f.AskerID = q.Author.ID
	}
	if p.Kind == KindQuestion {
		for _, a := range t.Answers {
			if a.DeletedAt == nil && a.Score > 0 {
				f.UpvotedAnswers = true
				break
			}
		}
	}
	return f
}
