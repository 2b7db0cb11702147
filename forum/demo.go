package forum

import (
	"context"
	"time"
)

// DemoDistrict and DemoPerson describe the demo community a new site starts with, so a
// newcomer sees a living site rather than an empty one. Demo accounts cannot sign in and
// never become admin. Later features add their own demo content beside these.
type DemoDistrict struct {
	Slug, Name string
}

// DemoPerson is a demo account; JoinedDaysAgo spreads sign-ups over the past weeks.
type DemoPerson struct {
	Username, DisplayName, District string // District is a DemoDistrict slug
	Role                            string
	JoinedDaysAgo                   int
}

// DemoCommunity is the whole demo.
type DemoCommunity struct {
	Districts []DemoDistrict
	People    []DemoPerson
}

// DemoSeeder stores a demo community.
type DemoSeeder interface {
	// SeedDemo stores the demo in one transaction if, and only if, the site has no
	// accounts yet. It reports whether it did.
	SeedDemo(ctx context.Context, demo DemoCommunity, now time.Time) (bool, error)
}

// Demo is the community a fresh Staffroom starts with: teachers, coaches and leaders from a
// league of districts.
var Demo = DemoCommunity{
	Districts: []DemoDistrict{
		{"riverside", "Riverside Unified"},
		{"cedar-valley", "Cedar Valley Schools"},
		{"harbor-point", "Harbor Point Public Schools"},
		{"north-prairie", "North Prairie School District"},
		{"lakeshore", "Lakeshore Community Schools"},
	},
	People: []DemoPerson{
		{"mrivera", "Marisol Rivera", "riverside", "moderator", 61},
		{"dokafor", "Daniel Okafor", "cedar-valley", "member", 58},
		{"jchen.math", "Jenny Chen", "harbor-point", "member", 55},
		{"tkowalski", "Tom Kowalski", "north-prairie", "member", 49},
		{"aisha_b", "Aisha Bello", "riverside", "member", 44},
		{"sam.nguyen", "Sam Nguyen", "lakeshore", "member", 40},
		{"lgarcia-ell", "Lucía García", "cedar-valley", "member", 33},
		{"pwhitfield", "Priya Whitfield", "harbor-point", "moderator", 29},
		{"coach_ben", "Ben Adeyemi", "north-prairie", "member", 21},
		{"hmorrison", "Hannah Morrison", "lakeshore", "member", 17},
		{"rfitzgerald", "Ray Fitzgerald", "riverside", "member", 12},
		{"kyamamoto", "Keiko Yamamoto", "cedar-valley", "member", 8},
		{"olu.cs", "Olu Adebayo", "harbor-point", "member", 4},
		{"elena.p", "Elena Petrova", "north-prairie", "member", 2},
	},
}

// SeedDemo creates the demo community on an empty site.
func SeedDemo(ctx context.Context, s DemoSeeder, now time.Time) (bool, error) {
	return s.SeedDemo(ctx, Demo, now)
}
