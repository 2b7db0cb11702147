package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// A collaborative's export holds its whole record: channels with their messages,
// meetings with agenda, notes and action items, and its questions with their answers.
func TestCollaborativeExportHoldsTheRecord(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	lead, ana := s.signup("lead"), s.signup("ana")
	s.collab(lead, "ell-resources", "private")
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/members", map[string]any{"user_id": ana.ID}), 201, "add")

	r := s.apiAs(lead, "POST", "/api/v1/questions", map[string]any{"title": "Which leveled readers work for newcomers?",
		"body": "We are choosing leveled readers for newcomer students in grades 3 to 5.", "tags": []string{"ell"}, "collaborative": "ell-resources"})
	mustStatus(t, r, 201, "ask")
	qid := int64(r.json(t)["id"].(float64))
	mustStatus(t, s.apiAs(ana, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid),
		map[string]any{"body": "We had good luck with bilingual picture books for the first months."}), 201, "answer")

	r = s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/meetings", map[string]any{"title": "Spring review",
		"starts_at": "2026-12-10T15:00:00-06:00", "ends_at": "2026-12-10T16:00:00-06:00", "time_zone": "America/Chicago"})
	mustStatus(t, r, 201, "schedule")
	mid := int64(r.json(t)["id"].(float64))
	mustStatus(t, s.apiAs(ana, "POST", fmt.Sprintf("/api/v1/meetings/%d/agenda", mid), map[string]any{"title": "Reader shortlist"}), 201, "agenda")
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/actions",
		map[string]any{"title": "Order sample readers", "assignee_id": ana.ID, "meeting_id": mid}), 201, "action")

	chs := s.apiAs(lead, "GET", "/api/v1/collaboratives/ell-resources/channels", nil).json(t)["items"].([]any)
	chID := int64(chs[0].(map[string]any)["id"].(float64))
	mustStatus(t, s.apiAs(ana, "POST", fmt.Sprintf("/api/v1/channels/%d/messages", chID), map[string]any{"body": "Shortlist posted in the drive."}), 201, "message")

	r = s.apiAs(lead, "GET", "/api/v1/collaboratives/ell-resources/export", nil)
	mustStatus(t, r, 200, "export")
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		all[f.Name] = string(b)
	}
	find := func(prefix, want string) {
		t.Helper()
		for name, body := range all {
			if strings.HasPrefix(name, "ell-resources/"+prefix) && strings.Contains(body, want) {
				return
			}
		}
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		t.Fatalf("no %s file holds %q; files: %v", prefix, want, names)
	}
	find(fmt.Sprintf("questions/%d.md", qid), "bilingual picture books")
	find(fmt.Sprintf("questions/%d.json", qid), "Which leveled readers work for newcomers?")
	find("meetings/2026-12-10-", "Reader shortlist")
	find("meetings/2026-12-10-", "Order sample readers")
	find("actions.json", "Order sample readers")
	find("channels/general", "Shortlist posted in the drive.")
}
