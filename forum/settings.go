package forum

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// SignupMode says who may create an account with the sign-up form. Invitations let people
// in whatever the mode.
type SignupMode string

const (
	SignupOpen    SignupMode = "open"    // anyone
	SignupDomains SignupMode = "domains" // addresses at the allowed domains, who are known members
	SignupInvite  SignupMode = "invite"  // only with an invitation
	SignupClosed  SignupMode = "closed"  // only with an invitation; the form says sign-up is closed
)

// ReadMode says who may read the site.
type ReadMode string

const (
	ReadPublic  ReadMode = "public"  // everyone, signed in or not
	ReadMembers ReadMode = "members" // only signed-in people; everything else answers 401
)

// The names of the site settings, as stored and as the admin form and API name them.
const (
	SettingSiteName      = "site_name"
	SettingSignup        = "signup"
	SettingSignupDomains = "signup_domains"
	SettingPrivileges    = "privileges"
	SettingRead          = "read"
)

// settingNames lists the settings in the order the admin form shows them.
var settingNames = []string{SettingSiteName, SettingSignup, SettingSignupDomains, SettingPrivileges, SettingRead}

// Limits on settings.
const (
	MaxSiteNameLen = 60
	// MaxSignupDomains bounds the allowed list: a league of ~150 districts fits, with room.
	MaxSignupDomains = 500
	maxDomainLen     = 253
)

// SiteSettings are the settings an admin may change in the admin area. Environment
// variables give the defaults, and a variable that is set wins over the admin's value.
type SiteSettings struct {
	SiteName      string
	Signup        SignupMode
	SignupDomains []string // lower-case domains, exact match against an address's domain
	Privileges    string   // the preset's name: open, moderate or strict
	Read          ReadMode
}

// DefaultSiteSettings are the built-in defaults, before the environment.
var DefaultSiteSettings = SiteSettings{SiteName: "Staffroom", Signup: SignupOpen, Privileges: "moderate", Read: ReadPublic}

// SettingsStore keeps the settings changed in the admin area.
type SettingsStore interface {
	// SiteSettings returns every stored setting by name.
	SiteSettings(ctx context.Context) (map[string]string, error)
	// SaveSiteSettings stores the given settings in one transaction; the others stay.
	SaveSiteSettings(ctx context.Context, values map[string]string, now time.Time) error
}

// EffectiveSettings are the settings in force: the stored ones over the defaults, and the
// environment's over both. A value is never changed once made; Settings swaps in a new one.
type EffectiveSettings struct {
	SiteSettings
	// Fixed names the settings the environment sets: they cannot be changed in the
	// admin area, and the form shows them disabled.
	Fixed map[string]bool

	privileges Privileges
}

// SignupFor decides whether the sign-up form may create an account for email under these
// settings, and how the person joins. Returns forbidden "signup_invite_only",
// "signup_closed" or "signup_domain" (naming the allowed domains) when it may not.
func (e *EffectiveSettings) SignupFor(email string) (joinedVia string, err error) {
	switch e.Signup {
	case SignupInvite:
		return "", Coded(EForbidden, "signup_invite_only", "Joining %s is by invitation: ask an administrator of the site for an invitation link.", e.SiteName)
	case SignupClosed:
		return "", Coded(EForbidden, "signup_closed", "Sign-up on %s is closed. If you were sent an invitation link, open it to join.", e.SiteName)
	case SignupDomains:
		if e.DomainAllowed(email) {
			return JoinedDomain, nil
		}
		return "", Coded(EForbidden, "signup_domain", "Sign-up here is for email addresses at %s; with another address, ask an administrator for an invitation.", listWords(e.SignupDomains)).WithField("email")
	}
	return JoinedOpen, nil
}

// DomainAllowed reports whether email's domain is exactly one of the allowed domains.
// Subdomains do not count: students.district.org is not district.org's staff.
func (e *EffectiveSettings) DomainAllowed(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	return slices.Contains(e.SignupDomains, strings.ToLower(strings.TrimSpace(email[at+1:])))
}

// PrivilegeLevels returns the reputation levels of the preset in force.
func (e *EffectiveSettings) PrivilegeLevels() Privileges { return e.privileges }

// listWords joins names for a sentence: "a", "a or b", "a, b or c".
func listWords(names []string) string {
	switch len(names) {
	case 0:
		return "the allowed domains"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Settings holds the site settings in force, in memory: pages read them on every request
// without touching the database, and a change made through Update is in force at once.
// A nil *Settings stands for the built-in defaults with the open privileges given to
// Presets, so services work without it in tests.
type Settings struct {
	Store SettingsStore
	// Defaults are the environment's values over the built-in ones; Fixed names the
	// settings the environment sets (they win over stored values).
	Defaults SiteSettings
	Fixed    map[string]bool
	// Presets returns the reputation levels of a privileges preset by name (the
	// moderation package defines them); it is how a name is checked, too.
	Presets func(name string) (Privileges, error)
	Now     func() time.Time

	cur atomic.Pointer[EffectiveSettings]
}

// FixedSettings returns settings that hold ss over the built-in defaults and cannot be
// changed: for a server without a settings store.
func FixedSettings(ss SiteSettings) *Settings {
	s := &Settings{Defaults: ss}
	e, _ := s.effective(nil) // without presets nothing can fail
	s.cur.Store(e)
	return s
}

// Load reads the stored settings and puts them in force. Call it once at start, and again
// to pick up changes another process made (another node, later).
func (s *Settings) Load(ctx context.Context) error {
	stored, err := s.Store.SiteSettings(ctx)
	if err != nil {
		return fmt.Errorf("load site settings: %w", err)
	}
	e, err := s.effective(stored)
	if err != nil {
		return err
	}
	s.cur.Store(e)
	return nil
}

// Current returns the settings in force. Cheap: one atomic load.
func (s *Settings) Current() *EffectiveSettings {
	if s == nil {
		return &EffectiveSettings{SiteSettings: DefaultSiteSettings, Fixed: map[string]bool{}}
	}
	if e := s.cur.Load(); e != nil {
		return e
	}
	e, err := s.effective(nil)
	if err != nil { // the defaults were checked when the server was configured
		panic("forum: default site settings are invalid: " + err.Error())
	}
	return e
}

// effective lays stored over the defaults and the fixed settings over both. A stored value
// that no longer parses (written by a later version, say) is ignored for its default.
func (s *Settings) effective(stored map[string]string) (*EffectiveSettings, error) {
	e := &EffectiveSettings{SiteSettings: s.Defaults, Fixed: map[string]bool{}}
	if e.SiteName == "" {
		e.SiteName = DefaultSiteSettings.SiteName
	}
	if e.Signup == "" {
		e.Signup = DefaultSiteSettings.Signup
	}
	if e.Privileges == "" {
		e.Privileges = DefaultSiteSettings.Privileges
	}
	if e.Read == "" {
		e.Read = DefaultSiteSettings.Read
	}
	for name, fixed := range s.Fixed {
		e.Fixed[name] = fixed
	}
	for _, name := range settingNames {
		v, ok := stored[name]
		if !ok || e.Fixed[name] {
			continue
		}
		_ = applySetting(&e.SiteSettings, name, v, s.Presets)
	}
	if s.Presets != nil {
		p, err := s.Presets(e.Privileges)
		if err != nil {
			return nil, err
		}
		e.privileges = p
	}
	return e, nil
}

// applySetting parses one setting's value into ss. Returns invalid naming the setting.
func applySetting(ss *SiteSettings, name, value string, presets func(string) (Privileges, error)) error {
	switch name {
	case SettingSiteName:
		v, err := CleanLine(name, value)
		if err != nil {
			return err
		}
		if n := utf8.RuneCountInString(v); n < 1 || n > MaxSiteNameLen {
			return Invalid(name, "invalid_site_name", "The site name must be 1 to %d visible characters.", MaxSiteNameLen)
		}
		ss.SiteName = v
	case SettingSignup:
		m, err := ParseSignupMode(value)
		if err != nil {
			return err
		}
		ss.Signup = m
	case SettingSignupDomains:
		d, err := ParseDomains(value)
		if err != nil {
			return err
		}
		ss.SignupDomains = d
	case SettingPrivileges:
		v := strings.ToLower(strings.TrimSpace(value))
		if presets != nil {
			if _, err := presets(v); err != nil {
				return Invalid(name, "invalid_privileges", "Privileges must be open, moderate or strict.")
			}
		}
		ss.Privileges = v
	case SettingRead:
		m, err := ParseReadMode(value)
		if err != nil {
			return err
		}
		ss.Read = m
	default:
		return Invalid(name, "unknown_setting", "There is no setting %q.", truncate(name, 40))
	}
	return nil
}

// ParseSignupMode accepts open, domains, invite or closed.
func ParseSignupMode(s string) (SignupMode, error) {
	switch m := SignupMode(strings.ToLower(strings.TrimSpace(s))); m {
	case SignupOpen, SignupDomains, SignupInvite, SignupClosed:
		return m, nil
	}
	return "", Invalid(SettingSignup, "invalid_signup", "Sign-up must be open, domains, invite or closed.")
}

// ParseReadMode accepts public or members.
func ParseReadMode(s string) (ReadMode, error) {
	switch m := ReadMode(strings.ToLower(strings.TrimSpace(s))); m {
	case ReadPublic, ReadMembers:
		return m, nil
	}
	return "", Invalid(SettingRead, "invalid_read", "Reading must be public or members.")
}

// ParseDomains reads a list of email domains separated by commas, spaces or new lines
// ("district1.org, @district2.k12.us"): lower-cased, a leading @ dropped, duplicates
// removed. Returns invalid "signup_domains" naming a domain that is not one.
func ParseDomains(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	var out []string
	for _, f := range fields {
		d := strings.ToLower(strings.TrimPrefix(f, "@"))
		if !validDomain(d) {
			return nil, Invalid(SettingSignupDomains, "invalid_domain", "%q is not an email domain; write domains like district1.org, separated by commas.", truncate(f, 60))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) > MaxSignupDomains {
		return nil, Invalid(SettingSignupDomains, "too_many_domains", "At most %d domains may be listed.", MaxSignupDomains)
	}
	return out, nil
}

// validDomain accepts ASCII host names with at least one dot: labels of letters, digits
// and hyphens, not starting or ending with a hyphen.
func validDomain(d string) bool {
	if d == "" || len(d) > maxDomainLen || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// SettingsUpdate changes site settings; nil fields stay as they are.
type SettingsUpdate struct {
	SiteName      *string
	Signup        *string
	SignupDomains *string // the list as typed: commas, spaces or new lines between domains
	Privileges    *string
	Read          *string
}

// values names the fields that are set.
func (u SettingsUpdate) values() map[string]*string {
	return map[string]*string{SettingSiteName: u.SiteName, SettingSignup: u.Signup, SettingSignupDomains: u.SignupDomains,
		SettingPrivileges: u.Privileges, SettingRead: u.Read}
}

// Update changes site settings for an admin and puts them in force. Returns not_found for
// anyone but an admin (see CheckAdmin), invalid naming the setting at fault, or invalid
// "fixed_by_environment" for a setting the environment sets. Nothing is stored unless
// every given setting is valid.
func (s *Settings) Update(ctx context.Context, by *User, upd SettingsUpdate) (*EffectiveSettings, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	if s.Store == nil {
		return nil, Errorf(EUnavailable, "This server's settings cannot be changed here.")
	}
	cur := s.Current()
	next := cur.SiteSettings
	store := map[string]string{}
	for _, name := range settingNames {
		v := upd.values()[name]
		if v == nil {
			continue
		}
		if cur.Fixed[name] {
			return nil, Invalid(name, "fixed_by_environment", "%s is set by the server's environment (STAFFROOM_%s), which wins; change it there.",
				fieldLabel(name), strings.ToUpper(name))
		}
		if err := applySetting(&next, name, *v, s.Presets); err != nil {
			return nil, err
		}
		store[name] = storedForm(next, name)
	}
	if next.Signup == SignupDomains && len(next.SignupDomains) == 0 {
		return nil, Invalid(SettingSignupDomains, "no_domains", "Sign-up by domain needs at least one domain, like district1.org.")
	}
	if len(store) == 0 {
		return cur, nil
	}
	if err := s.Store.SaveSiteSettings(ctx, store, s.Now().UTC()); err != nil {
		return nil, err
	}
	if err := s.Load(ctx); err != nil {
		return nil, err
	}
	return s.Current(), nil
}

// storedForm is how a parsed setting is written back: its normal form.
func storedForm(ss SiteSettings, name string) string {
	switch name {
	case SettingSiteName:
		return ss.SiteName
	case SettingSignup:
		return string(ss.Signup)
	case SettingSignupDomains:
		return strings.Join(ss.SignupDomains, ",")
	case SettingPrivileges:
		return ss.Privileges
	case SettingRead:
		return string(ss.Read)
	}
	return ""
}

// Rules implements PrivilegeRules with the preset in force, so that a change of preset
// in the admin area applies to the next request.
func (s *Settings) Rules() Privileges { return s.Current().privileges }
