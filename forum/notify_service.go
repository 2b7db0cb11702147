package forum

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// Notifications is the service behind the inbox, following and the notification settings.
// Every method acts for u, the signed-in person, on their own things only.
type Notifications struct {
	Store NotificationStore
	QA    *QA
	// Collaboratives answers whether a collaborative exists and u may see inside; nil: no
	// collaborative can be followed.
	Collaboratives CollaborativeStore
	Now            func() time.Time
	// Wake is called after a change that may have left fan-out work (nil: nothing).
	Wake func()
}

func (s *Notifications) now() time.Time { return s.Now().UTC() }

// Inbox returns a page of u's notices and their unread count. Returns unauthorized for
// nobody.
func (s *Notifications) Inbox(ctx context.Context, u *User, f NotificationFilter) (*Inbox, error) {
	if u == nil {
		return nil, Errorf(EUnauthorized, "Sign in to see your notifications.")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize <= 0 || f.PageSize > 100 {
		f.PageSize = NotificationPageSize
	}
	return s.Store.Inbox(ctx, u.ID, f)
}

// Unread counts u's unread notices (0 for nobody), for the header's bell.
func (s *Notifications) Unread(ctx context.Context, u *User) (int, error) {
	if u == nil || s == nil {
		return 0, nil
	}
	return s.Store.UnreadCount(ctx, u.ID)
}

// MarkRead marks ids, or all of u's notices, read. Returns invalid "nothing_to_mark" when
// neither is given, not_found "notification_not_found" for an id that is not u's (and
// marks nothing).
func (s *Notifications) MarkRead(ctx context.Context, u *User, ids []int64, all bool) error {
	if u == nil {
		return Errorf(EUnauthorized, "Sign in to manage your notifications.")
	}
	if !all && len(ids) == 0 {
		return Invalid("ids", "nothing_to_mark", "Give the ids of the notifications to mark read, or all: true.")
	}
	if len(ids) > 1000 {
		return Invalid("ids", "too_many_ids", "Mark at most 1000 notifications at once, or use all: true.")
	}
	return s.Store.MarkRead(ctx, u.ID, ids, all, s.now())
}

// Follow makes u follow a question, tag, collaborative or channel. created is false when
// they already did. Returns invalid "invalid_kind" or "invalid_target", and not_found when
// the target does not exist or u may not see it (answered alike).
func (s *Notifications) Follow(ctx context.Context, u *User, kind, target string) (created bool, err error) {
	if u == nil {
		return false, Errorf(EUnauthorized, "Sign in to follow.")
	}
	k, t, err := s.checkTarget(ctx, u, kind, target)
	if err != nil {
		return false, err
	}
	return s.Store.Follow(ctx, u.ID, k, t, s.now())
}

// Unfollow stops u following it. Returns not_found when they did not.
func (s *Notifications) Unfollow(ctx context.Context, u *User, kind, target string) error {
	if u == nil {
		return Errorf(EUnauthorized, "Sign in to follow.")
	}
	k, err := ParseFollowKind(kind)
	if err != nil {
		return err
	}
	t, err := normalizeTarget(k, target)
	if err != nil {
		return err
	}
	if err := s.Store.Unfollow(ctx, u.ID, k, t); err != nil {
		return err
	}
	return nil
}

// Follows lists what u follows.
func (s *Notifications) Follows(ctx context.Context, u *User) ([]Follow, error) {
	if u == nil {
		return nil, Errorf(EUnauthorized, "Sign in to see what you follow.")
	}
	return s.Store.Follows(ctx, u.ID)
}

// MailModes returns u's mode for every kind, defaults filled in, in NotificationKinds' order.
func (s *Notifications) MailModes(ctx context.Context, u *User) ([]KindSetting, error) {
	if u == nil {
		return nil, Errorf(EUnauthorized, "Sign in to see your notification settings.")
	}
	set, err := s.Store.MailModes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]KindSetting, 0, len(NotificationKinds))
	for _, k := range NotificationKinds {
		out = append(out, KindSetting{KindInfo: k, Mode: MailModeOf(k.Kind, set[k.Kind])})
	}
	return out, nil
}

// KindSetting is one kind's mode for one person.
type KindSetting struct {
	KindInfo
	Mode MailMode
}

// SetMailModes stores u's modes for the named kinds (others keep theirs). Returns invalid
// "invalid_kind" or "invalid_mail_mode" naming "kinds.NAME".
func (s *Notifications) SetMailModes(ctx context.Context, u *User, modes map[string]string) error {
	if u == nil {
		return Errorf(EUnauthorized, "Sign in to change your notification settings.")
	}
	if len(modes) == 0 {
		return Invalid("kinds", "nothing_to_set", "Give kinds: {answer: immediate|daily|weekly|never, ...}.")
	}
	out := make(map[NotificationKind]MailMode, len(modes))
	for name, mode := range modes {
		k, err := ParseNotificationKind("kinds."+name, name)
		if err != nil {
			return err
		}
		m, err := ParseMailMode("kinds."+name, mode)
		if err != nil {
			return err
		}
		out[k] = m
	}
	return s.Store.SetMailModes(ctx, u.ID, out)
}

// checkTarget reads a follow's kind and target and checks that u may see the target.
func (s *Notifications) checkTarget(ctx context.Context, u *User, kind, target string) (FollowKind, string, error) {
	k, err := ParseFollowKind(kind)
	if err != nil {
		return "", "", err
	}
	t, err := normalizeTarget(k, target)
	if err != nil {
		return "", "", err
	}
	missing := Coded(ENotFound, "follow_target_not_found", "There is no such %s, or you may not see it.", k).WithField("target")
	switch k {
	case FollowQuestion:
		id, _ := strconv.ParseInt(t, 10, 64)
		p, err := s.QA.Post(ctx, u, id)
		if IsKind(err, ENotFound) || err == nil && p.Kind != KindQuestion {
			return "", "", missing
		} else if err != nil {
			return "", "", err
		}
	case FollowTag:
		if _, err := s.QA.Tag(ctx, t); IsKind(err, ENotFound) {
			return "", "", missing
		} else if err != nil {
			return "", "", err
		}
	case FollowCollaborative:
		if s.Collaboratives == nil {
			return "", "", missing
		}
		a, err := s.Collaboratives.CollaborativeAccess(ctx, t, u)
		if IsKind(err, ENotFound) || err == nil && !a.CanSeeInside() {
			return "", "", missing
		} else if err != nil {
			return "", "", err
		}
	case FollowChannel:
		// Channels arrive with their feature, which checks membership here (seam).
		return "", "", missing
	}
	return k, t, nil
}

// normalizeTarget checks a target's shape for its kind.
func normalizeTarget(k FollowKind, target string) (string, error) {
	bad := Invalid("target", "invalid_target", "Target must be the %s's %s.", k, map[FollowKind]string{
		FollowQuestion: "id", FollowTag: "name", FollowCollaborative: "slug", FollowChannel: "id"}[k])
	switch k {
	case FollowQuestion, FollowChannel:
		id, ok := parseTopicID(target)
		if !ok {
			return "", bad
		}
		return strconv.FormatInt(id, 10), nil
	case FollowTag:
		t, err := NormalizeTag(target)
		if err != nil {
			return "", bad
		}
		return t, nil
	case FollowCollaborative:
		if _, err := ParseCollaborativeSlug("target", target); err != nil {
			return "", bad
		}
		return target, nil
	}
	return "", bad
}

// Notifier expands fan-out jobs in the background, after the commits that wrote them: it
// wakes when told (Wake, called by the store after such a commit) and every PollEvery in
// case a wake was missed (a restart with jobs left).
type Notifier struct {
	Store NotificationStore
	// MailDomain is set when mail is on (the domain of Message-IDs): then immediate
	// notifications are written to the outbox.
	MailDomain string
	Now        func() time.Time
	Log        *slog.Logger
	Batch      int           // 0: FanOutBatch
	PollEvery  time.Duration // 0: 30 s
	// OnMail is called after a batch queued mail (nil: nothing): the mail sender's wake.
	OnMail func()

	wake chan struct{}
}

// NewNotifier makes a notifier; call Run to start it.
func NewNotifier(store NotificationStore, mailDomain string, now func() time.Time, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.Default()
	}
	return &Notifier{Store: store, MailDomain: mailDomain, Now: now, Log: log, wake: make(chan struct{}, 1)}
}

// Wake asks the notifier to look for work now. It never blocks.
func (n *Notifier) Wake() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Drain expands every job there is, then returns: tests and the command line use it.
func (n *Notifier) Drain(ctx context.Context) error {
	batch := n.Batch
	if batch <= 0 {
		batch = FanOutBatch
	}
	for {
		left, err := n.Store.ExpandNotifications(ctx, batch, n.MailDomain, n.Now().UTC())
		if err != nil {
			return err
		}
		if n.MailDomain != "" && n.OnMail != nil {
			n.OnMail()
		}
		if left == 0 {
			return nil
		}
	}
}

// Run expands jobs until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	every := n.PollEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := n.Drain(ctx); err != nil && ctx.Err() == nil {
			n.Log.Error("notification fan-out", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		case <-t.C:
		}
	}
}
