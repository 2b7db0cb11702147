package forum

import "context"

// Community is the picture of the site the home page shows a newcomer: who is here and
// from where. Later features add questions and collaboratives to it.
type Community struct {
	Members   int
	Districts []DistrictMembers
	Newest    []*User
}

// DistrictMembers is a district with how many people belong to it.
type DistrictMembers struct {
	District
	Members int
}

// CommunityStore reads the community overview.
type CommunityStore interface {
	// Community returns member counts by district (districts with members only: an
	// imported directory holds many nobody has joined from yet) and the newest members.
	Community(ctx context.Context) (*Community, error)
}
