package moderation

import (
	"fmt"

	"staffroom/forum"
)

// privilegePresets are the reputation levels a site chooses among with
// STAFFROOM_PRIVILEGES. "moderate" suits a new network of teachers: voting up and
// commenting come at once or soon; closing and editing others' posts need an established
// member. "strict" is Stack Overflow's.
var privilegePresets = map[string]forum.Privileges{
	"open": {
		forum.PrivUpvote: 1, forum.PrivDownvote: 1, forum.PrivComment: 1, forum.PrivFlag: 1,
		forum.PrivCreateTag: 1, forum.PrivCloseVote: 1, forum.PrivEdit: 1, forum.PrivReview: 1,
	},
	"moderate": {
		forum.PrivUpvote: 15, forum.PrivDownvote: 125, forum.PrivComment: 1, forum.PrivFlag: 15,
		forum.PrivCreateTag: 100, forum.PrivCloseVote: 500, forum.PrivEdit: 1000, forum.PrivReview: 350,
	},
	"strict": {
		forum.PrivUpvote: 15, forum.PrivDownvote: 125, forum.PrivComment: 50, forum.PrivFlag: 15,
		forum.PrivCreateTag: 1500, forum.PrivCloseVote: 3000, forum.PrivEdit: 2000, forum.PrivReview: 500,
	},
}

// PrivilegePreset returns the named preset: open, moderate or strict.
func PrivilegePreset(name string) (forum.Privileges, error) {
	p, ok := privilegePresets[name]
	if !ok {
		return nil, fmt.Errorf("privileges must be open, moderate or strict, not %q", name)
	}
	return p, nil
}
