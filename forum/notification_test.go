package forum_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// Who is told, as tables: the recipient rule, then the notices each Q&A change makes.

func TestNotificationRecipients(t *testing.T) {
	const actor, askerID, other, mod = 1, 2, 3, 4
	facts := func(id int64, f func(*forum.RecipientFacts)) forum.RecipientFacts {
		r := forum.RecipientFacts{UserID: id, Role: forum.RoleMember, Email: "p@example.org", Verified: true}
		if f != nil {
			f(&r)
		}
		return r
	}
	tests := []struct {
		name   string
		n      forum.Notification
		cand   forum.RecipientFacts
		skip   bool
		mail   bool
		told   bool
		mailed bool
		whyNot string
	}{
		{name: "the asker hears of an answer", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(askerID, nil), told: true},
		{name: "never the actor", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(actor, nil), whyNot: "own action"},
		{name: "never a demo account", n: forum.Notification{Kind: forum.NotifyMention, ActorID: actor}, cand: facts(other, func(r *forum.RecipientFacts) { r.Demo = true }), whyNot: "cannot sign in"},
		{name: "never a disabled account", n: forum.Notification{Kind: forum.NotifyMention, ActorID: actor}, cand: facts(other, func(r *forum.RecipientFacts) { r.Disabled = true }), whyNot: "cannot sign in"},
		{name: "never someone told otherwise of the same change", n: forum.Notification{Kind: forum.NotifyFollowedAnswer, ActorID: actor}, cand: facts(askerID, nil), skip: true, whyNot: "skip"},
		{name: "private: a member is told", n: forum.Notification{Kind: forum.NotifyMention, ActorID: actor, PrivateTo: 9}, cand: facts(other, func(r *forum.RecipientFacts) { r.Member = true }), told: true},
		{name: "private: a non-member mentioned is not", n: forum.Notification{Kind: forum.NotifyMention, ActorID: actor, PrivateTo: 9}, cand: facts(other, nil), whyNot: "cannot see it"},
		{name: "private: a moderator sees every collaborative", n: forum.Notification{Kind: forum.NotifyMention, ActorID: actor, PrivateTo: 9}, cand: facts(mod, func(r *forum.RecipientFacts) { r.Role = forum.RoleModerator }), told: true},
		{name: "mail: immediate by default, confirmed address", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(askerID, nil), mail: true, told: true, mailed: true},
		{name: "mail off: told, not mailed", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(askerID, nil), told: true},
		{name: "mail: not to an unconfirmed address", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(askerID, func(r *forum.RecipientFacts) { r.Verified = false }), mail: true, told: true},
		{name: "mail: not to a bounced address", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(askerID, func(r *forum.RecipientFacts) { r.Bounced = true }), mail: true, told: true},
		{name: "mail: daily kinds wait for the digest", n: forum.Notification{Kind: forum.NotifyFollowedAnswer, ActorID: actor}, cand: facts(other, nil), mail: true, told: true},
		{name: "mail: a kind set to never", n: forum.Notification{Kind: forum.NotifyAnswer, ActorID: actor}, cand: facts(askerID, func(r *forum.RecipientFacts) { r.Mode = forum.MailNever }), mail: true, told: true},
		{name: "mail: a daily kind set to immediate", n: forum.Notification{Kind: forum.NotifyEdit, ActorID: actor}, cand: facts(askerID, func(r *forum.RecipientFacts) { r.Mode = forum.MailImmediate }), mail: true, told: true, mailed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			skip := map[int64]bool{}
			if tc.skip {
				skip[tc.cand.UserID] = true
			}
			got := forum.NotificationRecipients(&tc.n, []forum.RecipientFacts{tc.cand}, skip, tc.mail)
			if told := len(got) == 1; told != tc.told {
				t.Fatalf("told = %v, want %v (%s)", told, tc.told, tc.whyNot)
			}
			if tc.told && (got[0].MailTo != "") != tc.mailed {
				t.Errorf("mailed to %q, want mailed %v", got[0].MailTo, tc.mailed)
			}
		})
	}
}

func TestQANotices(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	actor := &forum.User{ID: 1, DisplayName: "Ana"}
	q := forum.QuestionRef{ID: 100, Title: "Exit tickets", AskerID: 2, Tags: []string{"assessment", "grading"}}
	type notice struct {
		kind          forum.NotificationKind
		direct, skip  []int64
		follow        forum.FollowKind
		followTargets []string
	}
	summarize := func(ns []forum.Notification) []notice {
		var out []notice
		for _, n := range ns {
			out = append(out, notice{n.Kind, n.Direct, n.Skip, n.Follow, n.FollowTargets})
		}
		return out
	}
	tests := []struct {
		name string
		got  []forum.Notification
		want []notice
	}{
		{"answer: the asker, mentions, the question's followers (minus both)",
			forum.AnswerNotices(q, 200, actor, "see @cat", []int64{2, 3}, now),
			[]notice{{forum.NotifyAnswer, []int64{2}, nil, "", nil}, {forum.NotifyMention, []int64{3}, nil, "", nil},
				{forum.NotifyFollowedAnswer, nil, []int64{2, 3}, forum.FollowQuestion, []string{"100"}}}},
		{"question: mentions, then the tags' followers (minus the mentioned)",
			forum.QuestionNotices(q, actor, "@dee", []int64{4}, now),
			[]notice{{forum.NotifyMention, []int64{4}, nil, "", nil}, {forum.NotifyTagQuestion, nil, []int64{4}, forum.FollowTag, []string{"assessment", "grading"}}}},
		{"comment on a post: its author; mentions of others",
			forum.CommentNotices(q, 200, 5, 300, 0, actor, "@eve", []int64{5, 6}, now),
			[]notice{{forum.NotifyComment, []int64{5}, nil, "", nil}, {forum.NotifyMention, []int64{6}, nil, "", nil}}},
		{"reply: the parent's author hears reply, the post's author comment",
			forum.CommentNotices(q, 200, 5, 301, 7, actor, "", nil, now),
			[]notice{{forum.NotifyReply, []int64{7}, nil, "", nil}, {forum.NotifyComment, []int64{5}, nil, "", nil}}},
		{"reply to the post's author: told once, as a reply",
			forum.CommentNotices(q, 200, 5, 302, 5, actor, "", nil, now),
			[]notice{{forum.NotifyReply, []int64{5}, nil, "", nil}}},
		{"edit: the author; the newly mentioned but not the author twice",
			forum.EditNotices(q, 200, 5, actor, "", []int64{5, 8}, now),
			[]notice{{forum.NotifyEdit, []int64{5}, nil, "", nil}, {forum.NotifyMention, []int64{8}, nil, "", nil}}},
		{"accept: the answer's author",
			[]forum.Notification{forum.AcceptNotice(q, 200, 5, actor, now)},
			[]notice{{forum.NotifyAccepted, []int64{5}, nil, "", nil}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := summarize(tc.got)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.kind != w.kind || !slices.Equal(g.direct, w.direct) || !slices.Equal(g.skip, w.skip) || g.follow != w.follow || !slices.Equal(g.followTargets, w.followTargets) {
					t.Errorf("notice %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"thanks @Ana and @ben.", []string{"ana", "ben"}},
		{"@cat at the start", []string{"cat"}},
		{"mail me at someone@example.org", nil},
		{"`@code` and\n```\n@fenced\n```\n@real", []string{"real"}},
		{"@ab is too short, @ana twice @ANA", []string{"ana"}},
		{"(@dee), @eve-lyn: hi", []string{"dee", "eve-lyn"}},
	}
	for _, tc := range tests {
		if got := forum.Mentions(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Mentions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	many := strings.Repeat("@user0 ", 1)
	for i := 0; i < 30; i++ {
		many += " @person" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if got := forum.Mentions(many); len(got) != forum.MaxMentions {
		t.Errorf("%d mentions kept, want at most %d", len(got), forum.MaxMentions)
	}
	if got := forum.NewMentions("hi @ana", "hi @ana and @ben"); !slices.Equal(got, []string{"ben"}) {
		t.Errorf("NewMentions = %q", got)
	}
}

func TestEveryKindReads(t *testing.T) {
	seen := map[forum.NotificationKind]bool{}
	for _, k := range forum.NotificationKinds {
		if seen[k.Kind] {
			t.Errorf("%s listed twice", k.Kind)
		}
		seen[k.Kind] = true
		one, many := k.Kind.Text("Ana", 1), k.Kind.Text("Ana", 3)
		if one == "" || strings.Contains(one, "%") || strings.Contains(many, "%") || !strings.Contains(many, "3") || k.Label == "" {
			t.Errorf("%s reads %q / %q", k.Kind, one, many)
		}
		if _, err := forum.ParseMailMode("x", string(k.Default)); err != nil {
			t.Errorf("%s default %q: %v", k.Kind, k.Default, err)
		}
	}
	if len(seen) != 19 {
		t.Errorf("%d kinds, want the issue's 19", len(seen))
	}
	if got := forum.NotifyAnswer.Text("Ana", 1); got != "Ana answered your question" {
		t.Errorf("answer text = %q", got)
	}
}

func TestUnsubscribeTokens(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clock := now
	u := &forum.Unsubscribes{Secret: []byte("0123456789abcdef0123456789abcdef"), Now: func() time.Time { return clock }}
	tok := u.Token(42, "answer")
	id, kind, err := u.Check(tok)
	if err != nil || id != 42 || kind != "answer" {
		t.Fatalf("valid token: %d %q %v", id, kind, err)
	}
	for name, bad := range map[string]string{
		"another person": strings.Replace(tok, "42.", "43.", 1),
		"another kind":   strings.Replace(tok, ".answer.", ".mention.", 1),
		"later expiry":   tok[:strings.LastIndexByte(tok, '.')-1] + "9" + tok[strings.LastIndexByte(tok, '.'):],
		"cut short":      tok[:len(tok)-3],
		"garbage":        "not-a-token",
		"other key":      (&forum.Unsubscribes{Secret: []byte("another secret of thirty-two b!!"), Now: u.Now}).Token(42, "answer"),
	} {
		if _, _, err := u.Check(bad); code(err) != "bad_unsubscribe_token" || !forum.IsKind(err, forum.EInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	clock = now.Add(forum.UnsubscribeTTL + time.Second)
	if _, _, err := u.Check(tok); code(err) != "unsubscribe_expired" {
		t.Errorf("expired: %v", err)
	}
}

func TestDigestSlot(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	// Wednesday 3 December 2026, 14:00 UTC = 08:00 in Chicago.
	now := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		period string
		hour   int
		loc    *time.Location
		want   time.Time
	}{
		{forum.DigestDaily, 7, chicago, time.Date(2026, 12, 3, 7, 0, 0, 0, chicago)},
		{forum.DigestDaily, 9, chicago, time.Date(2026, 12, 2, 9, 0, 0, 0, chicago)}, // not yet today
		{forum.DigestDaily, 7, time.UTC, time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)},
		{forum.DigestWeekly, 7, chicago, time.Date(2026, 11, 30, 7, 0, 0, 0, chicago)}, // Monday
	}
	for _, tc := range tests {
		if got := forum.DigestSlot(tc.period, tc.hour, tc.loc, now); !got.Equal(tc.want) {
			t.Errorf("%s at %d in %s: %v, want %v", tc.period, tc.hour, tc.loc, got, tc.want)
		}
	}
}

func TestMailBackoff(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i, w := range want {
		if got := forum.MailBackoffAfter(i + 1); got != w {
			t.Errorf("after %d tries: %v, want %v", i+1, got, w)
		}
	}
	if got := forum.MailBackoffAfter(40); got != forum.MaxMailBackoff {
		t.Errorf("capped at %v, got %v", forum.MaxMailBackoff, got)
	}
}
