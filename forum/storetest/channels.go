package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// Channels and messages (forum.ChannelStore).

// MustGeneral returns a collaborative's #general channel.
func MustGeneral(t *testing.T, s forum.ChannelStore, g *forum.Collaborative, viewer *forum.User) *forum.Channel {
	t.Helper()
	chs, err := s.Channels(context.Background(), g.ID, viewer)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		if ch.Name == forum.GeneralChannel {
			return ch
		}
	}
	t.Fatalf("%s has no #general: %+v", g.Slug, chs)
	return nil
}

// msg is a message ready to store, rendered trivially.
func msg(ch *forum.Channel, author *forum.User, parent int64, body string, at time.Time) forum.NewMessage {
	return forum.NewMessage{ChannelID: ch.ID, ParentID: parent, Author: author, Body: forum.Rendered{Text: body, HTML: "<p>" + body + "</p>"},
		Mentions: forum.ParseMentions(body), Now: at}
}

// eventTape is a Publisher that keeps what it hears.
type eventTape struct {
	mu     sync.Mutex
	events []forum.LoggedEvent
}

func (r *eventTape) Encode(e forum.Event) ([]byte, error) { return json.Marshal(e.Data) }
func (r *eventTape) Publish(es []forum.LoggedEvent) {
	r.mu.Lock()
	r.events = append(r.events, es...)
	r.mu.Unlock()
}
func (r *eventTape) names(topic string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Topic == topic {
			out = append(out, e.Name)
		}
	}
	return out
}

func testChannels(t *testing.T, open Opener) {
	ctx := context.Background()
	type fixture struct {
		s                          Store
		admin, lead, member, other *forum.User
		pub, priv                  *forum.Collaborative
		general, secret            *forum.Channel
		rec                        *eventTape
	}
	setup := func(t *testing.T) *fixture {
		s := open(t)
		f := &fixture{s: s, rec: &eventTape{}}
		s.PublishTo(f.rec)
		f.admin = MustCreateUser(t, s, "admin") // the first account is the site's admin
		f.lead = MustCreateUser(t, s, "lead")
		f.member = MustCreateUser(t, s, "member")
		f.other = MustCreateUser(t, s, "other")
		f.pub = MustCollaborative(t, s, f.lead, "ct-framework", forum.VisibilityPublic)
		f.priv = MustCollaborative(t, s, f.lead, "ell-resources", forum.VisibilityPrivate)
		MustAddMember(t, s, f.pub, f.member, forum.MemberRoleMember)
		MustAddMember(t, s, f.priv, f.member, forum.MemberRoleMember)
		f.general = MustGeneral(t, s, f.pub, f.lead)
		f.secret = MustGeneral(t, s, f.priv, f.lead)
		return f
	}

	t.Run("a collaborative starts with #general; leads add channels", func(t *testing.T) {
		f := setup(t)
		s := f.s
		if f.general.CollaborativeSlug != "ct-framework" || f.general.Archived() || f.general.CreatedBy != 0 {
			t.Fatalf("general = %+v", f.general)
		}
		ch := must(s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ct-framework", Name: "grading", Topic: "Rubrics", Actor: f.lead, Now: t0})).ok(t)
		if ch.Name != "grading" || ch.Topic != "Rubrics" || ch.CreatedBy != f.lead.ID {
			t.Fatalf("created %+v", ch)
		}
		_, err := s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ct-framework", Name: "grading", Actor: f.lead, Now: t0})
		wantCode(t, err, forum.EConflict, "channel_name_taken")
		_, err = s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ct-framework", Name: "mine", Actor: f.member, Now: t0})
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		_, err = s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ell-resources", Name: "mine", Actor: f.other, Now: t0})
		wantCode(t, err, forum.ENotFound, "")
		_, err = s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "nope", Name: "mine", Actor: f.lead, Now: t0})
		wantCode(t, err, forum.ENotFound, "")
		// The same name in another collaborative is fine.
		check(t, errOf2(s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ell-resources", Name: "grading", Actor: f.admin, Now: t0})))
		chs := must(s.Channels(ctx, f.pub.ID, nil)).ok(t)
		if len(chs) != 2 || chs[0].Name != "general" || chs[1].Name != "grading" {
			t.Fatalf("channels = %+v", chs)
		}
	})

	t.Run("access is one query and private channels are invisible", func(t *testing.T) {
		f := setup(t)
		s := f.s
		for _, tc := range []struct {
			who        *forum.User
			see, write bool
		}{{nil, false, false}, {f.other, false, false}, {f.member, true, true}, {f.lead, true, true}, {f.admin, true, true}} {
			a := must(s.ChannelAccess(ctx, f.secret.ID, tc.who)).ok(t)
			if (a.CheckSee() == nil) != tc.see || (a.CheckWrite() == nil) != tc.write {
				t.Errorf("%v: see %v write %v", tc.who, a.CheckSee(), a.CheckWrite())
			}
			if !tc.see {
				wantCode(t, a.CheckSee(), forum.ENotFound, "")
			}
		}
		a := must(s.ChannelAccess(ctx, f.general.ID, f.other)).ok(t)
		if a.CheckSee() != nil {
			t.Error("a public channel is readable by everyone")
		}
		wantCode(t, a.CheckWrite(), forum.EForbidden, "not_a_member")
		_, err := s.ChannelAccess(ctx, 99999, f.lead)
		wantCode(t, err, forum.ENotFound, "")
		_, err = s.CreateMessage(ctx, msg(f.secret, f.other, 0, "let me in", t0))
		wantCode(t, err, forum.ENotFound, "")
	})

	t.Run("messages, history pages and events", func(t *testing.T) {
		f := setup(t)
		s := f.s
		var ids []int64
		for i := 0; i < 7; i++ {
			m := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "hello "+string(rune('a'+i)), t0.Add(time.Duration(i)*time.Second)))).ok(t)
			ids = append(ids, m.ID)
		}
		page := must(s.ChannelMessages(ctx, f.general.ID, 0, 0, 3)).ok(t)
		if len(page.Items) != 3 || !page.More || page.Items[0].ID != ids[4] || page.Items[2].ID != ids[6] {
			t.Fatalf("newest page = %+v", page)
		}
		if m := page.Items[2]; m.Body != "hello g" || m.BodyHTML != "<p>hello g</p>" || m.Author.Username != "member" || !m.CreatedAt.Equal(t0.Add(6*time.Second)) {
			t.Fatalf("message = %+v", m)
		}
		page = must(s.ChannelMessages(ctx, f.general.ID, 0, ids[4], 3)).ok(t)
		if len(page.Items) != 3 || !page.More || page.Items[0].ID != ids[1] {
			t.Fatalf("older page = %+v", page)
		}
		page = must(s.ChannelMessages(ctx, f.general.ID, 0, ids[1], 3)).ok(t)
		if len(page.Items) != 1 || page.More {
			t.Fatalf("oldest page = %+v", page)
		}
		if got := f.rec.names(forum.TopicChannel(f.general.ID)); len(got) != 7 || got[0] != forum.EventMessageCreated {
			t.Fatalf("events = %v", got)
		}
		a := must(s.ChannelAccess(ctx, f.general.ID, nil)).ok(t)
		if a.Channel.LastMessageID != ids[6] {
			t.Errorf("last message = %d, want %d", a.Channel.LastMessageID, ids[6])
		}
	})

	t.Run("threads: replies to a top-level message of the same channel", func(t *testing.T) {
		f := setup(t)
		s := f.s
		top := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "question", t0))).ok(t)
		r1 := must(s.CreateMessage(ctx, msg(f.general, f.lead, top.ID, "answer one", t0.Add(time.Minute)))).ok(t)
		must(s.CreateMessage(ctx, msg(f.general, f.member, top.ID, "answer two", t0.Add(2*time.Minute)))).ok(t)
		if r1.ParentID != top.ID {
			t.Fatalf("reply = %+v", r1)
		}
		_, err := s.CreateMessage(ctx, msg(f.general, f.member, r1.ID, "nested", t0))
		wantCode(t, err, forum.EInvalid, "bad_parent")
		other := must(s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ct-framework", Name: "other", Actor: f.lead, Now: t0})).ok(t)
		_, err = s.CreateMessage(ctx, msg(other, f.member, top.ID, "wrong channel", t0))
		wantCode(t, err, forum.EInvalid, "bad_parent")
		_, err = s.CreateMessage(ctx, msg(f.general, f.member, 424242, "no parent", t0))
		wantCode(t, err, forum.EInvalid, "bad_parent")

		parent, _ := mustPair(s.MessageAccess(ctx, top.ID, f.member))
		if parent.ReplyCount != 2 || parent.LastReplyAt == nil || !parent.LastReplyAt.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("parent = %+v", parent)
		}
		replies := must(s.MessageReplies(ctx, top.ID)).ok(t)
		if len(replies) != 2 || replies[0].ID != r1.ID {
			t.Fatalf("replies = %+v", replies)
		}
		page := must(s.ChannelMessages(ctx, f.general.ID, 0, 0, 50)).ok(t)
		if len(page.Items) != 1 {
			t.Fatalf("history shows replies: %+v", page.Items)
		}
		// Deleting a reply lowers the count; deleting the parent keeps a tombstone.
		check(t, s.DeleteMessage(ctx, r1.ID, f.lead, t0))
		check(t, s.DeleteMessage(ctx, top.ID, f.member, t0))
		page = must(s.ChannelMessages(ctx, f.general.ID, 0, 0, 50)).ok(t)
		if len(page.Items) != 1 || !page.Items[0].Deleted() || page.Items[0].Body != "" || page.Items[0].ReplyCount != 1 {
			t.Fatalf("tombstone = %+v", page.Items)
		}
		_, err = s.CreateMessage(ctx, msg(f.general, f.member, top.ID, "to a deleted one", t0))
		wantCode(t, err, forum.EInvalid, "bad_parent")
	})

	t.Run("an archive lists live messages, replies after their parent", func(t *testing.T) {
		f := setup(t)
		s := f.s
		a := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "a", t0))).ok(t)
		b := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "b", t0))).ok(t)
		ra := must(s.CreateMessage(ctx, msg(f.general, f.lead, a.ID, "reply to a", t0))).ok(t)
		gone := must(s.CreateMessage(ctx, msg(f.general, f.lead, 0, "gone", t0))).ok(t)
		check(t, s.DeleteMessage(ctx, gone.ID, f.lead, t0))
		got := must(s.ChannelArchive(ctx, f.general.ID)).ok(t)
		if len(got) != 3 || got[0].ID != a.ID || got[1].ID != ra.ID || got[2].ID != b.ID {
			t.Fatalf("archive = %+v", got)
		}
	})

	t.Run("edits keep revisions; only the author edits", func(t *testing.T) {
		f := setup(t)
		s := f.s
		m := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "first words", t0))).ok(t)
		_, err := s.EditMessage(ctx, m.ID, f.lead, forum.Rendered{Text: "lead's words", HTML: "x"}, nil, t0)
		wantCode(t, err, forum.EForbidden, "not_author")
		e := must(s.EditMessage(ctx, m.ID, f.member, forum.Rendered{Text: "second words @lead", HTML: "<p>second</p>"}, []string{"lead"}, t0.Add(time.Minute))).ok(t)
		if e.Body != "second words @lead" || e.EditedAt == nil || len(e.Mentions) != 1 || e.Mentions[0] != f.lead.ID {
			t.Fatalf("edited = %+v", e)
		}
		revs := must(s.MessageRevisions(ctx, m.ID)).ok(t)
		if len(revs) != 1 || revs[0].Body != "first words" || revs[0].EditedBy != f.member.ID {
			t.Fatalf("revisions = %+v", revs)
		}
		if got := f.rec.names(forum.TopicChannel(f.general.ID)); len(got) != 2 || got[1] != forum.EventMessageUpdated {
			t.Fatalf("events = %v", got)
		}
		_, err = s.EditMessage(ctx, 99999, f.member, forum.Rendered{Text: "x", HTML: "x"}, nil, t0)
		wantCode(t, err, forum.ENotFound, "")
	})

	t.Run("deletes: own, leads' and moderators' (audited), never others'", func(t *testing.T) {
		f := setup(t)
		s := f.s
		m1 := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "secret plans", t0))).ok(t)
		m2 := must(s.CreateMessage(ctx, msg(f.general, f.lead, 0, "lead's", t0))).ok(t)
		MustAddMember(t, s, f.pub, f.other, forum.MemberRoleMember)
		wantCode(t, s.DeleteMessage(ctx, m1.ID, f.other, t0), forum.EForbidden, "not_author")
		check(t, s.DeleteMessage(ctx, m1.ID, f.lead, t0))
		check(t, s.DeleteMessage(ctx, m2.ID, f.admin, t0))
		wantCode(t, s.DeleteMessage(ctx, m1.ID, f.lead, t0), forum.ENotFound, "")
		if page := must(s.ChannelMessages(ctx, f.general.ID, 0, 0, 50)).ok(t); len(page.Items) != 0 {
			t.Fatalf("deleted messages listed: %+v", page.Items)
		}
		// The logged words are gone too: a replay shows the deletion only.
		events := must(s.EventsSince(ctx, forum.TopicChannel(f.general.ID), 0, 100, 0)).ok(t)
		for _, e := range events {
			if strings.Contains(string(e.Data), "secret plans") {
				t.Fatalf("a deleted message's words stay in the log: %s %s", e.Name, e.Data)
			}
		}
		if len(events) != 4 || events[0].Name != forum.EventMessageDeleted || events[2].Name != forum.EventMessageDeleted {
			t.Fatalf("events = %+v", events)
		}
	})

	t.Run("reactions and pins", func(t *testing.T) {
		f := setup(t)
		s := f.s
		m := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "ship it", t0))).ok(t)
		must(s.SetReaction(ctx, m.ID, f.member, "👍", true, t0)).ok(t)
		must(s.SetReaction(ctx, m.ID, f.lead, "👍", true, t0.Add(time.Second))).ok(t)
		r := must(s.SetReaction(ctx, m.ID, f.lead, "🎉", true, t0.Add(2*time.Second))).ok(t)
		if len(r.Reactions) != 2 || r.Reactions[0].Emoji != "👍" || len(r.Reactions[0].Users) != 2 || r.Reactions[1].Emoji != "🎉" {
			t.Fatalf("reactions = %+v", r.Reactions)
		}
		must(s.SetReaction(ctx, m.ID, f.lead, "🎉", true, t0)).ok(t) // again: nothing changes
		r = must(s.SetReaction(ctx, m.ID, f.member, "👍", false, t0)).ok(t)
		if len(r.Reactions) != 2 || len(r.Reactions[0].Users) != 1 || r.Reactions[0].Users[0] != f.lead.ID {
			t.Fatalf("after taking back = %+v", r.Reactions)
		}
		page := must(s.ChannelMessages(ctx, f.general.ID, 0, 0, 10)).ok(t)
		if got := page.Items[0].Reactions; len(got) != 2 {
			t.Fatalf("history's reactions = %+v", got)
		}
		_, err := s.SetReaction(ctx, m.ID, f.other, "👍", true, t0)
		wantCode(t, err, forum.EForbidden, "not_a_member")

		p := must(s.SetPin(ctx, m.ID, f.member, true, t0)).ok(t)
		if p.PinnedAt == nil || p.PinnedBy != f.member.ID {
			t.Fatalf("pinned = %+v", p)
		}
		pins := must(s.PinnedMessages(ctx, f.general.ID)).ok(t)
		if len(pins) != 1 || pins[0].ID != m.ID {
			t.Fatalf("pins = %+v", pins)
		}
		must(s.SetPin(ctx, m.ID, f.member, false, t0)).ok(t)
		if pins := must(s.PinnedMessages(ctx, f.general.ID)).ok(t); len(pins) != 0 {
			t.Fatalf("pins after unpin = %+v", pins)
		}
		want := []string{"message.created", "reaction.added", "reaction.added", "reaction.added", "reaction.removed", "message.pinned", "message.unpinned"}
		if got := f.rec.names(forum.TopicChannel(f.general.ID)); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("events = %v, want %v", got, want)
		}
	})

	t.Run("archived channels take nothing new", func(t *testing.T) {
		f := setup(t)
		s := f.s
		m := must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "before", t0))).ok(t)
		yes, no := true, false
		name, topic := "old-general", "Kept for the record"
		_, err := s.UpdateChannel(ctx, f.general.ID, f.member, forum.ChannelUpdate{Archived: &yes}, t0)
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		ch := must(s.UpdateChannel(ctx, f.general.ID, f.lead, forum.ChannelUpdate{Archived: &yes, Name: &name, Topic: &topic}, t0)).ok(t)
		if !ch.Archived() || ch.Name != "old-general" || ch.Topic != topic {
			t.Fatalf("updated = %+v", ch)
		}
		_, err = s.CreateMessage(ctx, msg(f.general, f.member, 0, "after", t0))
		wantCode(t, err, forum.EConflict, "channel_archived")
		_, err = s.SetReaction(ctx, m.ID, f.member, "👍", true, t0)
		wantCode(t, err, forum.EConflict, "channel_archived")
		_, err = s.EditMessage(ctx, m.ID, f.member, forum.Rendered{Text: "x", HTML: "x"}, nil, t0)
		wantCode(t, err, forum.EConflict, "channel_archived")
		chs := must(s.Channels(ctx, f.pub.ID, nil)).ok(t)
		if !chs[len(chs)-1].Archived() {
			t.Errorf("archived channels come last: %+v", chs)
		}
		must(s.UpdateChannel(ctx, f.general.ID, f.lead, forum.ChannelUpdate{Archived: &no}, t0)).ok(t)
		must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "reopened", t0))).ok(t)
		other := must(s.CreateChannel(ctx, forum.NewChannel{CollaborativeSlug: "ct-framework", Name: "general", Actor: f.lead, Now: t0})).ok(t)
		_, err = s.UpdateChannel(ctx, other.ID, f.lead, forum.ChannelUpdate{Name: &name}, t0)
		wantCode(t, err, forum.EConflict, "channel_name_taken")
		_, err = s.UpdateChannel(ctx, f.secret.ID, f.other, forum.ChannelUpdate{Name: &name}, t0)
		wantCode(t, err, forum.ENotFound, "")
	})

	t.Run("mentions name members only", func(t *testing.T) {
		f := setup(t)
		s := f.s
		m := must(s.CreateMessage(ctx, msg(f.secret, f.member, 0, "@lead and @other and @nobody and @LEAD", t0))).ok(t)
		if len(m.Mentions) != 1 || m.Mentions[0] != f.lead.ID {
			t.Fatalf("mentions = %v", m.Mentions)
		}
		read, _ := mustPair(s.MessageAccess(ctx, m.ID, f.lead))
		if len(read.Mentions) != 1 || read.Mentions[0] != f.lead.ID {
			t.Fatalf("stored mentions = %v", read.Mentions)
		}
	})

	t.Run("unread counts and the last-read marker", func(t *testing.T) {
		f := setup(t)
		s := f.s
		var last int64
		for i := 0; i < 3; i++ {
			last = must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "news", t0))).ok(t).ID
		}
		own := must(s.CreateMessage(ctx, msg(f.general, f.lead, 0, "mine", t0))).ok(t)
		if ch := MustGeneral(t, s, f.pub, f.lead); ch.Unread != 3 || ch.LastReadID != 0 {
			t.Fatalf("lead's unread = %+v", ch)
		}
		check(t, s.MarkChannelRead(ctx, f.general.ID, f.lead, last, t0))
		if ch := MustGeneral(t, s, f.pub, f.lead); ch.Unread != 0 || ch.LastReadID != last {
			t.Fatalf("after reading = %+v", ch)
		}
		check(t, s.MarkChannelRead(ctx, f.general.ID, f.lead, last-1, t0)) // never backwards
		if ch := MustGeneral(t, s, f.pub, f.lead); ch.LastReadID != last {
			t.Fatalf("marker went back: %+v", ch)
		}
		if ch := MustGeneral(t, s, f.pub, nil); ch.Unread != 0 {
			t.Errorf("anonymous unread = %d", ch.Unread)
		}
		secretMsg := must(s.CreateMessage(ctx, msg(f.secret, f.member, 0, "x", t0))).ok(t)
		wantCode(t, s.MarkChannelRead(ctx, f.general.ID, f.lead, secretMsg.ID, t0), forum.EInvalid, "invalid_message_id")
		wantCode(t, s.MarkChannelRead(ctx, f.secret.ID, f.other, secretMsg.ID, t0), forum.ENotFound, "")
		_ = own
		for i := 0; i < 120; i++ {
			must(s.CreateMessage(ctx, msg(f.general, f.member, 0, "flood", t0))).ok(t)
		}
		if ch := MustGeneral(t, s, f.pub, f.other); ch.Unread != 100 {
			t.Errorf("unread counts stop at 100, got %d", ch.Unread)
		}
	})

	t.Run("message access names the message", func(t *testing.T) {
		f := setup(t)
		s := f.s
		m := must(s.CreateMessage(ctx, msg(f.secret, f.member, 0, "members only", t0))).ok(t)
		_, a := mustPair(s.MessageAccess(ctx, m.ID, f.other))
		e := forum.AsError(a.CheckSee())
		if e == nil || e.Kind != forum.ENotFound || !strings.Contains(e.Message, "message") {
			t.Fatalf("refusal = %v", e)
		}
		_, _, err := s.MessageAccess(ctx, 99999, f.lead)
		wantCode(t, err, forum.ENotFound, "")
		wantCode(t, s.AddCollaborativeMember(ctx, f.priv.ID, f.member.ID, forum.MemberRoleMember, t0), forum.EConflict, "already_member")
	})
}

// mustPair is must for calls with two values; it panics on error, which fails the test.
func mustPair[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
