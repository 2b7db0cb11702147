package forum

import (
	"context"
	"errors"
)

// Signing out of what stays open. A request proves who it is each time; a live connection
// proves it once, at its start, and then holds that identity. So whatever ends a sign-in
// (sign-out, a revoked session or token, a new password) or changes what it carries (a
// role) tells a SignOutNotifier, which the wiring points at the live connections; and
// those connections ask Recheck now and then, for changes made where no notifier hears
// them (the command line, another node).

// SignOutNotifier hears, after the change is stored, that sign-ins of a person may no
// longer hold as they did. Calls must not block.
type SignOutNotifier interface {
	// CredentialEnded: the session or token named key (Viewer.CredentialKey) has ended.
	CredentialEnded(userID int64, key string)
	// AccountChanged: some of the person's sessions or tokens ended, or their role or
	// standing changed: whatever holds one of their sign-ins must Recheck it.
	AccountChanged(userID int64)
}

// Credential key kinds: the first byte of a key, before the stored hash.
const (
	credentialSession = 's'
	credentialToken   = 't'
)

// CredentialKey names the session or token the viewer proved themselves with, without its
// secret: a kind byte and the stored hash. Empty for nobody.
func (v *Viewer) CredentialKey() string {
	switch {
	case v == nil:
		return ""
	case v.Session != nil:
		return string(credentialSession) + string(v.Session.Hash)
	case v.Token != nil:
		return string(credentialToken) + string(v.Token.Hash)
	}
	return ""
}

// Recheck reports whether the credential named key still signs in userID with role.
// Returns unauthorized "signed_out" when it has ended (signed out, revoked, expired, or
// the password changed) and "role_changed" when the person's role is no longer role; any
// other error is the store's. It reads what AuthenticateSession and AuthenticateToken read,
// through the same cache, and records no activity: holding a page open is not using the
// session.
func (a *Accounts) Recheck(ctx context.Context, userID int64, key string, role Role) error {
	ended := Coded(EUnauthorized, "signed_out", "This sign-in has ended; sign in again.")
	if len(key) < 2 {
		return ended
	}
	now := a.now()
	hash := []byte(key[1:])
	v, ok := a.cache.get(hash, now)
	if !ok {
		v = &Viewer{}
		var err error
		switch key[0] {
		case credentialSession:
			v.Session, v.User, err = a.Sessions.SessionByHash(ctx, hash)
			if err == nil && now.Sub(v.Session.LastSeenAt) > a.idle() {
				return ended
			}
		case credentialToken:
			v.Token, v.User, err = a.Sessions.TokenByHash(ctx, hash)
		default:
			return ended
		}
		if errors.Is(err, ErrNotFound) {
			return ended
		} else if err != nil {
			return err
		}
		if v.Token == nil || v.Token.LastUsedAt != nil { // the cache expects a token's last use
			a.cache.put(hash, v, now)
		}
	}
	if v.User.ID != userID {
		return ended
	}
	if v.User.Role != role {
		return Coded(EUnauthorized, "role_changed", "Your role has changed; reconnect.")
	}
	return nil
}

// credentialEnded and accountChanged tell the notifier, if there is one.
func (a *Accounts) credentialEnded(v *Viewer) {
	if key := v.CredentialKey(); a.SignOuts != nil && key != "" && v.User != nil {
		a.SignOuts.CredentialEnded(v.User.ID, key)
	}
}

func (a *Accounts) accountChanged(userID int64) {
	if a.SignOuts != nil {
		a.SignOuts.AccountChanged(userID)
	}
}
