package web_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestEditsAndRevisions(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	author, other := s.signup("author"), s.signup("other")
	qid := s.ask(author, "How do you plan a co-taught lesson well?", "co-teaching")
	patch := func(a *account, body map[string]any) *response {
		return s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: a.bearer(), body: jsonBody(body)})
	}
	t.Run("the author edits; a revision is kept", func(t *testing.T) {
		r := patch(author, map[string]any{"title": "How do you plan a co-taught lesson with little time?", "tags": []string{"co-teaching", "planning"},
			"summary": "narrowed the question", "revision": 1})
		if r.StatusCode != 200 || r.json(t)["revision"] != 2.0 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		revs := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/revisions", qid)}).json(t)["items"].([]any)
		if len(revs) != 2 || revs[1].(map[string]any)["summary"] != "narrowed the question" {
			t.Fatalf("revisions = %v", revs)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/tags/planning"}); r.json(t)["count"] != 1.0 {
			t.Fatalf("new tag count: %s", r.body)
		}
	})
	t.Run("a stale edit is a conflict, and nothing is lost", func(t *testing.T) {
		r := patch(author, map[string]any{"body": goodBody + " Stale edit text here.", "revision": 1})
		if code, _ := r.errorCode(t); r.StatusCode != 409 || code != "edit_conflict" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
		if strings.Contains(q["body"].(string), "Stale edit") || q["revision"] != 2.0 {
			t.Fatalf("the stale edit was applied: %v", q["revision"])
		}
	})
	t.Run("others need the edit privilege; below it their edit is suggested", func(t *testing.T) {
		r := patch(other, map[string]any{"body": goodBody + " An outsider's edit."})
		if sug, _ := r.json(t)["suggested_edit"].(map[string]any); r.StatusCode != 202 || sug["status"] != "pending" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		if q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t); strings.Contains(q["body"].(string), "outsider") {
			t.Fatal("a suggestion was applied before review")
		}
		s.giveReputation(other, 1000)
		if r := patch(other, map[string]any{"body": goodBody + " An established member's edit.", "summary": "clarified"}); r.StatusCode != 200 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	t.Run("bad edits", func(t *testing.T) {
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"title": "short"}, "title"},
			{map[string]any{"body": "short"}, "body"},
			{map[string]any{"tags": []string{}}, "tags"},
			{map[string]any{}, "body"},
			{map[string]any{"body": goodBody, "summary": strings.Repeat("s", 301)}, "summary"},
		} {
			r := patch(author, tc.body)
			if _, field := r.errorCode(t); r.StatusCode != 400 || field != tc.field {
				t.Fatalf("%v: %d %s", tc.body, r.StatusCode, r.body)
			}
		}
		aid := s.answer(other, qid)
		r := s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: other.bearer(), body: `{"title":"Answers have no title at all"}`})
		if _, field := r.errorCode(t); r.StatusCode != 400 || field != "title" {
			t.Fatalf("title on an answer: %d %s", r.StatusCode, r.body)
		}
	})
	t.Run("rollback makes a new revision", func(t *testing.T) {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/revisions/1/rollback", qid), headers: author.bearer()})
		q := r.json(t)
		if r.StatusCode != 200 || q["revision"] != 4.0 || q["title"] != "How do you plan a co-taught lesson well?" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/revisions/9/rollback", qid), headers: author.bearer()}); r.StatusCode != 404 {
			t.Fatalf("missing revision: %d", r.StatusCode)
		}
	})
	t.Run("the revisions page shows readable, escaped diffs", func(t *testing.T) {
		patch(author, map[string]any{"body": goodBody + " <b>bold?</b> new words"})
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/posts/%d/revisions", qid)}).body)
		if !strings.Contains(page, "<ins>") || !strings.Contains(page, "&lt;b&gt;bold?&lt;/b&gt;") || strings.Contains(page, "<b>bold?</b>") {
			t.Fatal("the diff is missing or unescaped")
		}
		if !strings.Contains(page, "Revision 5") || !strings.Contains(page, "narrowed the question") {
			t.Fatal("revision list incomplete")
		}
	})
	if drifts, err := s.db.Recount(t.Context(), false); err != nil || len(drifts) != 0 {
		t.Fatalf("recount: %v %v", drifts, err)
	}
}
