package forum

import (
	"context"
	"strings"
	"time"
)

// Collaboratives. A collaborative is a working group of people from several districts
// that meets in person a few times a year and coordinates in between: channels,
// meetings, action items and questions of its own. This file holds what every part of a
// collaborative stands on: the group itself, who belongs to it in which role, and the one
// rule everything inside it obeys (DESIGN.md "Private means invisible"): a private
// collaborative's name, description and leads are listed so that people can ask to join,
// and everything inside it answers a non-member exactly as a missing id would.

// Collaborative slug limits (the contract's: lowercase [a-z0-9-], 3 to 40).
const (
	MinCollaborativeSlugLen = 3
	MaxCollaborativeSlugLen = 40
	MaxCollaborativeNameLen = 100
	// MaxCollaborativeDescriptionLen bounds the markdown description.
	MaxCollaborativeDescriptionLen = 5000
)

// Visibility says who sees inside a collaborative.
type Visibility string

const (
	// VisibilityPublic: anyone may read inside and join at once.
	VisibilityPublic Visibility = "public"
	// VisibilityPrivate: only members see inside; joining is a request that leads answer.
	VisibilityPrivate Visibility = "private"
)

// ParseVisibility reads "public" or "private". Returns invalid "invalid_visibility".
func ParseVisibility(field, s string) (Visibility, error) {
	switch v := Visibility(strings.TrimSpace(s)); v {
	case VisibilityPublic, VisibilityPrivate:
		return v, nil
	}
	return "", Invalid(field, "invalid_visibility", "%s must be public or private.", fieldLabel(field))
}

// MemberRole is a person's role in a collaborative.
type MemberRole string

const (
	// MemberNone: not a member.
	MemberNone MemberRole = ""
	// MemberRoleMember reads and writes inside the collaborative.
	MemberRoleMember MemberRole = "member"
	// MemberRoleLead also manages it: members, channels, meetings, its settings.
	MemberRoleLead MemberRole = "lead"
)

// ParseMemberRole reads "lead" or "member". Returns invalid "invalid_role".
func ParseMemberRole(field, s string) (MemberRole, error) {
	switch r := MemberRole(strings.TrimSpace(s)); r {
	case MemberRoleLead, MemberRoleMember:
		return r, nil
	}
	return "", Invalid(field, "invalid_role", "%s must be lead or member.", fieldLabel(field))
}

// ParseCollaborativeSlug checks a collaborative's slug: 3 to 40 lower-case letters, digits
// and hyphens (the contract's [a-z0-9-]). Unlike directory slugs it is not lowered: a slug
// with capitals is refused, so that a group has exactly one address. Returns invalid
// "invalid_slug" naming field.
func ParseCollaborativeSlug(field, s string) (string, error) {
	ok := len(s) >= MinCollaborativeSlugLen && len(s) <= MaxCollaborativeSlugLen
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
	}
	if !ok {
		return "", Invalid(field, "invalid_slug", "%s must be %d to %d lower-case letters, digits and hyphens, like ct-framework.",
			fieldLabel(field), MinCollaborativeSlugLen, MaxCollaborativeSlugLen)
	}
	return s, nil
}

// Collaborative is a working group as stored.
type Collaborative struct {
	ID              int64
	Slug            string
	Name            string
	Description     string // markdown as written
	DescriptionHTML string // rendered and sanitized when written
	Visibility      Visibility
	Cluster         *ClusterRef  // nil: none
	Districts       []ClusterRef // the districts taking part (id, slug, name), by name
	Members         int          // people with a role, leads included
	CreatedBy       int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Leads are filled by the directory's listings (MembershipStore.Collaboratives), by
	// name; nil elsewhere.
	Leads []*User
}

// Private reports whether only members see inside.
func (c *Collaborative) Private() bool { return c.Visibility == VisibilityPrivate }

// NotFoundCollaborative is the answer for a collaborative that does not exist.
func NotFoundCollaborative(slug string) *Error {
	return Errorf(ENotFound, "There is no collaborative %q.", truncate(slug, MaxCollaborativeSlugLen))
}

// CollaborativeAccess is what one person is to one collaborative: the facts every rule
// about its insides reads. Stores fill it from the collaborative's row and at most one
// indexed membership lookup; Viewer is nil for an anonymous reader.
type CollaborativeAccess struct {
	Collaborative *Collaborative
	Viewer        *User
	Role          MemberRole // MemberNone: not a member
}

// staff reports whether the viewer moderates the whole site, and so sees and manages
// every collaborative.
func (a CollaborativeAccess) staff() bool {
	return a.Viewer != nil && a.Viewer.Role.IsModerator()
}

// Member reports whether the viewer belongs to the collaborative (in any role).
func (a CollaborativeAccess) Member() bool { return a.Viewer != nil && a.Role != MemberNone }

// CanSeeInside reports whether the viewer may read what is inside: its members,
// channels, messages, meetings and questions. Public collaboratives are open to
// everyone; private ones to members and the site's moderators.
func (a CollaborativeAccess) CanSeeInside() bool {
	return !a.Collaborative.Private() || a.Member() || a.staff()
}

// CanTakePart reports whether the viewer may write inside (post messages, propose agenda
// items, ask scoped questions): members, and the site's moderators.
func (a CollaborativeAccess) CanTakePart() bool {
	return a.Member() || a.staff()
}

// CanManage reports whether the viewer may manage the collaborative: its leads and the
// site's moderators and admins.
func (a CollaborativeAccess) CanManage() bool {
	return a.Viewer != nil && a.Role == MemberRoleLead || a.staff()
}

// CheckSeeInside refuses a viewer who may not see inside with notFound, the same answer a
// missing id of that kind gets, so that a refusal never tells that the thing exists.
func (a CollaborativeAccess) CheckSeeInside(notFound *Error) error {
	if a.CanSeeInside() {
		return nil
	}
	return notFound
}

// CheckTakePart refuses a viewer who may not write inside: a non-member of a private
// collaborative gets notFound (it is invisible to them), an anonymous one unauthorized,
// and a non-member of a public one forbidden, with the way in.
func (a CollaborativeAccess) CheckTakePart(notFound *Error) error {
	switch {
	case a.CanTakePart():
		return nil
	case !a.CanSeeInside():
		return notFound
	case a.Viewer == nil:
		return Errorf(EUnauthorized, "Sign in to take part in %s.", a.Collaborative.Name)
	default:
		return Coded(EForbidden, "not_a_member", "Join %s to take part in it.", a.Collaborative.Name)
	}
}

// CheckManage refuses a viewer who may not manage the collaborative: invisible ones get
// notFound, the rest forbidden naming who may.
func (a CollaborativeAccess) CheckManage(notFound *Error) error {
	switch {
	case a.CanManage():
		return nil
	case !a.CanSeeInside():
		return notFound
	case a.Viewer == nil:
		return Errorf(EUnauthorized, "Sign in to manage %s.", a.Collaborative.Name)
	default:
		return Coded(EForbidden, "not_a_lead", "Only the leads of %s can do that.", a.Collaborative.Name)
	}
}

// NewCollaborative is a collaborative ready to store; CreatedBy becomes its first lead.
type NewCollaborative struct {
	Slug        string
	Name        string
	Description Rendered
	Visibility  Visibility
	ClusterID   int64   // 0: none
	DistrictIDs []int64 // may be empty
	CreatedBy   int64
	Now         time.Time
}

// CollaborativeStore keeps collaboratives and their members. Stores check membership
// inside the transaction of any write that needs it, through CollaborativeAccess.
type CollaborativeStore interface {
	// CreateCollaborative stores a collaborative with its creator as lead, in one
	// transaction. Returns conflict "slug_taken".
	CreateCollaborative(ctx context.Context, c NewCollaborative) (*Collaborative, error)
	// CollaborativeBySlug returns NotFoundCollaborative when there is none.
	CollaborativeBySlug(ctx context.Context, slug string) (*Collaborative, error)
	// CollaborativeAccess returns the collaborative with the slug and the viewer's role in
	// it, with one indexed lookup for the role (none for an anonymous viewer). Returns
	// NotFoundCollaborative.
	CollaborativeAccess(ctx context.Context, slug string, viewer *User) (CollaborativeAccess, error)
}
