package forum_test

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"
	"time"

	"staffroom/forum"
)

// The membership rules, as the store applies them inside its transactions.

func access(v forum.Visibility, viewer *forum.User, role forum.MemberRole) forum.CollaborativeAccess {
	return forum.CollaborativeAccess{Collaborative: &forum.Collaborative{Slug: "ct-framework", Name: "CT", Visibility: v},
		Viewer: viewer, Role: role}
}

func wantKind(t *testing.T, err error, kind forum.Kind, code string) {
	t.Helper()
	if kind == forum.EInternal {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	e := forum.AsError(err)
	if e == nil || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("error = %v, want kind %d code %q", err, kind, code)
	}
}

var (
	ana = &forum.User{ID: 1, Username: "ana", Role: forum.RoleMember}
	mod = &forum.User{ID: 9, Username: "mod", Role: forum.RoleModerator}
)

func TestCheckJoin(t *testing.T) {
	const ok = forum.EInternal // no error
	for _, tc := range []struct {
		name    string
		a       forum.CollaborativeAccess
		pending bool
		out     forum.JoinOutcome
		kind    forum.Kind
		code    string
	}{
		{"public: at once", access(forum.VisibilityPublic, ana, ""), false, forum.JoinedNow, ok, ""},
		{"private: a request", access(forum.VisibilityPrivate, ana, ""), false, forum.JoinRequested, ok, ""},
		{"private, asked already", access(forum.VisibilityPrivate, ana, ""), true, "", forum.EConflict, "request_pending"},
		{"public, asked while it was private", access(forum.VisibilityPublic, ana, ""), true, forum.JoinedNow, ok, ""},
		{"a member", access(forum.VisibilityPublic, ana, forum.MemberRoleMember), false, "", forum.EConflict, "already_member"},
		{"anonymous", access(forum.VisibilityPublic, nil, ""), false, "", forum.EUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := forum.CheckJoin(tc.a, tc.pending)
			wantKind(t, err, tc.kind, tc.code)
			if out != tc.out {
				t.Fatalf("outcome %q, want %q", out, tc.out)
			}
		})
	}
}

func TestCheckRemoveAndRoleChange(t *testing.T) {
	const ok = forum.EInternal
	lead := forum.MemberRoleLead
	member := forum.MemberRoleMember
	for _, tc := range []struct {
		name   string
		a      forum.CollaborativeAccess
		userID int64
		target forum.MemberRole
		leads  int
		kind   forum.Kind
		code   string
	}{
		{"a member leaves", access(forum.VisibilityPrivate, ana, member), ana.ID, member, 1, ok, ""},
		{"the last lead cannot leave", access(forum.VisibilityPrivate, ana, lead), ana.ID, lead, 1, forum.EConflict, "last_lead"},
		{"one of two leads leaves", access(forum.VisibilityPrivate, ana, lead), ana.ID, lead, 2, ok, ""},
		{"a lead removes a member", access(forum.VisibilityPrivate, ana, lead), 5, member, 1, ok, ""},
		{"a moderator cannot remove the last lead", access(forum.VisibilityPrivate, mod, ""), 5, lead, 1, forum.EConflict, "last_lead"},
		{"a member removes another", access(forum.VisibilityPublic, ana, member), 5, member, 1, forum.EForbidden, "not_a_lead"},
		{"a non-member of a private one", access(forum.VisibilityPrivate, ana, ""), 5, member, 1, forum.ENotFound, ""},
		{"leaving a private one you are not in", access(forum.VisibilityPrivate, ana, ""), ana.ID, "", 1, forum.ENotFound, ""},
		{"leaving a public one you are not in", access(forum.VisibilityPublic, ana, ""), ana.ID, "", 1, forum.ENotFound, "not_a_member"},
		{"anonymous, public", access(forum.VisibilityPublic, nil, ""), 5, member, 1, forum.EUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, forum.CheckRemoveMember(tc.a, tc.userID, tc.target, tc.leads), tc.kind, tc.code)
		})
	}
	wantKind(t, forum.CheckRoleChange(access(forum.VisibilityPublic, ana, lead), ana.ID, lead, member, 1), forum.EConflict, "last_lead")
	wantKind(t, forum.CheckRoleChange(access(forum.VisibilityPublic, ana, lead), ana.ID, lead, lead, 1), ok, "")
	wantKind(t, forum.CheckRoleChange(access(forum.VisibilityPublic, ana, lead), ana.ID, lead, member, 2), ok, "")
	wantKind(t, forum.CheckRoleChange(access(forum.VisibilityPublic, ana, lead), 5, "", lead, 1), forum.ENotFound, "not_a_member")
	wantKind(t, forum.CheckRoleChange(access(forum.VisibilityPublic, ana, member), 5, member, lead, 1), forum.EForbidden, "not_a_lead")
	wantKind(t, forum.CheckAddMember(access(forum.VisibilityPublic, ana, lead), mod, member), forum.EConflict, "already_member")
	wantKind(t, forum.CheckAddMember(access(forum.VisibilityPublic, mod, ""), ana, ""), ok, "")
	wantKind(t, forum.CheckAnswerRequest(access(forum.VisibilityPrivate, ana, lead), 5, false), forum.ENotFound, "no_request")
}

func TestCollaborativeFilter(t *testing.T) {
	f := forum.CollaborativeFilter{Query: "  Thinking ", Cluster: "Great-Lakes"}
	if err := f.Normalize(); err != nil || f.Query != "thinking" || f.Cluster != "great-lakes" || f.Page != 1 || f.PageSize != forum.CollaborativePageSize {
		t.Fatalf("normalized %+v, %v", f, err)
	}
	for _, bad := range []forum.CollaborativeFilter{{District: "a b"}, {Page: -1}, {Query: string(make([]byte, 101))}} {
		if err := bad.Normalize(); forum.KindOf(err) != forum.EInvalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// Create checks every field before it reaches a store, and reports them all at once.
func TestCollaborativeCreateChecks(t *testing.T) {
	svc := &forum.Collaboratives{Now: time.Now}
	_, err := svc.Create(context.Background(), nil, forum.CollaborativeInput{})
	wantKind(t, err, forum.EUnauthorized, "")
	_, err = svc.Create(context.Background(), ana, forum.CollaborativeInput{Slug: "No Good", Name: "x", Visibility: "hidden"})
	fe := forum.FieldErrorsOf(err)
	if len(fe) != 3 || fe[0].Field != "name" || fe[1].Field != "slug" || fe[1].Code != "invalid_slug" || fe[2].Code != "invalid_visibility" {
		t.Fatalf("errors = %v", err)
	}
	_, err = svc.Create(context.Background(), ana, forum.CollaborativeInput{Slug: "new", Name: "A group"})
	if fe := forum.FieldErrorsOf(err); len(fe) != 1 || fe[0].Code != "slug_reserved" {
		t.Fatalf("reserved slug: %v", err)
	}
}

func TestExportWriter(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	w := forum.NewExportWriter(&buf, "ct-framework", at)
	if err := w.Markdown("README.md", "# hi\n"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"README.md", "../escape.md", "/abs.md", "a/../b.md", "", `a\b.md`} {
		if err := w.File(bad, nil); err == nil {
			t.Errorf("%q was written", bad)
		}
	}
	if err := w.JSON("channels/general.json", map[string]int{"messages": 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "ct-framework/README.md" || zr.File[1].Name != "ct-framework/channels/general.json" ||
		!zr.File[0].Modified.Equal(at) {
		t.Fatalf("zip holds %+v", zr.File)
	}
	if got := forum.ExportName("ct-framework", at); got != "ct-framework-2026-12-03.zip" {
		t.Errorf("name = %q", got)
	}
}
