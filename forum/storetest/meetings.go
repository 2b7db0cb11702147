package storetest

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
)

// Meetings, agendas, notes, action items and calendar keys (forum.MeetingStore).

// MemberAdder gives a person a role in a collaborative: what the suite needs to make
// meetingPeople is a private collaborative with a lead, a member and an outsider; the
// first account (admin) is the site's.
type meetingPeople struct {
	admin, lead, member, other *forum.User
	g                          *forum.Collaborative
}

func newMeetingPeople(t *testing.T, s Store, slug string) meetingPeople {
	p := meetingPeople{admin: MustCreateUser(t, s, "admin"), lead: MustCreateUser(t, s, "lead"),
		member: MustCreateUser(t, s, "member"), other: MustCreateUser(t, s, "other")}
	p.g = MustCollaborative(t, s, p.lead, slug, forum.VisibilityPrivate)
	MustAddMember(t, s, p.g, p.member, forum.MemberRoleMember)
	return p
}

// MustMeeting schedules a meeting of g by lead from start for an hour.
func MustMeeting(t *testing.T, s forum.MeetingStore, g *forum.Collaborative, lead *forum.User, title string, start time.Time) *forum.Meeting {
	t.Helper()
	m, err := s.CreateMeeting(context.Background(), forum.NewMeeting{CollaborativeID: g.ID, Actor: lead, Title: title,
		StartsAt: start, EndsAt: start.Add(time.Hour), TimeZone: "America/Chicago", Location: "Room 4", Now: t0})
	if err != nil {
		t.Fatalf("schedule %s: %v", title, err)
	}
	return m
}

func testMeetings(t *testing.T, open Opener) {
	ctx := context.Background()
	next := t0.Add(7 * 24 * time.Hour)
	t.Run("leads schedule, change and cancel; each change raises the sequence", func(t *testing.T) {
		s := open(t)
		p := newMeetingPeople(t, s, "ell-resources")
		nm := forum.NewMeeting{CollaborativeID: p.g.ID, Title: "Spring convening", StartsAt: next, EndsAt: next.Add(2 * time.Hour),
			TimeZone: "America/Chicago", Location: "Room 4", VideoURL: "https://meet.example.org/x",
			Description: forum.Rendered{Text: "*hi*", HTML: "<p><em>hi</em></p>"}, Now: t0}
		nm.Actor = p.member
		_, err := s.CreateMeeting(ctx, nm)
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		nm.Actor = p.other
		_, err = s.CreateMeeting(ctx, nm)
		wantCode(t, err, forum.ENotFound, "")
		nm.Actor = p.lead
		m := must(s.CreateMeeting(ctx, nm)).ok(t)
		if m.ID == 0 || m.Title != "Spring convening" || !m.StartsAt.Equal(next) || !m.EndsAt.Equal(next.Add(2*time.Hour)) ||
			m.TimeZone != "America/Chicago" || m.Sequence != 0 || m.Cancelled() || m.Collaborative.Slug != "ell-resources" ||
			!m.Collaborative.Private || m.DescriptionHTML != "<p><em>hi</em></p>" || m.CollaborativeID != p.g.ID {
			t.Fatalf("created %+v", m)
		}
		if got := must(s.Meeting(ctx, m.ID)).ok(t); got.Title != m.Title || !got.StartsAt.Equal(m.StartsAt) {
			t.Fatalf("read back %+v", got)
		}
		_, err = s.Meeting(ctx, m.ID+100)
		wantCode(t, err, forum.ENotFound, "")

		title, later := "Spring convening (moved)", next.Add(3*time.Hour)
		laterEnd := later.Add(time.Hour)
		m = must(s.UpdateMeeting(ctx, m.ID, p.lead, forum.MeetingChanges{Title: &title, StartsAt: &later, EndsAt: &laterEnd}, t0.Add(time.Minute))).ok(t)
		if m.Title != title || !m.StartsAt.Equal(later) || m.Sequence != 1 || !m.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("updated %+v", m)
		}
		tooEarly := later.Add(-2 * time.Hour) // before the stored start
		_, err = s.UpdateMeeting(ctx, m.ID, p.lead, forum.MeetingChanges{EndsAt: &tooEarly}, t0)
		wantCode(t, err, forum.EInvalid, "ends_before_start")
		_, err = s.UpdateMeeting(ctx, m.ID, p.member, forum.MeetingChanges{Title: &title}, t0)
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		_, err = s.UpdateMeeting(ctx, m.ID, p.other, forum.MeetingChanges{Title: &title}, t0)
		wantCode(t, err, forum.ENotFound, "")
		m = must(s.UpdateMeeting(ctx, m.ID, p.admin, forum.MeetingChanges{Title: &title}, t0)).ok(t) // moderators manage all
		if m.Sequence != 2 {
			t.Fatalf("sequence after the second change = %d", m.Sequence)
		}

		_, err = s.CancelMeeting(ctx, m.ID, p.member, t0)
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		m = must(s.CancelMeeting(ctx, m.ID, p.lead, t0.Add(time.Hour))).ok(t)
		if !m.Cancelled() || m.Sequence != 3 || !m.CancelledAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("cancelled %+v", m)
		}
		if again := must(s.CancelMeeting(ctx, m.ID, p.lead, t0.Add(2*time.Hour))).ok(t); again.Sequence != 3 {
			t.Fatalf("cancelling twice raised the sequence to %d", again.Sequence)
		}
		// Every change went on the collaborative's topic, in order.
		evs := must(s.EventsSince(ctx, forum.TopicCollaborative("ell-resources"), 0, 100, 0)).ok(t)
		var names []string
		for _, e := range evs {
			names = append(names, e.Name)
		}
		want := []string{forum.EventMeetingCreated, forum.EventMeetingUpdated, forum.EventMeetingUpdated, forum.EventMeetingCancelled}
		if len(names) != len(want) {
			t.Fatalf("events %v, want %v", names, want)
		}
		for i := range want {
			if names[i] != want[i] {
				t.Fatalf("events %v, want %v", names, want)
			}
		}
	})
	t.Run("lists: upcoming, all, a person's, the last before", func(t *testing.T) {
		s := open(t)
		p := newMeetingPeople(t, s, "ell-resources")
		past := MustMeeting(t, s, p.g, p.lead, "Past", t0.Add(-30*24*time.Hour))
		soon := MustMeeting(t, s, p.g, p.lead, "Soon", t0.Add(24*time.Hour))
		later := MustMeeting(t, s, p.g, p.lead, "Later", t0.Add(48*time.Hour))
		gone := MustMeeting(t, s, p.g, p.lead, "Called off", t0.Add(36*time.Hour))
		must(s.CancelMeeting(ctx, gone.ID, p.lead, t0)).ok(t)
		ids := func(ms []*forum.Meeting) []int64 {
			out := []int64{}
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		wantIDs(t, "upcoming", ids(must(s.Meetings(ctx, p.g.ID, forum.MeetingFilter{Upcoming: true, Now: t0})).ok(t)), soon.ID, later.ID)
		wantIDs(t, "upcoming, one", ids(must(s.Meetings(ctx, p.g.ID, forum.MeetingFilter{Upcoming: true, Now: t0, Limit: 1})).ok(t)), soon.ID)
		wantIDs(t, "all", ids(must(s.Meetings(ctx, p.g.ID, forum.MeetingFilter{Now: t0})).ok(t)), later.ID, gone.ID, soon.ID, past.ID)
		wantIDs(t, "member's feed", ids(must(s.MeetingsOf(ctx, p.member.ID, t0.Add(-time.Hour), 10)).ok(t)), soon.ID, gone.ID, later.ID)
		wantIDs(t, "outsider's feed", ids(must(s.MeetingsOf(ctx, p.other.ID, t0.Add(-365*24*time.Hour), 10)).ok(t)))
		last := must(s.LastMeetingBefore(ctx, p.g.ID, t0.Add(40*time.Hour))).ok(t) // the cancelled one does not count
		if last == nil || last.ID != soon.ID {
			t.Fatalf("last before = %+v, want Soon", last)
		}
		if none := must(s.LastMeetingBefore(ctx, p.g.ID, t0.Add(-60*24*time.Hour))).ok(t); none != nil {
			t.Fatalf("last before any = %+v", none)
		}
	})
	t.Run("members propose agenda items, leads order them", func(t *testing.T) {
		s := open(t)
		p := newMeetingPeople(t, s, "ell-resources")
		m := MustMeeting(t, s, p.g, p.lead, "Convening", next)
		add := func(u *forum.User, title string) (*forum.AgendaItem, error) {
			return s.AddAgendaItem(ctx, forum.NewAgendaItem{MeetingID: m.ID, Actor: u, Title: title, Note: "why", Now: t0})
		}
		a := must(add(p.member, "Rubric draft")).ok(t)
		b := must(add(p.lead, "Pilot sites")).ok(t)
		c := must(add(p.member, "Budget")).ok(t)
		if a.Position != 1 || b.Position != 2 || c.Position != 3 || a.ProposedBy.ID != p.member.ID || a.Note != "why" {
			t.Fatalf("positions %d %d %d, %+v", a.Position, b.Position, c.Position, a)
		}
		_, err := add(p.other, "Sneak in")
		wantCode(t, err, forum.ENotFound, "")
		first := 1
		_, err = s.UpdateAgendaItem(ctx, c.ID, p.member, forum.AgendaUpdate{Position: &first}, t0)
		wantCode(t, err, forum.EForbidden, "not_a_lead")
		must(s.UpdateAgendaItem(ctx, c.ID, p.lead, forum.AgendaUpdate{Position: &first}, t0)).ok(t)
		wantAgenda(t, must(s.Agenda(ctx, m.ID)).ok(t), c.ID, a.ID, b.ID)
		last := 99 // past the end: last
		must(s.UpdateAgendaItem(ctx, c.ID, p.lead, forum.AgendaUpdate{Position: &last}, t0)).ok(t)
		wantAgenda(t, must(s.Agenda(ctx, m.ID)).ok(t), a.ID, b.ID, c.ID)

		title := "Rubric, second draft"
		if got := must(s.UpdateAgendaItem(ctx, a.ID, p.member, forum.AgendaUpdate{Title: &title}, t0)).ok(t); got.Title != title {
			t.Fatalf("retitled %+v", got)
		}
		_, err = s.UpdateAgendaItem(ctx, b.ID, p.member, forum.AgendaUpdate{Title: &title}, t0)
		wantCode(t, err, forum.EForbidden, "not_yours")
		_, err = s.UpdateAgendaItem(ctx, b.ID, p.other, forum.AgendaUpdate{Title: &title}, t0)
		wantCode(t, err, forum.ENotFound, "")
		err = s.DeleteAgendaItem(ctx, b.ID, p.member, t0)
		wantCode(t, err, forum.EForbidden, "not_yours")
		check(t, s.DeleteAgendaItem(ctx, a.ID, p.member, t0))
		items := must(s.Agenda(ctx, m.ID)).ok(t)
		wantAgenda(t, items, b.ID, c.ID)
		if items[0].Position != 1 || items[1].Position != 2 {
			t.Fatalf("positions after a removal: %d %d", items[0].Position, items[1].Position)
		}
		err = s.DeleteAgendaItem(ctx, a.ID, p.lead, t0)
		wantCode(t, err, forum.ENotFound, "")

		must(s.CancelMeeting(ctx, m.ID, p.lead, t0)).ok(t)
		_, err = add(p.member, "Too late")
		wantCode(t, err, forum.EConflict, "meeting_cancelled")
	})
	t.Run("notes are saved over the revision they started from", func(t *testing.T) {
		s := open(t)
		p := newMeetingPeople(t, s, "ell-resources")
		m := MustMeeting(t, s, p.g, p.lead, "Convening", next)
		save := func(u *forum.User, text string, base int) (*forum.Meeting, error) {
			return s.SaveNotes(ctx, forum.NotesEdit{MeetingID: m.ID, Actor: u, Notes: forum.Rendered{Text: text, HTML: "<p>" + text + "</p>"},
				BaseRevision: base, Now: t0.Add(time.Minute)})
		}
		got := must(save(p.member, "first", 0)).ok(t)
		if got.Notes.Revision != 1 || got.Notes.Text != "first" || got.Notes.HTML != "<p>first</p>" || got.Notes.UpdatedBy.ID != p.member.ID ||
			!got.Notes.UpdatedAt.Equal(t0.Add(time.Minute)) || got.Sequence != 0 {
			t.Fatalf("notes %+v", got.Notes)
		}
		_, err := save(p.lead, "stale", 0)
		wantCode(t, err, forum.EConflict, "edit_conflict")
		if got := must(save(p.lead, "second", 1)).ok(t); got.Notes.Revision != 2 || got.Notes.Text != "second" {
			t.Fatalf("second save %+v", got.Notes)
		}
		_, err = save(p.other, "intruder", 2)
		wantCode(t, err, forum.ENotFound, "")
		if got := must(s.Meeting(ctx, m.ID)).ok(t); got.Notes.Text != "second" {
			t.Fatalf("notes after refusals = %q", got.Notes.Text)
		}
	})
	t.Run("action items: members only, assignees are members, done and reopened", func(t *testing.T) {
		s := open(t)
		p := newMeetingPeople(t, s, "ell-resources")
		elsewhere := MustCollaborative(t, s, p.lead, "ct-framework", forum.VisibilityPublic)
		if us := must(s.Assignees(ctx, p.g.ID)).ok(t); len(us) != 2 || us[0].ID != p.lead.ID || us[1].ID != p.member.ID ||
			us[0].DisplayName != "Person lead" {
			t.Fatalf("assignees %+v", us)
		}
		m := MustMeeting(t, s, p.g, p.lead, "Convening", next)
		foreign := MustMeeting(t, s, elsewhere, p.lead, "Other group's", next)
		na := forum.NewAction{CollaborativeID: p.g.ID, Actor: p.member, Title: "Collect rubrics", AssigneeID: p.member.ID,
			Due: "2026-11-10", MeetingID: m.ID, Now: t0}
		it := must(s.CreateAction(ctx, na)).ok(t)
		if it.Title != "Collect rubrics" || it.Assignee.ID != p.member.ID || it.Due != "2026-11-10" || it.Status != forum.ActionOpen ||
			it.MeetingID != m.ID || it.MeetingTitle != "Convening" || it.Collaborative.Slug != "ell-resources" || it.DoneAt != nil {
			t.Fatalf("created %+v", it)
		}
		if !it.Overdue("2026-11-11") || it.Overdue("2026-11-10") {
			t.Fatalf("overdue is wrong around its due date")
		}
		bad := na
		bad.AssigneeID = p.other.ID
		_, err := s.CreateAction(ctx, bad)
		wantCode(t, err, forum.EInvalid, "assignee_not_member")
		bad = na
		bad.MeetingID = foreign.ID
		_, err = s.CreateAction(ctx, bad)
		wantCode(t, err, forum.EInvalid, "unknown_meeting")
		bad = na
		bad.Actor = p.other
		_, err = s.CreateAction(ctx, bad)
		wantCode(t, err, forum.ENotFound, "")
		loose := must(s.CreateAction(ctx, forum.NewAction{CollaborativeID: p.g.ID, Actor: p.lead, Title: "Book rooms", Now: t0.Add(time.Minute)})).ok(t)
		if loose.Assignee != nil || loose.MeetingID != 0 || loose.Due != "" {
			t.Fatalf("an item on its own %+v", loose)
		}

		done := forum.ActionDone
		it = must(s.UpdateAction(ctx, it.ID, p.lead, forum.ActionChanges{Status: &done}, t0.Add(time.Hour))).ok(t)
		if it.Status != forum.ActionDone || it.DoneAt == nil || !it.DoneAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("done %+v", it)
		}
		wantActions(t, must(s.Actions(ctx, forum.ActionFilter{CollaborativeID: p.g.ID})).ok(t), loose.ID, it.ID)
		wantActions(t, must(s.Actions(ctx, forum.ActionFilter{CollaborativeID: p.g.ID, Status: forum.ActionOpen})).ok(t), loose.ID)
		wantActions(t, must(s.Actions(ctx, forum.ActionFilter{MeetingID: m.ID})).ok(t), it.ID)
		opened, closed, err := s.ActionsChangedSince(ctx, p.g.ID, t0.Add(30*time.Second))
		check(t, err)
		wantActions(t, opened, loose.ID)
		wantActions(t, closed, it.ID)

		open := forum.ActionOpen
		other := p.other.ID
		_, err = s.UpdateAction(ctx, it.ID, p.member, forum.ActionChanges{AssigneeID: &other}, t0)
		wantCode(t, err, forum.EInvalid, "assignee_not_member")
		_, err = s.UpdateAction(ctx, it.ID, p.other, forum.ActionChanges{Status: &open}, t0)
		wantCode(t, err, forum.ENotFound, "")
		nobody, noDue := int64(0), ""
		it = must(s.UpdateAction(ctx, it.ID, p.member, forum.ActionChanges{Status: &open, AssigneeID: &nobody, Due: &noDue}, t0.Add(2*time.Hour))).ok(t)
		if it.Status != forum.ActionOpen || it.DoneAt != nil || it.Assignee != nil || it.Due != "" {
			t.Fatalf("reopened %+v", it)
		}
		mine := p.member.ID
		must(s.UpdateAction(ctx, loose.ID, p.lead, forum.ActionChanges{AssigneeID: &mine}, t0)).ok(t)
		wantActions(t, must(s.AssignedActions(ctx, p.member.ID, 10)).ok(t), loose.ID)
		wantActions(t, must(s.AssignedActions(ctx, p.other.ID, 10)).ok(t))
		if _, err := s.Action(ctx, loose.ID+100); forum.KindOf(err) != forum.ENotFound {
			t.Fatalf("missing action: %v", err)
		}
	})
	t.Run("calendar keys are made once, reset on demand, and find their owner", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "owner")
		k := must(s.CalendarKey(ctx, u.ID, "key-one", false, t0)).ok(t)
		if k != "key-one" {
			t.Fatalf("first key %q", k)
		}
		if k = must(s.CalendarKey(ctx, u.ID, "key-two", false, t0)).ok(t); k != "key-one" {
			t.Fatalf("asking again replaced the key with %q", k)
		}
		if k = must(s.CalendarKey(ctx, u.ID, "key-three", true, t0)).ok(t); k != "key-three" {
			t.Fatalf("reset gave %q", k)
		}
		if id := must(s.CalendarOwner(ctx, "key-three")).ok(t); id != u.ID {
			t.Fatalf("owner %d", id)
		}
		_, err := s.CalendarOwner(ctx, "key-one")
		wantCode(t, err, forum.ENotFound, "")
	})
}

func wantIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: ids %v, want %v", what, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: ids %v, want %v", what, got, want)
		}
	}
}

func wantAgenda(t *testing.T, items []*forum.AgendaItem, want ...int64) {
	t.Helper()
	got := []int64{}
	for _, it := range items {
		got = append(got, it.ID)
	}
	wantIDs(t, "agenda", got, want...)
}

func wantActions(t *testing.T, items []*forum.ActionItem, want ...int64) {
	t.Helper()
	got := []int64{}
	for _, it := range items {
		got = append(got, it.ID)
	}
	wantIDs(t, "action items", got, want...)
}

func testDemoMeetings(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	check(t, forum.SeedDemoMeetings(ctx, s, s, s, escapeRenderer{}, t0)) // no demo collaboratives yet: nothing to do
	p := newMeetingPeople(t, s, "ell-resources")
	MustCollaborative(t, s, p.lead, "ct-framework", forum.VisibilityPublic)
	check(t, forum.SeedDemoMeetings(ctx, s, s, s, escapeRenderer{}, t0))
	check(t, forum.SeedDemoMeetings(ctx, s, s, s, escapeRenderer{}, t0)) // once only
	all := must(s.Meetings(ctx, p.g.ID, forum.MeetingFilter{Now: t0})).ok(t)
	if len(all) != 2 {
		t.Fatalf("%d demo meetings", len(all))
	}
	upcoming, past := all[0], all[1]
	if !upcoming.StartsAt.After(t0) || !past.EndsAt.Before(t0) || past.Notes.Revision != 1 || past.Notes.HTML == "" {
		t.Fatalf("upcoming %+v, past %+v", upcoming, past)
	}
	if a := must(s.Agenda(ctx, upcoming.ID)).ok(t); len(a) == 0 {
		t.Fatal("the upcoming meeting has no agenda")
	}
	actions := must(s.Actions(ctx, forum.ActionFilter{MeetingID: past.ID})).ok(t)
	overdue := 0
	for _, a := range actions {
		if a.Assignee == nil {
			t.Fatalf("a demo action item without an assignee: %+v", a)
		}
		if a.Overdue(forum.Today(t0, "")) {
			overdue++
		}
	}
	if len(actions) < 2 || overdue == 0 {
		t.Fatalf("%d action items, %d overdue", len(actions), overdue)
	}
}
