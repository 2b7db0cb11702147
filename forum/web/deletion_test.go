package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// Deleting posts: what others see afterwards, and moderators bringing them back.

func TestDeletedQuestionHidesItsAnswers(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	a, b := s.signup("asker"), s.signup("answerer")
	qid := s.ask(a, "Is this question going to be deleted?", "meta")
	aid := s.answer(b, qid)
	if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: admin.bearer()}); r.StatusCode != 204 {
		t.Fatalf("moderator delete: %d", r.StatusCode)
	}
	for _, p := range []string{"/api/v1/posts/%d/revisions", "/api/v1/posts/%d/comments", "/posts/%d/revisions"} {
		if r := s.do(req{method: "GET", path: fmt.Sprintf(p, aid), headers: b.bearer()}); r.StatusCode != 404 {
			t.Fatalf("%s of an answer to a deleted question: %d", p, r.StatusCode)
		}
	}
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/revisions", aid), headers: admin.bearer()}); r.StatusCode != 200 {
		t.Fatalf("a moderator still sees it: %d", r.StatusCode)
	}
}

func TestModeratorsUndelete(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	a, b := s.signup("asker"), s.signup("answerer")
	qid := s.ask(a, "Will this question come back after deletion?", "meta")
	aid := s.answer(b, qid)
	s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: b.bearer()})
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/undelete", aid), headers: b.bearer()}); r.StatusCode != 404 {
		t.Fatalf("undelete by a member: %d", r.StatusCode)
	}
	page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), headers: admin.bearer()}).body)
	if !strings.Contains(page, fmt.Sprintf(`action="/posts/%d/undelete"`, aid)) {
		t.Fatal("the moderator does not see the deleted answer with an undelete button")
	}
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/undelete", aid), headers: admin.bearer()}); r.StatusCode != 200 {
		t.Fatalf("undelete by a moderator: %d %s", r.StatusCode, r.body)
	}
	q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
	if q["answer_count"] != 1.0 || len(q["answers"].([]any)) != 1 {
		t.Fatalf("after undelete: %v answers", q["answer_count"])
	}
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/undelete", aid), headers: admin.bearer()}); r.StatusCode != 409 {
		t.Fatalf("undelete of a live post: %d", r.StatusCode)
	}
	if drifts, _ := s.db.Recount(t.Context(), false); len(drifts) != 0 {
		t.Fatalf("drift: %v", drifts)
	}
}
