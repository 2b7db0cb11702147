package forum

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
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
	// Refund gives back one attempt taken by Allow, when the attempt turned out not to
	// count: a sign-in that succeeded, or one refused before anything was checked.
	Refund(key string, now time.Time)
	// Peek reports what Allow would say without taking anything. It is for showing a
	// state, never for deciding: an attempt is metered by taking it with Allow first.
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
	Hasher      Hasher
	Limits      AccountLimits
	SessionIdle time.Duration
	Now         func() time.Time
	// SignOuts hears of ended sign-ins and changed accounts, to close live connections
	// that hold them; nil: nobody listens.
	SignOuts SignOutNotifier
	// HashConcurrency bounds how many passwords are hashed or checked at once, on every
	// path (sign-in, sign-up, password changes, the command line); 0 means one per core
	// (runtime.GOMAXPROCS).
	HashConcurrency int
	// HashWait is how long a request waits for a free hashing slot before it is refused
	// with rate_limited "busy"; 0 means DefaultHashWait.
	HashWait time.Duration
	// Settings say who may sign up (nil: anyone). Invites and Resets keep invitations and
	// password reset links; nil: those ways in are off.
	Settings *Settings
	Invites  InviteStore
	Resets   PasswordResetStore
	// ResetMail sends a person the password reset link they asked for by email; nil: mail
	// is off, and asking does nothing (an admin makes links instead).
	ResetMail ResetMailer
	// VerifyMail mails a new account a link that confirms its address; nil: mail is off.
	VerifyMail interface {
		SendVerification(ctx context.Context, u *User) error
	}

	cache   authCache
	hashing hashGate

	dummyOnce sync.Once
	dummy     string
}

// ForgetUser drops what is cached about a person's sign-ins. Whatever changes an account
// outside Accounts (a suspension, a role) calls it, so the change applies at once.
func (a *Accounts) ForgetUser(userID int64) {
	a.cache.forgetUser(userID)
	a.accountChanged(userID)
}

// ForgetUsers is ForgetUser for each of userIDs: the store tells it whose reputation a
// write changed, so the header of their next page shows the number their profile and
// posts show, not the one cached for up to authCacheTTL.
func (a *Accounts) ForgetUsers(userIDs []int64) {
	for _, id := range userIDs {
		a.cache.forgetUser(id)
	}
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

// withHashing runs fn, which hashes or checks passwords, in a hashing slot. Returns
// rate_limited "busy" when no slot frees within HashWait; fn has not run then.
func (a *Accounts) withHashing(ctx context.Context, fn func()) error {
	wait := a.HashWait
	if wait <= 0 {
		wait = DefaultHashWait
	}
	release, err := a.hashing.enter(ctx, a.HashConcurrency, wait)
	if err != nil {
		return err
	}
	defer release()
	fn()
	return nil
}

// dummyHash is a hash of nothing anyone types, made with the hasher's own parameters, so
// that an unknown account costs a check like a known one. Call it inside a hashing slot.
func (a *Accounts) dummyHash() string {
	a.dummyOnce.Do(func() {
		secret, _ := newSecret("")
		a.dummy = a.Hasher.Hash(secret)
	})
	return a.dummy
}

// accountDisabled is the answer to the right password of a disabled account.
func accountDisabled() error {
	return Coded(EForbidden, "account_disabled", "This account is disabled. If you think that is a mistake, ask an administrator of the site.")
}

// tooManyFailures is the answer past a sign-in limit.
func tooManyFailures(wait time.Duration) error {
	return RateLimited(wait, "Too many failed sign-in attempts; try again in %s.", humanDuration(wait))
}

// wrongCredentials is the one answer to a wrong password and to an unknown account alike.
func wrongCredentials() error {
	return Coded(EUnauthorized, "invalid_credentials", "Wrong username, email or password.")
}

// loginKey names the per-account sign-in limit. One account has one limit, whether it is
// named by username or by email; a name that matches no account is limited by its
// normalized text.
func loginKey(login string, u *User) string {
	if u != nil {
		return "login-user:" + strconv.FormatInt(u.ID, 10)
	}
	return "login:" + UsernameKey(login)
}

// checkSignup validates and normalizes every field, reporting every field at fault
// (FieldErrors) in the sign-up form's order, so a form shows them all at once.
func (a *Accounts) checkSignup(in SignupInput) (SignupInput, error) {
	var fe FieldErrors
	username, err := NormalizeUsername(in.Username)
	if fe.Add(err) != nil {
		return in, err
	}
	if strings.TrimSpace(in.DisplayName) == "" {
		in.DisplayName = username // empty while the username is at fault: nothing to say about it
	}
	in.Username = username
	if in.DisplayName != "" {
		if in.DisplayName, err = NormalizeDisplayName(in.DisplayName); fe.Add(err) != nil {
			return in, err
		}
	}
	if in.Email, err = NormalizeEmail(in.Email); fe.Add(err) != nil {
		return in, err
	}
	if err = CheckPassword("password", in.Password); fe.Add(err) != nil {
		return in, err
	}
	return in, fe.Err()
}

// CheckSignup reports every field of a sign-up that breaks the rules (FieldErrors), without
// creating anything: the sign-up page checks its own fields (the repeated password) with it,
// so that all show at once.
func (a *Accounts) CheckSignup(in SignupInput) error {
	_, err := a.checkSignup(in)
	return err
}

// Signup creates a member account with the sign-up form and signs it in. Returns invalid
// with the field at fault, forbidden "signup_invite_only", "signup_closed" or
// "signup_domain" when the sign-up mode refuses (EffectiveSettings.SignupFor), conflict
// "username_taken"/"email_taken", rate_limited when this address has created too many
// accounts lately, or rate_limited "busy" when every hashing slot is taken. The first
// account ever created on a site becomes admin (see NewAccountRole), whatever the mode.
func (a *Accounts) Signup(ctx context.Context, in SignupInput, client Client) (*Grant, error) {
	in, err := a.checkSignup(in)
	if err != nil {
		return nil, err
	}
	nu := NewUser{Role: RoleMember}
	if nu.JoinedVia, err = a.Settings.Current().SignupFor(in.Email); err != nil {
		// The sign-up mode refuses, but a site's first account is still made: whoever
		// installs a site closed from the start becomes the admin who invites the others.
		first, ferr := a.Users.HasFirstAccount(ctx)
		if ferr != nil {
			return nil, ferr
		}
		if first {
			return nil, err
		}
		nu.JoinedVia, nu.OnlyFirst = JoinedOpen, err // refused after all if another won the race
	}
	return a.createAndGrant(ctx, in, nu, client)
}

// createAndGrant makes the account nu describes with the checked input in, counted
// against the address's sign-ups, and signs it in.
func (a *Accounts) createAndGrant(ctx context.Context, in SignupInput, nu NewUser, client Client) (*Grant, error) {
	now := a.now()
	key := "signup:" + client.IP
	if ok, wait := a.Limits.SignupsPerIP.Allow(key, now); !ok {
		return nil, RateLimited(wait, "Too many new accounts from this network; try again in %s.", humanDuration(wait))
	}
	var hash string
	if err := a.withHashing(ctx, func() { hash = a.Hasher.Hash(in.Password) }); err != nil {
		a.Limits.SignupsPerIP.Refund(key, now) // refused before anything was made
		return nil, err
	}
	nu.Username, nu.Email, nu.DisplayName, nu.PasswordHash = in.Username, in.Email, in.DisplayName, hash
	u, err := a.Users.CreateUser(ctx, nu, now)
	if err != nil {
		return nil, err
	}
	if a.VerifyMail != nil {
		// The account exists either way: a link that could not be queued is asked for
		// again from the settings page, which says the address is not confirmed.
		_ = a.VerifyMail.SendVerification(ctx, u)
	}
	return a.grant(ctx, u, client, now)
}

// AcceptInvite creates an account with an invitation and signs it in, whatever the sign-up
// mode: the person is a known member with the invitation's role, and an invitation that
// names an address gives the account that address whatever was typed. Returns not_found
// "invite_not_found", gone "invite_used"/"invite_expired"/"invite_revoked" (also when
// someone else used it a moment before), and Signup's errors.
func (a *Accounts) AcceptInvite(ctx context.Context, token string, in SignupInput, client Client) (*Grant, error) {
	if a.Invites == nil {
		return nil, unknownInvite()
	}
	inv, err := (&Invitations{Store: a.Invites, Now: a.Now}).Lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	if inv.Email != "" {
		in.Email = inv.Email
	}
	if in, err = a.checkSignup(in); err != nil {
		return nil, err
	}
	return a.createAndGrant(ctx, in, NewUser{Role: inv.Role, JoinedVia: JoinedInvite, Invite: HashSecret(token)}, client)
}

// NewAccountRole is the role a new account is stored with: the one asked for, except that
// the first account ever created on a site that is not a demo account becomes its admin,
// so that whoever installs Staffroom can run it. Only that first one: a site whose admins
// have all been demoted gets its next admin from "staffroom user set-role", never from
// whoever signs up next. The store calls this inside the transaction that creates the
// account, with firstEver read there from a fact it keeps (not from the accounts it has
// now), so racing sign-ups cannot both win and a later demotion opens nothing.
func NewAccountRole(requested Role, demo, firstEver bool) Role {
	if firstEver && !demo {
		return RoleAdmin
	}
	return requested
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
	var hash string
	if err := a.withHashing(ctx, func() { hash = a.Hasher.Hash(s.Password) }); err != nil {
		return nil, err
	}
	return a.Users.CreateUser(ctx, NewUser{
		Username: s.Username, Email: s.Email, DisplayName: s.DisplayName,
		PasswordHash: hash, Role: in.Role, JoinedVia: JoinedAdmin,
	}, a.now())
}

// ResetPassword gives the account with the given username or email a new password, for
// administrators at the command line: the way back in for someone who forgot theirs, or
// whose account is under attack. It ends every session and API token of the account and
// changes nothing else. Returns not_found, invalid "password" for a password that breaks
// the rules, or invalid "demo_account": demo accounts never sign in.
func (a *Accounts) ResetPassword(ctx context.Context, login, password string) (*User, error) {
	if err := CheckPassword("password", password); err != nil {
		return nil, err
	}
	u, err := a.Users.UserByLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	if u.Demo {
		return nil, Invalid("login", "demo_account", "%s is a demo account; demo accounts cannot sign in.", u.Username)
	}
	var hash string
	if err := a.withHashing(ctx, func() { hash = a.Hasher.Hash(password) }); err != nil {
		return nil, err
	}
	defer a.cache.forgetUser(u.ID)
	if err := a.Users.SetPassword(ctx, u.ID, hash, nil, nil); err != nil {
		return nil, err
	}
	return u, nil
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
	a.accountChanged(u.ID)
	u.Role = role
	return u, nil
}

// Login signs a person in by username or email. A wrong password and an unknown account
// get the same unauthorized error, in about the same time. Failed attempts are limited
// per account (username and email are one account) and per address; past either limit
// the answer is rate_limited. Every hashing slot taken: rate_limited "busy".
//
// Each attempt takes its place in both limits before the password is checked, and a
// successful one gives it back: counting failures only once they are known would let any
// number of parallel guesses through before the first one failed.
func (a *Accounts) Login(ctx context.Context, login, password string, client Client) (*Grant, error) {
	now := a.now()
	ipKey := "login-ip:" + client.IP
	if ok, wait := a.Limits.LoginFailuresPerIP.Allow(ipKey, now); !ok {
		return nil, tooManyFailures(wait)
	}
	if login == "" || password == "" || len(password) > MaxPasswordBytes || !utf8.ValidString(login) || len(login) > MaxEmailLen {
		return nil, wrongCredentials() // a failure of the address: it can match no account
	}
	u, err := a.Users.UserByLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		u = nil
	} else if err != nil {
		a.Limits.LoginFailuresPerIP.Refund(ipKey, now)
		return nil, err
	}
	accountKey := loginKey(login, u)
	if ok, wait := a.Limits.LoginFailuresPerAccount.Allow(accountKey, now); !ok {
		a.Limits.LoginFailuresPerIP.Refund(ipKey, now)
		return nil, tooManyFailures(wait)
	}
	refund := func() {
		a.Limits.LoginFailuresPerAccount.Refund(accountKey, now)
		a.Limits.LoginFailuresPerIP.Refund(ipKey, now)
	}
	match := false
	err = a.withHashing(ctx, func() {
		if u == nil {
			a.Hasher.Verify(password, a.dummyHash()) // spend the same time as a real check
			return
		}
		match = a.Hasher.Verify(password, u.PasswordHash)
	})
	if err != nil {
		refund() // nothing was checked
		return nil, err
	}
	if !match {
		return nil, wrongCredentials()
	}
	refund() // a success is not a failure
	if u.Disabled() {
		return nil, accountDisabled() // said only to whoever knows the password
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
	if u.DisabledAt != nil { // disabling deletes sessions; this covers one made in between
		return nil, Coded(EUnauthorized, "session_invalid", "Your session has ended; please sign in again.")
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
	if u.DisabledAt != nil {
		return nil, Coded(EUnauthorized, "token_invalid", "The API token is not valid; create a new one in your settings.")
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
	defer a.credentialEnded(v)
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

// UpdateProfile changes the viewer's display name, email or profile fields (district,
// position, subjects, grade bands, time zone), all in one write. Returns invalid with the
// field (unknown_district among them), conflict "email_taken", or forbidden while suspended.
func (a *Accounts) UpdateProfile(ctx context.Context, v *Viewer, upd UserUpdate) (*User, error) {
	if err := v.User.CheckCanWrite(a.now()); err != nil {
		return nil, err
	}
	var fe FieldErrors
	if upd.DisplayName != nil {
		s, err := NormalizeDisplayName(*upd.DisplayName)
		if fe.Add(err) != nil {
			return nil, err
		}
		upd.DisplayName = &s
	}
	if upd.Email != nil {
		s, err := NormalizeEmail(*upd.Email)
		if fe.Add(err) != nil {
			return nil, err
		}
		upd.Email = &s
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	defer a.cache.forgetUser(v.User.ID)
	return a.updateUser(ctx, v.User.ID, upd)
}

// ChangePassword replaces the viewer's password after checking the current one, and ends
// every other session and API token, so a stolen cookie or token stops working. A wrong
// current password counts against the account's sign-in limit (rate_limited past it), so a
// stolen session is no unlimited way to guess the password; every hashing slot taken:
// rate_limited "busy".
func (a *Accounts) ChangePassword(ctx context.Context, v *Viewer, current, next string) error {
	now := a.now()
	if err := v.User.CheckCanWrite(now); err != nil {
		return err
	}
	if err := a.CheckPasswordChange(ctx, v, current, next); err != nil {
		return err
	}
	var hash string
	if err := a.withHashing(ctx, func() { hash = a.Hasher.Hash(next) }); err != nil {
		return err
	}
	var keepSession, keepToken []byte
	if v.Session != nil {
		keepSession = v.Session.Hash
	}
	if v.Token != nil {
		keepToken = v.Token.Hash
	}
	defer a.accountChanged(v.User.ID) // deferred first, so it runs after the cache is dropped
	defer a.cache.forgetUser(v.User.ID)
	return a.Users.SetPassword(ctx, v.User.ID, hash, keepSession, keepToken)
}

// CheckPasswordChange reports every field of a password change at fault (FieldErrors):
// current_password when it is not the viewer's, new_password when it breaks the rules.
// It changes nothing; the settings page checks the repeated password beside it. The
// current password is checked like a sign-in: in a hashing slot (rate_limited "busy" when
// none frees), and a wrong one counts against the account's sign-in limit (rate_limited
// past it), so a stolen session is no unlimited way to guess the password.
func (a *Accounts) CheckPasswordChange(ctx context.Context, v *Viewer, current, next string) error {
	now := a.now()
	key := loginKey("", v.User)
	if ok, wait := a.Limits.LoginFailuresPerAccount.Allow(key, now); !ok {
		return tooManyFailures(wait)
	}
	match := false
	if err := a.withHashing(ctx, func() { match = a.Hasher.Verify(current, v.User.PasswordHash) }); err != nil {
		a.Limits.LoginFailuresPerAccount.Refund(key, now)
		return err
	}
	var fe FieldErrors
	if match {
		a.Limits.LoginFailuresPerAccount.Refund(key, now)
	} else {
		fe.Add(Invalid("current_password", "wrong_password", "Your current password is not right."))
	}
	fe.Add(CheckPassword("new_password", next))
	return fe.Err()
}

// ListSessions returns the viewer's browser sessions, newest activity first.
func (a *Accounts) ListSessions(ctx context.Context, v *Viewer) ([]*Session, error) {
	return a.Sessions.ListSessions(ctx, v.User.ID)
}

// RevokeSession ends one of the viewer's sessions; not_found when it is not theirs.
func (a *Accounts) RevokeSession(ctx context.Context, v *Viewer, id int64) error {
	defer a.accountChanged(v.User.ID) // deferred first, so it runs after the cache is dropped
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
	defer a.accountChanged(v.User.ID) // deferred first, so it runs after the cache is dropped
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
