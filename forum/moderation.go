package forum

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ModerationStore keeps flags, the review queue, curations, moderators' messages and the
// moderators' actions on posts and people. Every write reads the facts its rule needs in
// its own transaction, applies the forum rule named on its line, and writes one audit row
// per action (AuditEntry) in that same transaction.
type ModerationStore interface {
	// Flag stores a flag after CheckFlag, weighs it by the flagger's record (FlagWeight),
	// queues the target and applies FlagOutcome (hiding or deleting it, with the
	// penalty). Returns not_found, invalid "own_post" or "bad_duplicate", conflict
	// "already_flagged".
	Flag(ctx context.Context, f NewFlag) (*Flag, FlagDecision, error)
	// FlagsBy lists a person's flags, newest first, with their record.
	FlagsBy(ctx context.Context, userID int64, limit int) ([]*Flag, FlagRecord, error)

	// QueueDue puts the curated answers whose review date has passed into the curated
	// queue (once each).
	QueueDue(ctx context.Context, now time.Time) error
	// ReviewItems lists the open items of kinds, oldest first, with their context.
	// readerID 0 lists every item (moderators); else an item about a post of a private
	// collaborative readerID is not a member of is left out.
	ReviewItems(ctx context.Context, kinds []string, readerID int64, limit int) ([]*ReviewItem, error)
	// ReviewItem returns one item (open or not) with its context; not_found when missing.
	// readerID as ReviewItems: an item left out for them is not_found.
	ReviewItem(ctx context.Context, id, readerID int64) (*ReviewItem, error)
	// QueueCounts counts the open items of every queue.
	// readerID as ReviewItems.
	QueueCounts(ctx context.Context, readerID int64) (map[string]int, error)
	// Claim gives the item to u until now+ttl after CheckClaim: not_found, conflict
	// "held_by_other". Two claims racing for one item: exactly one wins.
	Claim(ctx context.Context, id int64, u *User, now time.Time, ttl time.Duration) (*ReviewItem, error)
	// Resolve applies a reviewer's decision after CheckClaim and CheckResolution, and the
	// rule of the action it takes (CheckDelete, CheckCloseVote, CheckRevision...).
	Resolve(ctx context.Context, r Resolution) (*ReviewItem, error)

	// ModeratePost hides, unhides, locks or unlocks a post after CheckModeratePost.
	ModeratePost(ctx context.Context, m PostModeration) error
	// Curate marks an answer curated (or changes its note and date) after CheckCurate.
	Curate(ctx context.Context, c Curation, by *User) error
	// Uncurate takes the mark away; not_found when the answer is not curated.
	Uncurate(ctx context.Context, postID int64, by *User, now time.Time) error
	// Curation returns an answer's current curation; not_found when there is none.
	Curation(ctx context.Context, postID int64) (*Curation, error)
	// CuratedAnswers lists the live curated answers of a tag's questions, newest first.
	CuratedAnswers(ctx context.Context, tag string, limit int) ([]*Post, error)
	// Merge moves a duplicate's answers to the original and closes it, after CheckMerge.
	Merge(ctx context.Context, m Merge) error
	// ConvertToComment turns an answer into a comment on its question (the answer is
	// soft-deleted) after CheckConvert.
	ConvertToComment(ctx context.Context, answerID int64, by *User, bodyHTML func(string) (string, error), now time.Time) (*Comment, error)
	// SendModeratorMessage stores a moderator's message to a person; not_found for no
	// such person.
	SendModeratorMessage(ctx context.Context, m ModeratorMessage) (*ModeratorMessage, error)
	// ModeratorMessages lists the messages to a person, newest first.
	ModeratorMessages(ctx context.Context, userID int64) ([]*ModeratorMessage, error)
	// DeleteSpammer soft-deletes every live post and comment of a person and disables the
	// account, after CheckDeleteSpammer; returns how many posts went.
	DeleteSpammer(ctx context.Context, s SpamAccount) (int, error)
	// LiveBodiesBy returns the HTML of userID's live posts and comments: what deleting
	// them as spam records the link domains of.
	LiveBodiesBy(ctx context.Context, userID int64) ([]string, error)
	// RecentAudit lists the newest audit rows.
	RecentAudit(ctx context.Context, limit int) ([]AuditEntry, error)
	// HiddenPostIn reports whether userID wrote a hidden post in the question's thread.
	HiddenPostIn(ctx context.Context, questionID, userID int64) (bool, error)
}

// SuggestionStore keeps suggested edits.
type SuggestionStore interface {
	// SuggestEdit stores a suggestion and queues it after CheckLive on the post.
	SuggestEdit(ctx context.Context, s SuggestedEdit) (*SuggestedEdit, error)
}

// Moderation is the moderators' and reviewers' service: flags, the review queue, curated
// answers and moderator actions. Writers are signed-in people; suspended people are
// refused before they get here.
type Moderation struct {
	Store     ModerationStore
	Posts     PostStore
	Revisions RevisionStore
	Render    Renderer
	// Spam (nil: none) learns the link domains of what is deleted as spam, so that they
	// weigh against later posts (SpamGuard.RecordRemovedSpam).
	Spam       *SpamGuard
	Privileges PrivilegeRules
	Rules      FlagRules // zero: DefaultFlagRules
	Now        func() time.Time

	mu        sync.Mutex
	counts    map[string]int
	countedAt time.Time
}

// queueCountsTTL is how long the header's queue counts may be old: they are on every
// page a moderator reads, so they are counted at most this often.
const queueCountsTTL = 5 * time.Second

func (m *Moderation) now() time.Time { return m.Now().UTC() }

func (m *Moderation) rules() FlagRules {
	if m.Rules == (FlagRules{}) {
		return DefaultFlagRules
	}
	return m.Rules
}

// FlagPost flags a question or an answer. Returns invalid naming the field (reason,
// note, duplicate_of) or "own_post", forbidden "insufficient_reputation", not_found,
// conflict "already_flagged".
func (m *Moderation) FlagPost(ctx context.Context, u *User, postID int64, in FlagInput) (*Flag, FlagDecision, error) {
	return m.flag(ctx, u, FlagOnPost, postID, in)
}

// FlagComment flags a comment, as FlagPost.
func (m *Moderation) FlagComment(ctx context.Context, u *User, commentID int64, in FlagInput) (*Flag, FlagDecision, error) {
	return m.flag(ctx, u, FlagOnComment, commentID, in)
}

// FlagMessage flags a channel message, as FlagPost; a message its flagger may not see
// (a private collaborative's, to a non-member) is not_found like a missing one.
func (m *Moderation) FlagMessage(ctx context.Context, u *User, messageID int64, in FlagInput) (*Flag, FlagDecision, error) {
	return m.flag(ctx, u, FlagOnMessage, messageID, in)
}

func (m *Moderation) flag(ctx context.Context, u *User, kind string, id int64, in FlagInput) (*Flag, FlagDecision, error) {
	if err := m.Privileges.Rules().Check(u, PrivFlag); err != nil {
		return nil, FlagDecision{}, err
	}
	in, err := CheckFlagInput(kind, in)
	if err != nil {
		return nil, FlagDecision{}, err
	}
	f, d, err := m.Store.Flag(ctx, NewFlag{TargetKind: kind, TargetID: id, Flagger: u, Reason: in.Reason, Note: in.Note,
		DuplicateOf: in.DuplicateOf, Rules: m.rules(), Now: m.now()})
	if err == nil {
		m.forgetCounts()
	}
	return f, d, err
}

// CanFlag reports whether u holds the flag privilege (forms offer the flag dialog to them).
func (m *Moderation) CanFlag(u *User) bool {
	return u != nil && m.Privileges.Rules().Check(u, PrivFlag) == nil
}

// MyFlags lists u's flags with their outcomes, and u's record and present weight.
func (m *Moderation) MyFlags(ctx context.Context, u *User) ([]*Flag, FlagRecord, error) {
	return m.Store.FlagsBy(ctx, u.ID, 100)
}

// checkReviewer refuses people without the review privilege; kind "" or a community
// queue. A moderators-only queue asked for by a reviewer is forbidden "not_moderator".
func (m *Moderation) checkReviewer(u *User, kind string) error {
	if err := m.Privileges.Rules().Check(u, PrivReview); err != nil {
		return err
	}
	if ModeratorsOnlyQueue(kind) && !u.Role.IsModerator() {
		return errNotModerator
	}
	return nil
}

// visibleKinds are the queues u reviews.
func visibleKinds(u *User) []string {
	var out []string
	for _, k := range QueueKinds {
		if !ModeratorsOnlyQueue(k) || u.Role.IsModerator() {
			out = append(out, k)
		}
	}
	return out
}

// Queue returns up to limit open items of kind ("" every queue u reviews), each with its
// content, context, history and actions, and the counts of u's queues. Returns invalid
// "kind", forbidden "insufficient_reputation" or "not_moderator".
func (m *Moderation) Queue(ctx context.Context, u *User, kind string, limit int) (*QueuePage, error) {
	kind, err := ParseQueueKind(kind)
	if err != nil {
		return nil, err
	}
	if err := m.checkReviewer(u, kind); err != nil {
		return nil, err
	}
	if err := m.Store.QueueDue(ctx, m.now()); err != nil {
		return nil, err
	}
	kinds := visibleKinds(u)
	if kind != "" {
		kinds = []string{kind}
	}
	if limit <= 0 || limit > MaxPageSize {
		limit = DefaultPageSize
	}
	items, err := m.Store.ReviewItems(ctx, kinds, queueReader(u), limit)
	if err != nil {
		return nil, err
	}
	now := m.now()
	for _, it := range items {
		m.decorate(it, u, now)
	}
	counts, err := m.Store.QueueCounts(ctx, queueReader(u))
	if err != nil {
		return nil, err
	}
	page := &QueuePage{Items: items, Counts: map[string]int{}}
	for _, k := range visibleKinds(u) {
		page.Counts[k] = counts[k]
	}
	return page, nil
}

// queueReader is whose membership decides which items u sees: 0 for a moderator, who sees
// every collaborative's; else u, who never sees a private collaborative's items unless a
// member.
func queueReader(u *User) int64 {
	if u.Role.IsModerator() {
		return 0
	}
	return u.ID
}

// decorate fills what the reader may do with an item.
func (m *Moderation) decorate(it *ReviewItem, u *User, now time.Time) {
	if it.Status == "open" && !it.HeldBy(u.ID, now) {
		it.Actions = QueueActions(it.Kind)
	}
}

// Item returns one review item with its context, for a reviewer who may see its queue.
func (m *Moderation) Item(ctx context.Context, u *User, id int64) (*ReviewItem, error) {
	if err := m.Privileges.Rules().Check(u, PrivReview); err != nil {
		return nil, err
	}
	it, err := m.Store.ReviewItem(ctx, id, queueReader(u))
	if err != nil {
		return nil, err
	}
	if ModeratorsOnlyQueue(it.Kind) && !u.Role.IsModerator() {
		return nil, NotFoundReviewItem(id)
	}
	m.decorate(it, u, m.now())
	return it, nil
}

// Counts returns the open count of each queue for the header of a moderator's pages,
// counted at most every queueCountsTTL; nil for anyone else.
func (m *Moderation) Counts(ctx context.Context, u *User) (map[string]int, error) {
	if u == nil || !u.Role.IsModerator() {
		return nil, nil
	}
	now := m.now()
	m.mu.Lock()
	if m.counts != nil && now.Sub(m.countedAt) < queueCountsTTL {
		c := m.counts
		m.mu.Unlock()
		return c, nil
	}
	m.mu.Unlock()
	if err := m.Store.QueueDue(ctx, now); err != nil {
		return nil, err
	}
	c, err := m.Store.QueueCounts(ctx, 0)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.counts, m.countedAt = c, now
	m.mu.Unlock()
	return c, nil
}

// forgetCounts makes the next Counts count again, after a change to the queue.
func (m *Moderation) forgetCounts() {
	m.mu.Lock()
	m.counts = nil
	m.mu.Unlock()
}

// Claim gives an item to u for ClaimTTL. Returns forbidden, not_found, or conflict
// "held_by_other" while another reviewer holds it.
func (m *Moderation) Claim(ctx context.Context, u *User, id int64) (*ReviewItem, error) {
	if err := m.Privileges.Rules().Check(u, PrivReview); err != nil {
		return nil, err
	}
	// A reviewer never holds what they may not see: a private collaborative's item is
	// not_found to a non-member, like a missing one.
	if _, err := m.Store.ReviewItem(ctx, id, queueReader(u)); err != nil {
		return nil, err
	}
	it, err := m.Store.Claim(ctx, id, u, m.now(), ClaimTTL)
	if err != nil {
		return nil, err
	}
	m.decorate(it, u, m.now())
	return it, nil
}

// ResolveInput is a reviewer's decision as sent.
type ResolveInput struct {
	Action string
	Reason string
	// ActionImprove: the reviewer's version (nil fields keep the suggestion's).
	Title *string
	Body  *string
	Tags  *[]string
	// ActionRenew, ActionUpdate: the curation's new note and review date.
	Note     *string
	ReviewBy string
	// ActionClose: the close reason (default: the standing votes' most common).
	CloseReason string
}

// Resolve applies a reviewer's decision to an item they hold (or that nobody holds).
// Returns invalid "action" or "reason", forbidden, not_found, conflict "held_by_other",
// or what the action's own rule returns.
func (m *Moderation) Resolve(ctx context.Context, u *User, id int64, in ResolveInput) (*ReviewItem, error) {
	if err := m.Privileges.Rules().Check(u, PrivReview); err != nil {
		return nil, err
	}
	it, err := m.Store.ReviewItem(ctx, id, queueReader(u))
	if err != nil {
		return nil, err
	}
	if err := CheckClaim(u, it, m.now()); err != nil {
		return nil, err
	}
	reason, err := CleanReason("reason", in.Reason)
	if err != nil {
		return nil, err
	}
	r := Resolution{ItemID: id, Reviewer: u, Action: in.Action, Reason: reason, Rules: m.rules(), Now: m.now(),
		CloseReason: in.CloseReason, CloseNeeded: DefaultCloseVotes}
	switch {
	case it.Kind == QueueEdits && in.Action == ActionImprove:
		if r.Improved, err = m.improved(ctx, it, u, in); err != nil {
			return nil, err
		}
	case it.Kind == QueueCurated && (in.Action == ActionRenew || in.Action == ActionUpdate):
		c, err := m.Store.Curation(ctx, it.PostID)
		if err != nil {
			return nil, err
		}
		if in.Note != nil {
			if c.Note, err = CleanBody("note", *in.Note, 1, MaxCurationNoteLen); err != nil {
				return nil, err
			}
		}
		if in.Action == ActionRenew && in.ReviewBy == "" {
			c.ReviewBy = UTCDay(m.now().Add(DefaultCurationTerm))
		} else if c.ReviewBy, err = ParseReviewBy(in.ReviewBy, m.now()); err != nil {
			return nil, err
		}
		r.Curation = c
	case it.Kind == QueueClose && in.Action == ActionClose && in.CloseReason != "":
		if _, ok := CloseReasonText[in.CloseReason]; !ok || in.CloseReason == CloseDuplicate {
			return nil, Invalid("close_reason", "invalid_reason", "close_reason must be off_topic, needs_details or opinion_based (a duplicate is closed from the question).")
		}
	}
	if err := CheckResolution(it.Kind, r); err != nil {
		return nil, err
	}
	if (in.Action == ActionClose || in.Action == ActionReopen) && !u.Role.IsModerator() {
		if err := m.Privileges.Rules().Check(u, PrivCloseVote); err != nil {
			return nil, err
		}
	}
	out, err := m.Store.Resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	m.forgetCounts()
	if it.Kind == QueueFlags && in.Action == ActionDelete && spamFlagged(it.Flags) {
		if err := m.recordSpam(ctx, itemBody(it)); err != nil {
			return nil, err
		}
	}
	m.decorate(out, u, m.now())
	return out, nil
}

// spamFlagged reports whether a spam flag stands among flags.
func spamFlagged(flags []*Flag) bool {
	for _, f := range flags {
		if f.Reason == FlagSpam {
			return true
		}
	}
	return false
}

// itemBody is the HTML a flags item is about: its comment, message or post.
func itemBody(it *ReviewItem) string {
	switch {
	case it.Comment != nil:
		return it.Comment.BodyHTML
	case it.Message != nil:
		return it.Message.BodyHTML
	case it.Post != nil:
		return it.Post.BodyHTML
	}
	return ""
}

// recordSpam gives the spam guard the links of bodies removed as spam.
func (m *Moderation) recordSpam(ctx context.Context, bodies ...string) error {
	if m.Spam == nil || m.Render == nil {
		return nil
	}
	var links []string
	for _, b := range bodies {
		links = append(links, m.Render.Links(b)...)
	}
	if err := m.Spam.RecordRemovedSpam(ctx, links); err != nil {
		return fmt.Errorf("record removed spam: %w", err)
	}
	return nil
}

// improved is the reviewer's own version of a suggested edit, checked as an edit is.
func (m *Moderation) improved(ctx context.Context, it *ReviewItem, u *User, in ResolveInput) (*StoredEdit, error) {
	s := it.Suggestion
	if s == nil {
		return nil, Errorf(ENotFound, "There is no suggested edit for item %d.", it.ID)
	}
	se := s.Edit(m.now())
	se.EditorID = u.ID
	var fe FieldErrors
	if in.Title != nil {
		t, err := CleanTitle("title", *in.Title, MinTitleLen, MaxTitleLen)
		fe.Add(err)
		se.Title = &t
	}
	if in.Body != nil {
		b, err := CleanBody("body", *in.Body, MinBodyLen, MaxBodyLen)
		if fe.Add(err) == nil {
			html, err := m.Render.Body(b)
			fe.Add(err)
			se.Body, se.BodyHTML = &b, html
		}
	}
	if in.Tags != nil {
		tags, err := NormalizeTags(*in.Tags)
		fe.Add(err)
		se.Tags = tags
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if in.Title == nil && in.Body == nil && in.Tags == nil {
		return nil, Invalid("body", "body_required", "Give your improved version of the edit.")
	}
	return &se, nil
}

// Curate marks an answer curated with a note and a review date ("" a year from now), or
// changes them. forbidden "not_moderator", not_found, invalid "note", "review_by" or
// "not_an_answer".
func (m *Moderation) Curate(ctx context.Context, u *User, postID int64, note, reviewBy string) (*Curation, error) {
	if u == nil {
		return nil, errNotModerator
	}
	// Whether u may (a moderator, or a lead of the question's collaborative) is
	// CanCurate's, on the post's facts the store reads.
	var fe FieldErrors
	note, err := CleanBody("note", note, 1, MaxCurationNoteLen)
	fe.Add(err)
	due, err := ParseReviewBy(reviewBy, m.now())
	fe.Add(err)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	c := Curation{PostID: postID, Note: note, ReviewBy: due, CuratedBy: u.ID, CuratedAt: m.now()}
	if err := m.Store.Curate(ctx, c, u); err != nil {
		return nil, err
	}
	return &c, nil
}

// Uncurate takes the curated mark off an answer.
func (m *Moderation) Uncurate(ctx context.Context, u *User, postID int64) error {
	if u == nil {
		return errNotModerator
	}
	return m.Store.Uncurate(ctx, postID, u, m.now())
}

// Curated lists a tag's curated answers.
func (m *Moderation) Curated(ctx context.Context, tag string) ([]*Post, error) {
	t, err := NormalizeTag(tag)
	if err != nil {
		return nil, NotFoundTag(tag)
	}
	return m.Store.CuratedAnswers(ctx, t, MaxPageSize)
}

// ModeratePost hides, unhides, locks or unlocks a post (action: ModHide...). Returns
// forbidden "not_moderator", not_found, conflict naming the state, invalid "reason".
func (m *Moderation) ModeratePost(ctx context.Context, u *User, postID int64, action, reason string) error {
	if err := CheckModerator(u); err != nil {
		return err
	}
	reason, err := CleanReason("reason", reason)
	if err != nil {
		return err
	}
	err = m.Store.ModeratePost(ctx, PostModeration{PostID: postID, By: u, Action: action, Reason: reason, Now: m.now()})
	if err == nil {
		m.forgetCounts()
	}
	return err
}

// Merge merges a duplicate question into its original.
func (m *Moderation) Merge(ctx context.Context, u *User, duplicateID, originalID int64, reason string) error {
	if err := CheckModerator(u); err != nil {
		return err
	}
	if originalID <= 0 {
		return Invalid("into", "bad_duplicate", "Give the id of the question to merge into.")
	}
	reason, err := CleanReason("reason", reason)
	if err != nil {
		return err
	}
	return m.Store.Merge(ctx, Merge{DuplicateID: duplicateID, OriginalID: originalID, By: u, Reason: reason, Now: m.now()})
}

// ConvertToComment turns an answer into a comment on its question.
func (m *Moderation) ConvertToComment(ctx context.Context, u *User, answerID int64) (*Comment, error) {
	if err := CheckModerator(u); err != nil {
		return nil, err
	}
	return m.Store.ConvertToComment(ctx, answerID, u, m.Render.Comment, m.now())
}

// SendMessage sends a private moderator message to a person. invalid "body", forbidden,
// not_found.
func (m *Moderation) SendMessage(ctx context.Context, u *User, toID int64, body string) (*ModeratorMessage, error) {
	if err := CheckModerator(u); err != nil {
		return nil, err
	}
	body, err := CleanBody("body", body, MinModMessageLen, MaxModMessageLen)
	if err != nil {
		return nil, err
	}
	html, err := m.Render.Comment(body)
	if err != nil {
		return nil, err
	}
	return m.Store.SendModeratorMessage(ctx, ModeratorMessage{UserID: toID, FromID: u.ID, Body: body, BodyHTML: html, CreatedAt: m.now()})
}

// Messages lists the moderator messages to u.
func (m *Moderation) Messages(ctx context.Context, u *User) ([]*ModeratorMessage, error) {
	return m.Store.ModeratorMessages(ctx, u.ID)
}

// DeleteSpammer soft-deletes a spammer's posts and comments and disables the account.
func (m *Moderation) DeleteSpammer(ctx context.Context, u *User, userID int64, reason string) (int, error) {
	if err := CheckModerator(u); err != nil {
		return 0, err
	}
	reason, err := CleanReason("reason", reason)
	if err != nil {
		return 0, err
	}
	var bodies []string
	if m.Spam != nil {
		// Read before they go: the deletion is refused (a protected account) or done
		// in one write, and the domains are recorded only when it is done.
		if bodies, err = m.Store.LiveBodiesBy(ctx, userID); err != nil {
			return 0, err
		}
	}
	n, err := m.Store.DeleteSpammer(ctx, SpamAccount{UserID: userID, By: u, Reason: reason, Now: m.now()})
	if err != nil {
		return n, err
	}
	m.forgetCounts()
	return n, m.recordSpam(ctx, bodies...)
}

// RecentActions lists the newest audited actions, for the dashboard.
func (m *Moderation) RecentActions(ctx context.Context, u *User, limit int) ([]AuditEntry, error) {
	if err := CheckModerator(u); err != nil {
		return nil, err
	}
	return m.Store.RecentAudit(ctx, limit)
}

// SeesOwnHidden reports whether the question page must be drawn for u alone: u wrote a
// post in the thread that is hidden pending review, which u (and moderators) still see.
func (m *Moderation) SeesOwnHidden(ctx context.Context, u *User, questionID int64) (bool, error) {
	if u == nil || u.Role.IsModerator() {
		return false, nil
	}
	return m.Store.HiddenPostIn(ctx, questionID, u.ID)
}
