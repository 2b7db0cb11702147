package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Session and token housekeeping.
const (
	// DefaultSessionIdle ends a browser session nobody has used for 30 days.
	DefaultSessionIdle = 30 * 24 * time.Hour
	// touchEvery bounds how often a session or token records activity: once a minute is
	// precise enough for idle expiry and "last used", and keeps reads free of writes.
	touchEvery = time.Minute
	// MaxTokenNameLen keeps token names readable in the settings list.
	MaxTokenNameLen = 60
	// maxUserAgentLen keeps stored user agents to what the sessions list shows.
	maxUserAgentLen = 200
)

// RateLimiter meters attempts by key. The moderation package provides the implementation;
// a no-op one stands in when rate limits are off.
type RateLimiter interface {
	// Allow takes one attempt for key at now, or reports how long until one is free.
	Allow(key string, now time.Time) (ok bool, retryAfter time.Duration)
	// Peek reports what Allow would say without taking anything.
	Peek(key string, now time.Time) (ok bool, retryAfter time.Duration)
}

// AccountLimits are the limiters on account endpoints.
type AccountLimits struct {
	LoginFailuresPerAccount RateLimiter // failed sign-ins against one account
	LoginFailuresPerIP      RateLimiter // failed sign-ins from one address
	SignupsPerIP            RateLimiter // new accounts from one address
}

// Accounts enforces the rules on accounts, sign-in and sessions.
type Accounts struct {
	Users       UserStore
	Sessions    SessionStore
	Hasher      PasswordHasher
	Limits      AccountLimits
	SessionIdle time.Duration
	Now         func() time.Time

	cache authCache
}

// Viewer is the person behind a request and how they proved it: exactly one of Session
// and Token is set.
type Viewer struct {
	User    *User
	Session *Session
	Token   *APIToken
}

// Grant is what a successful sign-up or sign-in hands out: a browser session (the cookie
// value and its CSRF token) and, for API clients, a bearer token. The secrets are shown
// only here.
type Grant struct {
	User      *User
	SessionID string
	Session   *Session
	Token     string
}

// Client describes where a request comes from, for rate limits and the sessions list.
type Client struct {
	IP        string
	UserAgent string
	// API marks a program rather than a browser page: signing in also hands it a bearer
	// token. Browsers get the session alone, so tokens stay the ones people made on purpose.
	API bool
}

// SignupInput is what a person types to create an account.
type SignupInput struct {
	Username    string
	Email       string
	Password    string
	DisplayName string
}

// AccountInput creates an account from the command line, with a role.
type AccountInput struct {
	SignupInput
	Role Role
}

func (a *Accounts) now() time.Time { return a.Now().UTC() }

// checkSignup validates and normalizes every field, reporting the first one at fault.
func (a *Accounts) checkSignup(in SignupInput) (SignupInput, error) {
	var err error
	if in.Username, err = NormalizeUsername(in.Username); err != nil {
		return in, err
	}
	if in.Email, err = NormalizeEmail(in.Email); err != nil {
		return in, err
	}
	if strings.TrimSpace(in.DisplayName) == "" {
		in.DisplayName = in.Username
	}
	if in.DisplayName, err = NormalizeDisplayName(in.DisplayName); err != nil {
		return in, err
	}
	if err = CheckPassword("password", in.Password); err != nil {
		return in, err
	}
	return in, nil
}

// Signup creates a member account and signs it in. Returns invalid with the field at
// fault, conflict "username_taken"/"email_taken", or rate_limited when this address has
// created too many accounts lately. The first account on a site without an admin
// becomes admin.
func (a *Accounts) Signup(ctx context.Context, in SignupInput, client Client) (*Grant, error) {
	in, err := a.checkSignup(in)
	if err != nil {
		return nil, err
	}
	now := a.now()
	if ok, wait := a.Limits.SignupsPerIP.Allow("signup:"+client.IP, now); !ok {
		return nil, RateLimited(wait, "Too many new accounts from this network; try again in %s.", humanDuration(wait))
	}
	u, err := a.Users.CreateUser(ctx, NewUser{
		Username: in.Username, Email: in.Email, DisplayName: in.DisplayName,
		PasswordHash: a.Hasher.Hash(in.Password), Role: RoleMember,
	}, now)
	if err != nil {
		return nil, err
	}
	return a.grant(ctx, u, client, now)
}

// CreateAccount makes an account with the given role, for administrators at the command
// line. It signs nobody in.
func (a *Accounts) CreateAccount(ctx context.Context, in AccountInput) (*User, error) {
	s, err := a.checkSignup(in.SignupInput)
	if err != nil {
		return nil, err
	}
	if in.Role == "" {
		in.Role = RoleMember
	}
	return a.Users.CreateUser(ctx, NewUser{
		Username: s.Username, Email: s.Email, DisplayName: s.DisplayName,
		PasswordHash: a.Hasher.Hash(s.Password), Role: in.Role,
	}, a.now())
}

// SetRole changes the role of the account with the given username or email.
func (a *Accounts) SetRole(ctx context.Context, login string, role Role) (*User, error) {
	u, err := a.Users.UserByLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	if err := a.Users.SetRole(ctx, u.ID, role); err != nil {
		return nil, err
	}
	a.cache.forgetUser(u.ID)
	u.Role = role
	return u, nil
}

// Login signs a person in by username or email. A wrong password and an unknown account
// get the same unauthorized error, in about the same time. Failed attempts are limited
// per account and per address; past either limit the answer is rate_limited.
func (a *Accounts) Login(ctx context.Context, login, password string, client Client) (*Grant, error) {
	now := a.now()
	accountKey := "login:" + strings.ToLower(strings.TrimSpace(login))
	ipKey := "login-ip:" + client.IP
	for _, l := range []struct {
		lim RateLimiter
		key string
	}{{a.Limits.LoginFailuresPerAccount, accountKey}, {a.Limits.LoginFailuresPerIP, ipKey}} {
		if ok, wait := l.lim.Peek(l.key, now); !ok {
			return nil, RateLimited(wait, "Too many failed sign-in attempts; try again in %s.", humanDuration(wait))
		}
	}
	fail := func() error {
		a.Limits.LoginFailuresPerAccount.Allow(accountKey, now)
		a.Limits.LoginFailuresPerIP.Allow(ipKey, now)
		return Coded(EUnauthorized, "invalid_credentials", "Wrong username, email or password.")
	}
	if login == "" || password == "" || len(password) > MaxPasswordBytes || !utf8.ValidString(login) || len(login) > MaxEmailLen {
		return nil, fail()
	}
	u, err := a.Users.UserByLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		a.Hasher.Verify(password, dummyHash(a.Hasher)) // spend the same time as a real check
		return nil, fail()
	} else if err != nil {
		return nil, err
	}
	if !a.Hasher.Verify(password, u.PasswordHash) {
		return nil, fail()
	}
	return a.grant(ctx, u, client, now)
}

// grant opens a new session and a new API token for u.
func (a *Accounts) grant(ctx context.Context, u *User, client Client, now time.Time) (*Grant, error) {
	sid, shash := newSecret("")
	csrf, _ := newSecret("")
	s := &Session{Hash: shash, UserID: u.ID, CSRFToken: csrf, UserAgent: truncate(client.UserAgent, maxUserAgentLen),
		IP: client.IP, CreatedAt: now, LastSeenAt: now}
	if err := a.Sessions.CreateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	g := &Grant{User: u, SessionID: sid, Session: s}
	if client.API {
		tok, thash := newSecret(TokenPrefix)
		name := "API sign-in " + now.Format("2006-01-02 15:04")
		t := &APIToken{UserID: u.ID, Name: name, Hash: thash, CreatedAt: now}
		if err := a.Sessions.CreateToken(ctx, t); err != nil {
			return nil, fmt.Errorf("create token: %w", err)
		}
		g.Token = tok
	}
	return g, nil
}

// AuthenticateSession resolves a session cookie. Returns unauthorized for an unknown,
// forged or idle-expired session (an expired one is deleted).
func (a *Accounts) AuthenticateSession(ctx context.Context, cookie string) (*Viewer, error) {
	if !LooksLikeSessionID(cookie) {
		return nil, Coded(EUnauthorized, "session_invalid", "Your session has ended; please sign in again.")
	}
	now := a.now()
	hash := HashSecret(cookie)
	if v, ok := a.cache.get(hash, now); ok && now.Sub(v.Session.LastSeenAt) <= touchEvery {
		return v, nil
	}
	s, u, err := a.Sessions.SessionByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, Coded(EUnauthorized, "session_invalid", "Your session has ended; please sign in again.")
	} else if err != nil {
		return nil, err
	}
	if now.Sub(s.LastSeenAt) > a.idle() {
		if err := a.Sessions.DeleteSessionByHash(ctx, s.Hash); err != nil {
			return nil, err
		}
		return nil, Coded(EUnauthorized, "session_expired", "Your session expired after a long time unused; please sign in again.")
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		if err := a.Sessions.TouchSession(ctx, s.ID, now); err != nil {
			return nil, err
		}
		s.LastSeenAt = now
	}
	v := &Viewer{User: u, Session: s}
	a.cache.put(hash, v, now)
	return v, nil
}

// AuthenticateToken resolves a bearer token; unauthorized when it is unknown or revoked.
func (a *Accounts) AuthenticateToken(ctx context.Context, bearer string) (*Viewer, error) {
	if !LooksLikeToken(bearer) {
		return nil, Coded(EUnauthorized, "token_invalid", "The API token is not valid; create a new one in your settings.")
	}
	now := a.now()
	hash := HashSecret(bearer)
	if v, ok := a.cache.get(hash, now); ok && now.Sub(*v.Token.LastUsedAt) <= touchEvery {
		return v, nil
	}
	t, u, err := a.Sessions.TokenByHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, Coded(EUnauthorized, "token_invalid", "The API token is not valid; create a new one in your settings.")
	} else if err != nil {
		return nil, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > touchEvery {
		if err := a.Sessions.TouchToken(ctx, t.ID, now); err != nil {
			return nil, err
		}
		t.LastUsedAt = &now
	}
	v := &Viewer{User: u, Token: t}
	a.cache.put(hash, v, now)
	return v, nil
}

// Logout ends what the viewer authenticated with: the browser session, or the API token.
func (a *Accounts) Logout(ctx context.Context, v *Viewer) error {
	switch {
	case v.Session != nil:
		a.cache.forget(v.Session.Hash)
		return a.Sessions.DeleteSessionByHash(ctx, v.Session.Hash)
	case v.Token != nil:
		a.cache.forget(v.Token.Hash)
		return a.Sessions.DeleteToken(ctx, v.User.ID, v.Token.ID)
	}
	return nil
}

// User returns the account with the given id; not_found when there is none.
func (a *Accounts) User(ctx context.Context, id int64) (*User, error) {
	return a.Users.UserByID(ctx, id)
}

// UpdateProfile changes the viewer's display name or email. Returns invalid with the
// field, conflict "email_taken", or forbidden while suspended.
func (a *Accounts) UpdateProfile(ctx context.Context, v *Viewer, upd UserUpdate) (*User, error) {
	if err := v.User.CheckCanWrite(a.now()); err != nil {
		return nil, err
	}
	if upd.DisplayName != nil {
		s, err := NormalizeDisplayName(*upd.DisplayName)
		if err != nil {
			return nil, err
		}
		upd.DisplayName = &s
	}
	if upd.Email != nil {
		s, err := NormalizeEmail(*upd.Email)
		if err != nil {
			return nil, err
		}
		upd.Email = &s
	}
	defer a.cache.forgetUser(v.User.ID)
	return a.Users.UpdateUser(ctx, v.User.ID, upd)
}

// ChangePassword replaces the viewer's password after checking the current one, and ends
// every other session and API token, so a stolen cookie or token stops working.
func (a *Accounts) ChangePassword(ctx context.Context, v *Viewer, current, next string) error {
	if err := v.User.CheckCanWrite(a.now()); err != nil {
		return err
	}
	if !a.Hasher.Verify(current, v.User.PasswordHash) {
		return Invalid("current_password", "wrong_password", "Your current password is not right.")
	}
	if err := CheckPassword("new_password", next); err != nil {
		return err
	}
	var keepSession, keepToken []byte
	if v.Session != nil {
		keepSession = v.Session.Hash
	}
	if v.Token != nil {
		keepToken = v.Token.Hash
	}
	defer a.cache.forgetUser(v.User.ID)
	return a.Users.SetPassword(ctx, v.User.ID, a.Hasher.Hash(next), keepSession, keepToken)
}

// ListSessions returns the viewer's browser sessions, newest activity first.
func (a *Accounts) ListSessions(ctx context.Context, v *Viewer) ([]*Session, error) {
	return a.Sessions.ListSessions(ctx, v.User.ID)
}

// RevokeSession ends one of the viewer's sessions; not_found when it is not theirs.
func (a *Accounts) RevokeSession(ctx context.Context, v *Viewer, id int64) error {
	defer a.cache.forgetUser(v.User.ID)
	return a.Sessions.DeleteSession(ctx, v.User.ID, id)
}

// ListTokens returns the viewer's API tokens.
func (a *Accounts) ListTokens(ctx context.Context, v *Viewer) ([]*APIToken, error) {
	return a.Sessions.ListTokens(ctx, v.User.ID)
}

// CreateToken makes a named API token; the secret is returned only now.
func (a *Accounts) CreateToken(ctx context.Context, v *Viewer, name string) (string, *APIToken, error) {
	now := a.now()
	if err := v.User.CheckCanWrite(now); err != nil {
		return "", nil, err
	}
	if err := cleanLineIn("name", &name); err != nil {
		return "", nil, err
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxTokenNameLen {
		return "", nil, Invalid("name", "invalid_name", "Token name must be 1 to %d characters.", MaxTokenNameLen)
	}
	tok, hash := newSecret(TokenPrefix)
	t := &APIToken{UserID: v.User.ID, Name: name, Hash: hash, CreatedAt: now}
	if err := a.Sessions.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return tok, t, nil
}

// RevokeToken deletes one of the viewer's tokens; not_found when it is not theirs.
func (a *Accounts) RevokeToken(ctx context.Context, v *Viewer, id int64) error {
	defer a.cache.forgetUser(v.User.ID)
	return a.Sessions.DeleteToken(ctx, v.User.ID, id)
}

// PruneSessions deletes sessions idle past the expiry.
func (a *Accounts) PruneSessions(ctx context.Context) (int64, error) {
	return a.Sessions.DeleteIdleSessions(ctx, a.now().Add(-a.idle()))
}

func (a *Accounts) idle() time.Duration {
	if a.SessionIdle > 0 {
		return a.SessionIdle
	}
	return DefaultSessionIdle
}

// dummyHash is a valid hash of nothing anyone types, so an unknown account costs a
// verification like a known one.
func dummyHash(h PasswordHasher) string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$c3RhZmZyb29tc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", h.Memory, h.Time, h.Threads)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// humanDuration rounds a wait up to whole seconds or minutes for messages.
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		if s <= 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}
