package forum_test

import (
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

func TestCheckFlagInput(t *testing.T) {
	for _, tc := range []struct {
		name, kind string
		in         forum.FlagInput
		field      string // "" when accepted
	}{
		{"spam", forum.FlagOnPost, forum.FlagInput{Reason: "spam"}, ""},
		{"unknown reason", forum.FlagOnPost, forum.FlagInput{Reason: "rude"}, "reason"},
		{"empty reason", forum.FlagOnPost, forum.FlagInput{}, "reason"},
		{"other with a note", forum.FlagOnPost, forum.FlagInput{Reason: "other", Note: "copied from a blog"}, ""},
		{"other without a note", forum.FlagOnPost, forum.FlagInput{Reason: "other"}, "note"},
		{"other with only spaces", forum.FlagOnPost, forum.FlagInput{Reason: "other", Note: " \u200b "}, "note"},
		{"a note too long", forum.FlagOnPost, forum.FlagInput{Reason: "spam", Note: strings.Repeat("x", 501)}, "note"},
		{"duplicate with the original", forum.FlagOnPost, forum.FlagInput{Reason: "duplicate", DuplicateOf: 3}, ""},
		{"duplicate without the original", forum.FlagOnPost, forum.FlagInput{Reason: "duplicate"}, "duplicate_of"},
		{"a comment is no duplicate", forum.FlagOnComment, forum.FlagInput{Reason: "duplicate", DuplicateOf: 3}, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := forum.CheckFlagInput(tc.kind, tc.in)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if e := forum.AsError(err); e == nil || e.Kind != forum.EInvalid || e.Field != tc.field {
				t.Fatalf("error = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestFlagOutcome(t *testing.T) {
	mod := &forum.User{ID: 1, Role: forum.RoleModerator}
	member := &forum.User{ID: 2, Role: forum.RoleMember}
	spam := func(n int, w float64) []forum.StandingFlag {
		var out []forum.StandingFlag
		for range n {
			out = append(out, forum.StandingFlag{Reason: forum.FlagSpam, Weight: w})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		by       *forum.User
		reason   string
		standing []forum.StandingFlag
		want     forum.FlagDecision
	}{
		{"two flags wait", member, forum.FlagSpam, spam(2, 1), forum.FlagDecision{Queue: true}},
		{"three flags hide", member, forum.FlagSpam, spam(3, 1), forum.FlagDecision{Queue: true, Hide: true}},
		{"three weak flags wait", member, forum.FlagSpam, spam(3, 0.5), forum.FlagDecision{Queue: true}},
		{"two trusted flags hide", member, forum.FlagSpam, spam(2, 1.8), forum.FlagDecision{Queue: true, Hide: true}},
		{"six flags delete with the penalty", member, forum.FlagSpam, spam(6, 1), forum.FlagDecision{Queue: true, Delete: true, Penalty: 100}},
		{"low quality flags never act alone", member, forum.FlagLowQuality,
			[]forum.StandingFlag{{forum.FlagLowQuality, 2}, {forum.FlagLowQuality, 2}, {forum.FlagLowQuality, 2}}, forum.FlagDecision{Queue: true}},
		{"a moderator's spam flag deletes", mod, forum.FlagSpam, spam(1, 1), forum.FlagDecision{Delete: true, Penalty: 100}},
		{"a moderator's low quality flag deletes without penalty", mod, forum.FlagLowQuality, nil, forum.FlagDecision{Delete: true}},
		{"a moderator's other flag waits in the queue", mod, forum.FlagOther, nil, forum.FlagDecision{Queue: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := forum.FlagOutcome(forum.NewFlag{Flagger: tc.by, Reason: tc.reason, Rules: forum.DefaultFlagRules}, tc.standing)
			if got != tc.want {
				t.Fatalf("FlagOutcome = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckClaim(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	later := now.Add(forum.ClaimTTL)
	mod := &forum.User{ID: 1, Role: forum.RoleModerator}
	reviewer := &forum.User{ID: 2, Role: forum.RoleMember}
	for _, tc := range []struct {
		name string
		u    *forum.User
		it   *forum.ReviewItem
		code string // "" when allowed
	}{
		{"unclaimed", reviewer, &forum.ReviewItem{Kind: forum.QueueFirstPosts, Status: "open"}, ""},
		{"claimed by me", reviewer, &forum.ReviewItem{Kind: forum.QueueFirstPosts, Status: "open", ClaimedBy: 2, ClaimExpires: &later}, ""},
		{"claimed by another", reviewer, &forum.ReviewItem{Kind: forum.QueueFirstPosts, Status: "open", ClaimedBy: 1, ClaimExpires: &later}, "held_by_other"},
		{"an expired claim", reviewer, &forum.ReviewItem{Kind: forum.QueueFirstPosts, Status: "open", ClaimedBy: 1, ClaimExpires: &now}, ""},
		{"resolved", reviewer, &forum.ReviewItem{Kind: forum.QueueFirstPosts, Status: "done"}, "not_found"},
		{"flags are for moderators", reviewer, &forum.ReviewItem{Kind: forum.QueueFlags, Status: "open"}, "not_found"},
		{"a moderator reviews flags", mod, &forum.ReviewItem{Kind: forum.QueueFlags, Status: "open"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := forum.CheckClaim(tc.u, tc.it, now)
			if e := forum.AsError(err); (tc.code == "" && err != nil) || (tc.code != "" && (e == nil || e.Code != tc.code)) {
				t.Fatalf("CheckClaim = %v, want %q", err, tc.code)
			}
		})
	}
}

func TestModerationRules(t *testing.T) {
	mod := &forum.User{ID: 1, Role: forum.RoleModerator}
	member := &forum.User{ID: 2, Role: forum.RoleMember, Reputation: 5000}
	live := forum.PostFacts{ID: 7, Exists: true, Kind: forum.KindAnswer, AuthorID: 2, QuestionID: 6}
	locked, curated := live, live
	locked.Locked, locked.SelfLocked = true, true
	curated.Curated = true
	privs := forum.Privileges{forum.PrivEdit: 1000, forum.PrivUpvote: 1}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"a locked post takes no votes", forum.CheckVote(3, locked), "post_locked"},
		{"a locked post takes no comments", forum.CheckCommentOn(locked), "post_locked"},
		{"its author cannot edit a locked post", privs.CheckEdit(member, locked), "post_locked"},
		{"a moderator edits a locked post", privs.CheckEdit(mod, locked), ""},
		{"a curated answer's edit goes to review", privs.CheckEdit(member, curated), "needs_review"},
		{"a member cannot curate", forum.CheckCurate(member, live), "not_moderator"},
		{"a moderator curates an answer", forum.CheckCurate(mod, live), ""},
		{"a member cannot lock", forum.CheckModeratePost(forum.PostModeration{By: member, Action: forum.ModLock}, live), "not_moderator"},
		{"unlock an unlocked post", forum.CheckModeratePost(forum.PostModeration{By: mod, Action: forum.ModUnlock}, live), "not_locked"},
		{"a moderator is no spammer", forum.CheckDeleteSpammer(mod, &forum.User{ID: 9, Role: forum.RoleModerator}), "protected_account"},
		{"a long answer is no comment", forum.CheckConvert(mod, live, 601), "too_long_for_comment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := forum.AsError(tc.err)
			if (tc.code == "" && tc.err != nil) || (tc.code != "" && (e == nil || e.Code != tc.code)) {
				t.Fatalf("err = %v, want %q", tc.err, tc.code)
			}
		})
	}
	if !forum.Suggestible(privs.CheckEdit(&forum.User{ID: 3, Reputation: 1}, live)) || forum.Suggestible(forum.CheckVote(3, locked)) {
		t.Fatal("Suggestible is wrong")
	}
	for _, tc := range []struct {
		deleted, hidden bool
		author, viewer  int64
		mods, want      bool
	}{
		{false, false, 1, 0, false, true},
		{true, false, 1, 1, false, false},
		{true, true, 1, 1, false, true},
		{true, true, 1, 2, false, false},
		{true, true, 1, 0, false, false},
		{true, false, 1, 2, true, true},
	} {
		if got := forum.PostVisible(tc.deleted, tc.hidden, tc.author, tc.viewer, tc.mods); got != tc.want {
			t.Errorf("PostVisible(%+v) = %v", tc, got)
		}
	}
}
