package forum_test

import (
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

func TestParseChannelName(t *testing.T) {
	for in, want := range map[string]string{
		"general": "general", "#Grading Policy": "grading-policy", "  ell_resources ": "ell_resources",
		"grade-6": "grade-6", strings.Repeat("a", 80): strings.Repeat("a", 80),
	} {
		got, err := forum.ParseChannelName("name", in)
		if err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "#", "---", "bad!", "émile", "a/b", strings.Repeat("a", 81), "a.b"} {
		_, err := forum.ParseChannelName("name", in)
		if e := forum.AsError(err); e == nil || e.Code != "invalid_channel_name" || e.Field != "name" {
			t.Errorf("%q: %v, want invalid_channel_name", in, err)
		}
	}
}

func TestParseReaction(t *testing.T) {
	for _, ok := range []string{"👍", "🎉", "❤️", "👍🏽", "👩‍👩‍👧", "🇺🇸", "1️⃣", "#️⃣", "✅", "🏳️‍🌈", "☕"} {
		if _, err := forum.ParseReaction(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "+1", ":)", "👍👍", "👍a", "1", "🇺", "🇺🇸🇺🇸", "<script>", "\u200d", "\xff", strings.Repeat("👍", 20)} {
		if _, err := forum.ParseReaction(bad); forum.AsError(err) == nil || forum.AsError(err).Code != "invalid_emoji" {
			t.Errorf("%q accepted (%v)", bad, err)
		}
	}
}

func TestParseMentions(t *testing.T) {
	got := forum.ParseMentions("@ada thanks! cc @Bob.Smith, @ada again; mail ada@example.org; @x @carol.")
	want := []string{"ada", "bob.smith", "carol"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("mentions = %v, want %v", got, want)
	}
}

func TestMessageRules(t *testing.T) {
	lead := &forum.User{ID: 1, Role: forum.RoleMember}
	member := &forum.User{ID: 2, Role: forum.RoleMember}
	stranger := &forum.User{ID: 3, Role: forum.RoleMember}
	mod := &forum.User{ID: 4, Role: forum.RoleModerator}
	g := &forum.Collaborative{ID: 1, Slug: "ell", Name: "ELL", Visibility: forum.VisibilityPrivate}
	ch := &forum.Channel{ID: 9, Name: "general"}
	access := func(u *forum.User, role forum.MemberRole) forum.ChannelAccess {
		return forum.ChannelAccess{CollaborativeAccess: forum.CollaborativeAccess{Collaborative: g, Viewer: u, Role: role}, Channel: ch}
	}
	memberMsg := &forum.Message{ID: 5, Author: member}

	t.Run("authors delete their own, leads and moderators any (audited)", func(t *testing.T) {
		for _, tc := range []struct {
			a      forum.ChannelAccess
			others bool
			kind   forum.Kind
		}{
			{access(member, forum.MemberRoleMember), false, 0},
			{access(lead, forum.MemberRoleLead), true, 0},
			{access(mod, forum.MemberNone), true, 0},
			{access(&forum.User{ID: 7}, forum.MemberRoleMember), false, forum.EForbidden},
			{access(stranger, forum.MemberNone), false, forum.ENotFound},
			{access(nil, forum.MemberNone), false, forum.ENotFound},
		} {
			others, err := tc.a.CheckDeleteMessage(memberMsg)
			if forum.KindOf(err) != tc.kind && !(err == nil && tc.kind == 0) || others != tc.others {
				t.Errorf("%+v: others %v err %v", tc.a.Viewer, others, err)
			}
		}
	})
	t.Run("only the author edits", func(t *testing.T) {
		if err := access(member, forum.MemberRoleMember).CheckEditMessage(memberMsg); err != nil {
			t.Error(err)
		}
		if err := access(lead, forum.MemberRoleLead).CheckEditMessage(memberMsg); forum.AsError(err).Code != "not_author" {
			t.Errorf("lead edits: %v", err)
		}
	})
	t.Run("archived channels refuse writes", func(t *testing.T) {
		at := time.Now()
		a := access(member, forum.MemberRoleMember)
		a.Channel = &forum.Channel{ID: 9, Name: "old", ArchivedAt: &at}
		if e := forum.AsError(a.CheckWrite()); e == nil || e.Kind != forum.EConflict || e.Code != "channel_archived" {
			t.Errorf("archived: %v", e)
		}
	})
	t.Run("a reply's parent is a live top-level message of the channel", func(t *testing.T) {
		if forum.CheckMessageParent(9, 9, 0, false) != nil {
			t.Error("a good parent refused")
		}
		for _, c := range [][3]int64{{9, 8, 0}, {9, 9, 3}, {9, 0, 0}} {
			if e := forum.AsError(forum.CheckMessageParent(c[0], c[1], c[2], false)); e == nil || e.Code != "bad_parent" || e.Field != "parent_id" {
				t.Errorf("%v: %v", c, e)
			}
		}
		if forum.CheckMessageParent(9, 9, 0, true) == nil {
			t.Error("a deleted parent accepted")
		}
	})
	t.Run("revisions are for moderators", func(t *testing.T) {
		if access(mod, forum.MemberNone).CheckReadRevisions() != nil {
			t.Error("moderator refused")
		}
		if forum.KindOf(access(lead, forum.MemberRoleLead).CheckReadRevisions()) != forum.EForbidden {
			t.Error("lead allowed")
		}
	})
	t.Run("history limits", func(t *testing.T) {
		for in, want := range map[int]int{0: 50, 1: 1, 100: 100} {
			if got, err := forum.ParseMessageLimit(in); err != nil || got != want {
				t.Errorf("%d: %d %v", in, got, err)
			}
		}
		for _, bad := range []int{-1, 101} {
			if _, err := forum.ParseMessageLimit(bad); forum.AsError(err) == nil {
				t.Errorf("%d accepted", bad)
			}
		}
	})
}
