package forum

import (
	"context"
	"time"
)

// DefaultResetTTL is how long a password reset link works: long enough to be passed on by
// a colleague the same day, short enough that a forgotten link is soon worthless.
const DefaultResetTTL = 24 * time.Hour

// PasswordReset is a single-use link that sets a new password for one account. Only the
// hash of its token is stored.
type PasswordReset struct {
	ID        int64
	UserID    int64
	CreatedBy int64 // 0: asked for by email (later), or the command line
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// CheckResetUsable is the rule a store applies, in the transaction that sets the new
// password, to the link's row it read: gone "reset_used" or "reset_expired" unless it may
// be used at now.
func CheckResetUsable(r *PasswordReset, now time.Time) error {
	switch {
	case r.UsedAt != nil:
		return Coded(EGone, "reset_used", "This password reset link has already been used. Sign in with the new password, or ask for a new link.")
	case !now.Before(r.ExpiresAt):
		return Coded(EGone, "reset_expired", "This password reset link has expired. Ask an administrator for a new one.")
	}
	return nil
}

// unknownReset is the answer to a token that matches no link.
func unknownReset() error {
	return Coded(ENotFound, "reset_not_found", "This password reset link is not valid. Check that the whole link was copied, or ask for a new one.")
}

// PasswordResetStore keeps password reset links.
type PasswordResetStore interface {
	// CreatePasswordReset stores r with the hash of its token and sets its ID; the
	// person's earlier unused links stop working (one link in circulation at a time).
	CreatePasswordReset(ctx context.Context, r *PasswordReset, hash []byte) error
	// PasswordResetByHash returns the link and its account; not_found when there is none.
	PasswordResetByHash(ctx context.Context, hash []byte) (*PasswordReset, *User, error)
	// UsePasswordReset, in one transaction, reads the link, applies CheckResetUsable,
	// marks it used, stores passwordHash and ends every session and API token of the
	// account. Returns the account, not_found, or CheckResetUsable's error.
	UsePasswordReset(ctx context.Context, hash []byte, passwordHash string, now time.Time) (*User, error)
}

// ResetMailer sends a password reset link by email. The mail issue provides it.
type ResetMailer interface {
	SendPasswordReset(ctx context.Context, u *User, token string, expires time.Time) error
}

// CreateResetLink makes a single-use password reset link for the account userID and
// returns its token (shown only now) for by, an admin, to pass on: the way back in for a
// person who forgot their password, without mail. Earlier links for the person stop
// working. Returns not_found for anyone but an admin (CheckAdmin) or an unknown account,
// invalid "demo_account" or "account_disabled".
func (a *Accounts) CreateResetLink(ctx context.Context, by *User, userID int64) (string, *PasswordReset, error) {
	if err := CheckAdmin(by); err != nil {
		return "", nil, err
	}
	if a.Resets == nil {
		return "", nil, Errorf(EUnavailable, "Password reset links are not available on this server.")
	}
	u, err := a.Users.UserByID(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	switch {
	case u.Demo:
		return "", nil, Invalid("user", "demo_account", "%s is a demo account; demo accounts cannot sign in.", u.Username)
	case u.Disabled():
		return "", nil, Invalid("user", "account_disabled", "%s's account is disabled; enable it first.", u.Username)
	}
	now := a.now()
	r := &PasswordReset{UserID: u.ID, CreatedBy: by.ID, CreatedAt: now, ExpiresAt: now.Add(DefaultResetTTL)}
	token, hash := newSecret("")
	if err := a.Resets.CreatePasswordReset(ctx, r, hash); err != nil {
		return "", nil, err
	}
	return token, r, nil
}

// RequestPasswordReset is "Forgot password?": it mails a reset link to the account with
// that address, if there is one and mail is on. It answers the same whether or not the
// address has an account, so the form reveals nobody's address; sent reports whether a
// link went out, for the server's log only.
func (a *Accounts) RequestPasswordReset(ctx context.Context, email string) (sent bool, err error) {
	if a.ResetMail == nil || a.Resets == nil {
		return false, nil
	}
	email, err = NormalizeEmail(email)
	if err != nil {
		return false, nil // nobody has that address either
	}
	u, err := a.Users.UserByLogin(ctx, email)
	if IsKind(err, ENotFound) || err == nil && (u.Demo || u.Disabled() || EmailKey(u.Email) != EmailKey(email)) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	now := a.now()
	r := &PasswordReset{UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(MailedResetTTL)}
	token, hash := newSecret("")
	if err := a.Resets.CreatePasswordReset(ctx, r, hash); err != nil {
		return false, err
	}
	return true, a.ResetMail.SendPasswordReset(ctx, u, token, r.ExpiresAt)
}

// ResetLink returns the account a reset token is for, for the page that asks for the new
// password. Returns not_found "reset_not_found" or gone (CheckResetUsable).
func (a *Accounts) ResetLink(ctx context.Context, token string) (*User, *PasswordReset, error) {
	if a.Resets == nil || !LooksLikeSessionID(token) {
		return nil, nil, unknownReset()
	}
	r, u, err := a.Resets.PasswordResetByHash(ctx, HashSecret(token))
	if IsKind(err, ENotFound) {
		return nil, nil, unknownReset()
	} else if err != nil {
		return nil, nil, err
	}
	if err := CheckResetUsable(r, a.now()); err != nil {
		return nil, nil, err
	}
	return u, r, nil
}

// ResetPasswordWithLink sets a new password with a reset link, once, and ends every
// session and API token of the person: whoever had their old password or a stolen cookie
// is out. Returns invalid "password", not_found "reset_not_found", gone "reset_used" or
// "reset_expired", or rate_limited "busy" when every hashing slot is taken.
func (a *Accounts) ResetPasswordWithLink(ctx context.Context, token, password string) (*User, error) {
	if _, _, err := a.ResetLink(ctx, token); err != nil { // a cheap refusal before hashing
		return nil, err
	}
	if err := CheckPassword("password", password); err != nil {
		return nil, err
	}
	var hash string
	if err := a.withHashing(ctx, func() { hash = a.Hasher.Hash(password) }); err != nil {
		return nil, err
	}
	u, err := a.Resets.UsePasswordReset(ctx, HashSecret(token), hash, a.now())
	if err != nil {
		return nil, err
	}
	a.cache.forgetUser(u.ID)
	a.accountChanged(u.ID)
	return u, nil
}
