package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// testInvites: an invitation is claimed by the account it creates, in the same
// transaction, once; used, revoked and expired ones create nothing.
func testInvites(t *testing.T, open Opener) {
	ctx := context.Background()
	newInvite := func(t *testing.T, s Store, by *forum.User, email string, ttl time.Duration) *forum.Invite {
		t.Helper()
		inv := &forum.Invite{Email: email, Role: forum.RoleMember, CreatedBy: by, CreatedAt: t0, ExpiresAt: t0.Add(ttl)}
		if err := s.CreateInvite(ctx, inv, []byte("invite-"+email)); err != nil || inv.ID == 0 {
			t.Fatalf("create invite: id %d, %v", inv.ID, err)
		}
		return inv
	}
	join := func(s Store, username string, hash []byte, at time.Time) (*forum.User, error) {
		return s.CreateUser(ctx, forum.NewUser{Username: username, Email: username + "@example.org", DisplayName: username,
			Role: forum.RoleMember, JoinedVia: forum.JoinedInvite, Invite: hash}, at)
	}
	t.Run("used once, by the account it creates, which is known", func(t *testing.T) {
		s := open(t)
		admin := MustCreateUser(t, s, "admin")
		inv := newInvite(t, s, admin, "a@example.org", forum.DefaultInviteTTL)
		got, err := s.InviteByHash(ctx, []byte("invite-a@example.org"))
		if err != nil || got.ID != inv.ID || got.Email != "a@example.org" || got.CreatedBy == nil || got.CreatedBy.ID != admin.ID ||
			!got.ExpiresAt.Equal(t0.Add(forum.DefaultInviteTTL)) || got.State(t0) != "pending" {
			t.Fatalf("invite = %+v, %v", got, err)
		}
		u, err := join(s, "invited", []byte("invite-a@example.org"), t0.Add(time.Hour))
		if err != nil || !u.Known || u.JoinedVia != forum.JoinedInvite {
			t.Fatalf("join = %+v, %v", u, err)
		}
		got, _ = s.InviteByHash(ctx, []byte("invite-a@example.org"))
		if got.State(t0.Add(time.Hour)) != "used" || got.UsedBy != u.ID {
			t.Fatalf("after use: %+v", got)
		}
		_, err = join(s, "second", []byte("invite-a@example.org"), t0.Add(2*time.Hour))
		wantCode(t, err, forum.EGone, "invite_used")
		if _, err := s.UserByLogin(ctx, "second"); !forum.IsKind(err, forum.ENotFound) {
			t.Fatalf("a refused invitation left an account behind: %v", err)
		}
		if pending, _ := s.Invites(ctx, forum.InviteFilter{Pending: true}); len(pending) != 0 {
			t.Fatalf("a used invitation is still pending: %+v", pending)
		}
	})
	t.Run("racing people with one link: exactly one account", func(t *testing.T) {
		s := open(t)
		MustCreateUser(t, s, "admin")
		newInvite(t, s, nil, "", forum.DefaultInviteTTL)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = join(s, "racer"+string(rune('a'+i)), []byte("invite-"), t0)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !forum.IsKind(err, forum.EGone) {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if n, _ := s.CountUsers(ctx); ok != 1 || n != 2 {
			t.Fatalf("%d joined, %d accounts; want 1 and 2", ok, n)
		}
	})
	t.Run("expired and revoked invitations create nothing", func(t *testing.T) {
		s := open(t)
		MustCreateUser(t, s, "admin")
		newInvite(t, s, nil, "old@example.org", time.Hour)
		_, err := join(s, "late", []byte("invite-old@example.org"), t0.Add(time.Hour))
		wantCode(t, err, forum.EGone, "invite_expired")
		inv := newInvite(t, s, nil, "w@example.org", time.Hour)
		if err := s.RevokeInvite(ctx, inv.ID, t0); err != nil {
			t.Fatal(err)
		}
		_, err = join(s, "withdrawn", []byte("invite-w@example.org"), t0)
		wantCode(t, err, forum.EGone, "invite_revoked")
		_, err = join(s, "nobody", []byte("no such invite"), t0)
		wantCode(t, err, forum.ENotFound, "")
		wantCode(t, s.RevokeInvite(ctx, 999, t0), forum.ENotFound, "")
		if n, _ := s.CountUsers(ctx); n != 1 {
			t.Fatalf("accounts = %d, want only the admin", n)
		}
	})
	t.Run("a used invitation cannot be revoked; the pending list is newest first", func(t *testing.T) {
		s := open(t)
		MustCreateUser(t, s, "admin")
		used := newInvite(t, s, nil, "used@example.org", time.Hour)
		if _, err := join(s, "joined", []byte("invite-used@example.org"), t0); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RevokeInvite(ctx, used.ID, t0), forum.EConflict, "invite_used")
		a := newInvite(t, s, nil, "p1@example.org", time.Hour)
		b := &forum.Invite{Role: forum.RoleModerator, CreatedAt: t0.Add(time.Minute), ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateInvite(ctx, b, []byte("b")); err != nil {
			t.Fatal(err)
		}
		list, err := s.Invites(ctx, forum.InviteFilter{Pending: true})
		if err != nil || len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID || list[0].Role != forum.RoleModerator {
			t.Fatalf("pending = %+v, %v", list, err)
		}
	})
}

// testPasswordResets: a link sets the password once and ends every sign-in; a new link
// replaces the old.
func testPasswordResets(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	admin, u := MustCreateUser(t, s, "admin"), MustCreateUser(t, s, "forgetful")
	for _, h := range []string{"s1", "s2"} {
		s.CreateSession(ctx, newSession(u.ID, h, t0))
	}
	s.CreateToken(ctx, &forum.APIToken{UserID: u.ID, Name: "script", Hash: []byte("tok"), CreatedAt: t0})
	old := &forum.PasswordReset{UserID: u.ID, CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(forum.DefaultResetTTL)}
	if err := s.CreatePasswordReset(ctx, old, []byte("old")); err != nil {
		t.Fatal(err)
	}
	r := &forum.PasswordReset{UserID: u.ID, CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(forum.DefaultResetTTL)}
	if err := s.CreatePasswordReset(ctx, r, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PasswordResetByHash(ctx, []byte("old")); !forum.IsKind(err, forum.ENotFound) {
		t.Fatalf("the replaced link still works: %v", err)
	}
	got, gu, err := s.PasswordResetByHash(ctx, []byte("new"))
	if err != nil || got.ID != r.ID || gu.ID != u.ID || got.CreatedBy != admin.ID || got.UsedAt != nil {
		t.Fatalf("link = %+v %+v %v", got, gu, err)
	}
	_, err = s.UsePasswordReset(ctx, []byte("new"), "new-hash", t0.Add(forum.DefaultResetTTL))
	wantCode(t, err, forum.EGone, "reset_expired")
	changed, err := s.UsePasswordReset(ctx, []byte("new"), "new-hash", t0.Add(time.Hour))
	if err != nil || changed.PasswordHash != "new-hash" {
		t.Fatalf("use = %+v, %v", changed, err)
	}
	if ss, _ := s.ListSessions(ctx, u.ID); len(ss) != 0 {
		t.Fatalf("%d sessions survive the reset", len(ss))
	}
	if ts, _ := s.ListTokens(ctx, u.ID); len(ts) != 0 {
		t.Fatalf("%d tokens survive the reset", len(ts))
	}
	_, err = s.UsePasswordReset(ctx, []byte("new"), "other-hash", t0.Add(2*time.Hour))
	wantCode(t, err, forum.EGone, "reset_used")
	_, err = s.UsePasswordReset(ctx, []byte("nothing"), "other-hash", t0)
	wantCode(t, err, forum.ENotFound, "")
	if got, _ := s.UserByID(ctx, u.ID); got.PasswordHash != "new-hash" {
		t.Fatalf("hash = %q after refused uses", got.PasswordHash)
	}
}

// testSiteSettings: settings are kept by name, saved together, replaced in place.
func testSiteSettings(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.SiteSettings(ctx); err != nil || len(got) != 0 {
		t.Fatalf("a new site's settings = %v, %v", got, err)
	}
	if err := s.SaveSiteSettings(ctx, map[string]string{"site_name": "Lakeview Staffroom", "signup": "invite"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSiteSettings(ctx, map[string]string{"signup": "domains"}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.SiteSettings(ctx)
	if err != nil || len(got) != 2 || got["site_name"] != "Lakeview Staffroom" || got["signup"] != "domains" {
		t.Fatalf("settings = %v, %v", got, err)
	}
}

// testPeople: search, disable (which ends sign-ins), and the admin count.
func testPeople(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	admin := MustCreateUser(t, s, "admin")
	rivera, _ := s.CreateUser(ctx, forum.NewUser{Username: "mrivera", Email: "m.rivera@lakeview.k12.us", DisplayName: "Marisol Rivera",
		Role: forum.RoleMember, JoinedVia: forum.JoinedDomain}, t0.Add(time.Minute))
	MustCreateUser(t, s, "okafor")
	if !rivera.Known || rivera.JoinedVia != forum.JoinedDomain {
		t.Fatalf("a sign-up by domain: known %v via %q", rivera.Known, rivera.JoinedVia)
	}
	for _, q := range []string{"rivera", "MARISOL", "lakeview.k12"} {
		got, total, err := s.People(ctx, forum.PeopleFilter{Query: q, Limit: 10})
		if err != nil || total != 1 || len(got) != 1 || got[0].ID != rivera.ID {
			t.Fatalf("People(%q) = %d of %d, %v", q, len(got), total, err)
		}
	}
	if got, total, _ := s.People(ctx, forum.PeopleFilter{Query: "%", Limit: 10}); total != 0 || len(got) != 0 {
		t.Fatalf("a wildcard matched %d people", total)
	}
	all, total, err := s.People(ctx, forum.PeopleFilter{Limit: 2})
	if err != nil || total != 3 || len(all) != 2 {
		t.Fatalf("first page: %d of %d, %v", len(all), total, err)
	}
	if _, total, _ := s.People(ctx, forum.PeopleFilter{Limit: 2, Offset: 10}); total != 3 {
		t.Fatalf("past the end the total is %d, want 3", total)
	}

	s.CreateSession(ctx, newSession(rivera.ID, "r1", t0))
	s.CreateToken(ctx, &forum.APIToken{UserID: rivera.ID, Name: "script", Hash: []byte("rt"), CreatedAt: t0})
	at := t0.Add(time.Hour)
	if err := s.SetDisabled(ctx, rivera.ID, &at); err != nil {
		t.Fatal(err)
	}
	got, _ := s.UserByID(ctx, rivera.ID)
	if got.DisabledAt == nil || !got.DisabledAt.Equal(at) {
		t.Fatalf("disabled at %v, want %v", got.DisabledAt, at)
	}
	if _, _, err := s.SessionByHash(ctx, []byte("r1")); !forum.IsKind(err, forum.ENotFound) {
		t.Fatalf("a disabled account's session survives: %v", err)
	}
	if _, _, err := s.TokenByHash(ctx, []byte("rt")); !forum.IsKind(err, forum.ENotFound) {
		t.Fatalf("a disabled account's token survives: %v", err)
	}
	if err := s.SetDisabled(ctx, rivera.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.UserByID(ctx, rivera.ID); got.DisabledAt != nil {
		t.Fatal("enabling left the account disabled")
	}
	wantCode(t, s.SetDisabled(ctx, 999, &at), forum.ENotFound, "")

	if n, err := s.CountAdmins(ctx); err != nil || n != 1 {
		t.Fatalf("admins = %d, %v", n, err)
	}
	s.SetDisabled(ctx, admin.ID, &at)
	if n, _ := s.CountAdmins(ctx); n != 0 {
		t.Fatalf("a disabled admin counts: %d", n)
	}
}

// testTagAdmin: creating, renaming and merging tags keep the links, the questions' own
// tag lists, the counts and the copied sort keys consistent: recount finds nothing.
func testTagAdmin(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	admin := MustCreateUser(t, s, "admin")
	if _, err := s.CreateTag(ctx, "literacy", "Reading and writing across subjects.", admin.ID, t0); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateTag(ctx, "literacy", "", admin.ID, t0)
	wantCode(t, err, forum.EConflict, "tag_exists")
	if tg, err := s.Tag(ctx, "literacy"); err != nil || tg.Count != 0 || tg.Excerpt == "" {
		t.Fatalf("created tag = %+v, %v", tg, err)
	}

	q1 := MustAsk(t, s, admin, "How do you run reading groups in grade 3?", "reading", "grade-3")
	q2 := MustAsk(t, s, admin, "Which decodable texts work for older readers?", "reading", "literacy")
	q3 := MustAsk(t, s, admin, "How do you grade reading journals fairly?", "grading", "reading")
	MustAnswer(t, s, admin, q3)

	// Rename: every question shows the new name; lists by the new name find them.
	wantCode(t, s.RenameTag(ctx, "reading", "grading"), forum.EConflict, "tag_exists")
	wantCode(t, s.RenameTag(ctx, "nothing", "other"), forum.ENotFound, "")
	if err := s.RenameTag(ctx, "reading", "read-aloud"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []*forum.Post{q1, q2, q3} {
		p, err := s.Post(ctx, q.ID, 0, false)
		if err != nil || !slices.Contains(p.Tags, "read-aloud") || slices.Contains(p.Tags, "reading") {
			t.Fatalf("question %d tags = %v, %v", q.ID, p.Tags, err)
		}
	}
	tagged := func(name string) []int64 {
		t.Helper()
		page, err := s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortNewest, Tag: &name, Page: 1, PageSize: 10}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range page.Items {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := tagged("read-aloud"); len(got) != 3 {
		t.Fatalf("read-aloud lists %v", got)
	}

	// Merge: q2 has both tags and keeps one; the others move; the old tag is gone.
	moved, err := s.MergeTags(ctx, "read-aloud", "literacy")
	if err != nil || moved != 3 {
		t.Fatalf("merge moved %d, %v", moved, err)
	}
	if _, err := s.Tag(ctx, "read-aloud"); !forum.IsKind(err, forum.ENotFound) {
		t.Fatalf("the merged tag survives: %v", err)
	}
	if got := tagged("literacy"); !slices.Equal(got, []int64{q1.ID, q2.ID, q3.ID}) {
		t.Fatalf("literacy lists %v, want all three", got)
	}
	p2, _ := s.Post(ctx, q2.ID, 0, false)
	if !slices.Equal(p2.Tags, []string{"literacy"}) {
		t.Fatalf("the question with both tags shows %v", p2.Tags)
	}
	p3, _ := s.Post(ctx, q3.ID, 0, false)
	if !slices.Equal(p3.Tags, []string{"grading", "literacy"}) {
		t.Fatalf("q3 shows %v", p3.Tags)
	}
	tg, _ := s.Tag(ctx, "literacy")
	if tg.Count != 3 {
		t.Fatalf("literacy counts %d questions, want 3", tg.Count)
	}
	unanswered := "literacy"
	page, _ := s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortUnanswered, Tag: &unanswered, Page: 1, PageSize: 10}, 0)
	if page.Total != 2 || len(page.Items) != 2 {
		t.Fatalf("literacy unanswered: %d items of %d, want 2", len(page.Items), page.Total)
	}
	drifts, err := s.Recount(ctx, false)
	if err != nil || len(drifts) != 0 {
		t.Fatalf("recount after rename and merge: %v, %v", drifts, err)
	}
	all, total, err := s.AllTags(ctx, "", 1, 50)
	if err != nil || total != 3 || len(all) != 3 || all[0].Name != "grade-3" {
		t.Fatalf("all tags = %+v (%d), %v", all, total, err)
	}
	if found, total, _ := s.AllTags(ctx, "din", 1, 50); total != 1 || found[0].Name != "grading" {
		t.Fatalf("search inside names: %+v", found)
	}
}
