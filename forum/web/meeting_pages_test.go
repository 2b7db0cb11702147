package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// bodyHas fails unless the page holds every one of want.
func bodyHas(t *testing.T, r *response, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(string(r.body), w) {
			t.Fatalf("the page lacks %q: %.3000s", w, r.body)
		}
	}
}

func TestMeetingPagesPrivacy(t *testing.T) {
	s := newMeetingSite(t)
	id := s.schedule("ell-resources", meetingBody("Private convening"))
	for _, p := range []string{"/c/ell-resources/meetings", path("/c/ell-resources/meetings/%d", id), "/c/ell-resources/since-last-meeting"} {
		for _, who := range []*account{nil, s.other} {
			r := s.pageAs(who, p)
			mustStatus(t, r, 404, p)
			if strings.Contains(string(r.body), "Private convening") {
				t.Fatalf("%s: the 404 page names the meeting", p)
			}
		}
		mustStatus(t, s.pageAs(s.member, p), 200, p+" as a member")
	}
	mustStatus(t, s.pageAs(s.member, path("/c/ct-framework/meetings/%d", id)), 404, "a meeting under another group's address")
	for _, w := range []string{"/c/ell-resources/meetings", path("/c/ell-resources/meetings/%d/agenda", id),
		path("/c/ell-resources/meetings/%d/notes", id), path("/c/ell-resources/meetings/%d/actions", id), "/c/ell-resources/actions"} {
		mustStatus(t, s.formAs(w, s.other, "agenda_title", "x", "action_title", "x", "body", "x", "revision", "0", "meeting_title", "x"), 404, "outsider posts "+w)
	}
}

func TestScheduleMeetingForm(t *testing.T) {
	s := newMeetingSite(t)
	form := []string{"meeting_title", "Winter check-in", "starts_at", "2026-12-10T15:00", "ends_at", "2026-12-10T16:30",
		"time_zone", "America/Chicago", "location", "Library", "video_url", "", "description", "Bring *drafts*"}
	list := s.pageAs(s.lead, "/c/ct-framework/meetings")
	mustStatus(t, list, 200, "meetings page")
	bodyHas(t, list, `id="schedule"`, `action="/c/ct-framework/meetings"`, `name="starts_at" type="datetime-local"`)
	if strings.Contains(string(s.pageAs(s.member, "/c/ct-framework/meetings").body), `id="schedule"`) {
		t.Fatal("a member is offered the schedule form")
	}

	bad := append([]string{}, form...)
	bad[5] = "2026-12-10T14:00" // ends before it starts
	r := s.formAs("/c/ct-framework/meetings", s.lead, bad...)
	mustStatus(t, r, 400, "ends before it starts")
	bodyHas(t, r, `id="f-ends_at-error"`, "must end after it starts", `value="Winter check-in"`, `value="Library"`)
	bad = append([]string{}, form...)
	bad[7] = "Atlantis/Capital"
	r = s.formAs("/c/ct-framework/meetings", s.lead, bad...)
	mustStatus(t, r, 400, "unknown zone")
	bodyHas(t, r, `id="f-time_zone-error"`, "is not a time zone", `<option selected>Atlantis/Capital</option>`)
	mustStatus(t, s.formAs("/c/ct-framework/meetings", s.member, form...), 403, "a member schedules")

	r = s.formAs("/c/ct-framework/meetings", s.lead, form...)
	mustStatus(t, r, 303, "schedule")
	loc := r.Header.Get("Location")
	if !regexp.MustCompile(`^/c/ct-framework/meetings/\d+\?done=scheduled$`).MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	page := s.pageAs(s.member, loc)
	mustStatus(t, page, 200, "meeting page")
	// 15:00 in Chicago is 21:00 UTC; with no zone of their own the reader sees the meeting's.
	bodyHas(t, page, "Winter check-in", "The meeting is scheduled.", `datetime="2026-12-10T21:00:00Z"`, "Thu 10 Dec 2026, 15:00–16:30 CST",
		"America/Chicago (21:00–22:30 UTC)", "<em>drafts</em>", "Download .ics")

	// A reader who chose a zone sees the time in it.
	mustStatus(t, s.apiAs(s.member, "PATCH", "/api/v1/me", map[string]any{"time_zone": "America/New_York"}), 200, "member's zone")
	bodyHas(t, s.pageAs(s.member, loc), "Thu 10 Dec 2026, 16:00–17:30 EST")
}

func TestMeetingPageForms(t *testing.T) {
	s := newMeetingSite(t)
	id := s.schedule("ell-resources", meetingBody("Convening"))
	page := path("/c/ell-resources/meetings/%d", id)

	t.Run("members propose, leads order, proposers remove", func(t *testing.T) {
		r := s.formAs(page+"/agenda", s.member, "agenda_title", "", "agenda_note", "why")
		mustStatus(t, r, 400, "empty item")
		bodyHas(t, r, `id="f-agenda_title-error"`, ">why</textarea>")
		mustStatus(t, s.formAs(page+"/agenda", s.member, "agenda_title", "Rubric draft"), 303, "propose")
		mustStatus(t, s.formAs(page+"/agenda", s.lead, "agenda_title", "Pilot sites"), 303, "propose")
		r = s.pageAs(s.lead, page)
		bodyHas(t, r, "Rubric draft", "Pilot sites", `name="position"`)
		second := regexp.MustCompile(`agenda/(\d+)/move`).FindAllStringSubmatch(string(r.body), -1)
		if len(second) != 2 {
			t.Fatalf("move forms: %v", second)
		}
		mustStatus(t, s.formAs(page+"/agenda/"+second[1][1]+"/move", s.member, "position", "1"), 403, "a member orders")
		mustStatus(t, s.formAs(page+"/agenda/"+second[1][1]+"/move", s.lead, "position", "1"), 303, "the lead orders")
		body := string(s.pageAs(s.member, page).body)
		if strings.Index(body, "Pilot sites") > strings.Index(body, "Rubric draft") {
			t.Fatal("the lead's order is not the page's")
		}
		if strings.Contains(body, `name="position"`) {
			t.Fatal("a member is offered the ordering forms")
		}
	})
	t.Run("notes: saved, and a stale save is refused with the text kept", func(t *testing.T) {
		mustStatus(t, s.formAs(page+"/notes", s.member, "body", "We agreed on **three** pilots.", "revision", "0"), 303, "notes")
		bodyHas(t, s.pageAs(s.member, page), "<strong>three</strong>", `name="revision" value="1"`)
		r := s.formAs(page+"/notes", s.lead, "body", "My older draft", "revision", "0")
		mustStatus(t, r, 409, "stale notes")
		bodyHas(t, r, "Someone saved the notes", ">My older draft</textarea>", `name="revision" value="1"`, "<strong>three</strong>")
	})
	t.Run("action items: assignee must be a member; done from the page", func(t *testing.T) {
		r := s.formAs(page+"/actions", s.lead, "action_title", "Collect rubrics", "assignee_id", path("%d", s.other.ID), "due", "2026-11-30")
		mustStatus(t, r, 400, "outsider assigned")
		bodyHas(t, r, `id="f-assignee_id-error"`, "not one", `value="Collect rubrics"`)
		r = s.formAs(page+"/actions", s.lead, "action_title", "Collect rubrics", "assignee_id", path("%d", s.member.ID), "due", "2026-11-30")
		mustStatus(t, r, 303, "action")
		if loc := r.Header.Get("Location"); loc != page+"?done=action#actions" {
			t.Fatalf("redirect %q", loc)
		}
		bodyHas(t, s.pageAs(s.member, page), "Collect rubrics", "Teacher memberperson")

		s.clock.Add(10 * 24 * time.Hour) // past the due date
		mine := s.pageAs(s.member, "/actions")
		mustStatus(t, mine, 200, "/actions")
		bodyHas(t, mine, "Collect rubrics", "action-overdue", "Overdue", "Group ell-resources", `action="/actions/`)
		done := regexp.MustCompile(`action="(/actions/\d+/status)"`).FindStringSubmatch(string(mine.body))
		r = s.formAs(done[1], s.member, "status", "done", "back", "/actions")
		mustStatus(t, r, 303, "done")
		if loc := r.Header.Get("Location"); loc != "/actions?done=actiondone#actions" {
			t.Fatalf("redirect %q", loc)
		}
		bodyHas(t, s.pageAs(s.member, "/actions?done=actiondone"), "You have no open action items.", "The action item is marked done.")
		mustStatus(t, s.formAs(done[1], s.other, "status", "open", "back", "/actions"), 404, "outsider reopens")
		if r := s.formAs(done[1], s.member, "status", "open", "back", "https://evil.example/"); r.Header.Get("Location") != "/?done=actionopen#actions" {
			t.Fatalf("a foreign back address was followed: %q", r.Header.Get("Location"))
		}
	})
	t.Run("leads change and cancel from the page", func(t *testing.T) {
		r := s.formAs(page+"/change", s.lead, "meeting_title", "Convening (moved)", "starts_at", "2027-03-04T16:00", "ends_at", "2027-03-04T15:00",
			"time_zone", "America/Chicago")
		mustStatus(t, r, 400, "change to end before start")
		bodyHas(t, r, `id="f-ends_at-error"`, `<details id="change" class="meeting-panel" open>`)
		mustStatus(t, s.formAs(page+"/change", s.lead, "meeting_title", "Convening (moved)", "starts_at", "2027-03-04T16:00", "ends_at", "2027-03-04T17:00",
			"time_zone", "America/Chicago"), 303, "change")
		got := s.apiAs(s.member, "GET", path("/api/v1/meetings/%d", id), nil).json(t)
		if got["title"] != "Convening (moved)" || got["sequence"] != float64(1) || got["starts_at"] != "2027-03-04T16:00:00-06:00" {
			t.Fatalf("changed %v", got)
		}
		mustStatus(t, s.formAs(page+"/cancel", s.member), 403, "a member cancels")
		mustStatus(t, s.formAs(page+"/cancel", s.lead), 303, "the lead cancels")
		bodyHas(t, s.pageAs(s.member, page), "badge-cancelled")
	})
}

func TestSinceAndCalendarPages(t *testing.T) {
	s := newMeetingSite(t)
	r := s.pageAs(s.member, "/c/ell-resources/since-last-meeting")
	mustStatus(t, r, 200, "since, no meeting yet")
	bodyHas(t, r, "No meeting has taken place yet", "Nothing has happened since then.")
	mustStatus(t, s.apiAs(s.lead, "POST", "/api/v1/collaboratives/ell-resources/actions", map[string]any{"title": "Draft the rubric"}), 201, "action")
	bodyHas(t, s.pageAs(s.member, "/c/ell-resources/since-last-meeting"), "Action items opened", "Draft the rubric")

	cal := s.pageAs(s.member, "/settings/calendar")
	mustStatus(t, cal, 200, "calendar page")
	old := regexp.MustCompile(`calendar\.ics\?key=([0-9a-f]+)`).FindStringSubmatch(string(cal.body))
	if old == nil {
		t.Fatalf("no address on the page: %.2000s", cal.body)
	}
	mustStatus(t, s.formAs("/settings/calendar/reset", s.member), 303, "reset")
	after := s.pageAs(s.member, "/settings/calendar?done=calendarreset")
	bodyHas(t, after, "Your calendar has a new address")
	if strings.Contains(string(after.body), old[1]) {
		t.Fatal("the reset kept the address")
	}
	if r := s.pageAs(nil, "/settings/calendar"); r.StatusCode != 303 {
		t.Fatalf("anonymous calendar page: %d", r.StatusCode)
	}
	if r := s.pageAs(nil, "/actions"); r.StatusCode != 303 {
		t.Fatalf("anonymous /actions: %d", r.StatusCode)
	}
}

func TestMeetingsOverviewFragment(t *testing.T) {
	s := newMeetingSite(t)
	s.schedule("ct-framework", meetingBody("Spring convening"))
	mustStatus(t, s.apiAs(s.lead, "POST", "/api/v1/collaboratives/ct-framework/actions", map[string]any{"title": "Draft the rubric", "due": "2026-11-01"}), 201, "action")
	ctx := context.Background()
	a, err := s.db.CollaborativeAccess(ctx, "ct-framework", nil)
	if err != nil {
		t.Fatal(err)
	}
	html, err := s.server.RenderMeetingsOverview(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Next meeting", "Spring convening", "Thu 4 Mar 2027, 15:30–17:00 CST", "Draft the rubric", "action-overdue",
		`href="/c/ct-framework/meetings"`, `href="/c/ct-framework/since-last-meeting"`} {
		if !strings.Contains(html, want) {
			t.Fatalf("the overview lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "Schedule a meeting") {
		t.Fatal("an anonymous reader is offered the schedule link")
	}
	a, err = s.db.CollaborativeAccess(ctx, "ell-resources", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.server.RenderMeetingsOverview(a); forum.KindOf(err) != forum.ENotFound {
		t.Fatalf("a private group's overview for an outsider: %v", err)
	}
}

func TestMeetingFormsWriteOnlyValidDateValues(t *testing.T) {
	s := newMeetingSite(t)
	r := s.formAs("/c/ct-framework/meetings", s.lead, "meeting_title", "x", "starts_at", "next tuesday", "ends_at", "2027-02-30T10:00",
		"time_zone", "America/Chicago")
	mustStatus(t, r, 400, "bad times")
	bodyHas(t, r, `id="f-starts_at-error"`, `name="starts_at" type="datetime-local" value=""`, `name="ends_at" type="datetime-local" value=""`)
	r = s.formAs("/c/ct-framework/actions", s.lead, "action_title", "x", "due", "soon")
	mustStatus(t, r, 400, "bad due date")
	bodyHas(t, r, `id="f-due-error"`, `name="due" type="date" value=""`)
}
