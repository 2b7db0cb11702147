package storetest

import (
	"context"
	"testing"

	"staffroom/forum"
)

// Collaboratives and their members (forum.CollaborativeStore).

// MustCollaborative creates a collaborative led by lead, failing the test on error.
func MustCollaborative(t *testing.T, s forum.CollaborativeStore, lead *forum.User, slug string, v forum.Visibility) *forum.Collaborative {
	t.Helper()
	g, err := s.CreateCollaborative(context.Background(), forum.NewCollaborative{
		Slug: slug, Name: "Group " + slug, Visibility: v, CreatedBy: lead.ID, Now: t0,
		Description: forum.Rendered{Text: "About *" + slug + "*", HTML: "<p>About <em>" + slug + "</em></p>"},
	})
	if err != nil {
		t.Fatalf("create collaborative %s: %v", slug, err)
	}
	return g
}

func testCollaboratives(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("creator leads; slug is unique", func(t *testing.T) {
		s := open(t)
		lead := MustCreateUser(t, s, "lead")
		other := MustCreateUser(t, s, "other")
		c := mustCluster(t, s, "prairie", "Prairie Cluster")
		d := mustDistrict(t, s, forum.NewDistrict{Name: "Maple Unified", State: "IL"})
		g, err := s.CreateCollaborative(ctx, forum.NewCollaborative{
			Slug: "ct-framework", Name: "Computational thinking", Visibility: forum.VisibilityPublic,
			ClusterID: c.ID, DistrictIDs: []int64{d.ID, d.ID}, CreatedBy: lead.ID, Now: t0,
		})
		check(t, err)
		if g.ID == 0 || g.Slug != "ct-framework" || g.Members != 1 || g.Cluster == nil || g.Cluster.Slug != "prairie" ||
			len(g.Districts) != 1 || g.Districts[0].ID != d.ID || !g.CreatedAt.Equal(t0) || g.Private() {
			t.Fatalf("created %+v", g)
		}
		_, err = s.CreateCollaborative(ctx, forum.NewCollaborative{Slug: "ct-framework", Name: "Again",
			Visibility: forum.VisibilityPrivate, CreatedBy: other.ID, Now: t0})
		wantCode(t, err, forum.EConflict, "slug_taken")

		a := must(s.CollaborativeAccess(ctx, "ct-framework", lead)).ok(t)
		if a.Role != forum.MemberRoleLead || !a.CanManage() {
			t.Errorf("creator's access = %+v", a)
		}
		a = must(s.CollaborativeAccess(ctx, "ct-framework", other)).ok(t)
		if a.Role != forum.MemberNone || a.CanManage() || !a.CanSeeInside() {
			t.Errorf("non-member's access to a public group = %+v", a)
		}
		_, err = s.CollaborativeBySlug(ctx, "nope")
		wantCode(t, err, forum.ENotFound, "")
		_, err = s.CollaborativeAccess(ctx, "nope", lead)
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("a private group's insides are its members'", func(t *testing.T) {
		s := open(t)
		admin := MustCreateUser(t, s, "admin") // the first account is the site's admin
		lead := MustCreateUser(t, s, "lead")
		other := MustCreateUser(t, s, "other")
		MustCollaborative(t, s, lead, "ell-resources", forum.VisibilityPrivate)
		for _, tc := range []struct {
			who        *forum.User
			see, write bool
		}{{nil, false, false}, {other, false, false}, {lead, true, true}, {admin, true, true}} {
			a := must(s.CollaborativeAccess(ctx, "ell-resources", tc.who)).ok(t)
			if a.CanSeeInside() != tc.see || a.CanTakePart() != tc.write {
				t.Errorf("%v: see %v write %v, want %v %v", tc.who, a.CanSeeInside(), a.CanTakePart(), tc.see, tc.write)
			}
		}
	})
}
