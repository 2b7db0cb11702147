package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"staffroom/forum"
)

// testNotifications: what Q&A changes tell whom, through the store's fan-out; inboxes,
// collapsing, marking read, follows and mail settings.
func testNotifications(t *testing.T, open Opener) {
	ctx := context.Background()
	// drain expands every queued job, as the notifier does after commit.
	drain := func(t *testing.T, s Store, domain string) {
		t.Helper()
		for i := 0; i < 1000; i++ {
			left, err := s.ExpandNotifications(ctx, forum.FanOutBatch, domain, t0.Add(time.Hour))
			check(t, err)
			if left == 0 {
				return
			}
		}
		t.Fatal("fan-out never finished")
	}
	inbox := func(t *testing.T, s Store, u *forum.User) []*forum.Notice {
		t.Helper()
		return must(s.Inbox(ctx, u.ID, forum.NotificationFilter{Page: 1, PageSize: 100})).ok(t).Items
	}
	// kinds lists a person's notices as "kind×count", newest first.
	kinds := func(t *testing.T, s Store, u *forum.User) string {
		t.Helper()
		out := ""
		for _, n := range inbox(t, s, u) {
			out += fmt.Sprintf("%s×%d ", n.Kind, n.Count)
		}
		return out
	}
	answer := func(t *testing.T, s Store, by *forum.User, q *forum.Post, body string) *forum.Post {
		t.Helper()
		return must(s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: by.ID, Body: body, BodyHTML: "<p>x</p>", Now: t0})).ok(t)
	}

	t.Run("an answer tells the asker and the question's followers, never the answerer; repeats collapse", func(t *testing.T) {
		s := open(t)
		asker, ben, cat, dee, eve := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "ben"), MustCreateUser(t, s, "cat"),
			MustCreateUser(t, s, "dee"), MustCreateUser(t, s, "eve")
		q := MustAsk(t, s, asker, "How do you run exit tickets?")
		must(s.Follow(ctx, cat.ID, forum.FollowQuestion, strconv.FormatInt(q.ID, 10), t0)).ok(t)
		answer(t, s, ben, q, "Index cards at the door, every day.")
		drain(t, s, "")
		for _, c := range []struct {
			who  *forum.User
			want string
		}{{asker, "answer×1 "}, {cat, "followed_answer×1 "}, {ben, ""}, {dee, ""}} {
			if got := kinds(t, s, c.who); got != c.want {
				t.Errorf("%s: %q, want %q", c.who.Username, got, c.want)
			}
		}
		n := inbox(t, s, asker)[0]
		if n.Actor == nil || n.Actor.ID != ben.ID || n.Title != q.Title || n.URL == "" || n.Text() != "Person ben answered your question" {
			t.Errorf("notice = %+v (%q)", n, n.Text())
		}
		answer(t, s, eve, q, "A Google Form works too.")
		drain(t, s, "")
		for _, c := range []struct {
			who  *forum.User
			want string
		}{{asker, "answer×2 "}, {cat, "followed_answer×2 "}, {ben, "followed_answer×1 "}, {eve, ""}} {
			if got := kinds(t, s, c.who); got != c.want {
				t.Errorf("after a second answer, %s: %q, want %q", c.who.Username, got, c.want)
			}
		}
		if got := inbox(t, s, asker)[0].Text(); got != "2 new answers to your question" {
			t.Errorf("collapsed text = %q", got)
		}
		if n := must(s.UnreadCount(ctx, asker.ID)).ok(t); n != 1 {
			t.Errorf("unread = %d, want 1 (collapsed)", n)
		}
		// Read, the next answer starts a new notice.
		check(t, s.MarkRead(ctx, asker.ID, nil, true, t0))
		answer(t, s, dee, q, "Exit tickets on sticky notes.")
		drain(t, s, "")
		if got := kinds(t, s, asker); got != "answer×1 answer×2 " {
			t.Errorf("after reading: %q", got)
		}
	})

	t.Run("comments, replies, mentions, acceptance and edits", func(t *testing.T) {
		s := open(t)
		asker, ben, cat, dee := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "ben"), MustCreateUser(t, s, "cat"), MustCreateUser(t, s, "dee")
		demo := must(s.CreateUser(ctx, forum.NewUser{Username: "demo1", Email: "demo1@example.org", DisplayName: "Demo", Role: forum.RoleMember, Demo: true}, t0)).ok(t)
		gone := MustCreateUser(t, s, "gone")
		at := t0
		check(t, s.SetDisabled(ctx, gone.ID, &at))
		q := MustAsk(t, s, asker, "Grading late work")
		a := answer(t, s, ben, q, "Accept it, with a note. cc @cat and @dee, and `@asker` in code is no call.")
		drain(t, s, "")
		if got := kinds(t, s, cat); got != "mention×1 " {
			t.Errorf("cat: %q", got)
		}
		if got := kinds(t, s, asker); got != "answer×1 " {
			t.Errorf("asker (mentioned only in code): %q", got)
		}
		c := must(s.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: cat.ID, Body: "Which note? @demo1 @gone @nobody", Now: t0})).ok(t)
		must(s.CreateComment(ctx, forum.NewComment{PostID: a.ID, ParentID: c.ID, AuthorID: dee.ID, Body: "The late-work note, @ben", Now: t0})).ok(t)
		drain(t, s, "")
		// ben: a comment on his answer, then dee's reply (his answer's comment again:
		// collapsed) that mentions him (told once, as the comment on his post).
		if got := kinds(t, s, ben); got != "comment×2 " {
			t.Errorf("ben: %q", got)
		}
		if got := kinds(t, s, cat); got != "reply×1 mention×1 " {
			t.Errorf("cat: %q", got)
		}
		for _, u := range []*forum.User{demo, gone} {
			if got := kinds(t, s, u); got != "" {
				t.Errorf("%s cannot sign in and was told: %q", u.Username, got)
			}
		}
		mustAccept(t, s, a, asker, true)
		drain(t, s, "")
		if got := kinds(t, s, ben)[:len("accepted×1")]; got != "accepted×1" {
			t.Errorf("ben after acceptance: %q", kinds(t, s, ben))
		}
		mustAccept(t, s, a, asker, false) // taken back: nobody is told of that
		drain(t, s, "")
		if got := kinds(t, s, ben); got != "accepted×1 comment×2 " {
			t.Errorf("ben after the acceptance was taken back: %q", got)
		}
		body := "Accept it, with a note. cc @cat and @dee, and now @asker too."
		must(s.EditPost(ctx, forum.StoredEdit{PostID: a.ID, EditorID: cat.ID, Body: &body, BodyHTML: "<p>x</p>", BaseRevision: 1, Now: t0})).ok(t)
		drain(t, s, "")
		if got := kinds(t, s, ben); got != "edit×1 accepted×1 comment×2 " {
			t.Errorf("ben after cat's edit: %q", got)
		}
		if got := kinds(t, s, asker); got != "mention×1 answer×1 " {
			t.Errorf("asker, newly mentioned by the edit: %q", got)
		}
		if got := kinds(t, s, dee); got != "mention×1 " {
			t.Errorf("dee, mentioned before the edit too, is told once: %q", got)
		}
	})

	t.Run("a new question tells its tags' followers, once each", func(t *testing.T) {
		s := open(t)
		asker, fan, both, other := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "fan"), MustCreateUser(t, s, "both"), MustCreateUser(t, s, "other")
		MustAsk(t, s, other, "Seed", "grading", "math") // the tags exist
		for _, f := range []struct {
			u   *forum.User
			tag string
		}{{fan, "grading"}, {both, "grading"}, {both, "math"}, {asker, "grading"}} {
			must(s.Follow(ctx, f.u.ID, forum.FollowTag, f.tag, t0)).ok(t)
		}
		drain(t, s, "")
		MustAsk(t, s, asker, "Standards-based grading in math", "grading", "math")
		drain(t, s, "")
		if got := kinds(t, s, fan); got != "tag_question×1 tag_question×1 " {
			t.Errorf("fan: %q (the seed question, then this one)", got)
		}
		if got := kinds(t, s, both); got != "tag_question×1 tag_question×1 " {
			t.Errorf("both tags' follower, told once per question: %q", got)
		}
		if got := kinds(t, s, asker); got != "tag_question×1 " {
			t.Errorf("the asker is not told of their own question: %q", got)
		}
	})

	t.Run("deleted before the fan-out: nobody is told; deleted after: inboxes hide it", func(t *testing.T) {
		s := open(t)
		asker, ben := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "ben")
		q := MustAsk(t, s, asker, "Deleted soon")
		a := answer(t, s, ben, q, "An answer to delete")
		check(t, s.DeletePost(ctx, a.ID, ben, t0))
		drain(t, s, "")
		if got := kinds(t, s, asker); got != "" {
			t.Errorf("told of a deleted answer: %q", got)
		}
		q2 := MustAsk(t, s, asker, "Deleted later")
		answer(t, s, ben, q2, "Kept a while")
		drain(t, s, "")
		if got := kinds(t, s, asker); got != "answer×1 " {
			t.Fatalf("asker: %q", got)
		}
		check(t, s.DeletePost(ctx, q2.ID, asker, t0))
		if got, n := kinds(t, s, asker), must(s.UnreadCount(ctx, asker.ID)).ok(t); got != "" || n != 0 {
			t.Errorf("after the question was deleted: %q, unread %d", got, n)
		}
	})

	t.Run("private collaborative: only members and moderators are told", func(t *testing.T) {
		s := open(t)
		lead, outsider, mod, actor := MustCreateUser(t, s, "lead"), MustCreateUser(t, s, "outsider"), MustCreateUser(t, s, "mod"), MustCreateUser(t, s, "actor")
		check(t, s.SetRole(ctx, mod.ID, forum.RoleModerator))
		g := must(s.CreateCollaborative(ctx, forum.NewCollaborative{Slug: "hidden-group", Name: "Hidden", Visibility: forum.VisibilityPrivate,
			CreatedBy: lead.ID, Now: t0})).ok(t)
		must(s.Follow(ctx, outsider.ID, forum.FollowCollaborative, "hidden-group", t0)).ok(t) // from before it went private, say
		check(t, s.Notify(ctx, forum.Notification{Kind: forum.NotifyMention, ActorID: actor.ID, Actor: "Actor", Title: "Private channel",
			URL: "/c/hidden-group", PrivateTo: g.ID, Direct: []int64{lead.ID, outsider.ID, mod.ID, actor.ID},
			Follow: forum.FollowCollaborative, FollowTargets: []string{"hidden-group"}, At: t0}))
		drain(t, s, "")
		for _, c := range []struct {
			who  *forum.User
			want string
		}{{lead, "mention×1 "}, {mod, "mention×1 "}, {outsider, ""}, {actor, ""}} {
			if got := kinds(t, s, c.who); got != c.want {
				t.Errorf("%s: %q, want %q", c.who.Username, got, c.want)
			}
		}
	})

	t.Run("a big fan-out goes in batches, resumes, and tells each follower once", func(t *testing.T) {
		s := open(t)
		asker, ben := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "ben")
		q := MustAsk(t, s, asker, "Followed by many")
		const n = 1203
		for i := 0; i < n; i++ {
			u := MustCreateUser(t, s, "f"+strconv.Itoa(i))
			must(s.Follow(ctx, u.ID, forum.FollowQuestion, strconv.FormatInt(q.ID, 10), t0)).ok(t)
		}
		answer(t, s, ben, q, "One answer, many readers")
		steps := 0
		for {
			left, err := s.ExpandNotifications(ctx, 500, "", t0)
			check(t, err)
			steps++
			if left == 0 {
				break
			}
		}
		if steps != 4 { // the asker; then 500, 500, 203 followers
			t.Errorf("fan-out took %d steps, want 4", steps)
		}
		last := must(s.UserByLogin(ctx, "f"+strconv.Itoa(n-1))).ok(t)
		if got := kinds(t, s, last); got != "followed_answer×1 " {
			t.Errorf("last follower: %q", got)
		}
		if got := kinds(t, s, asker); got != "answer×1 " {
			t.Errorf("asker (also a follower): %q", got)
		}
	})

	t.Run("marking read: one's own only", func(t *testing.T) {
		s := open(t)
		asker, ben := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "ben")
		q := MustAsk(t, s, asker, "Mine")
		answer(t, s, ben, q, "An answer")
		qb := MustAsk(t, s, ben, "Ben's")
		answer(t, s, asker, qb, "An answer back")
		drain(t, s, "")
		mine, bens := inbox(t, s, asker)[0], inbox(t, s, ben)[0]
		err := s.MarkRead(ctx, asker.ID, []int64{mine.ID, bens.ID}, false, t0)
		wantCode(t, err, forum.ENotFound, "notification_not_found")
		if n := must(s.UnreadCount(ctx, asker.ID)).ok(t); n != 1 {
			t.Errorf("a refused mark changed something: unread %d", n)
		}
		check(t, s.MarkRead(ctx, asker.ID, []int64{mine.ID}, false, t0))
		if n := must(s.UnreadCount(ctx, asker.ID)).ok(t); n != 0 {
			t.Errorf("unread after marking = %d", n)
		}
		if n := must(s.UnreadCount(ctx, ben.ID)).ok(t); n != 1 {
			t.Errorf("ben's unread = %d", n)
		}
		unread := must(s.Inbox(ctx, asker.ID, forum.NotificationFilter{UnreadOnly: true, Page: 1, PageSize: 10})).ok(t)
		all := must(s.Inbox(ctx, asker.ID, forum.NotificationFilter{Page: 1, PageSize: 10})).ok(t)
		if len(unread.Items) != 0 || len(all.Items) != 1 || all.Items[0].ReadAt == nil {
			t.Errorf("unread page %d items, all %+v", len(unread.Items), all.Items)
		}
	})

	t.Run("follows and mail modes", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "u")
		q := MustAsk(t, s, u, "Followed automatically")
		id := strconv.FormatInt(q.ID, 10)
		if created := must(s.Follow(ctx, u.ID, forum.FollowQuestion, id, t0)).ok(t); created {
			t.Error("the asker did not follow their question already")
		}
		must(s.Follow(ctx, u.ID, forum.FollowTag, "grading", t0.Add(time.Minute))).ok(t)
		fs := must(s.Follows(ctx, u.ID)).ok(t)
		if len(fs) != 2 || fs[0].Kind != forum.FollowTag || fs[1].Title != q.Title || fs[1].URL != "/questions/"+id {
			t.Errorf("follows = %+v", fs)
		}
		check(t, s.Unfollow(ctx, u.ID, forum.FollowTag, "grading"))
		wantCode(t, s.Unfollow(ctx, u.ID, forum.FollowTag, "grading"), forum.ENotFound, "not_following")
		check(t, s.SetMailModes(ctx, u.ID, map[forum.NotificationKind]forum.MailMode{forum.NotifyAnswer: forum.MailWeekly}))
		check(t, s.SetMailModes(ctx, u.ID, map[forum.NotificationKind]forum.MailMode{forum.NotifyAnswer: forum.MailNever, forum.NotifyEdit: forum.MailImmediate}))
		m := must(s.MailModes(ctx, u.ID)).ok(t)
		if len(m) != 2 || m[forum.NotifyAnswer] != forum.MailNever || m[forum.NotifyEdit] != forum.MailImmediate {
			t.Errorf("modes = %v", m)
		}
	})

	t.Run("mail: only immediate kinds, only to a confirmed address that has not bounced", func(t *testing.T) {
		s := open(t)
		asker, ben, cat := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "ben"), MustCreateUser(t, s, "cat")
		confirm := func(u *forum.User) {
			hash := []byte("verify-" + u.Username)
			check(t, s.CreateEmailVerification(ctx, u.ID, hash, t0.Add(time.Hour), forum.OutboxMail{IdemKey: "v:" + u.Username,
				UserID: u.ID, Kind: forum.MailKindVerifyEmail, Data: forum.MailData{Subject: "Confirm", Token: "tok"}}, "example.org", t0))
			must(s.UseEmailVerification(ctx, hash, t0)).ok(t)
		}
		confirm(asker)
		confirm(cat)
		_, err := s.UseEmailVerification(ctx, []byte("verify-asker"), t0)
		wantCode(t, err, forum.EGone, "verify_used")
		check(t, s.SetMailModes(ctx, cat.ID, map[forum.NotificationKind]forum.MailMode{forum.NotifyAnswer: forum.MailDaily}))
		q := MustAsk(t, s, asker, "Mailed")
		qc := MustAsk(t, s, cat, "Digested")
		qb := MustAsk(t, s, ben, "Unconfirmed")
		answer(t, s, ben, q, "to asker")
		answer(t, s, ben, qc, "to cat")
		answer(t, s, asker, qb, "to ben")
		drain(t, s, "example.org")
		due := must(s.DueMail(ctx, t0.Add(2*time.Hour), 100)).ok(t)
		var notices []*forum.OutboxMail
		for _, m := range due {
			if m.Kind == string(forum.NotifyAnswer) {
				notices = append(notices, m)
			}
		}
		if len(notices) != 1 || notices[0].To != asker.Email || notices[0].MessageID == "" || notices[0].Data.Unsubscribe != "answer" {
			t.Fatalf("notice mail = %+v (due %d)", notices, len(due))
		}
		m := notices[0]
		if ok := must(s.ClaimMail(ctx, m.ID, t0.Add(2*time.Hour), t0.Add(3*time.Hour))).ok(t); !ok {
			t.Fatal("claim refused")
		}
		if again := must(s.DueMail(ctx, t0.Add(2*time.Hour), 100)).ok(t); len(again) != len(due)-1 {
			t.Errorf("a claimed message is due again before its lease: %d", len(again))
		}
		if lost := must(s.DueMail(ctx, t0.Add(3*time.Hour), 100)).ok(t); len(lost) != len(due) {
			t.Errorf("a claim past its lease is not due again (presumed lost): %d of %d", len(lost), len(due))
		}
		check(t, s.MailSent(ctx, m.ID, t0.Add(2*time.Hour)))
		if ok := must(s.ClaimMail(ctx, m.ID, t0.Add(4*time.Hour), t0.Add(5*time.Hour))).ok(t); ok {
			t.Error("a sent message was claimed again")
		}
		check(t, s.QueueMail(ctx, forum.OutboxMail{IdemKey: "x", UserID: cat.ID, To: cat.Email, Kind: "verify_email"}, "example.org", t0))
		check(t, s.QueueMail(ctx, forum.OutboxMail{IdemKey: "x", UserID: cat.ID, To: cat.Email, Kind: "verify_email"}, "example.org", t0))
		var bounce *forum.OutboxMail
		n := 0
		for _, d := range must(s.DueMail(ctx, t0.Add(2*time.Hour), 100)).ok(t) {
			if d.IdemKey == "x" {
				bounce, n = d, n+1
			}
		}
		if n != 1 {
			t.Fatalf("one idempotency key queued %d messages", n)
		}
		check(t, s.MailFailed(ctx, bounce.ID, "550 no such user", true, t0))
		st := must(s.MailStatus(ctx, cat.ID)).ok(t)
		if !st.Verified || st.BouncedAt == nil || st.Bounce != "550 no such user" {
			t.Errorf("status after a bounce = %+v", st)
		}
		answer(t, s, ben, qc, "to cat again")
		check(t, s.SetMailModes(ctx, cat.ID, map[forum.NotificationKind]forum.MailMode{forum.NotifyAnswer: forum.MailImmediate}))
		drain(t, s, "example.org")
		for _, d := range must(s.DueMail(ctx, t0.Add(2*time.Hour), 100)).ok(t) {
			if d.To == cat.Email && d.Kind == string(forum.NotifyAnswer) {
				t.Errorf("mail queued to a bounced address: %+v", d)
			}
		}
	})

	t.Run("digests: unread notices of the period's kinds and new questions in followed tags", func(t *testing.T) {
		s := open(t)
		u, ben := MustCreateUser(t, s, "u"), MustCreateUser(t, s, "ben")
		hash := []byte("v")
		check(t, s.CreateEmailVerification(ctx, u.ID, hash, t0.Add(time.Hour), forum.OutboxMail{IdemKey: "v", UserID: u.ID, Kind: "verify_email"}, "example.org", t0))
		must(s.UseEmailVerification(ctx, hash, t0)).ok(t)
		MustAsk(t, s, ben, "Seed", "grading")
		drain(t, s, "example.org") // before u follows the tag
		must(s.Follow(ctx, u.ID, forum.FollowTag, "grading", t0)).ok(t)
		q := MustAsk(t, s, u, "Mine")
		answer(t, s, ben, q, "An answer")
		MustAsk(t, s, ben, "New in grading", "grading")
		drain(t, s, "example.org")
		people := must(s.DigestPeople(ctx, 0, 10, 0)).ok(t)
		if len(people) != 1 || people[0].UserID != u.ID || people[0].Email != u.Email {
			t.Fatalf("digest people = %+v (only confirmed addresses)", people)
		}
		ns := must(s.DigestNotices(ctx, u.ID, []forum.NotificationKind{forum.NotifyTagQuestion}, t0.Add(-time.Hour), 10)).ok(t)
		qs := must(s.DigestQuestions(ctx, u.ID, t0.Add(-time.Hour), 10)).ok(t)
		if len(ns) != 1 || ns[0].Kind != forum.NotifyTagQuestion || len(qs) != 2 {
			t.Fatalf("digest notices %+v, questions %+v", ns, qs)
		}
		check(t, s.QueueDigest(ctx, u.ID, forum.DigestDaily, forum.OutboxMail{IdemKey: "d1", UserID: u.ID, To: u.Email, Kind: forum.MailKindDigestDaily},
			[]int64{ns[0].ID}, "example.org", t0.Add(time.Hour)))
		if again := must(s.DigestNotices(ctx, u.ID, []forum.NotificationKind{forum.NotifyTagQuestion}, t0.Add(-time.Hour), 10)).ok(t); len(again) != 0 {
			t.Errorf("a digested notice comes again: %+v", again)
		}
		people = must(s.DigestPeople(ctx, 0, 10, u.ID)).ok(t)
		if !people[0].Last[forum.DigestDaily].Equal(t0.Add(time.Hour)) {
			t.Errorf("last daily digest = %v", people[0].Last)
		}
	})
}
