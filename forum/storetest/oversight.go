package storetest

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
)

// testOversight runs suspensions, the audit log, comment edits and spam screening.
func testOversight(t *testing.T, open Opener) {
	t.Run("suspensions", func(t *testing.T) { testSuspensions(t, open(t)) })
	t.Run("audit log pages", func(t *testing.T) { testAuditPages(t, open(t)) })
	t.Run("comment edits", func(t *testing.T) { testCommentEdits(t, open(t)) })
	t.Run("spam screening", func(t *testing.T) { testSpamScreening(t, open(t)) })
}

// mustWithRole creates a person with role.
func mustWithRole(t *testing.T, s Store, name string, role forum.Role) *forum.User {
	t.Helper()
	u := MustCreateUser(t, s, name)
	if err := s.SetRole(context.Background(), u.ID, role); err != nil {
		t.Fatal(err)
	}
	u.Role = role
	return u
}

// testSuspensions: SetSuspension applies CheckSuspend to the stored role in its
// transaction, stores the suspension, and writes one audit row with before and after.
func testSuspensions(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustWithRole(t, s, "mod", forum.RoleModerator)
	other := mustWithRole(t, s, "othermod", forum.RoleModerator)
	member := MustCreateUser(t, s, "member")
	until := t0.Add(72 * time.Hour)
	if err := s.SetSuspension(ctx, forum.Suspension{By: mod, UserID: other.ID, Until: &until, Reason: "x", Now: t0}); forum.AsError(err) == nil || forum.AsError(err).Code != "moderator_target" {
		t.Fatalf("moderator suspends moderator: %v", err)
	}
	if err := s.SetSuspension(ctx, forum.Suspension{By: mod, UserID: 9999, Until: &until, Reason: "x", Now: t0}); forum.KindOf(err) != forum.ENotFound {
		t.Fatalf("missing person: %v", err)
	}
	if err := s.SetSuspension(ctx, forum.Suspension{By: mod, UserID: member.ID, Until: &until, Reason: "Spam links", Now: t0}); err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByID(ctx, member.ID)
	if err != nil || u.SuspendedUntil == nil || !u.SuspendedUntil.Equal(until) || u.SuspendReason != "Spam links" {
		t.Fatalf("stored suspension %+v %v", u, err)
	}
	if !u.Suspended(until.Add(-time.Second)) || u.Suspended(until) {
		t.Fatal("the suspension does not end at its time")
	}
	if err := s.SetSuspension(ctx, forum.Suspension{By: mod, UserID: member.ID, Now: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if u, _ = s.UserByID(ctx, member.ID); u.SuspendedUntil != nil || u.SuspendReason != "" {
		t.Fatalf("lifted suspension still stored: %+v", u)
	}
	rows, err := s.AuditLog(ctx, forum.AuditFilter{TargetKind: "user", TargetID: member.ID, Limit: 10})
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d audit rows, %v", len(rows), err)
	}
	if rows[0].Action != "user.unsuspend" || rows[1].Action != "user.suspend" || rows[1].Actor == nil || rows[1].Actor.ID != mod.ID ||
		rows[1].Before != `{"suspended":false}` || rows[1].Reason != "Spam links" || !rows[1].At.Equal(t0) {
		t.Fatalf("audit rows %+v %+v", rows[0], rows[1])
	}
	hist, err := s.PersonAudit(ctx, member.ID, 10)
	if err != nil || len(hist) != 2 {
		t.Fatalf("person audit %d %v", len(hist), err)
	}
}

// testAuditPages: AuditLog filters and pages by keyset, newest first, ties broken by id.
func testAuditPages(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustWithRole(t, s, "mod", forum.RoleModerator)
	admin := mustWithRole(t, s, "admin", forum.RoleAdmin)
	var targets []*forum.User
	for _, n := range []string{"p1", "p2", "p3", "p4", "p5"} {
		targets = append(targets, MustCreateUser(t, s, n))
	}
	for i, u := range targets {
		by := mod
		if i >= 3 {
			by = admin
		}
		until := t0.Add(time.Hour)
		at := t0.Add(time.Duration(i/2) * time.Minute) // pairs share a time: the id orders them
		if err := s.SetSuspension(ctx, forum.Suspension{By: by, UserID: u.ID, Until: &until, Reason: "r", Now: at}); err != nil {
			t.Fatal(err)
		}
	}
	var all []int64
	f := forum.AuditFilter{Limit: 2}
	for {
		rows, err := s.AuditLog(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			all = append(all, r.TargetID)
		}
		if len(rows) < 2 {
			break
		}
		c := rows[len(rows)-1].Cursor()
		f.Before = &c
	}
	if len(all) != 5 || all[0] != targets[4].ID || all[4] != targets[0].ID {
		t.Fatalf("pages %v", all)
	}
	for _, tc := range []struct {
		f    forum.AuditFilter
		want int
	}{
		{forum.AuditFilter{ActorID: admin.ID, Limit: 10}, 2},
		{forum.AuditFilter{Action: "user.suspend", Limit: 10}, 5},
		{forum.AuditFilter{Action: "post.delete", Limit: 10}, 0},
		{forum.AuditFilter{TargetKind: "user", Limit: 10}, 5},
		{forum.AuditFilter{Before: &forum.AuditCursor{At: t0.Add(time.Minute)}, Limit: 10}, 2},
	} {
		if rows, err := s.AuditLog(ctx, tc.f); err != nil || len(rows) != tc.want {
			t.Errorf("%+v: %d rows, %v; want %d", tc.f, len(rows), err, tc.want)
		}
	}
}

// testCommentEdits: the rules applied in the transaction, revisions kept, moderators'
// changes to others' comments audited.
func testCommentEdits(t *testing.T, s Store) {
	ctx := context.Background()
	MustCreateUser(t, s, "first") // the first account is an admin
	author := MustCreateUser(t, s, "author")
	mod := mustWithRole(t, s, "mod", forum.RoleModerator)
	q, err := s.CreateQuestion(ctx, forum.NewQuestion{AuthorID: author.ID, Title: "A question for comments", Body: "Body", BodyHTML: "<p>Body</p>", Tags: []string{"meta"}, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateComment(ctx, forum.NewComment{PostID: q.ID, AuthorID: author.ID, Body: "First text", BodyHTML: "<p>First text</p>", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditComment(ctx, forum.CommentEdit{By: author, ID: c.ID, Body: "Late text", BodyHTML: "<p>Late</p>", Now: t0.Add(6 * time.Minute)}); forum.AsError(err) == nil || forum.AsError(err).Code != "edit_window_passed" {
		t.Fatalf("late edit: %v", err)
	}
	got, err := s.EditComment(ctx, forum.CommentEdit{By: author, ID: c.ID, Body: "Second text", BodyHTML: "<p>Second text</p>", Now: t0.Add(time.Minute)})
	if err != nil || got.Body != "Second text" {
		t.Fatalf("edit: %+v %v", got, err)
	}
	if _, err := s.EditComment(ctx, forum.CommentEdit{By: mod, ID: c.ID, Body: "Third text", BodyHTML: "<p>Third text</p>", Now: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	revs, _, err := s.CommentRevisions(ctx, c.ID)
	if err != nil || len(revs) != 3 || revs[0].Body != "Third text" || revs[2].Body != "First text" || revs[0].EditedBy.ID != mod.ID {
		t.Fatalf("revisions %d %v", len(revs), err)
	}
	if err := s.DeleteComment(ctx, c.ID, mod, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteComment(ctx, c.ID, mod, t0.Add(2*time.Hour)); forum.KindOf(err) != forum.ENotFound {
		t.Fatalf("second delete: %v", err)
	}
	rows, err := s.AuditLog(ctx, forum.AuditFilter{TargetKind: "comment", TargetID: c.ID, Limit: 10})
	if err != nil || len(rows) != 2 || rows[0].Action != "comment.delete" || rows[1].Action != "comment.edit" || rows[1].Before != `{"body":"Second text"}` {
		t.Fatalf("audit %d %v", len(rows), err)
	}
	cs, err := s.Comments(ctx, q.ID)
	if err != nil || len(cs) != 0 {
		t.Fatalf("deleted comment still listed: %d %v", len(cs), err)
	}
}

// testSpamScreening: a post's spam check is completed with the repeats of its text in
// the window, a suspect post is hidden with a system audit row, the day's quota holds,
// and the term lists are kept.
func testSpamScreening(t *testing.T, s Store) {
	ctx := context.Background()
	MustCreateUser(t, s, "first") // the first account is an admin
	author := MustCreateUser(t, s, "author")
	if err := s.SetSpamTerms(ctx, forum.SpamWord, []string{"casino"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSpamDomains(ctx, []string{"spam.example", "other.example"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSpamTerms(ctx, forum.SpamDomainKind, []string{"spam.example"}, t0); err != nil {
		t.Fatal(err)
	}
	terms, err := s.SpamTerms(ctx)
	if err != nil || len(terms) != 3 {
		t.Fatalf("terms %+v %v", terms, err)
	}
	lists := forum.NewSpamLists(terms)
	if lists.Domains["spam.example"] != forum.SpamFromAdmin || lists.Domains["other.example"] != forum.SpamFromRemoved {
		t.Fatalf("domains %v", lists.Domains)
	}
	q, err := s.CreateQuestion(ctx, forum.NewQuestion{AuthorID: author.ID, Title: "A question for answers", Body: "Body", BodyHTML: "<p>Body</p>", Tags: []string{"meta"}, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	old := *author
	old.CreatedAt = t0.Add(-24 * time.Hour)
	answer := func(body string, at time.Time, quota int) (*forum.Post, error) {
		c := forum.ScoreSpam(forum.DefaultSpamRules, forum.SpamPost{Author: &old, Text: body, Now: at}, lists)
		return s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: author.ID, Body: body, BodyHTML: "<p>x</p>", Now: at, Spam: &c, DailyPosts: quota})
	}
	hidden := func(id int64) bool {
		rows, err := s.AuditLog(ctx, forum.AuditFilter{TargetKind: "post", TargetID: id, Action: "post.hide", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows) == 1 && rows[0].Actor == nil
	}
	for i, tc := range []struct {
		body   string
		after  time.Duration
		hidden bool
	}{
		{"A useful answer about fractions.", 0, false},
		{"Visit the casino tonight.", time.Minute, true},
		{"Same words again and again.", 2 * time.Minute, false},
		{"Same words, again and again!", 3 * time.Minute, false},
		{"same words again AND again", 4 * time.Minute, true},
		{"Same words again and again.", 4*time.Minute + forum.DefaultSpamRules.RepeatWindow, false}, // the earlier copies have left the window
	} {
		p, err := answer(tc.body, t0.Add(tc.after), 0)
		if err != nil {
			t.Fatal(err)
		}
		if hidden(p.ID) != tc.hidden {
			t.Errorf("answer %d (%q): hidden %v, want %v", i, tc.body, !tc.hidden, tc.hidden)
		}
	}
	// The day's quota counts questions and answers since midnight UTC.
	day := t0.Add(48 * time.Hour)
	for i := range 3 {
		if _, err := answer("Quota answer number "+string(rune('a'+i)), day, 3); err != nil {
			t.Fatalf("post %d within the quota: %v", i+1, err)
		}
	}
	if _, err := answer("One too many for today", day, 3); forum.KindOf(err) != forum.ERateLimited {
		t.Fatalf("past the quota: %v", err)
	}
}
