package forum

import (
	"context"
	"fmt"
	"time"
)

// The demo's collaboratives: a public working group writing a computational thinking
// framework, and a private one reviewing resources for English-language learners, with
// their leads, members and a request waiting. Channels, meetings and questions inside them
// come from those features' own demo seeds, which find them by these slugs.

// DemoCollaborative is a collaborative of the demo.
type DemoCollaborative struct {
	Slug, Name, Description string
	Visibility              Visibility
	Cluster                 string   // a demo cluster's slug
	Districts               []string // demo districts' slugs
	Leads, Members          []string // usernames; the first lead starts it
	Requests                []string // usernames waiting for an answer
}

// DemoCollaboratives are the demo's collaboratives. Other features' demo seeds rely on
// these slugs: ct-framework and ell-resources.
var DemoCollaboratives = []DemoCollaborative{
	{
		Slug: "ct-framework", Name: "Computational thinking framework", Visibility: VisibilityPublic,
		Description: "Districts of the Great Lakes cluster writing a **K-12 framework for computational thinking** " +
			"across subjects: decomposition, patterns, abstraction and algorithms, with classroom examples for each grade band.\n\n" +
			"We meet in person each spring and fall; in between we draft in the channels and review at monthly calls.",
		Cluster: "great-lakes", Districts: []string{"riverside", "harbor-point", "lakeshore", "north-prairie"},
		Leads: []string{"tkowalski", "sam.nguyen"}, Members: []string{"olu.cs", "rfitzgerald", "jchen.math", "aisha_b"},
	},
	{
		Slug: "ell-resources", Name: "ELL resources review", Visibility: VisibilityPrivate,
		Description: "Teachers and coaches reviewing curriculum resources for **English-language learners** before " +
			"the network recommends them. Private while reviews are in draft; finished reviews are published as questions.",
		Cluster: "prairie-plains", Districts: []string{"cedar-valley", "north-prairie", "sandhills"},
		Leads: []string{"lgarcia-ell"}, Members: []string{"dokafor", "kyamamoto", "pwhitfield"},
		Requests: []string{"coach_ben"},
	},
}

// SeedDemoCollaboratives stores the demo's collaboratives, after SeedDemoDirectory,
// through the stores' own methods: started by their first lead, the others added by them.
func SeedDemoCollaboratives(ctx context.Context, groups CollaborativeStore, members MembershipStore, dir DirectoryStore,
	users UserStore, render Renderer, now time.Time) error {
	user := func(name string) (*User, error) {
		u, err := users.UserByLogin(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("demo person %s: %w", name, err)
		}
		return u, nil
	}
	for _, dc := range DemoCollaboratives {
		lead, err := user(dc.Leads[0])
		if err != nil {
			return err
		}
		html, err := render.Body(dc.Description)
		if err != nil {
			return err
		}
		nc := NewCollaborative{Slug: dc.Slug, Name: dc.Name, Description: Rendered{dc.Description, html}, Visibility: dc.Visibility,
			CreatedBy: lead.ID, Now: now}
		c, err := dir.ClusterBySlug(ctx, dc.Cluster)
		if err != nil {
			return fmt.Errorf("demo collaborative %s: %w", dc.Slug, err)
		}
		nc.ClusterID = c.ID
		for _, slug := range dc.Districts {
			d, err := dir.DistrictBySlug(ctx, slug)
			if err != nil {
				return fmt.Errorf("demo collaborative %s: %w", dc.Slug, err)
			}
			nc.DistrictIDs = append(nc.DistrictIDs, d.ID)
		}
		if _, err := groups.CreateCollaborative(ctx, nc); err != nil {
			return fmt.Errorf("demo collaborative %s: %w", dc.Slug, err)
		}
		add := func(names []string, role MemberRole) error {
			for _, name := range names {
				u, err := user(name)
				if err != nil {
					return err
				}
				if _, err := members.AddMember(ctx, MemberChange{Slug: dc.Slug, By: lead, UserID: u.ID, Role: role, Now: now}); err != nil {
					return fmt.Errorf("demo collaborative %s, %s: %w", dc.Slug, name, err)
				}
			}
			return nil
		}
		if err := add(dc.Leads[1:], MemberRoleLead); err != nil {
			return err
		}
		if err := add(dc.Members, MemberRoleMember); err != nil {
			return err
		}
		for _, name := range dc.Requests {
			u, err := user(name)
			if err != nil {
				return err
			}
			if _, err := members.Join(ctx, MemberChange{Slug: dc.Slug, By: u, UserID: u.ID, Now: now}); err != nil {
				return fmt.Errorf("demo collaborative %s, request of %s: %w", dc.Slug, name, err)
			}
		}
	}
	return nil
}
