package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// withSpam scores new posts for spam, as the server does.
func withSpam() siteOption { return func(s *testSite) { s.spam = true } }

// moderator signs up username and makes them a moderator.
func (s *testSite) moderator(username string) *account {
	s.t.Helper()
	a := s.signup(username)
	if _, err := s.accounts.SetRole(context.Background(), username, forum.RoleModerator); err != nil {
		s.t.Fatal(err)
	}
	return a
}

func suspendPath(id int64) string { return fmt.Sprintf("/api/v1/moderation/users/%d/suspend", id) }

// auditRows reads the audit log as a moderator sees it through the API.
func (s *testSite) auditRows(mod *account, query string) []map[string]any {
	s.t.Helper()
	r := s.apiAs(mod, "GET", "/api/v1/moderation/audit?"+query, nil)
	mustStatus(s.t, r, 200, "audit log")
	var out []map[string]any
	for _, it := range r.json(s.t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestSuspendRules(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	mod := s.moderator("moderator")
	mod2 := s.moderator("moderator2")
	member := s.signup("member")
	target := s.signup("target")
	later := s.clock.Now().Add(72 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		name   string
		by     *account
		id     int64
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"anonymous", nil, target.ID, map[string]any{"until": later, "reason": "spam"}, 401, "unauthorized", ""},
		{"a member", member, target.ID, map[string]any{"until": later, "reason": "spam"}, 403, "not_moderator", ""},
		{"a moderator suspends a moderator", mod, mod2.ID, map[string]any{"until": later, "reason": "spam"}, 403, "moderator_target", ""},
		{"a moderator suspends an admin", mod, admin.ID, map[string]any{"until": later, "reason": "spam"}, 403, "moderator_target", ""},
		{"until in the past", mod, target.ID, map[string]any{"until": s.clock.Now().Add(-time.Hour).Format(time.RFC3339), "reason": "spam"}, 400, "until_past", "until"},
		{"until now", mod, target.ID, map[string]any{"until": s.clock.Now().Format(time.RFC3339), "reason": "spam"}, 400, "until_past", "until"},
		{"until unparsable", mod, target.ID, map[string]any{"until": "next tuesday", "reason": "spam"}, 400, "bad_time", "until"},
		{"until without an offset", mod, target.ID, map[string]any{"until": "2027-01-01T10:00:00", "reason": "spam"}, 400, "bad_time", "until"},
		{"no reason", mod, target.ID, map[string]any{"until": later, "reason": "  "}, 400, "reason_required", "reason"},
		{"oneself", mod, mod.ID, map[string]any{"until": later, "reason": "a rest"}, 400, "own_account", "user"},
		{"nobody", mod, 9999, map[string]any{"until": later, "reason": "spam"}, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mustError(t, s.apiAs(tc.by, "POST", suspendPath(tc.id), tc.body), tc.status, tc.code, tc.field)
		})
	}
	if rows := s.auditRows(admin, "action=user.suspend"); len(rows) != 0 {
		t.Fatalf("refused suspensions were audited: %v", rows)
	}
	t.Run("an admin suspends a moderator", func(t *testing.T) {
		r := s.apiAs(admin, "POST", suspendPath(mod2.ID), map[string]any{"until": later, "reason": "Cooling off"})
		mustStatus(t, r, 200, "admin suspends moderator")
		if got := r.json(t)["suspend_reason"]; got != "Cooling off" {
			t.Fatalf("reason %v", got)
		}
		mustError(t, s.apiAs(mod, "DELETE", suspendPath(mod2.ID), nil), 403, "moderator_target", "")
		mustStatus(t, s.apiAs(admin, "DELETE", suspendPath(mod2.ID), nil), 204, "admin lifts")
	})
	t.Run("lifting: members may not", func(t *testing.T) {
		mustError(t, s.apiAs(member, "DELETE", suspendPath(target.ID), nil), 403, "not_moderator", "")
		mustError(t, s.apiAs(nil, "DELETE", suspendPath(target.ID), nil), 401, "unauthorized", "")
	})
}

// A suspended person reads but cannot write; every write says why and until when; the
// pages say so too; the suspension ends by itself on time, and a moderator can lift it.
// Each change is one audit row with the state before and after.
func TestSuspensionLifecycle(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.moderator("moderator")
	target := s.signup("target")
	qid := s.ask(mod, "How do you pace a unit on fractions?", "math")
	until := s.clock.Now().Add(48 * time.Hour)
	mustStatus(t, s.apiAs(mod, "POST", suspendPath(target.ID), map[string]any{
		"until": until.In(time.FixedZone("CST", -6*3600)).Format(time.RFC3339), "reason": "Posting advertisements"}), 200, "suspend")

	answer := func() *response {
		return s.apiAs(target, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": goodBody})
	}
	r := answer()
	mustError(t, r, 403, "suspended", "")
	for _, want := range []string{"Posting advertisements", until.Format("2 January 2006 15:04 UTC")} {
		if !strings.Contains(string(r.body), want) {
			t.Fatalf("the refusal does not say %q: %s", want, r.body)
		}
	}
	mustStatus(t, s.apiAs(target, "GET", fmt.Sprintf("/api/v1/questions/%d", qid), nil), 200, "reading while suspended")
	if me := s.apiAs(target, "GET", "/api/v1/me", nil).json(t)["user"].(map[string]any); me["suspend_reason"] != "Posting advertisements" || me["suspended_until"] != until.Format(time.RFC3339) {
		t.Fatalf("/me: %v", me)
	}
	for _, path := range []string{"/", "/settings", fmt.Sprintf("/questions/%d", qid)} {
		page := s.pageAs(target, path)
		mustStatus(t, page, 200, path)
		if !strings.Contains(string(page.body), `class="suspension-banner"`) || !strings.Contains(string(page.body), "Posting advertisements") {
			t.Fatalf("%s shows no suspension banner with the reason", path)
		}
	}
	if page := s.pageAs(mod, "/"); strings.Contains(string(page.body), "suspension-banner") {
		t.Fatal("someone else sees the banner")
	}
	if r := s.formAs(fmt.Sprintf("/questions/%d/answers", qid), target, "body", goodBody); r.StatusCode != 403 || !strings.Contains(string(r.body), "Posting advertisements") {
		t.Fatalf("the answer form while suspended: %d %.300s", r.StatusCode, r.body)
	}

	// It ends by itself: a second before, still refused; at the time, writes pass.
	s.clock.Add(until.Sub(s.clock.Now()) - time.Second)
	mustError(t, answer(), 403, "suspended", "")
	s.clock.Add(time.Second)
	mustStatus(t, answer(), 201, "after the suspension ended")
	if page := s.pageAs(target, "/"); strings.Contains(string(page.body), "suspension-banner") {
		t.Fatal("the banner outlives the suspension")
	}

	// Suspended again, then lifted early.
	mustStatus(t, s.apiAs(mod, "POST", suspendPath(target.ID), map[string]any{
		"until": s.clock.Now().Add(time.Hour).Format(time.RFC3339), "reason": "Again"}), 200, "suspend again")
	mustError(t, answer(), 403, "suspended", "")
	mustStatus(t, s.apiAs(mod, "DELETE", suspendPath(target.ID), nil), 204, "lift")
	mustStatus(t, answer(), 201, "after the lift")

	rows := s.auditRows(mod, "target=user:"+idStr(target.ID))
	if len(rows) != 3 {
		t.Fatalf("%d audit rows, want 3 (suspend, suspend, lift): %v", len(rows), rows)
	}
	lift, again, first := rows[0], rows[1], rows[2]
	if lift["action"] != "user.unsuspend" || again["action"] != "user.suspend" || first["action"] != "user.suspend" {
		t.Fatalf("actions %v %v %v", lift["action"], again["action"], first["action"])
	}
	if first["actor"].(map[string]any)["username"] != "moderator" || first["reason"] != "Posting advertisements" {
		t.Fatalf("first row: %v", first)
	}
	if b := first["before"].(map[string]any); b["suspended"] != false {
		t.Fatalf("before: %v", b)
	}
	if a := first["after"].(map[string]any); a["suspended"] != true || a["until"] != until.Format(time.RFC3339) {
		t.Fatalf("after: %v", a)
	}
	if b, a := lift["before"].(map[string]any), lift["after"].(map[string]any); b["reason"] != "Again" || a["suspended"] != false {
		t.Fatalf("lift: %v -> %v", b, a)
	}
}

func TestSuspendForm(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.moderator("moderator")
	member := s.signup("member")
	target := s.signup("target")
	path := fmt.Sprintf("/users/%d/moderation", target.ID)
	mustStatus(t, s.pageAs(member, path), 403, "a member")
	if r := s.pageAs(nil, path); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	mustStatus(t, s.pageAs(mod, path), 200, "a moderator")

	r := s.formAs(fmt.Sprintf("/users/%d/suspend", target.ID), mod, "days", "3", "reason", "")
	mustStatus(t, r, 400, "no reason")
	if !strings.Contains(string(r.body), "Say why") {
		t.Fatalf("the form does not say what is wrong: %.300s", r.body)
	}
	r = s.formAs(fmt.Sprintf("/users/%d/suspend", target.ID), mod, "days", "3", "reason", "Rude replies")
	mustStatus(t, r, 303, "suspend")
	page := s.pageAs(mod, path)
	if !strings.Contains(string(page.body), "Suspended until") || !strings.Contains(string(page.body), "user.suspend") {
		t.Fatalf("the page shows neither the suspension nor its history: %.2000s", page.body)
	}
	mustStatus(t, s.formAs(fmt.Sprintf("/users/%d/unsuspend", target.ID), mod), 303, "lift")
	if u := s.user(target); u.Suspended(s.clock.Now()) {
		t.Fatal("still suspended after the lift")
	}
}

// The audit log: filters, keyset pages that neither skip nor repeat, CSV, and who may read.
func TestAuditLogRead(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	mod := s.moderator("moderator")
	member := s.signup("member")
	people := make([]*account, 7)
	for i := range people {
		people[i] = s.signup(fmt.Sprintf("person%d", i))
	}
	for i, p := range people {
		by := mod
		if i%2 == 1 {
			by = admin
		}
		s.clock.Add(time.Minute)
		mustStatus(t, s.apiAs(by, "POST", suspendPath(p.ID), map[string]any{
			"until": s.clock.Now().Add(time.Hour).Format(time.RFC3339), "reason": fmt.Sprintf("=reason, \"quoted\" %d", i)}), 200, "suspend")
	}
	mustStatus(t, s.apiAs(mod, "DELETE", suspendPath(people[0].ID), nil), 204, "lift")

	t.Run("who may read", func(t *testing.T) {
		mustError(t, s.apiAs(nil, "GET", "/api/v1/moderation/audit", nil), 401, "unauthorized", "")
		mustError(t, s.apiAs(member, "GET", "/api/v1/moderation/audit", nil), 403, "not_moderator", "")
		mustStatus(t, s.pageAs(member, "/moderation/audit"), 403, "the page, a member")
		mustStatus(t, s.pageAs(admin, "/moderation/audit"), 200, "the page, an admin")
	})
	t.Run("filters", func(t *testing.T) {
		cases := []struct {
			query string
			want  int
		}{
			{"", 8},
			{"actor=moderator", 5},
			{"actor=" + idStr(admin.ID), 3},
			{"action=user.unsuspend", 1},
			{"target=user:" + idStr(people[0].ID), 2},
			{"target=user", 8},
			{"target=post", 0},
			{"actor=moderator&action=user.suspend", 4},
		}
		for _, tc := range cases {
			if got := len(s.auditRows(mod, tc.query)); got != tc.want {
				t.Errorf("%q: %d rows, want %d", tc.query, got, tc.want)
			}
		}
	})
	t.Run("bad filters", func(t *testing.T) {
		for _, tc := range []struct{ query, code, field string }{
			{"actor=nobody-here", "unknown_actor", "actor"},
			{"target=user:x", "bad_target", "target"},
			{"target=USER;drop", "bad_target", "target"},
			{"action=DROP%20TABLE", "bad_action", "action"},
			{"before=yesterday", "bad_before", "before"},
			{"limit=100000", "bad_limit", "limit"},
			{"format=xml", "bad_format", "format"},
		} {
			mustError(t, s.apiAs(mod, "GET", "/api/v1/moderation/audit?"+tc.query, nil), 400, tc.code, tc.field)
		}
		mustStatus(t, s.pageAs(mod, "/moderation/audit?target=user:x"), 400, "the page with a bad filter")
	})
	t.Run("keyset pages", func(t *testing.T) {
		seen := map[float64]bool{}
		var order []float64
		q := "limit=3"
		for pages := 0; ; pages++ {
			r := s.apiAs(mod, "GET", "/api/v1/moderation/audit?"+q, nil)
			mustStatus(t, r, 200, "page")
			m := r.json(t)
			for _, it := range m["items"].([]any) {
				id := it.(map[string]any)["id"].(float64)
				if seen[id] {
					t.Fatalf("row %v on two pages", id)
				}
				seen[id] = true
				order = append(order, id)
			}
			next, _ := m["next"].(string)
			if next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			q = "limit=3&before=" + url.QueryEscape(next)
		}
		if len(order) != 8 {
			t.Fatalf("%d rows over the pages, want 8", len(order))
		}
		for i := 1; i < len(order); i++ {
			if order[i] >= order[i-1] {
				t.Fatalf("not newest first: %v", order)
			}
		}
		before := s.clock.Now().Add(-3*time.Minute - 30*time.Second).Format(time.RFC3339)
		if got := len(s.auditRows(mod, "before="+url.QueryEscape(before))); got != 3 {
			t.Fatalf("before a time: %d rows, want 3", got)
		}
	})
	t.Run("csv", func(t *testing.T) {
		r := s.apiAs(mod, "GET", "/api/v1/moderation/audit?format=csv&actor=moderator", nil)
		mustStatus(t, r, 200, "csv")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("Content-Type %q", ct)
		}
		recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, r.body)
		}
		if len(recs) != 6 || strings.Join(recs[0], ",") != "id,at,actor_id,actor,action,target_kind,target_id,before,after,reason" {
			t.Fatalf("%d records, header %v", len(recs), recs[0])
		}
		last := recs[len(recs)-1] // the oldest: person0's suspension
		if last[3] != "moderator" || last[4] != "user.suspend" || last[6] != idStr(people[0].ID) || last[9] != "'=reason, \"quoted\" 0" {
			t.Fatalf("oldest record %q", last)
		}
		if !strings.Contains(last[8], `"suspended":true`) {
			t.Fatalf("after %q", last[8])
		}
		mustError(t, s.apiAs(member, "GET", "/api/v1/moderation/audit?format=csv", nil), 403, "not_moderator", "")
	})
}

// Moderators find a person's moderation page from the profile; nobody else sees the link.
func TestProfileLinksModeration(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.moderator("moderator")
	member := s.signup("member")
	target := s.signup("target")
	link := fmt.Sprintf(`href="/users/%d/moderation"`, target.ID)
	path := fmt.Sprintf("/users/%d/target", target.ID)
	if !strings.Contains(string(s.pageAs(mod, path).body), link) {
		t.Fatal("a moderator sees no link")
	}
	for _, a := range []*account{member, target, nil} {
		if strings.Contains(string(s.pageAs(a, path).body), link) {
			t.Fatalf("%v sees the link", a)
		}
	}
}
