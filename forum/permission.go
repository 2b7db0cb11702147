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
	// Moderation (flag.go, modaction.go). Hidden: flags or a moderator hid the post
	// pending review (Deleted is then set too). SelfLocked: the post itself is locked;
	// Locked: it or its question is (a locked question locks its thread). Curated: an
	// answer marked as the reference; its edits go to review.
	Hidden, SelfLocked, Locked, Curated bool
	// CollaborativeID is the question's collaborative (0: none). A store reads the facts
	// for an actor, and those of a post the actor may not see (SeesPostScope) read as
	// facts of a missing post, so that every rule refuses it as it refuses a missing id.
	CollaborativeID int64
	// ActorLeads: the actor the facts were read for leads that collaborative (CanCurate).
	ActorLeads bool
}

// Live reports whether the post takes writes: it exists, and neither it nor its question
// is deleted.
func (f PostFacts) Live() bool { return f.Exists && !f.Deleted && !f.QuestionDeleted }

// Refusals whose words never change, made once.
var (
	errSelfVote          = Coded(EForbidden, "self_vote", "You cannot vote on your own post.")
	errSelfCommentVote   = Coded(EForbidden, "self_vote", "You cannot vote on your own comment.")
	errNotAsker          = Coded(EForbidden, "not_asker", "Only the person who asked the question can accept an answer.")
	errNotAuthor         = Coded(EForbidden, "not_author", "You can delete only your own posts.")
	errHasUpvotedAnswers = Coded(EConflict, "has_upvoted_answers", "This question has upvoted answers, so it stays for the people they help; flag it for a moderator if it must go.")
	errQuestionDeleted   = Coded(EConflict, "question_deleted", "Undelete the question first.")
	errQuestionClosed    = Coded(EConflict, "question_closed", "This question is closed, so it takes no new answers.")
)

// refusal is a rule's no, before it is put in words: the zero value allows. Writes word it
// (err); a page asks every rule about every post it draws, only to know whether, and words
// the few refusals it shows. It is small and comparable, without strings, so what a page
// draws from it keys a cache cheaply.
type refusal struct {
	fixed *Error      // a refusal whose words never change
	id    int64       // the post, for not found
	need  int32       // lacksPrivilege: the reputation needed
	have  int32       // and the person's
	kind  refusalKind // how to word it, when not fixed
	priv  uint8       // lacksPrivilege: the privilege, as its index in privilegeOrder
}

type refusalKind uint8

const (
	noPost         refusalKind = iota + 1 // NotFoundPost(id)
	noQuestion                            // NotFoundQuestion(id)
	noAnswer                              // NotFoundAnswer(id)
	noComment                             // NotFoundComment(id)
	notDeleted                            // conflict "not_deleted"
	lacksPrivilege                        // insufficient_reputation: priv needs need, the person has have
)

func (r refusal) allowed() bool { return r == refusal{} }

// err words the refusal; nil when it allows.
func (r refusal) err() error {
	if r.fixed != nil {
		return r.fixed
	}
	switch r.kind {
	case noPost:
		return NotFoundPost(r.id)
	case noQuestion:
		return NotFoundQuestion(r.id)
	case noAnswer:
		return NotFoundAnswer(r.id)
	case noComment:
		return NotFoundComment(r.id)
	case notDeleted:
		return Coded(EConflict, "not_deleted", "Post %d is not deleted.", r.id)
	case lacksPrivilege:
		return Coded(EForbidden, "insufficient_reputation", "%s needs %d reputation; you have %d.", privilegeNames[privilegeOrder[r.priv]], r.need, r.have)
	}
	return nil
}

func refuse(e *Error) refusal                 { return refusal{fixed: e} }
func missing(k refusalKind, id int64) refusal { return refusal{kind: k, id: id} }

// The rules. Each exported Check* words its rule's refusal for a write; Actions asks the
// same rule without the words.

func live(f PostFacts) refusal {
	if !f.Live() {
		return missing(noPost, f.ID)
	}
	return refusal{}
}

// CheckLive returns not_found unless the post is live: a deleted post takes no vote,
// comment, edit or acceptance from anyone (a moderator undeletes it first).
func CheckLive(f PostFacts) error { return live(f).err() }

func answer(q PostFacts) refusal {
	if !q.Live() || q.Kind != KindQuestion {
		return missing(noQuestion, q.ID)
	}
	if q.Closed {
		return refuse(errQuestionClosed)
	}
	if q.Locked {
		return refuse(errPostLocked)
	}
	return refusal{}
}

// CheckAnswer decides whether question q takes a new answer: not_found unless it is a live
// question, conflict "question_closed" while it is closed.
func CheckAnswer(q PostFacts) error { return answer(q).err() }

// comment is the comment rule, held being the check of the comment privilege.
func comment(f PostFacts, held refusal) refusal {
	if !held.allowed() {
		return held
	}
	if f.Live() && f.Locked {
		return refuse(errPostLocked)
	}
	return live(f)
}

// CheckComment decides whether u may comment on the post: the comment privilege, on a live
// post. (A store checks the post alone, with CheckLive: the service checked the privilege.)
func (p Privileges) CheckComment(u *User, f PostFacts) error {
	return comment(f, p.check(u, PrivComment)).err()
}

// CheckCommentOn decides whether the post takes a comment, the privilege aside (the
// service checked it): a live post that is not locked. not_found, conflict "post_locked".
func CheckCommentOn(f PostFacts) error { return comment(f, refusal{}).err() }

// CheckReply decides whether a comment on postID may reply to comment parentID; parentOn
// is the post that comment is on, 0 when there is no such live comment. invalid
// "bad_parent" unless the parent is a comment on the same post.
func CheckReply(postID, parentID, parentOn int64) error {
	if parentID != 0 && parentOn != postID {
		return Invalid("parent_id", "bad_parent", "Comment %d is not a comment on this post; reply to a comment shown under it.", parentID)
	}
	return nil
}

func accept(userID int64, f PostFacts) refusal {
	if !f.Live() {
		return missing(noPost, f.ID)
	}
	if f.Kind != KindAnswer {
		return missing(noAnswer, f.ID)
	}
	if f.AskerID != userID {
		return refuse(errNotAsker)
	}
	if f.Locked {
		return refuse(errPostLocked)
	}
	return refusal{}
}

// CheckAccept decides whether userID may accept (or unaccept) answer f: only the asker
// may, and only a live answer. not_found, or forbidden "not_asker".
func CheckAccept(userID int64, f PostFacts) error { return accept(userID, f).err() }

func remove(u *User, f PostFacts) refusal {
	if !f.Live() {
		return missing(noPost, f.ID)
	}
	if u.Role.IsModerator() {
		return refusal{}
	}
	if f.AuthorID != u.ID {
		return refuse(errNotAuthor)
	}
	if f.Kind == KindQuestion && f.UpvotedAnswers {
		return refuse(errHasUpvotedAnswers)
	}
	return refusal{}
}

// CheckDelete decides whether u may delete the post: moderators may delete any live post;
// its author may, but not a question with upvoted answers (they help people: a moderator
// decides). not_found, forbidden "not_author", or conflict "has_upvoted_answers".
func CheckDelete(u *User, f PostFacts) error { return remove(u, f).err() }

func restore(u *User, f PostFacts) refusal {
	if !u.Role.IsModerator() || !f.Exists {
		return missing(noPost, f.ID)
	}
	if !f.Deleted {
		return missing(notDeleted, f.ID)
	}
	if f.Kind == KindAnswer && f.QuestionDeleted {
		return refuse(errQuestionDeleted)
	}
	return refusal{}
}

// CheckUndelete decides whether u may restore the post: only moderators, who alone see
// deleted posts (to anyone else it does not exist), and an answer only once its question
// is back. not_found, or conflict "not_deleted" or "question_deleted".
func CheckUndelete(u *User, f PostFacts) error { return restore(u, f).err() }

// edit is the edit rule, held being the check of u's edit privilege.
func edit(u *User, f PostFacts, held refusal) refusal {
	if !f.Live() {
		return missing(noPost, f.ID)
	}
	if u.Role.IsModerator() {
		return refusal{}
	}
	if f.Locked {
		return refuse(errPostLocked)
	}
	if f.Curated {
		return refuse(ErrCuratedNeedsReview)
	}
	if f.AuthorID == u.ID {
		return refusal{}
	}
	return held
}

// CheckEdit decides whether u may edit the post: moderators always; otherwise not while it
// is locked (conflict "post_locked") or curated (forbidden "needs_review": the edit is
// suggested instead), then its author always, anyone else with the edit privilege; only
// a live post. not_found or insufficient_reputation.
func (p Privileges) CheckEdit(u *User, f PostFacts) error {
	return edit(u, f, p.check(u, PrivEdit)).err()
}

// Allowance says whether an action is allowed and, when it is not, why (Why), in the words
// the refusal would use: a page shows the reason beside a disabled control. Comparable.
type Allowance struct {
	OK bool
	no refusal
}

func allowance(r refusal) Allowance { return Allowance{OK: r.allowed(), no: r} }

// Why is the refusal's message; "" when allowed.
func (a Allowance) Why() string {
	if e := AsError(a.no.err()); e != nil {
		return e.Message
	}
	return ""
}

// PostActions is what one reader may do to one post, each decided by the rule its write
// applies (the day's vote limit aside: it needs a count that pages do not read). Pages draw
// their buttons from it and the question API returns it (can_*), so nobody is offered
// what the server would refuse. It is comparable: the page cache keys blocks by it.
type PostActions struct {
	VoteUp, VoteDown Allowance
	Unvote           Allowance // take one's vote back
	Accept           bool
	Edit             bool
	Delete           bool
	Undelete         bool
	Comment          bool
	Close            bool // questions: may vote to close, or to reopen
	CloseBinding     bool // questions: that vote decides at once (a moderator's)
	SuggestEdit      bool // may not edit it, but may suggest an edit for review (QA.Propose)
	Flag             bool // may flag it (CheckFlag: the privilege, someone else's post)
	Moderate         bool // may hide, lock, curate it (a moderator)
}

// Actor is one person about to ask the rules about many posts (a page draws every post of a
// thread): their privileges are looked up once. The zero Actor is an anonymous reader, who
// may do nothing.
type Actor struct {
	u                                    *User
	up, down, comment, edit, close, flag refusal // the checks of their privileges
}

// Actor returns u (nil: anonymous) as an Actor.
func (p Privileges) Actor(u *User) Actor {
	if u == nil {
		return Actor{}
	}
	return Actor{u: u, up: p.check(u, PrivUpvote), down: p.check(u, PrivDownvote), comment: p.check(u, PrivComment),
		edit: p.check(u, PrivEdit), close: p.check(u, PrivCloseVote), flag: p.check(u, PrivFlag)}
}

// Actions returns what the actor may do to the post f describes, by the rules its writes
// apply. It words nothing (Allowance.Why does, when asked), so a page may ask it for every
// post it draws.
func (a Actor) Actions(f PostFacts) PostActions {
	var r PostActions
	u := a.u
	if u == nil {
		return r
	}
	own := vote(u.ID, f)
	r.VoteUp, r.VoteDown, r.Unvote = allowance(cast(a.up, own)), allowance(cast(a.down, own)), allowance(own)
	r.Accept = accept(u.ID, f).allowed()
	no := edit(u, f, a.edit)
	r.Edit = no.allowed()
	r.SuggestEdit = !r.Edit && (no.kind == lacksPrivilege || no.fixed == ErrCuratedNeedsReview)
	r.Delete = remove(u, f).allowed()
	r.Undelete = restore(u, f).allowed()
	r.Comment = comment(f, a.comment).allowed()
	r.Flag = a.flag.allowed() && f.AuthorID != u.ID && (f.Live() || f.Hidden)
	r.Moderate = u.Role.IsModerator()
	if f.Kind == KindQuestion {
		r.Close = closing(f, a.close).allowed()
		r.CloseBinding = r.Close && CloseBinding(u)
	}
	return r
}

// Actions returns what u (nil: anonymous) may do to the post f describes: Actor(u).Actions.
func (p Privileges) Actions(u *User, f PostFacts) PostActions { return p.Actor(u).Actions(f) }

// Facts returns what the post alone tells the rules: its question's side (asker, closed,
// deleted question) is left out, for a store or QuestionThread.Facts to fill in.
func (p *Post) Facts() PostFacts {
	f := PostFacts{ID: p.ID, Exists: true, Kind: p.Kind, QuestionID: p.QuestionID, Deleted: p.DeletedAt != nil,
		Hidden: p.HiddenAt != nil, SelfLocked: p.LockedAt != nil, Locked: p.LockedAt != nil, Curated: p.CuratedAt != nil}
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
		QuestionDeleted: q.DeletedAt != nil, Closed: q.ClosedReason != "", AcceptedAnswerID: q.AcceptedAnswerID,
		Hidden: p.HiddenAt != nil, SelfLocked: p.LockedAt != nil, Locked: p.LockedAt != nil || q.LockedAt != nil, Curated: p.CuratedAt != nil}
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
