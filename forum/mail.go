package forum

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Mail. Every message goes through the outbox: a row written in the transaction of its
// cause (the notification's fan-out, the password reset, the verification), with an
// idempotency key (one message per cause) and a Message-ID fixed when it is written. The
// Mailer sends what is due, retrying with exponential backoff.
//
// Delivery guarantee: at least once, with the same Message-ID. A message is marked
// "sending" (committed) before it is handed to SMTP and "sent" after the server accepts
// it. A crash between the server's acceptance and that mark leaves it "sending"; after
// MailLease it is sent again with the same Message-ID, which receiving systems and mail
// readers use to drop the copy. Nothing is ever lost: a message leaves the outbox only as
// sent, or failed after a permanent refusal or MaxMailAttempts.

// Mail kinds beyond the notification kinds.
const (
	MailKindPasswordReset = "password_reset"
	MailKindVerifyEmail   = "verify_email"
	MailKindDigestDaily   = "digest_daily"
	MailKindDigestWeekly  = "digest_weekly"
)

// Mail delivery limits.
const (
	// MaxMailAttempts: after this many tries (about a day and a half of backoff) a message
	// is failed for good.
	MaxMailAttempts = 12
	// MailBackoff is the first retry's delay; each next doubles, up to MaxMailBackoff.
	MailBackoff    = time.Minute
	MaxMailBackoff = 6 * time.Hour
	// MailLease is how long a message stays "sending" before it is presumed lost in a crash
	// and sent again: longer than any SMTP conversation.
	MailLease = 10 * time.Minute
	// MailedResetTTL is how long a password reset link sent by mail works.
	MailedResetTTL = time.Hour
	// VerifyTTL is how long an address confirmation link works.
	VerifyTTL = 7 * 24 * time.Hour
	// UnsubscribeTTL is how long an unsubscribe link in a mail works.
	UnsubscribeTTL = 180 * 24 * time.Hour
)

// OutboxMail is one message in the outbox.
type OutboxMail struct {
	ID        int64
	IdemKey   string
	MessageID string // without angle brackets
	UserID    int64
	To        string
	Kind      string // a NotificationKind or a MailKind*
	Data      MailData
	State     string
	Attempts  int
	CreatedAt time.Time
}

// MailData is what a message's templates show.
type MailData struct {
	Name    string `json:"name,omitempty"` // the recipient's display name
	Subject string `json:"subject"`
	Text    string `json:"text,omitempty"` // the notice's sentence
	Title   string `json:"title,omitempty"`
	Path    string `json:"path,omitempty"` // a site path, made absolute when sent
	Excerpt string `json:"excerpt,omitempty"`
	// Token is a password reset or verification token; the store blanks it once sent.
	Token   string    `json:"token,omitempty"`
	Expires time.Time `json:"expires,omitempty"`
	// Unsubscribe is the kind a one-click unsubscribe link stops ("" for transactional
	// mail: resets and verifications carry none).
	Unsubscribe string         `json:"unsubscribe,omitempty"`
	Notices     []DigestNotice `json:"notices,omitempty"`
	Questions   []DigestPost   `json:"questions,omitempty"`
	Period      string         `json:"period,omitempty"`
}

// DigestNotice is one notice in a digest.
type DigestNotice struct {
	Text  string `json:"text"`
	Title string `json:"title"`
	Path  string `json:"path"`
}

// DigestPost is one new question in a digest.
type DigestPost struct {
	Title   string `json:"title"`
	Path    string `json:"path"`
	Answers int    `json:"answers"`
	Score   int    `json:"score"`
}

// MessageID is the Message-ID of the message with idemKey: derived from the key, so the
// same cause always has the same Message-ID, and a re-send is recognizably the same mail.
func MessageID(idemKey, domain string) string {
	h := sha256.Sum256([]byte(idemKey))
	return hex.EncodeToString(h[:16]) + "@" + domain
}

// NoticeMail is the mail of one immediate notification.
func NoticeMail(n *Notification, notice *Notice) MailData {
	text := notice.Text()
	return MailData{Subject: text + ": " + truncate(n.Title, 80), Text: text, Title: n.Title, Path: n.URL, Excerpt: n.Excerpt,
		Unsubscribe: string(n.Kind)}
}

// MailRefusal is a transport's refusal. Permanent ones are not retried; Bounce marks a
// permanent refusal of the recipient (SMTP 5xx on RCPT): the address takes no more mail.
type MailRefusal struct {
	Permanent bool
	Bounce    bool
	Err       error
}

func (e *MailRefusal) Error() string { return e.Err.Error() }
func (e *MailRefusal) Unwrap() error { return e.Err }

// MailTransport delivers one message (rendering it from its data). It returns a
// *MailRefusal for a refusal whose nature it knows; any other error is temporary.
type MailTransport interface {
	Send(ctx context.Context, m *OutboxMail) error
}

// MailStore keeps the outbox and what mail needs of accounts.
type MailStore interface {
	// QueueMail writes m to the outbox (its Message-ID from MessageID(m.IdemKey, domain));
	// nothing when a message with the key exists already.
	QueueMail(ctx context.Context, m OutboxMail, domain string, now time.Time) error
	// DueMail returns up to limit messages pending or presumed lost, due at now, oldest first.
	DueMail(ctx context.Context, now time.Time, limit int) ([]*OutboxMail, error)
	// ClaimMail marks message id "sending" (one more attempt, due again at lease if nothing
	// is heard); false when it is no longer pending or sending.
	ClaimMail(ctx context.Context, id int64, now, lease time.Time) (bool, error)
	// MailSent marks it sent and blanks any token it carried.
	MailSent(ctx context.Context, id int64, now time.Time) error
	// MailRetry puts it back as pending, due at next.
	MailRetry(ctx context.Context, id int64, next time.Time, reason string) error
	// MailFailed gives it up; with bounce, its recipient's address is marked bounced.
	MailFailed(ctx context.Context, id int64, reason string, bounce bool, now time.Time) error
	// MailStatus says whether userID's address is verified, and since when it bounces.
	MailStatus(ctx context.Context, userID int64) (MailStatus, error)
	// CreateEmailVerification stores a verification link (hash) for userID's current
	// address and queues m, its mail, in the same transaction.
	CreateEmailVerification(ctx context.Context, userID int64, hash []byte, expires time.Time, m OutboxMail, domain string, now time.Time) error
	// UseEmailVerification marks the address verified (and no longer bounced) if the link
	// is unused, unexpired and for the address the account still has. Returns not_found
	// "verify_not_found" or gone "verify_expired"/"verify_used".
	UseEmailVerification(ctx context.Context, hash []byte, now time.Time) (*User, error)
}

// MailStatus is the state of a person's address.
type MailStatus struct {
	Email     string
	Verified  bool
	BouncedAt *time.Time
	Bounce    string
}

// Mailer sends the outbox. Run it in the background; Wake it after queueing.
type Mailer struct {
	Store     MailStore
	Transport MailTransport
	Now       func() time.Time
	Log       *slog.Logger
	// PollEvery is how often it looks for due mail without being woken (0: 15 s).
	PollEvery time.Duration

	wake chan struct{}
}

// NewMailer makes a mailer.
func NewMailer(store MailStore, t MailTransport, now func() time.Time, log *slog.Logger) *Mailer {
	if log == nil {
		log = slog.Default()
	}
	return &Mailer{Store: store, Transport: t, Now: now, Log: log, wake: make(chan struct{}, 1)}
}

// Wake asks the mailer to send what is due now. It never blocks.
func (m *Mailer) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// MailBackoffAfter is the delay before the next try after attempts failed tries.
func MailBackoffAfter(attempts int) time.Duration {
	d := MailBackoff
	for i := 1; i < attempts && d < MaxMailBackoff; i++ {
		d *= 2
	}
	return min(d, MaxMailBackoff)
}

// SendDue sends every message due now, one at a time, and returns how many went out.
func (m *Mailer) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		now := m.Now().UTC()
		due, err := m.Store.DueMail(ctx, now, 50)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		progress := false
		for _, msg := range due {
			ok, err := m.Store.ClaimMail(ctx, msg.ID, now, now.Add(MailLease))
			if err != nil {
				return sent, err
			}
			if !ok {
				continue
			}
			progress = true
			msg.Attempts++
			if err := m.sendOne(ctx, msg); err != nil {
				return sent, err
			}
			sent++
		}
		if !progress {
			return sent, nil
		}
	}
}

// sendOne hands msg to the transport and records the outcome.
func (m *Mailer) sendOne(ctx context.Context, msg *OutboxMail) error {
	err := m.Transport.Send(ctx, msg)
	now := m.Now().UTC()
	if err == nil {
		return m.Store.MailSent(ctx, msg.ID, now)
	}
	var refusal *MailRefusal
	permanent := errors.As(err, &refusal) && refusal.Permanent
	reason := truncate(err.Error(), 500)
	if permanent || msg.Attempts >= MaxMailAttempts {
		m.Log.Warn("mail failed for good", "id", msg.ID, "to", msg.To, "kind", msg.Kind, "attempts", msg.Attempts, "err", reason)
		return m.Store.MailFailed(ctx, msg.ID, reason, permanent && refusal.Bounce, now)
	}
	next := now.Add(MailBackoffAfter(msg.Attempts))
	m.Log.Info("mail deferred", "id", msg.ID, "attempts", msg.Attempts, "next", next, "err", reason)
	return m.Store.MailRetry(ctx, msg.ID, next, reason)
}

// Run sends due mail until ctx ends. An unreachable server only delays mail: the outbox
// keeps it, and the site does not wait on SMTP anywhere.
func (m *Mailer) Run(ctx context.Context) {
	every := m.PollEvery
	if every <= 0 {
		every = 15 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := m.SendDue(ctx); err != nil && ctx.Err() == nil {
			m.Log.Error("mail outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		case <-t.C:
		}
	}
}

// Unsubscribes signs and checks one-click unsubscribe tokens: per person and kind, with
// an expiry, signed with a site secret (HMAC-SHA256).
type Unsubscribes struct {
	Secret []byte
	Now    func() time.Time
}

// Token returns the token that unsubscribes userID from kind ("digest": every kind
// mailed in digests).
func (u *Unsubscribes) Token(userID int64, kind string) string {
	payload := strconv.FormatInt(userID, 10) + "." + kind + "." + strconv.FormatInt(u.Now().Add(UnsubscribeTTL).Unix(), 10)
	return payload + "." + u.sign(payload)
}

func (u *Unsubscribes) sign(payload string) string {
	mac := hmac.New(sha256.New, u.Secret)
	mac.Write([]byte("unsubscribe:" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// Check reads a token: the person and the kind. Returns invalid "bad_unsubscribe_token"
// for anything not signed here (tampered, truncated) and invalid "unsubscribe_expired".
func (u *Unsubscribes) Check(token string) (int64, string, error) {
	bad := Coded(EInvalid, "bad_unsubscribe_token", "This unsubscribe link is not valid. Check that the whole link was copied, or change your settings on the site.")
	i := strings.LastIndexByte(token, '.')
	if i < 0 || len(token) > 200 {
		return 0, "", bad
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(u.sign(payload))) {
		return 0, "", bad
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return 0, "", bad
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, "", bad
	}
	if !u.Now().Before(time.Unix(exp, 0)) {
		return 0, "", Coded(EInvalid, "unsubscribe_expired", "This unsubscribe link has expired. Change what you get by mail in your notification settings.")
	}
	return id, parts[1], nil
}

// UnsubscribeLabel says what a token's kind stops, for the confirmation page.
func UnsubscribeLabel(kind string) string {
	if kind == "digest" {
		return "digest emails"
	}
	if i, ok := NotificationKind(kind).Info(); ok {
		return "emails about " + strings.ToLower(i.Label)
	}
	return "these emails"
}

// Unsubscribe applies a checked token: the kind goes to never ("digest": every kind
// mailed in a digest does).
func (s *Notifications) Unsubscribe(ctx context.Context, userID int64, kind string) error {
	modes := map[NotificationKind]MailMode{}
	if kind == "digest" {
		set, err := s.Store.MailModes(ctx, userID)
		if err != nil {
			return err
		}
		for _, k := range NotificationKinds {
			if m := MailModeOf(k.Kind, set[k.Kind]); m == MailDaily || m == MailWeekly {
				modes[k.Kind] = MailNever
			}
		}
	} else {
		k, err := ParseNotificationKind("kind", kind)
		if err != nil {
			return err
		}
		modes[k] = MailNever
	}
	if len(modes) == 0 {
		return nil
	}
	return s.Store.SetMailModes(ctx, userID, modes)
}

// FollowURL is the page of a followed thing.
func FollowURL(k FollowKind, target string) string {
	switch k {
	case FollowQuestion:
		return "/questions/" + target
	case FollowTag:
		return "/tags/" + target
	case FollowCollaborative:
		return "/c/" + target
	}
	return ""
}

// NoticeEvent is the data of notification.created: the notice as it now stands and the
// owner's unread count, for the header's bell.
type NoticeEvent struct {
	Notice *Notice
	Unread int
}
