package forum

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Notifications. A change that concerns people (an answer to someone's question, a
// mention) is described once, as a Notification, by the store method that makes the
// change, in its own transaction: the store writes it as one durable fan-out job
// (NotificationStore's tx-side seam), whatever the audience's size, so the change's request
// pays for one row. After commit the Notifier expands each job, a batch of recipients per
// transaction, into rows of each person's inbox, mail in the outbox for those who want it
// at once, and a notification.created event on their user:{id} topic. Who is told is
// decided here (NotificationRecipients): never the actor, never anyone who cannot see the
// thing.

// NotificationKind is what happened, as the API and the settings spell it.
type NotificationKind string

// Every kind. The Q&A kinds are produced by the Q&A store; the others are produced by their
// features' stores, each with one tx.notify call (see the README's notification seams).
const (
	NotifyAnswer                NotificationKind = "answer"                 // an answer to my question
	NotifyComment               NotificationKind = "comment"                // a comment on my post
	NotifyReply                 NotificationKind = "reply"                  // a reply to my comment
	NotifyMention               NotificationKind = "mention"                // @me in a post, comment, message or meeting notes
	NotifyAccepted              NotificationKind = "accepted"               // my answer accepted
	NotifyEdit                  NotificationKind = "edit"                   // someone edited my post
	NotifyFollowedAnswer        NotificationKind = "followed_answer"        // an answer on a question I follow
	NotifyTagQuestion           NotificationKind = "tag_question"           // a new question in a tag I follow
	NotifyCollaborativeQuestion NotificationKind = "collaborative_question" // a new question in a collaborative I follow
	NotifyChannelMessage        NotificationKind = "channel_message"        // a new message in a channel I follow
	NotifyInvitation            NotificationKind = "invitation"             // invited to a collaborative
	NotifyJoinRequest           NotificationKind = "join_request"           // someone asks to join my collaborative (leads)
	NotifyJoinApproved          NotificationKind = "join_approved"          // my request to join was approved
	NotifyMeetingScheduled      NotificationKind = "meeting_scheduled"      // a meeting of my collaborative
	NotifyMeetingChanged        NotificationKind = "meeting_changed"        // ... moved or changed
	NotifyActionAssigned        NotificationKind = "action_assigned"        // an action item assigned to me
	NotifyActionDue             NotificationKind = "action_due"             // my action item is due tomorrow
	NotifyModeratorMessage      NotificationKind = "moderator_message"      // a moderator wrote to me
	NotifyFlagOutcome           NotificationKind = "flag_outcome"           // my flag was decided
)

// MailMode is when a kind of notification is mailed.
type MailMode string

const (
	MailImmediate MailMode = "immediate"
	MailDaily     MailMode = "daily"
	MailWeekly    MailMode = "weekly"
	MailNever     MailMode = "never"
)

// ParseMailMode reads a mode. Returns invalid "invalid_mail_mode" naming field.
func ParseMailMode(field, s string) (MailMode, error) {
	switch m := MailMode(strings.TrimSpace(s)); m {
	case MailImmediate, MailDaily, MailWeekly, MailNever:
		return m, nil
	}
	return "", Invalid(field, "invalid_mail_mode", "%s must be immediate, daily, weekly or never.", fieldLabel(field))
}

// KindInfo is what the site says about a kind: its name on the settings page, how one
// notification and several collapsed ones read, and its mail default.
type KindInfo struct {
	Kind  NotificationKind
	Label string
	// One reads "%[1]s answered your question" (1: the actor's name); Many reads
	// "%[2]d new answers on your question" (2: the count). The subject's title follows.
	One, Many string
	Default   MailMode
}

// NotificationKinds lists every kind in the order the settings page shows them.
var NotificationKinds = []KindInfo{
	{NotifyAnswer, "Answers to my questions", "%[1]s answered your question", "%[2]d new answers to your question", MailImmediate},
	{NotifyComment, "Comments on my posts", "%[1]s commented on your post", "%[2]d new comments on your post", MailImmediate},
	{NotifyReply, "Replies to my comments", "%[1]s replied to your comment", "%[2]d replies to your comment", MailImmediate},
	{NotifyMention, "Mentions of me", "%[1]s mentioned you", "%[2]d mentions of you", MailImmediate},
	{NotifyAccepted, "My answer accepted", "%[1]s accepted your answer", "%[2]d of your answers accepted", MailImmediate},
	{NotifyEdit, "Edits to my posts", "%[1]s edited your post", "%[2]d edits to your post", MailDaily},
	{NotifyFollowedAnswer, "Answers on questions I follow", "%[1]s answered a question you follow", "%[2]d new answers on a question you follow", MailDaily},
	{NotifyTagQuestion, "New questions in tags I follow", "%[1]s asked in a tag you follow", "%[2]d new questions in a tag you follow", MailDaily},
	{NotifyCollaborativeQuestion, "New questions in collaboratives I follow", "%[1]s asked in a collaborative you follow", "%[2]d new questions in a collaborative you follow", MailDaily},
	{NotifyChannelMessage, "Messages in channels I follow", "%[1]s wrote in a channel you follow", "%[2]d new messages in a channel you follow", MailNever},
	{NotifyInvitation, "Invitations to collaboratives", "%[1]s invited you to a collaborative", "%[2]d invitations to a collaborative", MailImmediate},
	{NotifyJoinRequest, "Requests to join my collaboratives", "%[1]s asked to join", "%[2]d people asked to join", MailImmediate},
	{NotifyJoinApproved, "My requests to join approved", "%[1]s approved your request to join", "%[2]d approvals of your request to join", MailImmediate},
	{NotifyMeetingScheduled, "Meetings scheduled", "%[1]s scheduled a meeting", "%[2]d meetings scheduled", MailImmediate},
	{NotifyMeetingChanged, "Meetings changed", "%[1]s changed a meeting", "%[2]d changes to a meeting", MailImmediate},
	{NotifyActionAssigned, "Action items assigned to me", "%[1]s assigned you an action item", "%[2]d action items assigned to you", MailImmediate},
	{NotifyActionDue, "My action items due tomorrow", "Your action item is due tomorrow", "%[2]d of your action items are due tomorrow", MailImmediate},
	{NotifyModeratorMessage, "Messages from moderators", "A moderator wrote to you", "%[2]d messages from moderators", MailImmediate},
	{NotifyFlagOutcome, "Outcomes of my flags", "Your flag was reviewed", "%[2]d of your flags were reviewed", MailDaily},
}

// Info returns what the site says about k; ok is false for a kind that does not exist.
func (k NotificationKind) Info() (KindInfo, bool) {
	for _, i := range NotificationKinds {
		if i.Kind == k {
			return i, true
		}
	}
	return KindInfo{}, false
}

// ParseNotificationKind reads a kind's name. Returns invalid "invalid_kind" naming field.
func ParseNotificationKind(field, s string) (NotificationKind, error) {
	k := NotificationKind(s)
	if _, ok := k.Info(); !ok {
		return "", Invalid(field, "invalid_kind", "%q is not a kind of notification.", truncate(s, 40))
	}
	return k, nil
}

// Text is how a notification reads: one event by actor, or count of them collapsed. A
// kind whose text names nobody ("A moderator wrote to you") reads the same for any actor.
func (k NotificationKind) Text(actor string, count int) string {
	i, ok := k.Info()
	if !ok {
		return "Something happened"
	}
	if actor == "" {
		actor = "Someone"
	}
	format := i.One
	if count > 1 {
		format = i.Many
	}
	if !strings.Contains(format, "%") {
		return format // names nobody and counts nothing
	}
	// Both are supplied; with explicit argument indexes Sprintf does not report the one a
	// format leaves out.
	return fmt.Sprintf(format, actor, count)
}

// FollowKind is what can be followed.
type FollowKind string

const (
	FollowQuestion      FollowKind = "question"
	FollowTag           FollowKind = "tag"
	FollowCollaborative FollowKind = "collaborative"
	FollowChannel       FollowKind = "channel"
)

// ParseFollowKind reads a follow's kind. Returns invalid "invalid_kind".
func ParseFollowKind(s string) (FollowKind, error) {
	switch k := FollowKind(strings.TrimSpace(s)); k {
	case FollowQuestion, FollowTag, FollowCollaborative, FollowChannel:
		return k, nil
	}
	return "", Invalid("kind", "invalid_kind", "Kind must be question, tag, collaborative or channel.")
}

// Notification is one event that concerns people, as a store describes it in the
// transaction of the change. The audience is Direct (named people) and, when Follow is
// set, everyone following one of FollowTargets; Skip are people told by a more specific
// notification of the same change (the asker hears "answer", not also "followed_answer").
type Notification struct {
	Kind    NotificationKind
	ActorID int64 // 0: the system
	// Actor is the actor's display name, as texts show it.
	Actor string
	// What it is about, for the inbox: the title, the site path to open, a short excerpt.
	Title   string
	URL     string
	Excerpt string
	// GroupKey collapses repeated events: an unread notification with the same kind and key
	// absorbs the next one ("3 new answers on …"). Empty: NotificationGroup decides.
	GroupKey string
	// PostID is the post it is about: once deleted, nobody is told and inboxes hide it.
	PostID int64
	// PrivateTo is the private collaborative whose insides this is (0: public content):
	// only its members and the site's moderators are told.
	PrivateTo int64

	Direct        []int64
	Follow        FollowKind // "": no followers
	FollowTargets []string
	Skip          []int64

	At time.Time
}

// groupKey is the key rows of n collapse under.
func (n *Notification) groupKey() string {
	if n.GroupKey != "" {
		return string(n.Kind) + ":" + n.GroupKey
	}
	return string(n.Kind) + ":" + n.URL
}

// GroupKeyOf is n's collapsing key, as stores store it.
func (n *Notification) GroupKeyOf() string { return n.groupKey() }

// Limits on notifications.
const (
	// MaxMentions bounds the people one post can mention: enough for a working group,
	// too few to page the whole site.
	MaxMentions = 20
	// MaxNotificationExcerpt is the length of the text an inbox shows of the cause.
	MaxNotificationExcerpt = 140
	// NotificationPageSize is the inbox's page.
	NotificationPageSize = 30
	// FanOutBatch is how many recipients one fan-out transaction handles: small enough that
	// other writes interleave, large enough that 10,000 followers take a few dozen commits.
	FanOutBatch = 100
)

// mentionRE finds @username where a username may start: not after a letter, digit or
// any username character, so that "mail@example.org" mentions nobody.
var mentionRE = regexp.MustCompile(`(^|[^A-Za-z0-9_.\-@])@([A-Za-z0-9_][A-Za-z0-9_.\-]{2,29})`)

// codeRE removes code from markdown before mentions are read: "@admin" in a code block is
// an example, not a call.
var codeRE = regexp.MustCompile("(?s)```.*?```|~~~.*?~~~|`[^`\n]*`")

// Mentions returns the username keys (UsernameKey) that markdown mentions, each once, in
// order, at most MaxMentions.
func Mentions(markdown string) []string {
	text := codeRE.ReplaceAllString(markdown, " ")
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		name := strings.TrimRight(m[2], ".-") // "@ana." ends a sentence
		if utf8.RuneCountInString(name) < MinUsernameLen {
			continue
		}
		key := UsernameKey(name)
		if !slices.Contains(out, key) {
			out = append(out, key)
			if len(out) == MaxMentions {
				break
			}
		}
	}
	return out
}

// NewMentions returns the mentions of after that before did not have: an edit tells only
// the people it adds.
func NewMentions(before, after string) []string {
	had := Mentions(before)
	var out []string
	for _, m := range Mentions(after) {
		if !slices.Contains(had, m) {
			out = append(out, m)
		}
	}
	return out
}

// Excerpt shortens markdown to a line an inbox can show.
func Excerpt(markdown string) string {
	s := strings.Join(strings.Fields(codeRE.ReplaceAllString(markdown, " ")), " ")
	return truncate(s, MaxNotificationExcerpt)
}

// RecipientFacts is what the rule needs to know of one candidate recipient; the store
// reads it in the fan-out transaction.
type RecipientFacts struct {
	UserID    int64
	Role      Role
	Disabled  bool
	Demo      bool
	Member    bool // of n.PrivateTo, when set
	Email     string
	Verified  bool
	Bounced   bool
	Mode      MailMode // the person's setting for n.Kind; "" the default
	TimeZone  string
	Following bool // a follower rather than a direct recipient
}

// Recipient is one person a notification goes to, and whether it is mailed now.
type Recipient struct {
	UserID int64
	// MailTo is the address to mail at once; "" when the person wants it in a digest, never,
	// or cannot be mailed.
	MailTo string
}

// NotificationRecipients is the rule: of the candidates, who is told of n. Never the actor;
// never an account that cannot sign in (demo, disabled); never anyone in skip; for a
// private collaborative's content, only its members and the site's moderators (who see
// every collaborative). mail says whether mail is on: then those who want this kind at
// once, with a verified address that has not bounced, are also mailed.
func NotificationRecipients(n *Notification, cands []RecipientFacts, skip map[int64]bool, mail bool) []Recipient {
	var out []Recipient
	for _, c := range cands {
		if c.UserID == 0 || c.UserID == n.ActorID || skip[c.UserID] || c.Demo || c.Disabled {
			continue
		}
		if n.PrivateTo != 0 && !c.Member && !c.Role.IsModerator() {
			continue
		}
		r := Recipient{UserID: c.UserID}
		if mail && c.Email != "" && c.Verified && !c.Bounced && MailModeOf(n.Kind, c.Mode) == MailImmediate {
			r.MailTo = c.Email
		}
		out = append(out, r)
	}
	return out
}

// MailModeOf is the mode in force for kind given a person's setting ("": the default).
func MailModeOf(kind NotificationKind, set MailMode) MailMode {
	if set != "" {
		return set
	}
	if i, ok := kind.Info(); ok {
		return i.Default
	}
	return MailNever
}

// SkipSet is n's Direct and Skip as a set: followers who are in it were told otherwise.
func (n *Notification) SkipSet() map[int64]bool {
	s := make(map[int64]bool, len(n.Direct)+len(n.Skip))
	for _, id := range n.Skip {
		s[id] = true
	}
	return s
}

// Notices about a Q&A change. Each returns the notifications one change makes, most
// specific first, with Skip set so that nobody hears of one change twice.

// QuestionRef is what a notice about a question needs to know of it.
type QuestionRef struct {
	ID      int64
	Title   string
	AskerID int64
	Tags    []string
	// PrivateTo is the question's private collaborative (0: none, or a public one): every
	// notice about the question or its answers and comments goes to its members and the
	// site's moderators alone (Notification.PrivateTo).
	PrivateTo int64
}

// scoped marks every notice about q private to q's private collaborative, if it has one.
func (q QuestionRef) scoped(ns []Notification) []Notification {
	for i := range ns {
		ns[i].PrivateTo = q.PrivateTo
	}
	return ns
}

// QuestionURL is the path of question id's page.
func QuestionURL(id int64) string { return "/questions/" + strconv.FormatInt(id, 10) }

// AnswerNotices: the asker hears of an answer; the question's followers hear of it too;
// the people it mentions hear of the mention.
func AnswerNotices(q QuestionRef, answerID int64, actor *User, body string, mentioned []int64, now time.Time) []Notification {
	url := QuestionURL(q.ID) + "#answer-" + strconv.FormatInt(answerID, 10)
	base := Notification{ActorID: actor.ID, Actor: actor.DisplayName, Title: q.Title, URL: url, Excerpt: Excerpt(body),
		PostID: answerID, GroupKey: "q" + strconv.FormatInt(q.ID, 10), At: now}
	out := []Notification{}
	answer := base
	answer.Kind, answer.Direct = NotifyAnswer, []int64{q.AskerID}
	out = append(out, answer)
	mention := base
	mention.Kind, mention.GroupKey = NotifyMention, "p"+strconv.FormatInt(answerID, 10)
	mention.Direct = without(mentioned, q.AskerID)
	if len(mention.Direct) > 0 {
		out = append(out, mention)
	}
	follow := base
	follow.Kind, follow.Follow, follow.FollowTargets = NotifyFollowedAnswer, FollowQuestion, []string{strconv.FormatInt(q.ID, 10)}
	follow.Skip = append([]int64{q.AskerID}, mention.Direct...)
	out = append(out, follow)
	return q.scoped(out)
}

// QuestionNotices: followers of the question's tags hear of a new question; the people it
// mentions hear of the mention.
func QuestionNotices(q QuestionRef, actor *User, body string, mentioned []int64, now time.Time) []Notification {
	base := Notification{ActorID: actor.ID, Actor: actor.DisplayName, Title: q.Title, URL: QuestionURL(q.ID), Excerpt: Excerpt(body),
		PostID: q.ID, At: now}
	var out []Notification
	if len(mentioned) > 0 {
		m := base
		m.Kind, m.GroupKey, m.Direct = NotifyMention, "p"+strconv.FormatInt(q.ID, 10), mentioned
		out = append(out, m)
	}
	if len(q.Tags) > 0 {
		t := base
		t.Kind, t.Follow, t.FollowTargets, t.Skip = NotifyTagQuestion, FollowTag, q.Tags, mentioned
		t.GroupKey = "q" + strconv.FormatInt(q.ID, 10)
		out = append(out, t)
	}
	return q.scoped(out)
}

// CommentNotices: a reply's parent author hears "reply"; the post's author hears
// "comment" (unless they are that parent author); the people it mentions hear of it.
func CommentNotices(q QuestionRef, postID, postAuthorID, commentID, parentAuthorID int64, actor *User, body string, mentioned []int64, now time.Time) []Notification {
	url := QuestionURL(q.ID) + "#comment-" + strconv.FormatInt(commentID, 10)
	base := Notification{ActorID: actor.ID, Actor: actor.DisplayName, Title: q.Title, URL: url, Excerpt: Excerpt(body),
		PostID: postID, GroupKey: "p" + strconv.FormatInt(postID, 10), At: now}
	var out []Notification
	told := []int64{}
	if parentAuthorID != 0 {
		r := base
		r.Kind, r.Direct = NotifyReply, []int64{parentAuthorID}
		out = append(out, r)
		told = append(told, parentAuthorID)
	}
	if !slices.Contains(told, postAuthorID) {
		c := base
		c.Kind, c.Direct = NotifyComment, []int64{postAuthorID}
		out = append(out, c)
		told = append(told, postAuthorID)
	}
	if m := without(mentioned, told...); len(m) > 0 {
		n := base
		n.Kind, n.GroupKey, n.Direct = NotifyMention, "c"+strconv.FormatInt(commentID, 10), m
		out = append(out, n)
	}
	return q.scoped(out)
}

// AcceptNotice: the answer's author hears that it was accepted.
func AcceptNotice(q QuestionRef, answerID, answerAuthorID int64, actor *User, now time.Time) Notification {
	return Notification{Kind: NotifyAccepted, ActorID: actor.ID, Actor: actor.DisplayName, Title: q.Title,
		URL: QuestionURL(q.ID) + "#answer-" + strconv.FormatInt(answerID, 10), PostID: answerID,
		GroupKey: "p" + strconv.FormatInt(answerID, 10), Direct: []int64{answerAuthorID}, PrivateTo: q.PrivateTo, At: now}
}

// EditNotices: the post's author hears of someone else's edit; people the edit newly
// mentions hear of the mention.
func EditNotices(q QuestionRef, postID, authorID int64, actor *User, body string, mentioned []int64, now time.Time) []Notification {
	url := QuestionURL(q.ID) + "#post-" + strconv.FormatInt(postID, 10)
	base := Notification{ActorID: actor.ID, Actor: actor.DisplayName, Title: q.Title, URL: url, Excerpt: Excerpt(body),
		PostID: postID, GroupKey: "p" + strconv.FormatInt(postID, 10), At: now}
	e := base
	e.Kind, e.Direct = NotifyEdit, []int64{authorID}
	out := []Notification{e}
	if m := without(mentioned, authorID); len(m) > 0 {
		n := base
		n.Kind, n.Direct = NotifyMention, m
		out = append(out, n)
	}
	return q.scoped(out)
}

func without(ids []int64, drop ...int64) []int64 {
	var out []int64
	for _, id := range ids {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// Notice is one row of a person's inbox.
type Notice struct {
	ID        int64
	Kind      NotificationKind
	Actor     *UserRef // nil: the system, or an account since removed
	Count     int
	Title     string
	URL       string
	Excerpt   string
	CreatedAt time.Time
	UpdatedAt time.Time
	ReadAt    *time.Time
}

// UserRef names a person.
type UserRef struct {
	ID          int64
	Username    string
	DisplayName string
}

// Text is how the notice reads.
func (n *Notice) Text() string {
	actor := ""
	if n.Actor != nil {
		actor = n.Actor.DisplayName
	}
	return n.Kind.Text(actor, n.Count)
}

// Follow is one thing a person follows.
type Follow struct {
	Kind   FollowKind
	Target string
	// Title is what the following page shows: the question's title, the tag, the
	// collaborative's name; URL its page.
	Title     string
	URL       string
	CreatedAt time.Time
}

// NotificationFilter selects a page of an inbox.
type NotificationFilter struct {
	UnreadOnly bool
	Page       int // from 1
	PageSize   int
}

// Inbox is one page of notices and the unread count.
type Inbox struct {
	Items  []*Notice
	Unread int
	Page   int
	More   bool
}

// NotificationStore keeps notifications, follows and settings. The write seam (a store's
// transaction describing a Notification) is the store's own: forum/sqlite's tx.notify.
type NotificationStore interface {
	// ExpandNotifications takes the oldest fan-out job and handles up to batch of its
	// recipients in one transaction: reads their RecipientFacts, applies
	// NotificationRecipients, writes their inbox rows (collapsing), their notification.created
	// events and, when mail is on (mailDomain, the Message-ID's domain, is set), their
	// immediate mail in the outbox; it records how far it
	// got, or deletes the job when done. Returns how many jobs remain to do (0: idle).
	ExpandNotifications(ctx context.Context, batch int, mailDomain string, now time.Time) (int, error)
	// Inbox returns a page of userID's notices, newest first, hiding those about what they
	// can no longer see.
	Inbox(ctx context.Context, userID int64, f NotificationFilter) (*Inbox, error)
	// UnreadCount counts userID's unread notices.
	UnreadCount(ctx context.Context, userID int64) (int, error)
	// MarkRead marks ids (or every one, with all) read. Returns not_found "notification_not_found"
	// naming an id that is not one of userID's, and marks nothing then.
	MarkRead(ctx context.Context, userID int64, ids []int64, all bool, now time.Time) error
	// Follow makes userID follow (kind, target); created is false when they already did.
	// The caller has checked that the target exists and is visible (Notifications.Follow).
	Follow(ctx context.Context, userID int64, kind FollowKind, target string, now time.Time) (created bool, err error)
	// Unfollow stops it; not_found when they did not follow it.
	Unfollow(ctx context.Context, userID int64, kind FollowKind, target string) error
	// Follows lists what userID follows, newest first, with titles.
	Follows(ctx context.Context, userID int64) ([]Follow, error)
	// MailModes returns userID's settings (kinds they never set are absent).
	MailModes(ctx context.Context, userID int64) (map[NotificationKind]MailMode, error)
	// SetMailModes stores the given kinds' modes.
	SetMailModes(ctx context.Context, userID int64, modes map[NotificationKind]MailMode) error
}

// notFoundNotification is the answer for an id that is not the caller's notification.
func notFoundNotification(id int64) error {
	return Coded(ENotFound, "notification_not_found", "There is no notification %d.", id).WithField("ids")
}

// NotFoundNotification is exported for stores.
func NotFoundNotification(id int64) error { return notFoundNotification(id) }

// NotFollowing is the answer to unfollowing what one does not follow.
func NotFollowing(k FollowKind) *Error {
	return Coded(ENotFound, "not_following", "You do not follow that %s.", k)
}
