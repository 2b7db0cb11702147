package forum

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on account fields. Usernames appear in URLs and mentions, so they stay short
// and ASCII; display names are what people read, so they may be any printable text.
const (
	MinUsernameLen    = 3
	MaxUsernameLen    = 30
	MaxDisplayNameLen = 50
	MaxEmailLen       = 254 // RFC 5321's limit on a forward path
	MinPasswordLen    = 10
	MaxPasswordBytes  = 256 // long enough for any passphrase, short enough to hash cheaply
)

// Role is what a person may do beyond posting.
type Role string

const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParseRole accepts the three role names.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleMember, RoleModerator, RoleAdmin:
		return r, nil
	}
	return "", Invalid("role", "invalid_role", "Role must be member, moderator or admin.")
}

// IsModerator reports whether the role carries moderation powers (admins have them too).
func (r Role) IsModerator() bool { return r == RoleModerator || r == RoleAdmin }

// User is a person with an account. Demo accounts populate a new site and cannot sign in.
type User struct {
	ID             int64
	Username       string
	DisplayName    string
	Email          string
	Role           Role
	Reputation     int
	District       *District
	Profile        *ProfileFields // nil unless the account was read whole (UserByID)
	Demo           bool
	SuspendedUntil *time.Time
	SuspendReason  string
	CreatedAt      time.Time
	// JoinedVia says how the person came in (JoinedOpen, JoinedInvite...). Known is set
	// when that way vouches for them: known members skip the new-member limits.
	JoinedVia string
	Known     bool
	// DisabledAt is set while an admin has disabled the account: it cannot sign in.
	DisabledAt *time.Time

	// PasswordHash is the encoded argon2id hash, empty for accounts that cannot sign in.
	PasswordHash string
}

// Disabled reports whether an admin has disabled the account.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// Suspended reports whether the person is suspended at now.
func (u *User) Suspended(now time.Time) bool {
	return u.SuspendedUntil != nil && now.Before(*u.SuspendedUntil)
}

// CheckCanWrite returns a forbidden error naming when the suspension ends, or nil.
// Suspended people can still read and sign in; every write checks this.
func (u *User) CheckCanWrite(now time.Time) error {
	if !u.Suspended(now) {
		return nil
	}
	msg := fmt.Sprintf("Your account is suspended until %s; you can read but not post or change anything.",
		u.SuspendedUntil.UTC().Format("2 January 2006 15:04 UTC"))
	if u.SuspendReason != "" {
		msg += " Reason: " + u.SuspendReason
	}
	return Coded(EForbidden, "suspended", "%s", msg)
}

// NewUser is what creating an account needs; the password is already hashed.
type NewUser struct {
	Username     string
	Email        string
	DisplayName  string
	PasswordHash string
	Role         Role // the requested role; NewAccountRole decides the stored one
	DistrictID   *int64
	Demo         bool
	// JoinedVia records how the person came in; Known follows from it (KnownVia).
	JoinedVia string
	// Invite is the hash of the invitation being accepted, if any: the store claims it in
	// the transaction that creates the account (CheckInviteUsable), so it is used once.
	Invite []byte
	// OnlyFirst, when set, is the refusal to return unless this is the first account ever
	// created on the site: a site whose sign-up is closed from the start still lets its
	// first person in, to become the admin who invites the others.
	OnlyFirst error
}

// UserUpdate changes a profile; nil fields stay as they are.
type UserUpdate struct {
	DisplayName *string
	Email       *string
	Profile     *ProfileFieldsUpdate // checked by Accounts.UpdateProfile (ProfileFieldsUpdate.Normalize)
}

// UserStore keeps accounts. Usernames and emails are unique regardless of case.
type UserStore interface {
	// CreateUser stores a new account. Returns conflict "username_taken" or "email_taken"
	// when another account has them. The role stored is NewAccountRole's, given whether
	// this is the first non-demo account ever created on the site: a fact the store keeps
	// and claims in the same transaction, so racing sign-ups cannot both win.
	CreateUser(ctx context.Context, u NewUser, now time.Time) (*User, error)
	// UserByID returns not_found when there is no such account. The account is read
	// whole, its profile fields included.
	UserByID(ctx context.Context, id int64) (*User, error)
	// UserByLogin finds an account by username or email, regardless of case.
	UserByLogin(ctx context.Context, login string) (*User, error)
	// UpdateUser applies upd and returns the new state; conflict "email_taken" as above,
	// invalid "unknown_district" when upd.Profile names a district the directory lacks.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// SetPassword stores a new hash and ends every session and API token of the account
	// except keepSession and keepToken (hashes; nil keeps none): the one making the change.
	SetPassword(ctx context.Context, id int64, hash string, keepSession, keepToken []byte) error
	// SetRole changes an account's role.
	SetRole(ctx context.Context, id int64, role Role) error
	// CountUsers counts accounts, demo ones included.
	CountUsers(ctx context.Context) (int, error)
	// HasFirstAccount reports whether the site's first non-demo account has been made.
	HasFirstAccount(ctx context.Context) (bool, error)
}

// UsernameTaken is the conflict when another account has the username (whatever the case).
func UsernameTaken() *Error {
	return Coded(EConflict, "username_taken", "That username is taken; choose another.").WithField("username")
}

// EmailTaken is the conflict when another account has the email address.
func EmailTaken() *Error {
	return Coded(EConflict, "email_taken", "An account with that email already exists; sign in instead.").WithField("email")
}

// District is a school district; people belong to one.
type District struct {
	ID   int64
	Slug string
	Name string
}

// NormalizeUsername trims spaces and checks the username rules; the returned value is
// stored as typed, and uniqueness is decided on its lower-case form.
func NormalizeUsername(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkText("username", s); err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n < MinUsernameLen || n > MaxUsernameLen {
		return "", Invalid("username", "invalid_username", "Username must be %d to %d characters long.", MinUsernameLen, MaxUsernameLen)
	}
	for _, r := range s {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.')) {
			return "", Invalid("username", "invalid_username", "Username may contain only letters, digits, and _ - . (no spaces).")
		}
	}
	return s, nil
}

// UsernameKey is the form in which usernames are compared.
func UsernameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeEmail trims and checks an email address.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkText("email", s); err != nil {
		return "", err
	}
	if s == "" {
		return "", Invalid("email", "invalid_email", "Email is required.")
	}
	if len(s) > MaxEmailLen {
		return "", Invalid("email", "invalid_email", "Email must be at most %d characters.", MaxEmailLen)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", Invalid("email", "invalid_email", "Enter an email address like name@district.org.")
	}
	return s, nil
}

// EmailKey is the form in which emails are compared.
func EmailKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeDisplayName cleans and checks a display name: one line of visible text
// (CleanLine), 1 to MaxDisplayNameLen characters.
func NormalizeDisplayName(s string) (string, error) {
	s, err := CleanLine("display_name", s)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n < 1 || n > MaxDisplayNameLen {
		return "", Invalid("display_name", "invalid_display_name", "Display name must be 1 to %d visible characters.", MaxDisplayNameLen)
	}
	return s, nil
}

// cleanLineIn is CleanLine for a variable cleaned where it stands.
func cleanLineIn(field string, s *string) error {
	c, err := CleanLine(field, *s)
	if err != nil {
		return err
	}
	*s = c
	return nil
}

// CheckPassword checks the password rules. Passwords are never trimmed.
func CheckPassword(field, s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return Invalid(field, "invalid_password", "Password must be text without NUL characters.")
	}
	if utf8.RuneCountInString(s) < MinPasswordLen {
		return Invalid(field, "weak_password", "Password must be at least %d characters long.", MinPasswordLen)
	}
	if len(s) > MaxPasswordBytes {
		return Invalid(field, "invalid_password", "Password must be at most %d bytes long.", MaxPasswordBytes)
	}
	return nil
}

// checkText refuses invalid UTF-8 and NUL bytes in any text field.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "invalid_encoding", "%s must be valid UTF-8 text.", fieldLabel(field))
	}
	if strings.ContainsRune(s, 0) {
		return Invalid(field, "invalid_characters", "%s must not contain NUL characters.", fieldLabel(field))
	}
	return nil
}

func fieldLabel(field string) string {
	s := strings.ReplaceAll(field, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
