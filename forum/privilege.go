package forum

import "fmt"

// Privilege is an action that needs reputation.
type Privilege string

const (
	PrivUpvote    Privilege = "upvote"
	PrivDownvote  Privilege = "downvote"
	PrivComment   Privilege = "comment"
	PrivFlag      Privilege = "flag"
	PrivCreateTag Privilege = "create_tag"
	PrivCloseVote Privilege = "close_vote"
	PrivEdit      Privilege = "edit"
	PrivReview    Privilege = "review"
)

// privilegeNames say in words what each privilege allows, for refusals.
var privilegeNames = map[Privilege]string{
	PrivUpvote:    "Voting up",
	PrivDownvote:  "Voting down",
	PrivComment:   "Commenting",
	PrivFlag:      "Flagging",
	PrivCreateTag: "Creating a new tag",
	PrivCloseVote: "Voting to close or reopen",
	PrivEdit:      "Editing other people's posts",
	PrivReview:    "Reviewing",
}

// PrivilegeRules decide who holds a privilege. Privileges (a fixed preset) is one; the
// site settings (whose preset an admin may change) are another.
type PrivilegeRules interface {
	// Check returns nil when u may act, or forbidden "insufficient_reputation".
	Check(u *User, priv Privilege) error
	// Allowed reports whether u holds priv, for pages that show or hide a control.
	Allowed(u *User, priv Privilege) bool
}

// knownMemberPrivileges are held by known members from their first day, whatever their
// reputation: a teacher vouched for by an invitation or her district's domain can tag her
// questions (creating the tags a new site lacks) and vote up the answers that helped her.
// The rest still waits for reputation.
var knownMemberPrivileges = map[Privilege]bool{PrivCreateTag: true, PrivUpvote: true}

// Privileges is the reputation each privilege needs. The moderation package defines the
// presets (open, moderate, strict).
type Privileges map[Privilege]int

// Check returns nil when u may act, or forbidden "insufficient_reputation" naming the
// reputation needed. Moderators and admins hold every privilege; known members hold
// knownMemberPrivileges.
func (p Privileges) Check(u *User, priv Privilege) error {
	if u.Role.IsModerator() || u.Known && knownMemberPrivileges[priv] {
		return nil
	}
	need := p[priv]
	if u.Reputation >= need {
		return nil
	}
	return Coded(EForbidden, "insufficient_reputation", "%s needs %d reputation; you have %d.", privilegeNames[priv], need, u.Reputation)
}

// Allowed reports whether u holds priv, for pages that show or hide a control.
func (p Privileges) Allowed(u *User, priv Privilege) bool {
	return u != nil && p.Check(u, priv) == nil
}

// String lists the levels, for logs.
func (p Privileges) String() string {
	return fmt.Sprintf("upvote %d, downvote %d, comment %d, create tag %d, close %d, edit %d",
		p[PrivUpvote], p[PrivDownvote], p[PrivComment], p[PrivCreateTag], p[PrivCloseVote], p[PrivEdit])
}
