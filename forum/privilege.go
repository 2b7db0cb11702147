package forum

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

// privilegeOrder numbers the privileges, for refusals that name one without a string.
var privilegeOrder = [...]Privilege{PrivUpvote, PrivDownvote, PrivComment, PrivFlag, PrivCreateTag, PrivCloseVote, PrivEdit, PrivReview}

// privilegeIndex is priv's place in privilegeOrder.
func privilegeIndex(priv Privilege) uint8 {
	for i, p := range privilegeOrder {
		if p == priv {
			return uint8(i)
		}
	}
	panic("forum: privilege " + string(priv) + " is not in privilegeOrder")
}

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
	// Rules returns the privileges in force now: a preset changed in the admin area
	// applies from the next call.
	Rules() Privileges
}

// Rules implements PrivilegeRules: fixed privileges are always in force.
func (p Privileges) Rules() Privileges { return p }

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
func (p Privileges) Check(u *User, priv Privilege) error { return p.check(u, priv).err() }

func (p Privileges) check(u *User, priv Privilege) refusal {
	if u.Role.IsModerator() || u.Known && knownMemberPrivileges[priv] {
		return refusal{}
	}
	need := p[priv]
	if u.Reputation >= need {
		return refusal{}
	}
	return refusal{kind: lacksPrivilege, priv: privilegeIndex(priv), need: int32(need), have: int32(u.Reputation)}
}

// Allowed reports whether u holds priv, for pages that show or hide a control.
func (p Privileges) Allowed(u *User, priv Privilege) bool {
	return u != nil && p.Check(u, priv) == nil
}
