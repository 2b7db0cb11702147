package forum

import (
	"strings"
	"time"
)

// Moderators' actions on posts and people. Each is audited (AuditEntry, in the action's
// own transaction, with the state before and after) and destroys nothing: a hidden, merged,
// converted or spam post is soft-deleted, a spammer's account disabled.

// Post moderation actions, as the audit log names them ("post." + action).
const (
	ModHide   = "hide"
	ModUnhide = "unhide"
	ModLock   = "lock"
	ModUnlock = "unlock"
)

// Limits on moderators' words.
const (
	MaxModReasonLen     = 500
	MaxModMessageLen    = 5000
	MinModMessageLen    = 10
	MaxCurationNoteLen  = 1000
	DefaultCurationTerm = 365 * 24 * time.Hour // a curated answer is looked at again after a year
)

var (
	errNotModerator = Coded(EForbidden, "not_moderator", "Only moderators may do this.")
	errPostLocked   = Coded(EConflict, "post_locked", "A moderator has locked this post: it takes no edits, votes, answers or comments.")
	// ErrCuratedNeedsReview refuses a direct edit of a curated answer by anyone but a
	// moderator; QA.Propose turns it into a suggested edit.
	ErrCuratedNeedsReview = Coded(EForbidden, "needs_review", "This answer is curated: edits to it are suggested and go to review.")
)

// CheckModerator returns forbidden "not_moderator" unless u is a moderator (or an admin).
func CheckModerator(u *User) error {
	if u == nil || !u.Role.IsModerator() {
		return errNotModerator
	}
	return nil
}

// PostModeration is a moderator hiding, unhiding, locking or unlocking a post.
type PostModeration struct {
	PostID int64
	By     *User
	Action string
	Reason string
	Now    time.Time
}

// CheckModeratePost decides whether m may act on the post f describes: moderators only;
// hide a visible post (not deleted), unhide a hidden one, lock an unlocked live post,
// unlock a locked one. forbidden, not_found, or conflict naming the state.
func CheckModeratePost(m PostModeration, f PostFacts) error {
	if err := CheckModerator(m.By); err != nil {
		return err
	}
	if !f.Exists {
		return NotFoundPost(f.ID)
	}
	switch m.Action {
	case ModHide:
		if f.Deleted {
			return Coded(EConflict, "not_visible", "Post %d is already hidden or deleted.", f.ID)
		}
	case ModUnhide:
		if !f.Hidden {
			return Coded(EConflict, "not_hidden", "Post %d is not hidden.", f.ID)
		}
		if f.Kind == KindAnswer && f.QuestionDeleted {
			return errQuestionDeleted
		}
	case ModLock:
		if !f.Live() {
			return NotFoundPost(f.ID)
		}
		if f.SelfLocked {
			return Coded(EConflict, "already_locked", "Post %d is already locked.", f.ID)
		}
	case ModUnlock:
		if !f.SelfLocked {
			return Coded(EConflict, "not_locked", "Post %d is not locked.", f.ID)
		}
	default:
		return Invalid("action", "invalid_action", "action must be hide, unhide, lock or unlock.")
	}
	return nil
}

// CleanReason checks a moderator's or reviewer's reason: one paragraph at most.
func CleanReason(field, s string) (string, error) {
	return CleanBody(field, s, 0, MaxModReasonLen)
}

// Curation is an answer marked as the network's reference for its question.
type Curation struct {
	PostID    int64
	Note      string
	ReviewBy  time.Time
	CuratedBy int64
	Curator   *User
	CuratedAt time.Time
}

// CanCurate reports whether u may curate (or uncurate) the answer f describes: moderators
// may curate any answer, and a lead of the collaborative its question belongs to may
// curate inside it (f read for u: ActorLeads).
func CanCurate(u *User, f PostFacts) bool {
	if u == nil {
		return false
	}
	return u.Role.IsModerator() || f.CollaborativeID != 0 && f.ActorLeads
}

// CheckCurate decides whether u may curate the post: a live answer, by someone CanCurate
// allows. forbidden "not_moderator", not_found, or invalid "not_an_answer".
func CheckCurate(u *User, f PostFacts) error {
	if !CanCurate(u, f) {
		return errNotModerator
	}
	if !f.Live() {
		return NotFoundPost(f.ID)
	}
	if f.Kind != KindAnswer {
		return Invalid("id", "not_an_answer", "Only answers are curated; post %d is a question.", f.ID)
	}
	return nil
}

// ParseReviewBy reads a review-by date (YYYY-MM-DD); empty means DefaultCurationTerm from
// now. invalid "review_by" when unparsable or not after today.
func ParseReviewBy(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return UTCDay(now.Add(DefaultCurationTerm)), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, Invalid("review_by", "invalid_date", "review_by must be a date, YYYY-MM-DD.")
	}
	if !t.After(now) {
		return time.Time{}, Invalid("review_by", "date_past", "review_by must be after today.")
	}
	return t, nil
}

// Merge moves a duplicate question's answers to its original and closes the duplicate
// with a link to it.
type Merge struct {
	DuplicateID int64
	OriginalID  int64
	By          *User
	Reason      string
	Now         time.Time
}

// CheckMerge decides whether m may happen: moderators only, two different live questions.
func CheckMerge(m Merge, dup, orig PostFacts) error {
	if err := CheckModerator(m.By); err != nil {
		return err
	}
	if !dup.Live() || dup.Kind != KindQuestion {
		return NotFoundQuestion(m.DuplicateID)
	}
	if m.DuplicateID == m.OriginalID {
		return Invalid("into", "bad_duplicate", "A question cannot be merged into itself.")
	}
	if !orig.Live() || orig.Kind != KindQuestion {
		return Invalid("into", "bad_duplicate", "There is no question %d to merge into.", m.OriginalID)
	}
	return nil
}

// CheckConvert decides whether u may turn answer f into a comment on its question:
// moderators only, a live answer whose body fits a comment.
func CheckConvert(u *User, f PostFacts, bodyLen int) error {
	if err := CheckModerator(u); err != nil {
		return err
	}
	if !f.Live() || f.Kind != KindAnswer {
		return NotFoundAnswer(f.ID)
	}
	if bodyLen > MaxCommentLen {
		return Invalid("id", "too_long_for_comment", "This answer is %d characters; a comment holds at most %d. Edit it shorter first, or leave it an answer.", bodyLen, MaxCommentLen)
	}
	return nil
}

// ModeratorMessage is a private message from a moderator to a person.
type ModeratorMessage struct {
	ID        int64
	UserID    int64
	From      *User
	FromID    int64
	Body      string
	BodyHTML  string
	CreatedAt time.Time
}

// SpamAccount is a moderator deleting a spammer: every post and comment of theirs is
// soft-deleted and the account disabled.
type SpamAccount struct {
	UserID int64
	By     *User
	Reason string
	Now    time.Time
}

// CheckDeleteSpammer decides whether by may delete target as a spammer: moderators only,
// never a moderator or an admin (an admin takes their role away first), never oneself.
func CheckDeleteSpammer(by, target *User) error {
	if err := CheckModerator(by); err != nil {
		return err
	}
	if target == nil {
		return Errorf(ENotFound, "There is no such person.")
	}
	if target.ID == by.ID || target.Role.IsModerator() {
		return Coded(EForbidden, "protected_account", "Moderators and admins cannot be deleted as spammers; an admin changes their role first.")
	}
	return nil
}
