package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// TestDeletedSpamTeachesTheGuard: deleting a spam account, and deleting a post from the
// queue on spam flags, record the domains its posts linked to, so that a later post
// linking there is hidden as spam.
func TestDeletedSpamTeachesTheGuard(t *testing.T) {
	s := newSite(t, withSpam())
	admin := s.signup("founder")
	mod := s.moderator("moderator")
	veteran := s.signup("veteran")
	s.giveReputation(veteran, 200)
	spammer := s.signup("spammer")
	s.giveReputation(spammer, 200)
	qid := s.ask(mod, "How do you pace a unit on fractions?", "math")
	answer := func(a *account, body string) int64 {
		t.Helper()
		r := s.apiAs(a, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": body})
		mustStatus(t, r, 201, "answer")
		return int64(r.json(t)["id"].(float64))
	}
	domains := func() []any {
		t.Helper()
		r := s.apiAs(admin, "GET", "/api/v1/admin/spam", nil)
		mustStatus(t, r, 200, "lists")
		d, _ := r.json(t)["spam_domains"].([]any)
		return d
	}
	s.clock.Add(30 * time.Minute) // past the brand-new account signal
	answer(spammer, "Great worksheets for every grade at https://essays.example/fractions today.")
	if d := domains(); len(d) != 0 {
		t.Fatalf("domains before any removal: %v", d)
	}
	mustStatus(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/moderation/users/%d/delete-spammer", spammer.ID), map[string]any{"reason": "spam"}), 200, "delete spammer")
	if d := domains(); !slices.Contains(d, any("essays.example")) {
		t.Fatalf("deleting the spammer recorded %v", d)
	}
	// The domain weighs (it alone does not hide a post): with a few links more, the same
	// post is hidden that is not without it.
	more := " More: https://a.example/1 https://b.example/2 https://c.example/3"
	if hidden, _ := s.hiddenReason("posts", answer(veteran, "See https://fine.example/other for a printable version."+more)); hidden {
		t.Fatal("the control post is hidden")
	}
	s.clock.Add(time.Minute)
	if hidden, reason := s.hiddenReason("posts", answer(veteran, "Also see https://essays.example/other for a printable version."+more)); !hidden ||
		!strings.Contains(reason, "removed spam") {
		t.Fatalf("a later post linking to the removed spam's domain: hidden %v %q", hidden, reason)
	}

	// The queue: a moderator deletes a flagged post; only spam flags teach the guard.
	s.privilege(forum.PrivFlag, 1)
	flagger := s.signup("flagger")
	deleteFlagged := func(body, reason, note string) {
		t.Helper()
		id := answer(veteran, body)
		mustStatus(t, s.apiAs(flagger, "POST", fmt.Sprintf("/api/v1/posts/%d/flags", id), map[string]any{"reason": reason, "note": note}), 201, "flag")
		r := s.apiAs(mod, "GET", "/api/v1/moderation/queue?kind=flags", nil)
		var item int64
		for _, it := range r.json(t)["items"].([]any) {
			if m := it.(map[string]any); int64(m["target_id"].(float64)) == id {
				item = int64(m["id"].(float64))
			}
		}
		if item == 0 {
			t.Fatalf("not queued: %s", r.body)
		}
		mustStatus(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/moderation/queue/%d/resolve", item), map[string]any{"action": "delete"}), 200, "delete")
	}
	deleteFlagged("Printable fraction strips: https://strips.example/set for free.", "other", "off topic")
	if d := domains(); slices.Contains(d, any("strips.example")) {
		t.Fatalf("a deletion on an 'other' flag recorded the domain: %v", d)
	}
	deleteFlagged("Cheap tutoring at https://tutors.example/now for every class.", "spam", "")
	if d := domains(); !slices.Contains(d, any("tutors.example")) {
		t.Fatalf("a deletion on a spam flag did not record the domain: %v", d)
	}
}
