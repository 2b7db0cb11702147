package forum

import (
	"context"
	"encoding/hex"
	"time"
)

// AccountMail is the mail accounts need: password reset links (it is the Accounts'
// ResetMailer) and address confirmation. These are the only messages that go to an
// address nobody has confirmed yet.
type AccountMail struct {
	Store MailStore
	// Domain is the domain of Message-IDs (the sender address's).
	Domain string
	Now    func() time.Time
	// Wake tells the mailer there is mail (nil: it finds it on its next round).
	Wake func()
}

func (m *AccountMail) now() time.Time { return m.Now().UTC() }

func (m *AccountMail) wake() {
	if m.Wake != nil {
		m.Wake()
	}
}

// SendPasswordReset implements ResetMailer: the link goes to the account's address,
// confirmed or not (it is how a person who lost their password gets back in).
func (m *AccountMail) SendPasswordReset(ctx context.Context, u *User, token string, expires time.Time) error {
	h := HashSecret(token)
	msg := OutboxMail{IdemKey: "reset:" + hex.EncodeToString(h[:16]), UserID: u.ID, To: u.Email, Kind: MailKindPasswordReset,
		Data: MailData{Name: u.DisplayName, Subject: "Reset your password", Token: token, Expires: expires}}
	if err := m.Store.QueueMail(ctx, msg, m.Domain, m.now()); err != nil {
		return err
	}
	m.wake()
	return nil
}

// SendVerification mails u a link that confirms their current address. Until it is
// followed, only this and password reset mail go there.
func (m *AccountMail) SendVerification(ctx context.Context, u *User) error {
	if u == nil {
		return Errorf(EUnauthorized, "Sign in to confirm your address.")
	}
	token, hash := newSecret("")
	now := m.now()
	msg := OutboxMail{IdemKey: "verify:" + hex.EncodeToString(hash[:16]), UserID: u.ID, To: u.Email, Kind: MailKindVerifyEmail,
		Data: MailData{Name: u.DisplayName, Subject: "Confirm your email address", Token: token, Expires: now.Add(VerifyTTL)}}
	if err := m.Store.CreateEmailVerification(ctx, u.ID, hash, now.Add(VerifyTTL), msg, m.Domain, now); err != nil {
		return err
	}
	m.wake()
	return nil
}

// Verify follows a confirmation link. Returns not_found "verify_not_found" or gone
// "verify_used"/"verify_expired".
func (m *AccountMail) Verify(ctx context.Context, token string) (*User, error) {
	if !LooksLikeSessionID(token) {
		return nil, VerifyNotFound()
	}
	return m.Store.UseEmailVerification(ctx, HashSecret(token), m.now())
}

// VerifyNotFound is the answer to a confirmation link that matches nothing (or an address
// the account no longer has).
func VerifyNotFound() error {
	return Coded(ENotFound, "verify_not_found", "This confirmation link is not valid for your current address. Ask for a new one in your settings.")
}

// CheckVerifyUsable is the rule a store applies to a confirmation link's row.
func CheckVerifyUsable(usedAt *time.Time, expires, now time.Time) error {
	switch {
	case usedAt != nil:
		return Coded(EGone, "verify_used", "This address is already confirmed.")
	case !now.Before(expires):
		return Coded(EGone, "verify_expired", "This confirmation link has expired. Ask for a new one in your settings.")
	}
	return nil
}
