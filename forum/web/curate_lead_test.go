package web_test

import (
	"fmt"
	"testing"
)

// TestLeadsCurateInsideTheirCollaborative: a lead of the question's collaborative curates
// and uncurates its answers; a plain member may not, and the lead has no say over the
// site's own questions.
func TestLeadsCurateInsideTheirCollaborative(t *testing.T) {
	s := newScopeSite(t)
	inside := s.answer(s.outsider, s.pub) // an answer in the lead's public collaborative
	private := s.answer(s.member, s.priv) // one in the private one
	outside := s.answer(s.member, s.open) // one on the site's own question
	curate := func(id int64) string { return fmt.Sprintf("/api/v1/posts/%d/curate", id) }
	note := map[string]any{"note": "the group's reference"}

	mustError(t, s.apiAs(s.member, "POST", curate(private), note), 403, "not_moderator", "")
	mustError(t, s.apiAs(s.lead, "POST", curate(outside), note), 403, "not_moderator", "")
	// An outsider is refused the private group's answer exactly as a missing one.
	if a, b := s.apiAs(s.outsider, "POST", curate(private), note), s.apiAs(s.outsider, "POST", curate(99999), note); a.StatusCode != b.StatusCode || string(a.body) != string(b.body) {
		t.Fatalf("an outsider tells a private answer from a missing one: %d %s / %d %s", a.StatusCode, a.body, b.StatusCode, b.body)
	}
	mustStatus(t, s.apiAs(s.lead, "POST", curate(inside), note), 200, "a lead curates")
	mustStatus(t, s.apiAs(s.lead, "POST", curate(private), note), 200, "a lead curates in the private group")
	q := s.apiAs(s.lead, "GET", fmt.Sprintf("/api/v1/questions/%d", s.pub), nil).json(t)
	found := false
	for _, a := range q["answers"].([]any) {
		a := a.(map[string]any)
		if int64(a["id"].(float64)) == inside && a["curated"] != nil && a["curated"] != false {
			found = true
		}
	}
	if !found {
		t.Fatalf("the answer is not marked curated: %v", q["answers"])
	}
	mustError(t, s.apiAs(s.member, "DELETE", curate(private), nil), 403, "not_moderator", "")
	mustStatus(t, s.apiAs(s.lead, "DELETE", curate(private), nil), 204, "a lead uncurates")
}
