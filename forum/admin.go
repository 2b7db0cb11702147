package forum

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the admin lists.
const (
	// AdminPageSize is how many people or tags one page of the admin area lists.
	AdminPageSize = 50
	// MaxPeopleQueryLen bounds a search of the people list.
	MaxPeopleQueryLen = 100
)

// PeopleFilter selects accounts for the admin's people list.
type PeopleFilter struct {
	Query  string // "": everyone; else matched inside username, display name or email, any case
	Offset int
	Limit  int
}

// PeopleStore is what the admin area needs of the accounts beyond UserStore.
type PeopleStore interface {
	// People lists accounts, newest first, with the total that match.
	People(ctx context.Context, f PeopleFilter) ([]*User, int, error)
	// SetDisabled disables the account (at set) or enables it (nil). Disabling ends
	// every session and API token of the account in the same transaction. not_found.
	SetDisabled(ctx context.Context, id int64, at *time.Time) error
	// CountAdmins counts the accounts with the admin role that are not disabled.
	CountAdmins(ctx context.Context) (int, error)
}

// TagAdminStore is what the admin area needs of the tags beyond PostStore.
type TagAdminStore interface {
	// AllTags lists tags by name, the unused ones too, optionally those whose name
	// contains query, with the total that match.
	AllTags(ctx context.Context, query string, page, pageSize int) ([]Tag, int, error)
	// CreateTag makes a tag with no questions yet. Returns conflict "tag_exists".
	CreateTag(ctx context.Context, name, excerpt string, by int64, now time.Time) (*Tag, error)
	// RenameTag renames a tag everywhere its questions show it. Returns not_found, or
	// conflict "tag_exists" when the new name is taken (merge instead).
	RenameTag(ctx context.Context, from, to string) error
	// MergeTags moves every question of from to into (a question that has both keeps
	// one), deletes from, and returns how many questions it held. Returns not_found.
	MergeTags(ctx context.Context, from, into string) (int, error)
}

// Admin is the admin area's service: people, roles, disabled accounts, reset links,
// tags. Every method takes the person acting and returns not_found unless they are an
// admin (CheckAdmin), so the API and the pages cannot differ on who may.
type Admin struct {
	Users    UserStore
	People   PeopleStore
	Tags     TagAdminStore
	Accounts *Accounts
	QA       *QA
	Now      func() time.Time
}

// ListPeople returns a page (from 1) of accounts matching query, and the total.
func (s *Admin) ListPeople(ctx context.Context, by *User, query string, page int) ([]*User, int, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, 0, err
	}
	query, err := CleanLine("q", query)
	if err != nil {
		return nil, 0, err
	}
	query = truncate(strings.TrimSpace(query), MaxPeopleQueryLen)
	if page < 1 {
		page = 1
	}
	return s.People.People(ctx, PeopleFilter{Query: query, Offset: (page - 1) * AdminPageSize, Limit: AdminPageSize})
}

// SetRole gives an account a role. Returns not_found, invalid "role", or conflict
// "last_admin" when it would leave the site without an admin who can sign in.
func (s *Admin) SetRole(ctx context.Context, by *User, id int64, role Role) (*User, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Demo {
		return nil, Invalid("role", "demo_account", "%s is a demo account; demo accounts cannot sign in to use a role.", u.Username)
	}
	if u.Role == RoleAdmin && role != RoleAdmin && !u.Disabled() {
		if err := s.checkNotLastAdmin(ctx); err != nil {
			return nil, err
		}
	}
	return s.Accounts.SetRole(ctx, u.Username, role)
}

// checkNotLastAdmin refuses a change that takes away the last admin who can sign in.
func (s *Admin) checkNotLastAdmin(ctx context.Context) error {
	n, err := s.People.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return Coded(EConflict, "last_admin", "This is the site's only admin; make someone else admin first.")
	}
	return nil
}

// SetDisabled disables an account (it cannot sign in, and every session and API token it
// holds ends at once) or enables it again. Returns not_found, invalid "user" for one's own
// account, or conflict "last_admin".
func (s *Admin) SetDisabled(ctx context.Context, by *User, id int64, disabled bool) (*User, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if disabled == u.Disabled() {
		return u, nil
	}
	var at *time.Time
	if disabled {
		if u.ID == by.ID {
			return nil, Invalid("user", "own_account", "You cannot disable your own account.")
		}
		if u.Role == RoleAdmin {
			if err := s.checkNotLastAdmin(ctx); err != nil {
				return nil, err
			}
		}
		now := s.Now().UTC()
		at = &now
	}
	if err := s.People.SetDisabled(ctx, u.ID, at); err != nil {
		return nil, err
	}
	s.Accounts.ForgetUser(u.ID) // its cached sign-ins and live connections end now
	u.DisabledAt = at
	return u, nil
}

// ListTags returns a page (from 1) of every tag, the unused ones too, whose name contains
// query, and the total.
func (s *Admin) ListTags(ctx context.Context, by *User, query string, page int) ([]Tag, int, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, 0, err
	}
	query = strings.ToLower(strings.TrimSpace(query))
	if !utf8.ValidString(query) || utf8.RuneCountInString(query) > MaxTagLen {
		return nil, 0, Invalid("q", "invalid_query", "Search for a tag by up to %d characters of its name.", MaxTagLen)
	}
	if page < 1 {
		page = 1
	}
	return s.Tags.AllTags(ctx, query, page, AdminPageSize)
}

// CreateTag makes a tag before any question uses it, so that a new site has tags to
// choose from. Returns invalid "name" or "excerpt", or conflict "tag_exists".
func (s *Admin) CreateTag(ctx context.Context, by *User, name, excerpt string) (*Tag, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	n, err := adminTagName("name", name)
	if err != nil {
		return nil, err
	}
	if excerpt, err = CleanBody("excerpt", excerpt, 0, MaxExcerptLen); err != nil {
		return nil, err
	}
	return s.Tags.CreateTag(ctx, n, excerpt, by.ID, s.Now().UTC())
}

// RenameTag renames a tag on every question that carries it. Returns invalid "name",
// not_found, or conflict "tag_exists" (merge the two instead).
func (s *Admin) RenameTag(ctx context.Context, by *User, from, to string) error {
	if err := CheckAdmin(by); err != nil {
		return err
	}
	old, err := s.QA.Tag(ctx, from)
	if err != nil {
		return err
	}
	n, err := adminTagName("name", to)
	if err != nil {
		return err
	}
	if n == old.Name {
		return Invalid("name", "same_name", "The tag is already called %q.", n)
	}
	return s.Tags.RenameTag(ctx, old.Name, n)
}

// MergeTags moves every question of from to into and deletes from. Returns not_found for
// either tag, or invalid "into" when they are the same.
func (s *Admin) MergeTags(ctx context.Context, by *User, from, into string) (int, error) {
	if err := CheckAdmin(by); err != nil {
		return 0, err
	}
	src, err := s.QA.Tag(ctx, from)
	if err != nil {
		return 0, err
	}
	dst, err := s.QA.Tag(ctx, into)
	if e := AsError(err); e != nil {
		return 0, e.WithField("into")
	} else if err != nil {
		return 0, err
	}
	if src.Name == dst.Name {
		return 0, Invalid("into", "same_tag", "Choose another tag to merge %q into.", src.Name)
	}
	return s.Tags.MergeTags(ctx, src.Name, dst.Name)
}

// DescribeTag sets a tag's description.
func (s *Admin) DescribeTag(ctx context.Context, by *User, name, excerpt string) (*Tag, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	return s.QA.DescribeTag(ctx, by, name, excerpt)
}

// adminTagName checks a tag name typed in the admin area, reporting it as field.
func adminTagName(field, s string) (string, error) {
	n, err := NormalizeTag(s)
	if err != nil {
		if e := AsError(err); e != nil {
			return "", e.WithField(field)
		}
		return "", err
	}
	return n, nil
}
