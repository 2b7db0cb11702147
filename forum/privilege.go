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

// Privileges is the reputation each privilege needs. The moderation package defines the
// presets (open, moderate, strict).
type Privileges map[Privilege]int

// Check returns nil when u may act, or forbidden "insufficient_reputation" naming the
// reputation needed. Moderators and admins hold every privilege.
func (p Privileges) Check(u *User, priv Privilege) error { return p.check(u, priv).err() }

func (p Privileges) check(u *User, priv Privilege) refusal {
	if u.Role.IsModerator() || u.Reputation >= p[priv] {
		return refusal{}
	}
	return refusal{kind: lacksPrivilege, priv: priv, need: p[priv], have: u.Reputation}
}

// Allowed reports whether u holds priv, for pages that show or hide a control.
func (p Privileges) Allowed(u *User, priv Privilege) bool {
	return u != nil && p.Check(u, priv) == nil
}
