package forum

import (
	"context"
	"time"
)

// Membership of collaboratives: joining, requests to join a private one, leads adding,
// removing, promoting and demoting members, and leaving. The rules are here, as functions
// the store calls inside the transaction of each change with the rows it has read, so
// that two leads acting at once cannot, between them, leave a collaborative without a lead.

// Membership limits.
const (
	// MaxMembersListed bounds the members a collaborative's page and API list: a working
	// group is tens of people; a list of thousands belongs on pages of its own.
	MaxMembersListed = 500
	// MaxJoinRequestsListed bounds the pending requests a lead sees at once.
	MaxJoinRequestsListed = 200
	// CollaborativePageSize is how many collaboratives a page of the directory lists.
	CollaborativePageSize = 50
	// maxCollaborativeQueryLen bounds a search of the directory.
	maxCollaborativeQueryLen = 100
)

// Events on a collaborative's topic (collaborative:{slug}).
const (
	EventMemberJoined      = "member.joined"
	EventMemberLeft        = "member.left"
	EventMemberRoleChanged = "member.role_changed"
)

// Member is one person's place in a collaborative.
type Member struct {
	User     *User
	Role     MemberRole
	JoinedAt time.Time
}

// JoinRequest is a person's pending request to join a private collaborative.
type JoinRequest struct {
	User        *User
	RequestedAt time.Time
}

// MembershipChange is the data of the member events of a collaborative's topic.
type MembershipChange struct {
	Collaborative string // slug
	User          *User
	Role          MemberRole // the role now; MemberNone when they left
}

// JoinOutcome is what asking to join did.
type JoinOutcome string

const (
	// JoinedNow: the person is a member (a public collaborative).
	JoinedNow JoinOutcome = "joined"
	// JoinRequested: the person's request waits for a lead (a private collaborative).
	JoinRequested JoinOutcome = "requested"
)

// CheckJoin is the rule of joining, applied by the store to the access it read and
// whether the person has a request pending: a public collaborative takes them at once, a
// private one records a request. Returns unauthorized for an anonymous person, conflict
// "already_member" or "request_pending".
func CheckJoin(a CollaborativeAccess, pending bool) (JoinOutcome, error) {
	switch {
	case a.Viewer == nil:
		return "", Errorf(EUnauthorized, "Sign in to join %s.", a.Collaborative.Name)
	case a.Member():
		return "", AlreadyMember(a.Viewer.Username, a.Collaborative.Name)
	case !a.Collaborative.Private():
		return JoinedNow, nil // a request made while it was private no longer matters
	case pending:
		return "", Coded(EConflict, "request_pending", "You have already asked to join %s; its leads will answer.", a.Collaborative.Name)
	}
	return JoinRequested, nil
}

// AlreadyMember is the answer for adding someone who belongs already.
func AlreadyMember(username, collaborative string) *Error {
	return Coded(EConflict, "already_member", "%s is already a member of %s.", username, collaborative)
}

// NotAMember is the answer for acting on the membership of someone who has none.
func NotAMember(userID int64) *Error {
	return Coded(ENotFound, "not_a_member", "Person %d is not a member of this collaborative.", userID).WithField("user_id")
}

// NoJoinRequest is the answer for approving or declining a request nobody made.
func NoJoinRequest(userID int64) *Error {
	return Coded(ENotFound, "no_request", "Person %d has no pending request to join.", userID)
}

// lastLead is the refusal that keeps a collaborative led.
func lastLead(name string) *Error {
	return Coded(EConflict, "last_lead", "%s needs a lead: make someone else a lead first.", name)
}

// CheckAddMember is the rule of a lead adding someone: a manager, adding a person who is
// not a member yet. Returns CheckManage's errors and conflict "already_member".
func CheckAddMember(a CollaborativeAccess, target *User, targetRole MemberRole) error {
	if err := a.CheckManage(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return err
	}
	if targetRole != MemberNone {
		return AlreadyMember(target.Username, a.Collaborative.Name)
	}
	return nil
}

// CheckAnswerRequest is the rule of approving or declining a request to join: managers
// only, and there must be a request.
func CheckAnswerRequest(a CollaborativeAccess, userID int64, pending bool) error {
	if err := a.CheckManage(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return err
	}
	if !pending {
		return NoJoinRequest(userID)
	}
	return nil
}

// CheckRemoveMember is the rule of taking someone out of a collaborative: anyone may
// leave; managers remove others. The last lead can do neither to themselves nor be
// removed. leads counts the collaborative's leads now. Returns CheckSeeInside's and
// CheckManage's errors, not_found "not_a_member", conflict "last_lead".
func CheckRemoveMember(a CollaborativeAccess, userID int64, targetRole MemberRole, leads int) error {
	notFound := NotFoundCollaborative(a.Collaborative.Slug)
	self := a.Viewer != nil && a.Viewer.ID == userID
	if !self {
		if err := a.CheckManage(notFound); err != nil {
			return err
		}
	}
	if targetRole == MemberNone {
		if self && !a.CanSeeInside() {
			return notFound
		}
		return NotAMember(userID)
	}
	if targetRole == MemberRoleLead && leads <= 1 {
		return lastLead(a.Collaborative.Name)
	}
	return nil
}

// CheckRoleChange is the rule of promoting and demoting: managers only; the last lead
// cannot be made a member. Returns CheckManage's errors, not_found "not_a_member",
// conflict "last_lead".
func CheckRoleChange(a CollaborativeAccess, userID int64, from, to MemberRole, leads int) error {
	if err := a.CheckManage(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return err
	}
	if from == MemberNone {
		return NotAMember(userID)
	}
	if from == MemberRoleLead && to != MemberRoleLead && leads <= 1 {
		return lastLead(a.Collaborative.Name)
	}
	return nil
}

// CollaborativeFilter selects a page of the directory of collaboratives. Zero fields do
// not filter.
type CollaborativeFilter struct {
	Query    string // part of the name or description, regardless of case
	Cluster  string // a cluster's slug
	District string // a district's slug
	MemberID int64  // only those this person belongs to ("my collaboratives")
	Page     int
	PageSize int
}

// Normalize checks a filter and puts it in its stored form. Returns invalid naming the
// parameter: q, cluster, district or page.
func (f *CollaborativeFilter) Normalize() error {
	var err error
	if f.Query, err = CleanLine("q", f.Query); err != nil {
		return err
	}
	if len([]rune(f.Query)) > maxCollaborativeQueryLen {
		return Invalid("q", "too_long", "Search for at most %d characters.", maxCollaborativeQueryLen)
	}
	f.Query = SearchKey(f.Query)
	if f.Cluster != "" {
		if f.Cluster, err = ParseSlug("cluster", f.Cluster); err != nil {
			return err
		}
	}
	if f.District != "" {
		if f.District, err = ParseSlug("district", f.District); err != nil {
			return err
		}
	}
	if f.Page < 0 {
		return Invalid("page", "invalid_page", "page must be a whole number from 1.")
	}
	f.Page = max(f.Page, 1)
	if f.PageSize <= 0 || f.PageSize > MaxPageSize {
		f.PageSize = CollaborativePageSize
	}
	return nil
}

// CollaborativeChanges are a collaborative's checked changes, ready to store; nil leaves
// a field as it is. ClusterID 0 takes the collaborative out of its cluster.
type CollaborativeChanges struct {
	Name        *string
	Description *Rendered
	Visibility  *Visibility
	ClusterID   *int64
	DistrictIDs *[]int64
	Now         time.Time
}

// MemberChange names one person's membership and who changes it.
type MemberChange struct {
	Slug   string // the collaborative
	By     *User  // who acts
	UserID int64  // whose membership
	Role   MemberRole
	Now    time.Time
}

// MembershipStore keeps who belongs to which collaborative. Every write reads the
// collaborative and the actor's role in its own transaction and applies this file's
// rules to them; lead actions on others are written to the audit log in the same
// transaction, and changes are logged as events on the collaborative's topic.
type MembershipStore interface {
	// AddCollaborativeMember gives a person a role in a collaborative with no rule
	// checked: for seeding (the demo) and tests; people join through AddMember, Join
	// and invitations. Returns conflict "already_member".
	AddCollaborativeMember(ctx context.Context, collaborativeID, userID int64, role MemberRole, now time.Time) error
	// Collaboratives lists a page of collaboratives by name with the total, each with
	// its districts and Leads; f is normalized.
	Collaboratives(ctx context.Context, f CollaborativeFilter) ([]*Collaborative, int, error)
	// CollaborativesIn lists, by name, the collaboratives a district takes part in or a
	// cluster's collaboratives (exactly one of scope's ids is set).
	CollaborativesIn(ctx context.Context, scope DirectoryScope) ([]*Collaborative, error)
	// UpdateCollaborative changes the collaborative after CheckManage. Returns
	// NotFoundCollaborative and CheckManage's errors.
	UpdateCollaborative(ctx context.Context, by *User, slug string, ch CollaborativeChanges) (*Collaborative, error)
	// CollaborativeMembers lists up to limit members, leads first, then by name, and
	// counts them all.
	CollaborativeMembers(ctx context.Context, collaborativeID int64, limit int) ([]Member, int, error)
	// JoinRequests lists up to limit pending requests, oldest first.
	JoinRequests(ctx context.Context, collaborativeID int64, limit int) ([]JoinRequest, error)
	// HasJoinRequest reports whether the person has a pending request.
	HasJoinRequest(ctx context.Context, collaborativeID, userID int64) (bool, error)
	// Join makes ch.By a member or records their request (CheckJoin).
	Join(ctx context.Context, ch MemberChange) (JoinOutcome, error)
	// AnswerJoinRequest approves (a member now) or declines a request (CheckAnswerRequest).
	AnswerJoinRequest(ctx context.Context, ch MemberChange, approve bool) error
	// AddMember makes ch.UserID a member in ch.Role (CheckAddMember), answering any
	// request they had. Returns NotFoundUser for an unknown person.
	AddMember(ctx context.Context, ch MemberChange) (*Member, error)
	// RemoveMember takes ch.UserID out (CheckRemoveMember).
	RemoveMember(ctx context.Context, ch MemberChange) error
	// SetMemberRole changes ch.UserID's role to ch.Role (CheckRoleChange).
	SetMemberRole(ctx context.Context, ch MemberChange) (*Member, error)
	// AcceptCollaborativeInvite uses the invitation with hash for the signed-in person
	// ch.By: they become a member of its collaborative in its role, and it is used up.
	// Returns the invitation's errors (CheckInviteUsable, NotFoundInviteLink), invalid
	// "not_a_collaborative_invite" when it names no collaborative, conflict
	// "already_member" (the invitation stays unused).
	AcceptCollaborativeInvite(ctx context.Context, hash []byte, ch MemberChange) (*Collaborative, error)
}

// NotCollaborativeInvite is the answer for accepting, signed in, an invitation to the
// site rather than to a collaborative.
func NotCollaborativeInvite() *Error {
	return Coded(EInvalid, "not_a_collaborative_invite", "This invitation is for creating a new account. Sign out first to use it.")
}
