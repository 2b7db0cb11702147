package forum

import (
	"slices"
	"strings"
	"time"
)

// The review queue. Things that need a second pair of eyes become items in one of six
// queues: flagged posts and comments, first posts of new people, late answers (to
// questions older than LateAnswerAge), suggested edits, questions with close or reopen
// votes, and curated answers due for review. A reviewer claims an item for ClaimTTL, so
// that two reviewers never work on the same item, and resolves it with one of its kind's
// actions. Reviewers need the review privilege; flags and curated answers are for
// moderators only.

// Queue kinds, as the API names them.
const (
	QueueFlags       = "flags"
	QueueFirstPosts  = "first_posts"
	QueueLateAnswers = "late_answers"
	QueueEdits       = "edits"
	QueueClose       = "close"
	QueueCurated     = "curated"
)

// QueueKinds lists the queues in the order the dashboard shows them.
var QueueKinds = []string{QueueFlags, QueueFirstPosts, QueueLateAnswers, QueueEdits, QueueClose, QueueCurated}

// QueueNames say each queue in words.
var QueueNames = map[string]string{
	QueueFlags:       "Flags",
	QueueFirstPosts:  "First posts",
	QueueLateAnswers: "Late answers",
	QueueEdits:       "Suggested edits",
	QueueClose:       "Close and reopen votes",
	QueueCurated:     "Curated answers due for review",
}

// Review limits.
const (
	// ClaimTTL is how long a claim holds: long enough to read a post and its history,
	// short enough that an item a reviewer walked away from comes back soon.
	ClaimTTL = 10 * time.Minute
	// LateAnswerAge: an answer to a question older than this is reviewed, as on Stack
	// Overflow (late answers are where spam and "thanks" answers hide).
	LateAnswerAge = 30 * 24 * time.Hour
	// MaxReviewReasonLen bounds a reviewer's reason.
	MaxReviewReasonLen = 500
)

// Item target kinds.
const (
	ItemPost          = "post"
	ItemComment       = "comment"
	ItemMessage       = "message"
	ItemSuggestedEdit = "suggested_edit"
)

// Review actions, by queue. Each resolves its item.
const (
	ActionDelete   = "delete"   // flags, first posts, late answers: delete the post (flags helpful)
	ActionRestore  = "restore"  // flags: decline the flags and bring a hidden post back
	ActionHelpful  = "helpful"  // flags: mark the flags helpful and leave the post as it is
	ActionLooksOK  = "looks_ok" // first posts, late answers
	ActionApprove  = "approve"  // edits
	ActionReject   = "reject"   // edits (reason required)
	ActionImprove  = "improve"  // edits: apply the reviewer's own version instead
	ActionClose    = "close"    // close queue: vote to close (a moderator closes)
	ActionReopen   = "reopen"   // close queue: vote to reopen (a moderator reopens)
	ActionLeave    = "leave"    // close queue: leave it as it is
	ActionRenew    = "renew"    // curated: keep it curated for another term
	ActionUpdate   = "update"   // curated: keep it with a new note or date
	ActionUncurate = "uncurate" // curated: take the mark away
	ActionSkip     = "skip"     // any: let go of the claim, leave the item for someone else
)

// queueActions are each queue's actions.
var queueActions = map[string][]string{
	QueueFlags:       {ActionDelete, ActionRestore, ActionHelpful, ActionSkip},
	QueueFirstPosts:  {ActionLooksOK, ActionDelete, ActionSkip},
	QueueLateAnswers: {ActionLooksOK, ActionDelete, ActionSkip},
	QueueEdits:       {ActionApprove, ActionReject, ActionImprove, ActionSkip},
	QueueClose:       {ActionClose, ActionReopen, ActionLeave, ActionSkip},
	QueueCurated:     {ActionRenew, ActionUpdate, ActionUncurate, ActionSkip},
}

// QueueActions returns the actions of a queue, in the order forms offer them.
func QueueActions(kind string) []string { return slices.Clone(queueActions[kind]) }

// ParseQueueKind accepts the six queue names; "" means every queue the reader may see.
func ParseQueueKind(s string) (string, error) {
	if s == "" || slices.Contains(QueueKinds, s) {
		return s, nil
	}
	return "", Invalid("kind", "invalid_kind", "kind must be one of %s.", strings.Join(QueueKinds, ", "))
}

// ModeratorsOnlyQueue reports whether only moderators review kind: flags and curated
// answers are a moderator's work; the rest is the community's.
func ModeratorsOnlyQueue(kind string) bool { return kind == QueueFlags || kind == QueueCurated }

// ReviewItem is one thing to review.
type ReviewItem struct {
	ID           int64
	Kind         string
	TargetKind   string
	TargetID     int64
	PostID       int64
	Status       string // open, done
	ClaimedBy    int64
	ClaimExpires *time.Time
	CreatedAt    time.Time
	ResolvedAt   *time.Time
	ResolvedBy   int64
	Action       string
	Reason       string

	// Context, filled by Moderation.Queue for the reviewer.
	Post          *Post            // the post concerned (deleted or hidden ones too)
	Question      *Post            // its question, when the post is an answer
	Comment       *Comment         // the flagged comment, for comment flags
	Message       *Message         // the flagged channel message, for message flags
	Flags         []*Flag          // the open flags, for flag items
	Suggestion    *SuggestedEdit   // the suggestion, for edit items
	Revisions     []*Revision      // the post's history
	Curation      *Curation        // for curated items
	CloseVotes    []CloseVoteShown // for close items
	Actions       []string
	ClaimedByName string
}

// CloseVoteShown is one standing close or reopen vote on a queued question.
type CloseVoteShown struct {
	Kind        string // close, reopen
	Reason      string
	DuplicateOf int64
}

// HeldBy reports whether someone other than userID holds a live claim on the item at now.
func (it *ReviewItem) HeldBy(userID int64, now time.Time) bool {
	return it.ClaimedBy != 0 && it.ClaimedBy != userID && it.ClaimExpires != nil && now.Before(*it.ClaimExpires)
}

// CheckClaim decides whether u may claim (or act on) item at now: it must be open and
// either unclaimed, claimed by u, or its claim expired. not_found for a missing or
// resolved item or one u may not review; conflict "held_by_other" while another
// reviewer holds it.
func CheckClaim(u *User, it *ReviewItem, now time.Time) error {
	if it == nil || it.Status != "open" || (ModeratorsOnlyQueue(it.Kind) && !u.Role.IsModerator()) {
		id := int64(0)
		if it != nil {
			id = it.ID
		}
		return NotFoundReviewItem(id)
	}
	if it.HeldBy(u.ID, now) {
		return Coded(EConflict, "held_by_other", "Another reviewer is working on this item until %s; pick another one.",
			it.ClaimExpires.UTC().Format("15:04 UTC"))
	}
	return nil
}

// Resolution is a reviewer's decision on an item.
type Resolution struct {
	ItemID   int64
	Reviewer *User
	Action   string
	Reason   string
	// Improved is the reviewer's own version, for ActionImprove on a suggested edit.
	Improved *StoredEdit
	// Curation is the new note and date, for ActionRenew and ActionUpdate.
	Curation *Curation
	// CloseReason is the reason of a close vote cast from the queue (default: the reason
	// most standing votes gave); CloseNeeded the votes that decide.
	CloseReason string
	CloseNeeded int
	Rules       FlagRules
	Now         time.Time
}

// CheckResolution checks a resolution's action against the item's queue, before the item
// is read again in the write: invalid "action" when the queue has no such action, invalid
// "reason" when a rejection gives none.
func CheckResolution(kind string, r Resolution) error {
	if !slices.Contains(queueActions[kind], r.Action) {
		return InvalidAction(kind)
	}
	if r.Action == ActionReject && strings.TrimSpace(r.Reason) == "" {
		return Invalid("reason", "reason_required", "Say why the edit is rejected, so its author can do better.")
	}
	if r.Action == ActionImprove && r.Improved == nil {
		return Invalid("body", "body_required", "Give your improved version of the edit.")
	}
	return nil
}

// QueueFilter selects a page of a queue.
type QueueFilter struct {
	Kind   string // "": every queue the reviewer may see
	Kinds  []string
	Limit  int
	Now    time.Time
	Viewer *User
}

// QueuePage is a page of items and the open count of each queue the reader may see.
type QueuePage struct {
	Items  []*ReviewItem
	Counts map[string]int
}

// SuggestedEdit is an edit waiting for review.
type SuggestedEdit struct {
	ID           int64
	PostID       int64
	Author       *User
	AuthorID     int64
	Title        *string
	Body         *string
	BodyHTML     string
	Tags         []string // nil: unchanged
	Summary      string
	BaseRevision int
	Status       string // pending, approved, rejected, improved
	Reason       string
	CreatedAt    time.Time
}

// Edit returns the suggestion as the edit it would apply, by editor at now.
func (s *SuggestedEdit) Edit(now time.Time) StoredEdit {
	return StoredEdit{PostID: s.PostID, EditorID: s.AuthorID, Title: s.Title, Body: s.Body, BodyHTML: s.BodyHTML,
		Tags: s.Tags, Summary: s.Summary, BaseRevision: s.BaseRevision, Now: now}
}

// IsLateAnswer reports whether an answer written at now to a question asked at asked is
// late, and so reviewed.
func IsLateAnswer(asked, now time.Time) bool { return now.Sub(asked) > LateAnswerAge }

// IsFirstPost reports whether a post is its author's first: posts counts theirs, this one
// included.
func IsFirstPost(posts int) bool { return posts == 1 }

// NotFoundReviewItem is the answer for an item that is missing, resolved, or in a queue
// the reader does not review.
func NotFoundReviewItem(id int64) *Error {
	return Errorf(ENotFound, "There is no open review item %d.", id)
}

// NotFoundSuggestion is the answer for a suggested edit that is missing or already reviewed.
func NotFoundSuggestion(id int64) *Error {
	return Errorf(ENotFound, "There is no pending suggested edit %d.", id)
}

// NotCurated is the answer for uncurating (or reviewing) an answer that is not curated.
func NotCurated(postID int64) *Error { return Errorf(ENotFound, "Answer %d is not curated.", postID) }

// InvalidAction is the answer for an action the item's queue does not have.
func InvalidAction(kind string) *Error {
	return Invalid("action", "invalid_action", "This item's actions are %s.", strings.Join(queueActions[kind], ", "))
}

// NotFlaggable is the answer for flags on something that takes none here.
func NotFlaggable(kind string) *Error {
	return Errorf(ENotFound, "Flags on %s are not taken here.", kind)
}
