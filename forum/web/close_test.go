package web_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestClosingAndReopening(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin") // the first account: an admin, who closes alone
	asker := s.signup("asker")
	voters := []*account{s.signup("voter1"), s.signup("voter2"), s.signup("voter3")}
	original := s.ask(asker, "How do you grade group projects fairly?", "grading")
	qid := s.ask(asker, "What is a fair way to grade group work?", "grading")
	closeQ := func(a *account, body string) *response {
		return s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/close", qid), headers: a.bearer(), body: body})
	}
	t.Run("close votes need reputation", func(t *testing.T) {
		r := closeQ(voters[0], `{"reason":"off_topic"}`)
		if code, _ := r.errorCode(t); r.StatusCode != 403 || code != "insufficient_reputation" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	for _, v := range voters {
		s.giveReputation(v, 600)
	}
	t.Run("bad close votes", func(t *testing.T) {
		for body, field := range map[string]string{
			`{"reason":"boring"}`:    "reason",
			`{"reason":"duplicate"}`: "duplicate_of",
			fmt.Sprintf(`{"reason":"duplicate","duplicate_of":%d}`, qid): "duplicate_of",
			`{"reason":"duplicate","duplicate_of":424242}`:               "duplicate_of",
		} {
			r := closeQ(voters[0], body)
			if _, f := r.errorCode(t); r.StatusCode != 400 || f != field {
				t.Fatalf("%s: %d %s", body, r.StatusCode, r.body)
			}
		}
	})
	t.Run("three votes close, as a duplicate", func(t *testing.T) {
		dup := fmt.Sprintf(`{"reason":"duplicate","duplicate_of":%d}`, original)
		for i, v := range voters {
			r := closeQ(v, dup)
			st := r.json(t)
			if r.StatusCode != 200 || st["closed"] != (i == 2) {
				t.Fatalf("vote %d: %d %s", i+1, r.StatusCode, r.body)
			}
			if i == 0 {
				if r := closeQ(v, dup); r.StatusCode != 409 {
					t.Fatalf("voting twice: %d", r.StatusCode)
				}
			}
		}
		q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
		if q["closed_reason"] != "duplicate" || q["duplicate_of"] != float64(original) {
			t.Fatalf("question = %v %v", q["closed_reason"], q["duplicate_of"])
		}
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/answers", qid), headers: voters[0].bearer(), body: jsonBody(map[string]string{"body": goodBody})})
		if code, _ := r.errorCode(t); r.StatusCode != 409 || code != "question_closed" {
			t.Fatalf("answer to a closed question: %d %s", r.StatusCode, r.body)
		}
		page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid)}).body)
		if !strings.Contains(page, "Closed as a duplicate") ||
			!strings.Contains(page, fmt.Sprintf(`It is answered at <a href="/questions/%d/how-do-you-grade-group-projects-fairly">How do you grade group projects fairly?</a>.`, original)) {
			t.Fatal("the page does not say why it is closed, or which question it repeats by its title")
		}
	})
	t.Run("a moderator reopens alone", func(t *testing.T) {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/reopen", qid), headers: admin.bearer()})
		if r.StatusCode != 200 || r.json(t)["closed"] != false {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/reopen", qid), headers: admin.bearer()}); r.StatusCode != 409 {
			t.Fatalf("reopening an open question: %d", r.StatusCode)
		}
		s.answer(voters[0], qid)
	})
}
