package forum

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// Digests (Discourse-style): at STAFFROOM_DIGEST_HOUR in each person's time zone, one
// mail gathers their unread notifications of the kinds they want daily (or, on Mondays,
// weekly) and the top new questions in the tags they follow.

// Digest periods.
const (
	DigestDaily  = "daily"
	DigestWeekly = "weekly"
)

// Digest limits.
const (
	// DefaultDigestHour is the local hour digests go out when none is configured.
	DefaultDigestHour = 7
	// maxDigestNotices and maxDigestQuestions keep a digest readable.
	maxDigestNotices   = 30
	maxDigestQuestions = 5
	// digestCheckEvery is how often the digester looks for people whose hour has come.
	digestCheckEvery = 10 * time.Minute
)

// DigestPerson is what the digester needs of one person who can be mailed.
type DigestPerson struct {
	UserID   int64
	Name     string
	Email    string
	TimeZone string
	Modes    map[NotificationKind]MailMode
	Last     map[string]time.Time // period -> when the last one went out
}

// DigestStore is what digests read and write.
type DigestStore interface {
	// DigestPeople returns up to limit people with an id above after whose address is
	// verified and has not bounced, and who can sign in; with userID set, only them.
	DigestPeople(ctx context.Context, after int64, limit int, userID int64) ([]DigestPerson, error)
	// DigestNotices returns userID's unread notices of kinds, not yet in a digest,
	// updated since since, newest first.
	DigestNotices(ctx context.Context, userID int64, kinds []NotificationKind, since time.Time, limit int) ([]*Notice, error)
	// DigestQuestions returns the top public questions asked since since in the tags
	// userID follows, best first.
	DigestQuestions(ctx context.Context, userID int64, since time.Time, limit int) ([]DigestPost, error)
	// QueueDigest writes m to the outbox, marks noticeIDs as digested and records the
	// period's time for userID, in one transaction.
	QueueDigest(ctx context.Context, userID int64, period string, m OutboxMail, noticeIDs []int64, domain string, now time.Time) error
}

// Digester sends digests.
type Digester struct {
	Store  DigestStore
	Domain string
	Hour   int // local hour, 0-23
	Now    func() time.Time
	Log    *slog.Logger
	Wake   func() // the mailer's
}

// DigestSlot is the latest time at or before now when period's digest is due in loc:
// today's hour (or yesterday's, before it), and for weekly the latest Monday's.
func DigestSlot(period string, hour int, loc *time.Location, now time.Time) time.Time {
	l := now.In(loc)
	slot := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if slot.After(l) {
		slot = slot.AddDate(0, 0, -1)
	}
	if period == DigestWeekly {
		for slot.Weekday() != time.Monday {
			slot = slot.AddDate(0, 0, -1)
		}
	}
	return slot
}

// SendDue queues the digests due now (force: every digest with something in it, now,
// for operators and tests; userID: only theirs). Returns how many were queued.
func (d *Digester) SendDue(ctx context.Context, force bool, userID int64) (int, error) {
	now := d.Now().UTC()
	queued := 0
	var after int64
	for {
		people, err := d.Store.DigestPeople(ctx, after, 200, userID)
		if err != nil {
			return queued, err
		}
		if len(people) == 0 {
			break
		}
		for _, p := range people {
			after = p.UserID
			for _, period := range []string{DigestDaily, DigestWeekly} {
				ok, err := d.sendOne(ctx, p, period, force, now)
				if err != nil {
					return queued, err
				}
				if ok {
					queued++
				}
			}
		}
	}
	if queued > 0 && d.Wake != nil {
		d.Wake()
	}
	return queued, nil
}

// sendOne queues p's digest for period if it is due and has something in it.
func (d *Digester) sendOne(ctx context.Context, p DigestPerson, period string, force bool, now time.Time) (bool, error) {
	mode := MailDaily
	span := 24 * time.Hour
	if period == DigestWeekly {
		mode, span = MailWeekly, 7*24*time.Hour
	}
	var kinds []NotificationKind
	for _, k := range NotificationKinds {
		if MailModeOf(k.Kind, p.Modes[k.Kind]) == mode {
			kinds = append(kinds, k.Kind)
		}
	}
	if len(kinds) == 0 {
		return false, nil
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" {
		loc = time.UTC
	}
	slot := DigestSlot(period, d.Hour, loc, now)
	last := p.Last[period]
	if !force && !last.Before(slot) {
		return false, nil
	}
	since := last
	if since.IsZero() || now.Sub(since) > span {
		since = now.Add(-span)
	}
	notices, err := d.Store.DigestNotices(ctx, p.UserID, kinds, since, maxDigestNotices)
	if err != nil {
		return false, err
	}
	var questions []DigestPost
	if period == DigestDaily || MailModeOf(NotifyTagQuestion, p.Modes[NotifyTagQuestion]) == MailWeekly {
		if questions, err = d.Store.DigestQuestions(ctx, p.UserID, since, maxDigestQuestions); err != nil {
			return false, err
		}
	}
	if len(notices) == 0 && len(questions) == 0 {
		return false, nil
	}
	data := MailData{Name: p.Name, Period: period, Unsubscribe: "digest", Questions: questions}
	data.Subject = "Your daily summary"
	if period == DigestWeekly {
		data.Subject = "Your weekly summary"
	}
	ids := make([]int64, 0, len(notices))
	for _, n := range notices {
		data.Notices = append(data.Notices, DigestNotice{Text: n.Text(), Title: n.Title, Path: n.URL})
		ids = append(ids, n.ID)
	}
	key := "digest:" + period + ":" + strconv.FormatInt(p.UserID, 10) + ":" + slot.Format("2006-01-02")
	if force {
		key += ":now:" + strconv.FormatInt(now.UnixNano(), 10)
	}
	kind := MailKindDigestDaily
	if period == DigestWeekly {
		kind = MailKindDigestWeekly
	}
	m := OutboxMail{IdemKey: key, UserID: p.UserID, To: p.Email, Kind: kind, Data: data}
	return true, d.Store.QueueDigest(ctx, p.UserID, period, m, ids, d.Domain, now)
}

// Run looks for due digests until ctx ends.
func (d *Digester) Run(ctx context.Context) {
	t := time.NewTicker(digestCheckEvery)
	defer t.Stop()
	for {
		if _, err := d.SendDue(ctx, false, 0); err != nil && ctx.Err() == nil && d.Log != nil {
			d.Log.Error("digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
