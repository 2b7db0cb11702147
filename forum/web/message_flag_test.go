package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"staffroom/forum"
)

// messageIDs lists the ids (and hidden marks) of a channel's history as a reader gets it.
func (s *channelSite) history(a *account, channel int64) map[int64]map[string]any {
	s.t.Helper()
	r := s.apiAs(a, "GET", fmt.Sprintf("/api/v1/channels/%d/messages", channel), nil)
	mustStatus(s.t, r, 200, "history")
	out := map[int64]map[string]any{}
	for _, it := range r.json(s.t)["items"].([]any) {
		m := it.(map[string]any)
		if m["deleted"] == true {
			continue
		}
		out[int64(m["id"].(float64))] = m
	}
	return out
}

// TestMessageFlags: channel messages take flags with the posts' reasons and rules; three
// spam flags hide a message (its author still sees it, marked); the flags queue takes it,
// and a moderator restores or deletes it there; a private group's message is 404 to
// outsiders.
func TestMessageFlags(t *testing.T) {
	s := newChannelSite(t)
	ctx := context.Background()
	gid := func(slug string) int64 {
		g, err := s.db.CollaborativeBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	pub := gid("ct-framework")
	var flaggers []*account
	for i := range 3 {
		f := s.signup(fmt.Sprintf("flagger%d", i))
		if err := s.db.AddCollaborativeMember(ctx, pub, f.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
		flaggers = append(flaggers, f)
	}
	s.privilege(forum.PrivFlag, 1)
	spam := s.post(s.member, s.pub, "Buy cheap essays at example.com", 0)
	private := s.post(s.member, s.priv, "members only words", 0)
	path := func(id int64) string { return fmt.Sprintf("/api/v1/messages/%d/flags", id) }

	for _, tc := range []struct {
		name        string
		who         *account
		id          int64
		body        map[string]any
		status      int
		code, field string
	}{
		{"anonymous", nil, spam, flagBody("spam", ""), 401, "unauthorized", ""},
		{"unknown reason", flaggers[0], spam, flagBody("boring", ""), 400, "invalid_reason", "reason"},
		{"other without a note", flaggers[0], spam, flagBody("other", ""), 400, "note_required", "note"},
		{"a message is no duplicate", flaggers[0], spam, map[string]any{"reason": "duplicate", "duplicate_of": 1}, 400, "invalid_reason", "reason"},
		{"own message", s.member, spam, flagBody("spam", ""), 400, "own_post", ""},
		{"missing message", flaggers[0], 99999, flagBody("spam", ""), 404, "not_found", ""},
		{"an outsider on a private group's message", s.outsider, private, flagBody("spam", ""), 404, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustError(t, s.apiAs(tc.who, "POST", path(tc.id), tc.body), tc.status, tc.code, tc.field)
		})
	}
	if r := s.apiAs(s.outsider, "POST", path(private), flagBody("spam", "")); strings.Contains(string(r.body), "members only") {
		t.Fatalf("the refusal tells: %s", r.body)
	}
	// A member of the private group may flag there.
	mustStatus(t, s.apiAs(s.lead, "POST", path(private), flagBody("other", "please look")), 201, "a member's flag")

	for i, f := range flaggers {
		r := s.apiAs(f, "POST", path(spam), flagBody("spam", ""))
		mustStatus(t, r, 201, "flag")
		if m := r.json(t); (m["hidden"] == true) != (i == 2) || m["target_kind"] != "message" {
			t.Fatalf("flag %d: %s", i+1, r.body)
		}
	}
	mustError(t, s.apiAs(flaggers[0], "POST", path(spam), flagBody("offensive", "")), 409, "already_flagged", "")

	if _, ok := s.history(s.lead, s.pub)[spam]; ok {
		t.Fatal("a hidden message is still in the history for others")
	}
	mine, ok := s.history(s.member, s.pub)[spam]
	if !ok || mine["hidden"] != true || !strings.Contains(mine["body"].(string), "cheap essays") {
		t.Fatalf("the author's history: %v", mine)
	}
	chPage := fmt.Sprintf("/c/ct-framework/channels/%d", s.pub)
	if p := s.pageAs(s.member, chPage); !strings.Contains(string(p.body), "Hidden pending review") {
		t.Fatal("the author's channel page does not mark the hidden message")
	}
	if p := s.pageAs(s.lead, chPage); strings.Contains(string(p.body), "cheap essays") {
		t.Fatal("another member's channel page shows the hidden message")
	}

	// The flags queue: the moderator sees the message and restores it.
	item := func(target int64) int64 {
		r := s.apiAs(s.admin, "GET", "/api/v1/moderation/queue?kind=flags", nil)
		mustStatus(t, r, 200, "queue")
		for _, it := range r.json(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["target_kind"] == "message" && int64(m["target_id"].(float64)) == target {
				if msg, _ := m["message"].(map[string]any); msg == nil || msg["body"] == "" {
					t.Fatalf("the item lacks the message: %v", m)
				}
				return int64(m["id"].(float64))
			}
		}
		t.Fatalf("message %d not in the queue: %s", target, r.body)
		return 0
	}
	id := item(spam)
	if p := s.pageAs(s.admin, "/moderation?kind=flags"); !strings.Contains(string(p.body), "cheap essays") {
		t.Fatal("the dashboard does not show the flagged message")
	}
	mustStatus(t, s.apiAs(s.admin, "POST", fmt.Sprintf("/api/v1/moderation/queue/%d/resolve", id), map[string]any{"action": "restore", "reason": "fine"}), 200, "restore")
	if m, ok := s.history(s.lead, s.pub)[spam]; !ok || m["hidden"] == true {
		t.Fatalf("restored message for others: %v", m)
	}

	// Flagged again: a moderator deletes it from the queue, and it is gone for its author too.
	second := s.post(s.member, s.pub, "More cheap essays", 0)
	for _, f := range flaggers {
		mustStatus(t, s.apiAs(f, "POST", path(second), flagBody("offensive", "")), 201, "flag")
	}
	id = item(second)
	mustStatus(t, s.apiAs(s.admin, "POST", fmt.Sprintf("/api/v1/moderation/queue/%d/resolve", id), map[string]any{"action": "delete"}), 200, "delete")
	if _, ok := s.history(s.member, s.pub)[second]; ok {
		t.Fatal("a deleted message is still shown to its author")
	}
	mustError(t, s.apiAs(s.lead, "POST", path(second), flagBody("spam", "")), 404, "not_found", "")

	// The channel page offers the flag dialog to flaggers, and it works without script.
	third := s.post(s.member, s.pub, "A plain message", 0)
	page := s.pageAs(flaggers[0], chPage)
	form := fmt.Sprintf(`action="/c/ct-framework/channels/%d/messages/%d/flags"`, s.pub, third)
	if !strings.Contains(string(page.body), form) {
		t.Fatal("the channel page has no flag dialog")
	}
	if p := s.pageAs(s.member, chPage); strings.Contains(string(p.body), form) {
		t.Fatal("the author is offered a flag on their own message")
	}
	r := s.formAs(fmt.Sprintf("/c/ct-framework/channels/%d/messages/%d/flags", s.pub, third), flaggers[0], "reason", "other", "note", "off topic")
	if r.StatusCode != 303 {
		t.Fatalf("flag form: %d %s", r.StatusCode, r.body)
	}
	mustError(t, s.apiAs(flaggers[0], "POST", path(third), flagBody("spam", "")), 409, "already_flagged", "")
}
