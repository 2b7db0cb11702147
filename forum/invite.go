package forum

import (
	"context"
	"strings"
	"time"
)

// How people join, as User.JoinedVia records it.
const (
	JoinedOpen   = "open"   // the sign-up form, open to anyone
	JoinedDomain = "domain" // the sign-up form, with an address at an allowed domain
	JoinedInvite = "invite" // an invitation
	JoinedAdmin  = "admin"  // made by an admin at the command line
	JoinedSSO    = "sso"    // single sign-on (later)
)

// KnownVia reports whether joining this way makes a known member: someone vouched for
// them (an invitation, their district's domain, an admin, single sign-on), so the limits
// that keep spam from new accounts need not apply to them.
func KnownVia(joinedVia string) bool {
	switch joinedVia {
	case JoinedDomain, JoinedInvite, JoinedAdmin, JoinedSSO:
		return true
	}
	return false
}

// Invitation lifetimes.
const (
	// DefaultInviteTTL is how long an invitation link works: a week covers a message
	// read on the following Monday.
	DefaultInviteTTL = 7 * 24 * time.Hour
	// MaxInviteTTL bounds a longer one: a link forwarded around for months is a leak.
	MaxInviteTTL = 90 * 24 * time.Hour
	// MinInviteTTL is the shortest a link may be made for.
	MinInviteTTL = time.Hour
)

// Invite is a single-use link that lets one person create an account, whatever the
// sign-up mode. Only the hash of its token is stored.
type Invite struct {
	ID            int64
	Email         string // "": the person chooses; else the account gets this address
	Role          Role   // member or moderator
	Collaborative string // a collaborative's slug the person joins with it; "": none
	// CollaborativeRole is their role in Collaborative (member or lead).
	CollaborativeRole MemberRole
	CreatedBy         *User // nil: made at the command line
	CreatedAt         time.Time
	ExpiresAt         time.Time
	UsedAt            *time.Time
	UsedBy            int64
	RevokedAt         *time.Time
}

// State names where an invitation stands at now: "pending", "used", "revoked" or
// "expired".
func (i *Invite) State(now time.Time) string {
	switch {
	case i.UsedAt != nil:
		return "used"
	case i.RevokedAt != nil:
		return "revoked"
	case !now.Before(i.ExpiresAt):
		return "expired"
	}
	return "pending"
}

// CheckInviteUsable is the rule a store applies, in the transaction that creates the
// account, to the invitation row it read: returns gone "invite_used", "invite_revoked" or
// "invite_expired" unless it may be used at now.
func CheckInviteUsable(i *Invite, now time.Time) error {
	switch i.State(now) {
	case "used":
		return Coded(EGone, "invite_used", "This invitation has already been used to create an account. Sign in, or ask for a new invitation.")
	case "revoked":
		return Coded(EGone, "invite_revoked", "This invitation was withdrawn. Ask the person who sent it for a new one.")
	case "expired":
		return Coded(EGone, "invite_expired", "This invitation expired on %s. Ask the person who sent it for a new one.", i.ExpiresAt.UTC().Format("2 January 2006"))
	}
	return nil
}

// unknownInvite is the answer to a token that matches no invitation.
func unknownInvite() error {
	return Coded(ENotFound, "invite_not_found", "This invitation link is not valid. Check that the whole link was copied, or ask for a new invitation.")
}

// InviteFilter selects invitations for the admin list.
type InviteFilter struct {
	Pending bool // only unused, unrevoked ones (expired ones included, to be seen and revoked)
	Limit   int
}

// InviteStore keeps invitations.
type InviteStore interface {
	// CreateInvite stores inv with the hash of its token and sets its ID.
	CreateInvite(ctx context.Context, inv *Invite, hash []byte) error
	// InviteByHash returns not_found when no invitation has that hash.
	InviteByHash(ctx context.Context, hash []byte) (*Invite, error)
	// Invites lists invitations newest first.
	Invites(ctx context.Context, f InviteFilter) ([]*Invite, error)
	// RevokeInvite withdraws an unused invitation. Returns not_found, or conflict
	// "invite_used" when it has been used.
	RevokeInvite(ctx context.Context, id int64, now time.Time) error
}

// Invitations makes and withdraws invitations. Admins invite people to the site; leads
// (and the site's moderators and admins) invite people to a collaborative.
type Invitations struct {
	Store InviteStore
	// Collaboratives tells who may invite to a collaborative; nil: invitations to
	// collaboratives are refused.
	Collaboratives CollaborativeStore
	Now            func() time.Time
}

// InviteInput is an invitation as an admin asks for it.
type InviteInput struct {
	Email         string        // optional: the account is made with this address
	Role          string        // "", member or moderator; with Collaborative: lead or member there
	Collaborative string        // a collaborative's slug: the person joins it
	TTL           time.Duration // 0: DefaultInviteTTL
}

// MaxInvitesListed bounds the admin's list of pending invitations.
const MaxInvitesListed = 200

// Create makes an invitation and returns it with its token, which is shown only now. by
// must be an admin; nil means the command line, where whoever runs it holds the database.
// An invitation to a collaborative may also be made by its leads (and the site's
// moderators), and its role is the one in the collaborative. Returns not_found for anyone
// else (CheckAdmin; for a collaborative, NotFoundCollaborative or CheckManage's errors),
// invalid "email", "role", "expires_in" or "collaborative".
func (s *Invitations) Create(ctx context.Context, by *User, in InviteInput) (*Invite, string, error) {
	inv := &Invite{Role: RoleMember, CreatedBy: by, CreatedAt: s.Now().UTC()}
	if strings.TrimSpace(in.Collaborative) != "" {
		if err := s.collaborativeInvite(ctx, by, in, inv); err != nil {
			return nil, "", err
		}
	} else {
		if by != nil {
			if err := CheckAdmin(by); err != nil {
				return nil, "", err
			}
		}
		switch r := strings.ToLower(strings.TrimSpace(in.Role)); r {
		case "", string(RoleMember):
		case string(RoleModerator):
			inv.Role = RoleModerator
		case string(RoleAdmin):
			return nil, "", Invalid("role", "invalid_role", "An invitation cannot make an admin: once the person has joined, make them admin in the people list.")
		default:
			return nil, "", Invalid("role", "invalid_role", "Role must be member or moderator.")
		}
	}
	if e := strings.TrimSpace(in.Email); e != "" {
		email, err := NormalizeEmail(e)
		if err != nil {
			return nil, "", err
		}
		inv.Email = email
	}
	ttl := in.TTL
	if ttl == 0 {
		ttl = DefaultInviteTTL
	}
	if ttl < MinInviteTTL || ttl > MaxInviteTTL {
		return nil, "", Invalid("expires_in", "invalid_expiry", "An invitation must last between 1 hour and %d days.", int(MaxInviteTTL/(24*time.Hour)))
	}
	inv.ExpiresAt = inv.CreatedAt.Add(ttl)
	token, hash := newSecret("")
	if err := s.Store.CreateInvite(ctx, inv, hash); err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// collaborativeInvite fills in an invitation to a collaborative, for someone who manages
// it (CheckManage). The person joins the site as a member and the collaborative in the
// role asked for (member by default).
func (s *Invitations) collaborativeInvite(ctx context.Context, by *User, in InviteInput, inv *Invite) error {
	slug := strings.TrimSpace(in.Collaborative)
	if s.Collaboratives == nil {
		return Invalid("collaborative", "no_collaboratives", "This site does not invite people to collaboratives; leave the collaborative out to invite someone to the site.")
	}
	if by == nil {
		// The command line: whoever runs it holds the database.
		if _, err := s.Collaboratives.CollaborativeBySlug(ctx, slug); err != nil {
			return err
		}
	} else {
		if _, err := ParseCollaborativeSlug("collaborative", slug); err != nil {
			return NotFoundCollaborative(slug)
		}
		a, err := s.Collaboratives.CollaborativeAccess(ctx, slug, by)
		if err != nil {
			return err
		}
		if err := a.CheckManage(NotFoundCollaborative(slug)); err != nil {
			return err
		}
	}
	inv.Collaborative, inv.CollaborativeRole = slug, MemberRoleMember
	if strings.TrimSpace(in.Role) != "" {
		r, err := ParseMemberRole("role", strings.ToLower(in.Role))
		if err != nil {
			return err
		}
		inv.CollaborativeRole = r
	}
	return nil
}

// Pending lists the invitations that are neither used nor withdrawn, newest first, for an
// admin (not_found for anyone else).
func (s *Invitations) Pending(ctx context.Context, by *User) ([]*Invite, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	return s.Store.Invites(ctx, InviteFilter{Pending: true, Limit: MaxInvitesListed})
}

// Revoke withdraws an invitation, for an admin. Returns not_found, or conflict
// "invite_used" when someone has already joined with it.
func (s *Invitations) Revoke(ctx context.Context, by *User, id int64) error {
	if err := CheckAdmin(by); err != nil {
		return err
	}
	return s.Store.RevokeInvite(ctx, id, s.Now().UTC())
}

// Lookup returns the invitation a token names, for the page that accepts it. Returns
// not_found "invite_not_found" for an unknown token, or gone (CheckInviteUsable).
func (s *Invitations) Lookup(ctx context.Context, token string) (*Invite, error) {
	if !LooksLikeSessionID(token) { // the same shape: 32 random bytes, base64url
		return nil, unknownInvite()
	}
	inv, err := s.Store.InviteByHash(ctx, HashSecret(token))
	if IsKind(err, ENotFound) {
		return nil, unknownInvite()
	} else if err != nil {
		return nil, err
	}
	if err := CheckInviteUsable(inv, s.Now().UTC()); err != nil {
		return nil, err
	}
	return inv, nil
}

// IsKind reports whether err is a domain error of kind k.
func IsKind(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// CheckAdmin returns nil for an admin and not_found for anyone else: the admin area is
// not advertised to people who cannot use it.
func CheckAdmin(u *User) error {
	if u != nil && u.Role == RoleAdmin {
		return nil
	}
	return Coded(ENotFound, "not_found", "There is nothing here.")
}
