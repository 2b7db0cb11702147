package web_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"staffroom/forum"
	"staffroom/forum/storetest"
	"staffroom/forum/web"
)

// meetingSite is a site with a private collaborative (ell-resources) and a public one
// (ct-framework), both led by lead, with member in both and other in neither.
type meetingSite struct {
	*testSite
	admin, lead, member, other *account
	priv, pub                  *forum.Collaborative
}

func newMeetingSite(t *testing.T, opts ...siteOption) *meetingSite {
	t.Helper()
	s := &meetingSite{testSite: newSite(t, opts...)}
	s.admin = s.signup("siteadmin") // the first account runs the site
	s.lead, s.member, s.other = s.signup("leadperson"), s.signup("memberperson"), s.signup("otherperson")
	ctx := context.Background()
	lead, err := s.db.UserByID(ctx, s.lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.priv = storetest.MustCollaborative(t, s.db, lead, "ell-resources", forum.VisibilityPrivate)
	s.pub = storetest.MustCollaborative(t, s.db, lead, "ct-framework", forum.VisibilityPublic)
	for _, g := range []*forum.Collaborative{s.priv, s.pub} {
		if err := s.db.AddCollaborativeMember(ctx, g.ID, s.member.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// meetingBody is a valid meeting: 4 March 2027, 15:30 to 17:00 in Chicago (CST, -06:00).
func meetingBody(title string) map[string]any {
	return map[string]any{"title": title, "starts_at": "2027-03-04T21:30:00Z", "ends_at": "2027-03-04T17:00:00-06:00",
		"time_zone": "America/Chicago", "location": "Room 4, Central Office", "video_url": "https://meet.example.org/ell"}
}

// schedule creates a meeting as the lead and returns its id.
func (s *meetingSite) schedule(slug string, body map[string]any) int64 {
	s.t.Helper()
	r := s.apiAs(s.lead, "POST", "/api/v1/collaboratives/"+slug+"/meetings", body)
	mustStatus(s.t, r, 201, "schedule")
	return int64(r.json(s.t)["id"].(float64))
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func TestMeetingSchedule(t *testing.T) {
	s := newMeetingSite(t)
	r := s.apiAs(s.lead, "POST", "/api/v1/collaboratives/ell-resources/meetings", meetingBody("Spring convening"))
	mustStatus(t, r, 201, "lead schedules")
	m := r.json(t)
	id := int64(m["id"].(float64))
	if m["starts_at"] != "2027-03-04T15:30:00-06:00" || m["ends_at"] != "2027-03-04T17:00:00-06:00" || m["time_zone"] != "America/Chicago" ||
		m["ics_url"] != path("/api/v1/meetings/%d.ics", id) || m["url"] != path("/c/ell-resources/meetings/%d", id) ||
		m["status"] != "scheduled" || m["sequence"] != float64(0) {
		t.Fatalf("created %s", r.body)
	}
	bad := func(mod func(map[string]any)) map[string]any {
		b := meetingBody("Bad")
		mod(b)
		return b
	}
	for _, tc := range []struct {
		name        string
		body        map[string]any
		code, field string
	}{
		{"ends before it starts", bad(func(b map[string]any) { b["ends_at"] = "2027-03-04T15:00:00-06:00" }), "ends_before_start", "ends_at"},
		{"ends as it starts", bad(func(b map[string]any) { b["ends_at"] = b["starts_at"] }), "ends_before_start", "ends_at"},
		{"a zone that does not exist", bad(func(b map[string]any) { b["time_zone"] = "America/Springfield" }), "invalid_time_zone", "time_zone"},
		{"no zone", bad(func(b map[string]any) { delete(b, "time_zone") }), "required", "time_zone"},
		{"a time without an offset", bad(func(b map[string]any) { b["starts_at"] = "2027-03-04T15:30:00" }), "invalid_time", "starts_at"},
		{"no title", bad(func(b map[string]any) { b["title"] = "  " }), "too_short", "title"},
		{"a video link that is not a web address", bad(func(b map[string]any) { b["video_url"] = "javascript:alert(1)" }), "invalid_url", "video_url"},
		{"a two-month meeting", bad(func(b map[string]any) { b["ends_at"] = "2027-05-04T17:00:00-06:00" }), "too_long", "ends_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustError(t, s.apiAs(s.lead, "POST", "/api/v1/collaboratives/ell-resources/meetings", tc.body), 400, tc.code, tc.field)
		})
	}
	t.Run("only leads schedule; a private group's meetings are invisible to others", func(t *testing.T) {
		mustError(t, s.apiAs(s.member, "POST", "/api/v1/collaboratives/ell-resources/meetings", meetingBody("x")), 403, "not_a_lead", "")
		mustStatus(t, s.apiAs(s.other, "POST", "/api/v1/collaboratives/ell-resources/meetings", meetingBody("x")), 404, "outsider, private")
		mustStatus(t, s.apiAs(nil, "POST", "/api/v1/collaboratives/ell-resources/meetings", meetingBody("x")), 401, "anonymous")
		mustError(t, s.apiAs(s.other, "POST", "/api/v1/collaboratives/ct-framework/meetings", meetingBody("x")), 403, "not_a_lead", "")
		mustStatus(t, s.apiAs(s.admin, "POST", "/api/v1/collaboratives/ell-resources/meetings", meetingBody("Admin's")), 201, "site admin")
		mustStatus(t, s.apiAs(s.lead, "POST", "/api/v1/collaboratives/no-such-group/meetings", meetingBody("x")), 404, "missing group")
	})
	t.Run("every read of a private meeting is 404 to outsiders, as a missing id", func(t *testing.T) {
		for _, p := range []string{path("/api/v1/meetings/%d", id), path("/api/v1/meetings/%d.ics", id),
			"/api/v1/collaboratives/ell-resources/meetings", "/api/v1/collaboratives/ell-resources/actions",
			"/api/v1/collaboratives/ell-resources/since-last-meeting"} {
			for _, who := range []*account{nil, s.other} {
				r := s.apiAs(who, "GET", p, nil)
				mustStatus(t, r, 404, p)
				if bytes.Contains(r.body, []byte("Spring convening")) {
					t.Fatalf("%s: the 404 names the meeting", p)
				}
			}
			mustStatus(t, s.apiAs(s.member, "GET", p, nil), 200, p+" as a member")
		}
		missing := s.apiAs(s.other, "GET", path("/api/v1/meetings/%d", id+1000), nil)
		hidden := s.apiAs(s.other, "GET", path("/api/v1/meetings/%d", id), nil)
		if strings.ReplaceAll(string(missing.body), fmt.Sprint(id+1000), "N") != strings.ReplaceAll(string(hidden.body), fmt.Sprint(id), "N") {
			t.Fatalf("a hidden meeting answers differently from a missing one: %s vs %s", hidden.body, missing.body)
		}
		for _, w := range []struct{ method, p string }{{"PATCH", path("/api/v1/meetings/%d", id)}, {"DELETE", path("/api/v1/meetings/%d", id)},
			{"POST", path("/api/v1/meetings/%d/agenda", id)}, {"PUT", path("/api/v1/meetings/%d/notes", id)},
			{"POST", "/api/v1/collaboratives/ell-resources/actions"}} {
			r := s.apiAs(s.other, w.method, w.p, map[string]any{"title": "Sneaky", "body": "x", "revision": 0})
			mustStatus(t, r, 404, w.method+" "+w.p)
		}
	})
	t.Run("lists: upcoming and all, public to everyone", func(t *testing.T) {
		s.clock.Add(0)
		past := s.schedule("ct-framework", map[string]any{"title": "Kickoff", "starts_at": "2026-10-01T15:00:00-05:00",
			"ends_at": "2026-10-01T16:00:00-05:00", "time_zone": "America/Chicago"})
		soon := s.schedule("ct-framework", map[string]any{"title": "Winter check-in", "starts_at": "2026-12-10T15:00:00-06:00",
			"ends_at": "2026-12-10T16:00:00-06:00", "time_zone": "America/Chicago"})
		ids := func(r *response) []int64 {
			var out []int64
			for _, it := range r.json(t)["items"].([]any) {
				out = append(out, int64(it.(map[string]any)["id"].(float64)))
			}
			return out
		}
		up := s.apiAs(nil, "GET", "/api/v1/collaboratives/ct-framework/meetings?upcoming=1", nil)
		mustStatus(t, up, 200, "upcoming")
		if got := ids(up); len(got) != 1 || got[0] != soon {
			t.Fatalf("upcoming %v, want [%d]", got, soon)
		}
		if got := ids(s.apiAs(nil, "GET", "/api/v1/collaboratives/ct-framework/meetings", nil)); len(got) != 2 || got[0] != soon || got[1] != past {
			t.Fatalf("all %v", got)
		}
		mustError(t, s.apiAs(nil, "GET", "/api/v1/collaboratives/ct-framework/meetings?upcoming=yes", nil), 400, "invalid_upcoming", "upcoming")
	})
}

func TestMeetingChangeAndICS(t *testing.T) {
	s := newMeetingSite(t)
	id := s.schedule("ell-resources", meetingBody("ELL rubric; review, part 2 — a long title that will need folding in the calendar file"))
	icsOf := func() (*response, *ics.Calendar) {
		t.Helper()
		r := s.apiAs(s.member, "GET", path("/api/v1/meetings/%d.ics", id), nil)
		mustStatus(t, r, 200, ".ics")
		if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Fatalf("content type %q", ct)
		}
		checkICSLines(t, r.body)
		cal, err := ics.ParseCalendar(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("the .ics does not parse back: %v\n%s", err, r.body)
		}
		if len(cal.Events()) != 1 {
			t.Fatalf("%d events", len(cal.Events()))
		}
		return r, cal
	}
	prop := func(e *ics.VEvent, p ics.ComponentProperty) string {
		t.Helper()
		v := e.GetProperty(p)
		if v == nil {
			t.Fatalf("no %s", p)
		}
		return v.Value
	}
	r1, cal1 := icsOf()
	_, cal2 := icsOf()
	e1, e2 := cal1.Events()[0], cal2.Events()[0]
	if e1.Id() != e2.Id() || e1.Id() != path("meeting-%d@staffroom.test", id) || prop(e1, ics.ComponentPropertySequence) != "0" {
		t.Fatalf("UID %q / %q, sequence %s", e1.Id(), e2.Id(), prop(e1, ics.ComponentPropertySequence))
	}
	if start, err := e1.GetStartAt(); err != nil || !start.Equal(time.Date(2027, 3, 4, 21, 30, 0, 0, time.UTC)) {
		t.Fatalf("DTSTART %v %v", start, err)
	}
	if _, err := e1.GetDtStampTime(); err != nil {
		t.Fatalf("DTSTAMP: %v", err)
	}
	if got := ics.FromText(prop(e1, ics.ComponentPropertySummary)); got != "Group ell-resources: ELL rubric; review, part 2 — a long title that will need folding in the calendar file" {
		t.Fatalf("SUMMARY read back as %q", got)
	}
	if !bytes.Contains(r1.body, []byte(`ELL rubric\; review\, part 2`)) {
		t.Fatalf("text is not escaped: %s", r1.body)
	}
	if prop(e1, ics.ComponentPropertyStatus) != "CONFIRMED" {
		t.Fatal("not confirmed")
	}

	s.clock.Add(time.Hour)
	r := s.apiAs(s.lead, "PATCH", path("/api/v1/meetings/%d", id), map[string]any{"starts_at": "2027-03-04T16:00:00-06:00", "location": nil})
	mustStatus(t, r, 200, "lead moves it")
	if m := r.json(t); m["sequence"] != float64(1) || m["starts_at"] != "2027-03-04T16:00:00-06:00" || m["location"] != "" {
		t.Fatalf("patched %s", r.body)
	}
	_, cal3 := icsOf()
	if e3 := cal3.Events()[0]; e3.Id() != e1.Id() || prop(e3, ics.ComponentPropertySequence) != "1" {
		t.Fatalf("after a change: UID %q sequence %s", e3.Id(), prop(e3, ics.ComponentPropertySequence))
	}
	mustError(t, s.apiAs(s.lead, "PATCH", path("/api/v1/meetings/%d", id), map[string]any{"ends_at": "2027-03-04T15:00:00-06:00"}), 400, "ends_before_start", "ends_at")
	mustError(t, s.apiAs(s.lead, "PATCH", path("/api/v1/meetings/%d", id), map[string]any{"time_zone": "Mars/Olympus_Mons"}), 400, "invalid_time_zone", "time_zone")
	mustError(t, s.apiAs(s.member, "PATCH", path("/api/v1/meetings/%d", id), map[string]any{"title": "Mine now"}), 403, "not_a_lead", "")

	mustStatus(t, s.apiAs(s.member, "DELETE", path("/api/v1/meetings/%d", id), nil), 403, "a member cancels")
	mustStatus(t, s.apiAs(s.lead, "DELETE", path("/api/v1/meetings/%d", id), nil), 204, "the lead cancels")
	got := s.apiAs(s.member, "GET", path("/api/v1/meetings/%d", id), nil).json(t)
	if got["status"] != "cancelled" || got["sequence"] != float64(2) {
		t.Fatalf("after cancelling: %v %v", got["status"], got["sequence"])
	}
	_, cal4 := icsOf()
	if prop(cal4.Events()[0], ics.ComponentPropertyStatus) != "CANCELLED" {
		t.Fatal("a cancelled meeting's .ics does not say so")
	}
}

// checkICSLines checks RFC 5545's framing: CRLF line ends and lines of at most 75 octets.
func checkICSLines(t *testing.T, body []byte) {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
		t.Fatalf("the file does not end with END:VCALENDAR CRLF")
	}
	folded := false
	for i, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d holds a bare line break: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Fatalf("line %d is %d octets: %q", i+1, len(line), line)
		}
		folded = folded || bytes.HasPrefix(line, []byte(" "))
	}
	if !folded {
		t.Fatalf("no line was folded, so folding went untested:\n%s", body)
	}
}

func TestMeetingAgendaAndNotes(t *testing.T) {
	s := newMeetingSite(t)
	id := s.schedule("ell-resources", meetingBody("Convening"))
	propose := func(a *account, title string) int64 {
		t.Helper()
		r := s.apiAs(a, "POST", path("/api/v1/meetings/%d/agenda", id), map[string]any{"title": title, "note": "Ten minutes"})
		mustStatus(t, r, 201, "propose "+title)
		return int64(r.json(t)["id"].(float64))
	}
	first, second := propose(s.member, "Rubric draft"), propose(s.lead, "Pilot sites")
	mustError(t, s.apiAs(s.member, "POST", path("/api/v1/meetings/%d/agenda", id), map[string]any{"title": ""}), 400, "too_short", "title")
	mustError(t, s.apiAs(s.member, "PATCH", path("/api/v1/agenda/%d", second), map[string]any{"position": 1}), 403, "not_a_lead", "")
	mustError(t, s.apiAs(s.lead, "PATCH", path("/api/v1/agenda/%d", second), map[string]any{"position": 0}), 400, "invalid_position", "position")
	r := s.apiAs(s.lead, "PATCH", path("/api/v1/agenda/%d", second), map[string]any{"position": 1})
	mustStatus(t, r, 200, "lead orders")
	agenda := s.apiAs(s.member, "GET", path("/api/v1/meetings/%d", id), nil).json(t)["agenda"].([]any)
	if len(agenda) != 2 || int64(agenda[0].(map[string]any)["id"].(float64)) != second || agenda[1].(map[string]any)["position"] != float64(2) {
		t.Fatalf("agenda %v", agenda)
	}
	mustStatus(t, s.apiAs(s.member, "DELETE", path("/api/v1/agenda/%d", second), nil), 403, "someone else's item")
	mustStatus(t, s.apiAs(s.member, "DELETE", path("/api/v1/agenda/%d", first), nil), 204, "own item")
	mustStatus(t, s.apiAs(s.other, "DELETE", path("/api/v1/agenda/%d", second), nil), 404, "outsider")

	put := func(a *account, body any) *response {
		return s.apiAs(a, "PUT", path("/api/v1/meetings/%d/notes", id), body)
	}
	r = put(s.member, map[string]any{"body": "## Decisions\n\n- adopt the *rubric*", "revision": 0})
	mustStatus(t, r, 200, "first notes")
	if n := r.json(t); n["revision"] != float64(1) || !strings.Contains(n["body_html"].(string), "<em>rubric</em>") {
		t.Fatalf("notes %s", r.body)
	}
	mustError(t, put(s.lead, map[string]any{"body": "my version", "revision": 0}), 409, "edit_conflict", "")
	mustError(t, put(s.lead, map[string]any{"body": "no revision"}), 400, "required", "revision")
	mustError(t, put(s.lead, map[string]any{"body": "x", "revision": "one"}), 400, "bad_json", "revision")
	mustStatus(t, put(s.lead, map[string]any{"body": "## Decisions\n\nrevised", "revision": 1}), 200, "second save")
	mustStatus(t, put(s.other, map[string]any{"body": "x", "revision": 2}), 404, "outsider writes notes")
	got := s.apiAs(s.member, "GET", path("/api/v1/meetings/%d", id), nil).json(t)["notes"].(map[string]any)
	if got["revision"] != float64(2) || got["body"] != "## Decisions\n\nrevised" {
		t.Fatalf("notes after the conflict %v", got)
	}
}

func TestActionItemsAPI(t *testing.T) {
	s := newMeetingSite(t)
	id := s.schedule("ell-resources", meetingBody("Convening"))
	create := func(a *account, body map[string]any) *response {
		return s.apiAs(a, "POST", "/api/v1/collaboratives/ell-resources/actions", body)
	}
	r := create(s.lead, map[string]any{"title": "Collect rubrics", "assignee_id": s.member.ID, "due": "2026-11-30", "meeting_id": id})
	mustStatus(t, r, 201, "from a meeting")
	item := r.json(t)
	itemID := int64(item["id"].(float64))
	if item["due"] != "2026-11-30" || item["status"] != "open" || item["overdue"] != false || item["meeting_id"] != float64(id) ||
		item["assignee"].(map[string]any)["username"] != "memberperson" {
		t.Fatalf("created %s", r.body)
	}
	mustStatus(t, create(s.member, map[string]any{"title": "Book the room"}), 201, "on its own")
	mustError(t, create(s.lead, map[string]any{"title": "x", "assignee_id": s.other.ID}), 400, "assignee_not_member", "assignee_id")
	mustError(t, create(s.lead, map[string]any{"title": "x", "due": "30/11/2026"}), 400, "invalid_date", "due")
	mustError(t, create(s.lead, map[string]any{"title": ""}), 400, "too_short", "title")
	mustStatus(t, create(s.other, map[string]any{"title": "x"}), 404, "outsider")
	other := s.schedule("ct-framework", meetingBody("Elsewhere"))
	mustError(t, create(s.lead, map[string]any{"title": "x", "meeting_id": other}), 400, "unknown_meeting", "meeting_id")

	mine := s.apiAs(s.member, "GET", "/api/v1/me/actions", nil)
	mustStatus(t, mine, 200, "my actions")
	items := mine.json(t)["items"].([]any)
	if len(items) != 1 || int64(items[0].(map[string]any)["id"].(float64)) != itemID {
		t.Fatalf("my actions %s", mine.body)
	}
	s.clock.Add(7 * 24 * time.Hour) // 1 December: past due
	if got := s.apiAs(s.member, "GET", "/api/v1/me/actions", nil).json(t)["items"].([]any)[0].(map[string]any); got["overdue"] != true {
		t.Fatalf("not overdue on 1 December: %v", got)
	}
	mustStatus(t, s.apiAs(nil, "GET", "/api/v1/me/actions", nil), 401, "anonymous")

	mustError(t, s.apiAs(s.member, "PATCH", path("/api/v1/actions/%d", itemID), map[string]any{"status": "finished"}), 400, "invalid_status", "status")
	r = s.apiAs(s.member, "PATCH", path("/api/v1/actions/%d", itemID), map[string]any{"status": "done"})
	mustStatus(t, r, 200, "done")
	if got := r.json(t); got["status"] != "done" || got["done_at"] == nil || got["overdue"] != false {
		t.Fatalf("done %s", r.body)
	}
	if n := len(s.apiAs(s.member, "GET", "/api/v1/me/actions", nil).json(t)["items"].([]any)); n != 0 {
		t.Fatalf("a done item is still mine to do (%d)", n)
	}
	mustError(t, s.apiAs(s.lead, "PATCH", path("/api/v1/actions/%d", itemID), map[string]any{"assignee_id": s.other.ID}), 400, "assignee_not_member", "assignee_id")
	mustStatus(t, s.apiAs(s.other, "PATCH", path("/api/v1/actions/%d", itemID), map[string]any{"status": "open"}), 404, "outsider")
	r = s.apiAs(s.lead, "PATCH", path("/api/v1/actions/%d", itemID), map[string]any{"status": "open", "due": nil, "assignee_id": nil})
	if mustStatus(t, r, 200, "reopen"); r.json(t)["due"] != nil || r.json(t)["assignee"] != nil {
		t.Fatalf("reopened %s", r.body)
	}
	open := s.apiAs(s.member, "GET", "/api/v1/collaboratives/ell-resources/actions?status=open", nil)
	if n := len(open.json(t)["items"].([]any)); n != 2 {
		t.Fatalf("open items %s", open.body)
	}
}

func TestCalendarFeed(t *testing.T) {
	s := newMeetingSite(t)
	private := s.schedule("ell-resources", meetingBody("Private convening"))
	s.schedule("ct-framework", meetingBody("Public check-in"))
	address := func(a *account, method, p string) string {
		t.Helper()
		r := s.apiAs(a, method, p, nil)
		mustStatus(t, r, 200, p)
		return strings.TrimPrefix(r.json(t)["url"].(string), "http://staffroom.test")
	}
	feed := address(s.member, "GET", "/api/v1/me/calendar")
	if again := address(s.member, "GET", "/api/v1/me/calendar"); again != feed || !strings.HasPrefix(feed, "/api/v1/me/calendar.ics?key=") {
		t.Fatalf("address %q then %q", feed, again)
	}
	r := s.do(req{method: "GET", path: feed}) // a calendar program: no session
	mustStatus(t, r, 200, "feed")
	checkICSLines(t, r.body)
	cal, err := ics.ParseCalendar(bytes.NewReader(r.body))
	if err != nil || len(cal.Events()) != 2 || r.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %v, %s", err, r.body)
	}
	outsider := s.do(req{method: "GET", path: address(s.other, "GET", "/api/v1/me/calendar")})
	mustStatus(t, outsider, 200, "outsider's feed")
	if bytes.Contains(outsider.body, []byte("convening")) || bytes.Contains(outsider.body, []byte(path("meeting-%d@", private))) {
		t.Fatalf("an outsider's feed lists the group's meetings: %s", outsider.body)
	}
	for _, bad := range []string{"/api/v1/me/calendar.ics", "/api/v1/me/calendar.ics?key=nope",
		"/api/v1/me/calendar.ics?key=" + strings.Repeat("0", 48)} {
		mustStatus(t, s.do(req{method: "GET", path: bad}), 404, bad)
	}
	fresh := address(s.member, "POST", "/api/v1/me/calendar/reset")
	if fresh == feed {
		t.Fatal("reset kept the key")
	}
	mustStatus(t, s.do(req{method: "GET", path: feed}), 404, "the old address after a reset")
	mustStatus(t, s.do(req{method: "GET", path: fresh}), 200, "the new address")
	mustStatus(t, s.apiAs(nil, "GET", "/api/v1/me/calendar", nil), 401, "anonymous address")
}

func TestCalendarFeedOnMembersOnlySite(t *testing.T) {
	s := newMeetingSite(t, withEnv(forum.SiteSettings{Read: forum.ReadMembers}, forum.SettingRead))
	s.schedule("ell-resources", meetingBody("Convening"))
	r := s.apiAs(s.member, "GET", "/api/v1/me/calendar", nil)
	mustStatus(t, r, 200, "address")
	feed := strings.TrimPrefix(r.json(t)["url"].(string), "http://staffroom.test")
	mustStatus(t, s.do(req{method: "GET", path: feed}), 200, "the feed answers its key on a members-only site")
	mustStatus(t, s.do(req{method: "GET", path: "/api/v1/meetings/1.ics"}), 401, "the rest stays members-only")
}

func TestSinceLastMeeting(t *testing.T) {
	s := newMeetingSite(t)
	s.schedule("ell-resources", map[string]any{"title": "Last month", "starts_at": "2026-10-20T15:00:00-05:00",
		"ends_at": "2026-10-20T16:00:00-05:00", "time_zone": "America/Chicago"})
	r := s.apiAs(s.lead, "POST", "/api/v1/collaboratives/ell-resources/actions", map[string]any{"title": "Draft the rubric", "assignee_id": s.member.ID})
	mustStatus(t, r, 201, "action")
	s.clock.Add(time.Hour)
	actionID := int64(r.json(t)["id"].(float64))
	mustStatus(t, s.apiAs(s.member, "PATCH", path("/api/v1/actions/%d", actionID), map[string]any{"status": "done"}), 200, "done")
	r = s.apiAs(s.member, "GET", "/api/v1/collaboratives/ell-resources/since-last-meeting", nil)
	mustStatus(t, r, 200, "since")
	got := r.json(t)
	if got["last_meeting"].(map[string]any)["title"] != "Last month" || got["since"] != "2026-10-20T21:00:00Z" ||
		len(got["actions_opened"].([]any)) != 1 || len(got["actions_closed"].([]any)) != 1 ||
		len(got["channels"].([]any)) != 0 || len(got["new_questions"].([]any)) != 0 {
		t.Fatalf("since %s", r.body)
	}
}

func TestMeetingEventsOnTheCollaborativeTopic(t *testing.T) {
	s := newMeetingSite(t)
	s.db.SetPublisher(web.LivePublisher{}) // as the server logs events: in the API's shape
	id := s.schedule("ell-resources", meetingBody("Convening"))
	evs, err := s.db.EventsSince(context.Background(), forum.TopicCollaborative("ell-resources"), 0, 10, 0)
	if err != nil || len(evs) != 1 || evs[0].Name != forum.EventMeetingCreated ||
		!bytes.Contains(evs[0].Data, []byte(path(`"ics_url":"/api/v1/meetings/%d.ics"`, id))) {
		t.Fatalf("events %v %v", evs, err)
	}
}
