package forum_test

import (
	"testing"
	"time"

	"staffroom/forum"
)

func wantInvalid(t *testing.T, err error, code, field string) {
	t.Helper()
	e := forum.AsError(err)
	if e == nil || e.Kind != forum.EInvalid || e.Code != code || e.Field != field {
		t.Fatalf("error %v, want invalid %s on %s", err, code, field)
	}
}

func TestMeetingTimes(t *testing.T) {
	got, err := forum.ParseMeetingTime("starts_at", " 2027-03-04T15:30:00-06:00 ")
	if err != nil || !got.Equal(time.Date(2027, 3, 4, 21, 30, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("parsed %v %v", got, err)
	}
	for _, bad := range []string{"2027-03-04T15:30:00", "2027-03-04", "tomorrow", "1999-12-31T23:00:00Z", "2301-01-01T00:00:00Z"} {
		_, err := forum.ParseMeetingTime("starts_at", bad)
		wantInvalid(t, err, "invalid_time", "starts_at")
	}
	_, err = forum.ParseMeetingTime("ends_at", "")
	wantInvalid(t, err, "required", "ends_at")

	start := time.Date(2027, 3, 4, 21, 30, 0, 0, time.UTC)
	if err := forum.CheckMeetingTimes(start, start.Add(time.Minute)); err != nil {
		t.Fatalf("a one-minute meeting: %v", err)
	}
	wantInvalid(t, forum.CheckMeetingTimes(start, start), "ends_before_start", "ends_at")
	wantInvalid(t, forum.CheckMeetingTimes(start, start.Add(-time.Hour)), "ends_before_start", "ends_at")
	wantInvalid(t, forum.CheckMeetingTimes(start, start.Add(forum.MaxMeetingLength+time.Minute)), "too_long", "ends_at")

	if z, err := forum.ParseMeetingZone("time_zone", " America/Chicago "); err != nil || z != "America/Chicago" {
		t.Fatalf("zone %q %v", z, err)
	}
	for _, bad := range []string{"America/Springfield", "Local", "CST6CDT/../../etc", "Mars/Olympus"} {
		_, err := forum.ParseMeetingZone("time_zone", bad)
		wantInvalid(t, err, "invalid_time_zone", "time_zone")
	}
	_, err = forum.ParseMeetingZone("time_zone", "")
	wantInvalid(t, err, "required", "time_zone")
}

func TestLocalMeetingTime(t *testing.T) {
	for _, tc := range []struct{ local, zone, want string }{
		{"2027-03-04T15:30", "America/Chicago", "2027-03-04T15:30:00-06:00"},
		{"2027-07-04T15:30:00", "America/Chicago", "2027-07-04T15:30:00-05:00"}, // daylight time, seconds sent
		{"", "America/Chicago", ""},                              // left for the required check
		{"2027-03-04T15:30", "Nowhere/Land", "2027-03-04T15:30"}, // left for the zone check
	} {
		got, err := forum.LocalMeetingTime("starts_at", tc.local, tc.zone)
		if err != nil || got != tc.want {
			t.Errorf("LocalMeetingTime(%q, %q) = %q, %v; want %q", tc.local, tc.zone, got, err, tc.want)
		}
	}
	_, err := forum.LocalMeetingTime("starts_at", "4 March", "America/Chicago")
	wantInvalid(t, err, "invalid_time", "starts_at")
}

func TestVideoURLAndDue(t *testing.T) {
	if u, err := forum.ParseVideoURL("video_url", " https://meet.example.org/x "); err != nil || u != "https://meet.example.org/x" {
		t.Fatalf("%q %v", u, err)
	}
	for _, bad := range []string{"javascript:alert(1)", "meet.example.org", "https://", "ftp://x.org/a", "https://a b.org/"} {
		_, err := forum.ParseVideoURL("video_url", bad)
		wantInvalid(t, err, "invalid_url", "video_url")
	}
	if d, err := forum.ParseDue("due", "2027-03-18"); err != nil || d != "2027-03-18" {
		t.Fatalf("%q %v", d, err)
	}
	for _, bad := range []string{"18/03/2027", "2027-02-30", "2027-3-8", "soon"} {
		_, err := forum.ParseDue("due", bad)
		wantInvalid(t, err, "invalid_date", "due")
	}
	_, err := forum.ParseActionStatus("status", "finished")
	wantInvalid(t, err, "invalid_status", "status")
}

func TestOverdue(t *testing.T) {
	// 02:00 UTC on 19 March is still 18 March in Chicago: not overdue there yet.
	now := time.Date(2027, 3, 19, 2, 0, 0, 0, time.UTC)
	it := &forum.ActionItem{Status: forum.ActionOpen, Due: "2027-03-18"}
	if !it.Overdue(forum.Today(now, "")) || it.Overdue(forum.Today(now, "America/Chicago")) {
		t.Fatal("overdue is not measured on the reader's date")
	}
	it.Status = forum.ActionDone
	if it.Overdue("2030-01-01") {
		t.Fatal("a done item is overdue")
	}
	if (&forum.ActionItem{Status: forum.ActionOpen}).Overdue("2030-01-01") {
		t.Fatal("an item without a due date is overdue")
	}
}

func TestMeetingRules(t *testing.T) {
	group := &forum.Collaborative{ID: 1, Slug: "ell-resources", Name: "ELL", Visibility: forum.VisibilityPrivate}
	lead, member, other := &forum.User{ID: 1}, &forum.User{ID: 2}, &forum.User{ID: 3}
	mod := &forum.User{ID: 4, Role: forum.RoleModerator}
	as := func(u *forum.User, r forum.MemberRole) forum.CollaborativeAccess {
		return forum.CollaborativeAccess{Collaborative: group, Viewer: u, Role: r}
	}
	m := &forum.Meeting{ID: 7, Title: "Convening", Notes: forum.Notes{Revision: 2}}
	item := &forum.AgendaItem{ID: 9, ProposedBy: member}
	code := func(err error) string {
		if err == nil {
			return "ok"
		}
		return forum.AsError(err).Code
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"lead schedules", forum.CheckScheduleMeeting(as(lead, forum.MemberRoleLead), forum.NotFoundMeeting(7)), "ok"},
		{"member may not schedule", forum.CheckScheduleMeeting(as(member, forum.MemberRoleMember), forum.NotFoundMeeting(7)), "not_a_lead"},
		{"outsider sees nothing", forum.CheckScheduleMeeting(as(other, forum.MemberNone), forum.NotFoundMeeting(7)), "not_found"},
		{"moderator manages", forum.CheckScheduleMeeting(as(mod, forum.MemberNone), forum.NotFoundMeeting(7)), "ok"},
		{"member proposes", forum.CheckProposeAgenda(as(member, forum.MemberRoleMember), m), "ok"},
		{"outsider proposes", forum.CheckProposeAgenda(as(other, forum.MemberNone), m), "not_found"},
		{"proposer retitles", forum.CheckEditAgendaItem(as(member, forum.MemberRoleMember), m, item, false), "ok"},
		{"another member retitles", forum.CheckEditAgendaItem(as(&forum.User{ID: 5}, forum.MemberRoleMember), m, item, false), "not_yours"},
		{"proposer may not order", forum.CheckEditAgendaItem(as(member, forum.MemberRoleMember), m, item, true), "not_a_lead"},
		{"lead orders", forum.CheckEditAgendaItem(as(lead, forum.MemberRoleLead), m, item, true), "ok"},
		{"notes over the current revision", forum.CheckWriteNotes(as(member, forum.MemberRoleMember), m, 2), "ok"},
		{"notes over a stale revision", forum.CheckWriteNotes(as(member, forum.MemberRoleMember), m, 1), "edit_conflict"},
		{"notes from an outsider", forum.CheckWriteNotes(as(other, forum.MemberNone), m, 2), "not_found"},
		{"assignee is a member", forum.CheckAssignee(forum.MemberRoleMember), "ok"},
		{"assignee is not", forum.CheckAssignee(forum.MemberNone), "assignee_not_member"},
		{"agenda with room", forum.CheckAgendaRoom(forum.MaxAgendaItems - 1), "ok"},
		{"agenda full", forum.CheckAgendaRoom(forum.MaxAgendaItems), "agenda_full"},
	} {
		if got := code(tc.err); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	cancelled := &forum.Meeting{ID: 8, Title: "Off", CancelledAt: &time.Time{}}
	if code(forum.CheckProposeAgenda(as(member, forum.MemberRoleMember), cancelled)) != "meeting_cancelled" {
		t.Error("an agenda item for a cancelled meeting")
	}
}
