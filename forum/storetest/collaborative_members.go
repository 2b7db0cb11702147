package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"staffroom/forum"
)

// Members of collaboratives and their directory (forum.MembershipStore).

func change(slug string, by *forum.User, userID int64, role forum.MemberRole) forum.MemberChange {
	return forum.MemberChange{Slug: slug, By: by, UserID: userID, Role: role, Now: t0.Add(time.Hour)}
}

// roleOf is the person's role in the collaborative now.
func roleOf(t *testing.T, s Store, slug string, u *forum.User) forum.MemberRole {
	t.Helper()
	return must(s.CollaborativeAccess(context.Background(), slug, u)).ok(t).Role
}

// topicEvents names the events logged on a collaborative's topic, in order.
func topicEvents(t *testing.T, s Store, slug string) []string {
	t.Helper()
	evs := must(s.EventsSince(context.Background(), forum.TopicCollaborative(slug), 0, 100, 1<<20)).ok(t)
	var names []string
	for _, e := range evs {
		names = append(names, e.Name)
	}
	return names
}

func testMembership(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("the demo's collaboratives", func(t *testing.T) { testDemoCollaboratives(t, open) })
	t.Run("joining a public group is at once; twice is a conflict", func(t *testing.T) {
		s := open(t)
		lead := MustCreateUser(t, s, "lead")
		ana := MustCreateUser(t, s, "ana")
		MustCollaborative(t, s, lead, "ct-framework", forum.VisibilityPublic)
		out := must(s.Join(ctx, change("ct-framework", ana, ana.ID, ""))).ok(t)
		if out != forum.JoinedNow || roleOf(t, s, "ct-framework", ana) != forum.MemberRoleMember {
			t.Fatalf("join = %s, role %s", out, roleOf(t, s, "ct-framework", ana))
		}
		_, err := s.Join(ctx, change("ct-framework", ana, ana.ID, ""))
		wantCode(t, err, forum.EConflict, "already_member")
		_, err = s.Join(ctx, change("nope", ana, ana.ID, ""))
		wantCode(t, err, forum.ENotFound, "")
		if got := topicEvents(t, s, "ct-framework"); !slices.Equal(got, []string{forum.EventMemberJoined}) {
			t.Errorf("events = %v", got)
		}
		g := must(s.CollaborativeBySlug(ctx, "ct-framework")).ok(t)
		if g.Members != 2 {
			t.Errorf("members = %d", g.Members)
		}
	})
	t.Run("a private group takes requests that leads approve or decline", func(t *testing.T) {
		s := open(t)
		lead := MustCreateUser(t, s, "lead")
		ana := MustCreateUser(t, s, "ana")
		ben := MustCreateUser(t, s, "ben")
		g := MustCollaborative(t, s, lead, "ell-resources", forum.VisibilityPrivate)
		for _, u := range []*forum.User{ana, ben} {
			if out := must(s.Join(ctx, change("ell-resources", u, u.ID, ""))).ok(t); out != forum.JoinRequested {
				t.Fatalf("join = %s", out)
			}
		}
		_, err := s.Join(ctx, change("ell-resources", ana, ana.ID, ""))
		wantCode(t, err, forum.EConflict, "request_pending")
		if roleOf(t, s, "ell-resources", ana) != forum.MemberNone {
			t.Fatal("a request made a member")
		}
		if !must(s.HasJoinRequest(ctx, g.ID, ana.ID)).ok(t) || must(s.HasJoinRequest(ctx, g.ID, lead.ID)).ok(t) {
			t.Fatal("HasJoinRequest is wrong")
		}
		reqs := must(s.JoinRequests(ctx, g.ID, 10)).ok(t)
		if len(reqs) != 2 || reqs[0].User.ID != ana.ID || !reqs[0].RequestedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("requests = %+v", reqs)
		}
		// Only a manager answers; a requester cannot approve themselves.
		wantCode(t, s.AnswerJoinRequest(ctx, change("ell-resources", ana, ana.ID, ""), true), forum.ENotFound, "")
		check(t, s.AnswerJoinRequest(ctx, change("ell-resources", lead, ana.ID, ""), true))
		check(t, s.AnswerJoinRequest(ctx, change("ell-resources", lead, ben.ID, ""), false))
		wantCode(t, s.AnswerJoinRequest(ctx, change("ell-resources", lead, ben.ID, ""), true), forum.ENotFound, "no_request")
		if roleOf(t, s, "ell-resources", ana) != forum.MemberRoleMember || roleOf(t, s, "ell-resources", ben) != forum.MemberNone {
			t.Fatal("approve/decline did not take")
		}
		if reqs := must(s.JoinRequests(ctx, g.ID, 10)).ok(t); len(reqs) != 0 {
			t.Fatalf("requests left: %+v", reqs)
		}
		// Declined, ben may ask again.
		if out := must(s.Join(ctx, change("ell-resources", ben, ben.ID, ""))).ok(t); out != forum.JoinRequested {
			t.Fatalf("asking again = %s", out)
		}
	})
	t.Run("leads add, promote, demote and remove; the last lead stays", func(t *testing.T) {
		s := open(t)
		lead := MustCreateUser(t, s, "lead")
		ana := MustCreateUser(t, s, "ana")
		ben := MustCreateUser(t, s, "ben")
		g := MustCollaborative(t, s, lead, "ct-framework", forum.VisibilityPrivate)
		check(t, must(s.Join(ctx, change("ct-framework", ana, ana.ID, ""))).err)
		m := must(s.AddMember(ctx, change("ct-framework", lead, ana.ID, forum.MemberRoleMember))).ok(t)
		if m.User.ID != ana.ID || m.Role != forum.MemberRoleMember {
			t.Fatalf("added %+v", m)
		}
		if must(s.HasJoinRequest(ctx, g.ID, ana.ID)).ok(t) {
			t.Error("adding left the request pending")
		}
		_, err := s.AddMember(ctx, change("ct-framework", lead, ana.ID, forum.MemberRoleMember))
		wantCode(t, err, forum.EConflict, "already_member")
		_, err = s.AddMember(ctx, change("ct-framework", ana, ben.ID, forum.MemberRoleMember))
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		_, err = s.AddMember(ctx, change("ct-framework", ben, ben.ID, forum.MemberRoleMember))
		wantCode(t, err, forum.ENotFound, "") // invisible to a non-member
		_, err = s.AddMember(ctx, change("ct-framework", lead, 9999, forum.MemberRoleMember))
		wantCode(t, err, forum.ENotFound, "")

		// The only lead can neither leave, be removed nor be demoted.
		wantCode(t, s.RemoveMember(ctx, change("ct-framework", lead, lead.ID, "")), forum.EConflict, "last_lead")
		_, err = s.SetMemberRole(ctx, change("ct-framework", lead, lead.ID, forum.MemberRoleMember))
		wantCode(t, err, forum.EConflict, "last_lead")
		_, err = s.SetMemberRole(ctx, change("ct-framework", ana, ana.ID, forum.MemberRoleLead))
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		_, err = s.SetMemberRole(ctx, change("ct-framework", lead, ben.ID, forum.MemberRoleLead))
		wantCode(t, err, forum.ENotFound, "not_a_member")

		m = must(s.SetMemberRole(ctx, change("ct-framework", lead, ana.ID, forum.MemberRoleLead))).ok(t)
		if m.Role != forum.MemberRoleLead || !m.JoinedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("promoted %+v", m)
		}
		members, total := must2(s.CollaborativeMembers(ctx, g.ID, 10)).ok(t)
		if total != 2 || len(members) != 2 || members[0].Role != forum.MemberRoleLead || members[1].Role != forum.MemberRoleLead {
			t.Fatalf("members = %d %+v", total, members)
		}
		// Two leads: the first may step down and leave.
		check(t, s.RemoveMember(ctx, change("ct-framework", lead, lead.ID, "")))
		if roleOf(t, s, "ct-framework", lead) != forum.MemberNone {
			t.Fatal("leaving did not take")
		}
		wantCode(t, s.RemoveMember(ctx, change("ct-framework", ana, ana.ID, "")), forum.EConflict, "last_lead")
		wantCode(t, s.RemoveMember(ctx, change("ct-framework", ana, lead.ID, "")), forum.ENotFound, "not_a_member")
		check(t, must(s.AddMember(ctx, change("ct-framework", ana, ben.ID, forum.MemberRoleMember))).err)
		wantCode(t, s.RemoveMember(ctx, change("ct-framework", ben, ana.ID, "")), forum.EForbidden, "not_a_lead")
		check(t, s.RemoveMember(ctx, change("ct-framework", ana, ben.ID, "")))
		members, total = must2(s.CollaborativeMembers(ctx, g.ID, 0)).ok(t)
		if total != 1 || members[0].User.ID != ana.ID {
			t.Fatalf("members = %+v", members)
		}
		want := []string{forum.EventMemberJoined, forum.EventMemberRoleChanged, forum.EventMemberLeft, forum.EventMemberJoined, forum.EventMemberLeft}
		if got := topicEvents(t, s, "ct-framework"); !slices.Equal(got, want) {
			t.Errorf("events = %v, want %v", got, want)
		}
	})
	t.Run("moderators manage every group", func(t *testing.T) {
		s := open(t)
		admin := MustCreateUser(t, s, "admin")
		lead := MustCreateUser(t, s, "lead")
		ana := MustCreateUser(t, s, "ana")
		MustCollaborative(t, s, lead, "ell-resources", forum.VisibilityPrivate)
		check(t, must(s.AddMember(ctx, change("ell-resources", admin, ana.ID, forum.MemberRoleLead))).err)
		check(t, s.RemoveMember(ctx, change("ell-resources", admin, lead.ID, "")))
		if roleOf(t, s, "ell-resources", ana) != forum.MemberRoleLead {
			t.Fatal("admin's add did not take")
		}
	})
	t.Run("settings change; the directory filters and lists leads", func(t *testing.T) {
		s := open(t)
		lead := MustCreateUser(t, s, "lead")
		other := MustCreateUser(t, s, "other")
		c := mustCluster(t, s, "prairie", "Prairie Cluster")
		d1 := mustDistrict(t, s, forum.NewDistrict{Name: "Maple Unified", State: "IL"})
		d2 := mustDistrict(t, s, forum.NewDistrict{Name: "Cedar Valley", State: "IA"})
		MustCollaborative(t, s, lead, "ct-framework", forum.VisibilityPublic)
		MustCollaborative(t, s, other, "ell-resources", forum.VisibilityPrivate)
		name, vis := "Computational thinking framework", forum.VisibilityPrivate
		desc := forum.Rendered{Text: "Writing a *framework*.", HTML: "<p>Writing a <em>framework</em>.</p>"}
		_, err := s.UpdateCollaborative(ctx, other, "ct-framework", forum.CollaborativeChanges{Name: &name, Now: t0})
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		g := must(s.UpdateCollaborative(ctx, lead, "ct-framework", forum.CollaborativeChanges{Name: &name, Description: &desc,
			Visibility: &vis, ClusterID: &c.ID, DistrictIDs: &[]int64{d2.ID, d1.ID}, Now: t0.Add(time.Hour)})).ok(t)
		if g.Name != name || g.DescriptionHTML != desc.HTML || !g.Private() || g.Cluster == nil || g.Cluster.Slug != "prairie" ||
			len(g.Districts) != 2 || g.Districts[0].ID != d2.ID || !g.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("updated %+v", g)
		}
		none := int64(0)
		g = must(s.UpdateCollaborative(ctx, lead, "ct-framework", forum.CollaborativeChanges{ClusterID: &none,
			DistrictIDs: &[]int64{d1.ID}, Now: t0})).ok(t)
		if g.Cluster != nil || len(g.Districts) != 1 || g.Name != name {
			t.Fatalf("updated again %+v", g)
		}
		check(t, must(s.UpdateCollaborative(ctx, lead, "ct-framework", forum.CollaborativeChanges{ClusterID: &c.ID, Now: t0})).err)

		list := func(f forum.CollaborativeFilter) []string {
			t.Helper()
			check(t, f.Normalize())
			items, total := must2(s.Collaboratives(ctx, f)).ok(t)
			if total != len(items) {
				t.Fatalf("total %d for %d items", total, len(items))
			}
			var slugs []string
			for _, g := range items {
				slugs = append(slugs, g.Slug)
			}
			return slugs
		}
		for _, tc := range []struct {
			f    forum.CollaborativeFilter
			want []string
		}{
			{forum.CollaborativeFilter{}, []string{"ct-framework", "ell-resources"}}, // by name: "Computational" < "Group ell"
			{forum.CollaborativeFilter{Cluster: "prairie"}, []string{"ct-framework"}},
			{forum.CollaborativeFilter{District: d1.Slug}, []string{"ct-framework"}},
			{forum.CollaborativeFilter{District: d2.Slug}, nil},
			{forum.CollaborativeFilter{Query: "THINKING"}, []string{"ct-framework"}},
			{forum.CollaborativeFilter{Query: "framework*"}, []string{"ct-framework"}}, // the description
			{forum.CollaborativeFilter{Query: "100%"}, nil},
			{forum.CollaborativeFilter{MemberID: other.ID}, []string{"ell-resources"}},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
			}
		}
		f := forum.CollaborativeFilter{}
		check(t, f.Normalize())
		items, _ := must2(s.Collaboratives(ctx, f)).ok(t)
		if len(items[0].Leads) != 1 || items[0].Leads[0].ID != lead.ID || len(items[0].Districts) != 1 {
			t.Fatalf("listing = %+v", items[0])
		}
		f = forum.CollaborativeFilter{PageSize: 1, Page: 2}
		check(t, f.Normalize())
		items, total := must2(s.Collaboratives(ctx, f)).ok(t)
		if total != 2 || len(items) != 1 || items[0].Slug != "ell-resources" {
			t.Fatalf("page 2 = %d %+v", total, items)
		}
		in := must(s.CollaborativesIn(ctx, forum.DirectoryScope{DistrictID: d1.ID})).ok(t)
		if len(in) != 1 || in[0].Slug != "ct-framework" {
			t.Fatalf("in district = %+v", in)
		}
		in = must(s.CollaborativesIn(ctx, forum.DirectoryScope{ClusterID: c.ID})).ok(t)
		if len(in) != 1 {
			t.Fatalf("in cluster = %+v", in)
		}
	})
	t.Run("an invitation to a group makes a member", func(t *testing.T) {
		s := open(t)
		lead := MustCreateUser(t, s, "lead")
		ana := MustCreateUser(t, s, "ana")
		MustCollaborative(t, s, lead, "ell-resources", forum.VisibilityPrivate)
		newInvite := func(hash string, role forum.MemberRole, collaborative string) {
			inv := &forum.Invite{Role: forum.RoleMember, Collaborative: collaborative, CollaborativeRole: role, CreatedBy: lead,
				CreatedAt: t0, ExpiresAt: t0.Add(forum.DefaultInviteTTL)}
			check(t, s.CreateInvite(ctx, inv, []byte(hash)))
		}
		newInvite("to-lead", forum.MemberRoleLead, "ell-resources")
		newInvite("to-member", forum.MemberRoleMember, "ell-resources")
		newInvite("to-site", forum.MemberRoleMember, "")
		got := must(s.InviteByHash(ctx, []byte("to-lead"))).ok(t)
		if got.Collaborative != "ell-resources" || got.CollaborativeRole != forum.MemberRoleLead {
			t.Fatalf("invite = %+v", got)
		}
		// Signed in: accepting makes them a member in the invitation's role, once.
		g := must(s.AcceptCollaborativeInvite(ctx, []byte("to-lead"), change("", ana, ana.ID, ""))).ok(t)
		if g.Slug != "ell-resources" || roleOf(t, s, "ell-resources", ana) != forum.MemberRoleLead {
			t.Fatalf("accepted into %+v as %s", g, roleOf(t, s, "ell-resources", ana))
		}
		_, err := s.AcceptCollaborativeInvite(ctx, []byte("to-lead"), change("", ana, ana.ID, ""))
		wantCode(t, err, forum.EGone, "invite_used")
		_, err = s.AcceptCollaborativeInvite(ctx, []byte("to-member"), change("", ana, ana.ID, ""))
		wantCode(t, err, forum.EConflict, "already_member")
		if must(s.InviteByHash(ctx, []byte("to-member"))).ok(t).UsedAt != nil {
			t.Fatal("a refused acceptance used the invitation")
		}
		_, err = s.AcceptCollaborativeInvite(ctx, []byte("to-site"), change("", ana, ana.ID, ""))
		wantCode(t, err, forum.EInvalid, "not_a_collaborative_invite")
		_, err = s.AcceptCollaborativeInvite(ctx, []byte("nobody's"), change("", ana, ana.ID, ""))
		wantCode(t, err, forum.ENotFound, "")
		// Signing up with one makes the new account a member in the same transaction.
		u, err := s.CreateUser(ctx, forum.NewUser{Username: "ben", Email: "ben@example.org", DisplayName: "Ben", PasswordHash: "x",
			Role: forum.RoleMember, JoinedVia: forum.JoinedInvite, Invite: []byte("to-member")}, t0)
		check(t, err)
		if roleOf(t, s, "ell-resources", u) != forum.MemberRoleMember {
			t.Fatal("signing up with the invitation made no member")
		}
	})
}

func testDemoCollaboratives(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.SeedDemo(ctx, forum.Demo, t0); err != nil {
		t.Fatal(err)
	}
	check(t, forum.SeedDemoDirectory(ctx, s, s, escapeRenderer{}, t0))
	check(t, forum.SeedDemoCollaboratives(ctx, s, s, s, s, escapeRenderer{}, t0))
	for _, dc := range forum.DemoCollaboratives {
		g := must(s.CollaborativeBySlug(ctx, dc.Slug)).ok(t)
		if g.Name != dc.Name || g.Visibility != dc.Visibility || g.Members != len(dc.Leads)+len(dc.Members) ||
			g.Cluster == nil || g.Cluster.Slug != dc.Cluster || len(g.Districts) != len(dc.Districts) || g.DescriptionHTML == "" {
			t.Errorf("demo collaborative %s: %+v", dc.Slug, g)
		}
		members, _ := must2(s.CollaborativeMembers(ctx, g.ID, 0)).ok(t)
		leads := 0
		for _, m := range members {
			if m.Role == forum.MemberRoleLead {
				leads++
			}
		}
		if leads != len(dc.Leads) {
			t.Errorf("demo collaborative %s has %d leads", dc.Slug, leads)
		}
		if reqs := must(s.JoinRequests(ctx, g.ID, 10)).ok(t); len(reqs) != len(dc.Requests) {
			t.Errorf("demo collaborative %s has %d requests", dc.Slug, len(reqs))
		}
	}
	slugs := []string{forum.DemoCollaboratives[0].Slug, forum.DemoCollaboratives[1].Slug}
	if !slices.Equal(slugs, []string{"ct-framework", "ell-resources"}) {
		t.Errorf("the demo's slugs changed: %v; other features' demos use them", slugs)
	}
}

// result2 is must's for calls that return two values.
type result2[A, B any] struct {
	a   A
	b   B
	err error
}

func must2[A, B any](a A, b B, err error) result2[A, B] { return result2[A, B]{a, b, err} }

func (r result2[A, B]) ok(t *testing.T) (A, B) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.a, r.b
}
