package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

const goodBody = "We tried weekly standards checks with a four-point scale and it worked well."

// ask posts a question as a and returns its id.
func (s *testSite) ask(a *account, title string, tags ...string) int64 {
	s.t.Helper()
	r := s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
		"title": title, "body": goodBody + " What do you do?", "tags": tags})})
	if r.StatusCode != 201 {
		s.t.Fatalf("ask: %d %s", r.StatusCode, r.body)
	}
	return int64(r.json(s.t)["id"].(float64))
}

func (s *testSite) answer(a *account, qid int64) int64 {
	s.t.Helper()
	r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/answers", qid), headers: a.bearer(), body: jsonBody(map[string]string{"body": goodBody})})
	if r.StatusCode != 201 {
		s.t.Fatalf("answer: %d %s", r.StatusCode, r.body)
	}
	return int64(r.json(s.t)["id"].(float64))
}

// giveReputation raises a person's reputation to rep, through the ledger as if earned, and
// lets the clock pass forum's sign-in cache (2 s), as a change made outside the server's
// Accounts must wait for, so that the next request sees it.
func (s *testSite) giveReputation(a *account, rep int) {
	s.t.Helper()
	tx, err := s.db.Writer().Begin()
	if err != nil {
		s.t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO reputation_events (user_id, kind, delta, created_at)
		SELECT id, 'test_grant', ? - reputation, ? FROM users WHERE id = ?`, rep, s.clock.Now(), a.ID); err != nil {
		s.t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE users SET reputation = ? WHERE id = ?`, rep, a.ID); err != nil {
		s.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		s.t.Fatal(err)
	}
	s.clock.Add(3 * time.Second)
}

func TestAskAndRead(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	_ = admin
	a, b := s.signup("asker"), s.signup("answerer")
	t.Run("ask", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
			"title": "How do you run standards-based grading in a 1:1 school?",
			"body":  "Our middle school moved to **standards-based** grading.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
			"tags":  []string{"SBG", "grading", "sbg"}})})
		if r.StatusCode != 201 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		q := r.json(t)
		html := q["body_html"].(string)
		if !strings.Contains(html, "<strong>standards-based</strong>") || strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
			t.Fatalf("body_html = %s", html)
		}
		if fmt.Sprint(q["tags"]) != "[sbg grading]" || q["score"] != 0.0 || q["type"] != "question" {
			t.Fatalf("question = %v", q)
		}
	})
	for _, tc := range []struct {
		name  string
		body  map[string]any
		code  string
		field string
	}{
		{"short title", map[string]any{"title": "Too short", "body": goodBody, "tags": []string{"x"}}, "too_short", "title"},
		{"long title", map[string]any{"title": strings.Repeat("t", 151), "body": goodBody, "tags": []string{"x"}}, "too_long", "title"},
		{"short body", map[string]any{"title": "A perfectly fine title here", "body": "short", "tags": []string{"x"}}, "too_short", "body"},
		{"no tags", map[string]any{"title": "A perfectly fine title here", "body": goodBody, "tags": []string{}}, "tags_required", "tags"},
		{"six tags", map[string]any{"title": "A perfectly fine title here", "body": goodBody, "tags": []string{"a", "b", "c", "d", "e", "f"}}, "too_many_tags", "tags"},
		{"bad tag", map[string]any{"title": "A perfectly fine title here", "body": goodBody, "tags": []string{"no spaces"}}, "invalid_tag", "tags"},
		{"long tag", map[string]any{"title": "A perfectly fine title here", "body": goodBody, "tags": []string{strings.Repeat("a", 36)}}, "invalid_tag", "tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(tc.body)})
			code, field := r.errorCode(t)
			if r.StatusCode != 400 || code != tc.code || field != tc.field {
				t.Fatalf("%d %s %s: %s", r.StatusCode, code, field, r.body)
			}
		})
	}
	qid := s.ask(a, "What are good exit ticket routines?", "assessment")
	aid := s.answer(b, qid)
	t.Run("read the question with its answers and comments", func(t *testing.T) {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: a.bearer(), body: jsonBody(map[string]string{"body": "Could you share the *template* you use?"})})
		if r.StatusCode != 201 {
			t.Fatalf("comment: %d %s", r.StatusCode, r.body)
		}
		parent := int64(r.json(t)["id"].(float64))
		r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: b.bearer(), body: jsonBody(map[string]any{"body": "Sure, it is in the shared drive.", "parent_id": parent})})
		if r.StatusCode != 201 || r.json(t)["parent_id"] != float64(parent) {
			t.Fatalf("reply: %d %s", r.StatusCode, r.body)
		}
		r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", qid), headers: b.bearer(), body: jsonBody(map[string]any{"body": "A reply under the wrong post.", "parent_id": parent})})
		if code, field := r.errorCode(t); r.StatusCode != 400 || code != "bad_parent" || field != "parent_id" {
			t.Fatalf("parent on another post: %d %s", r.StatusCode, r.body)
		}
		r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", qid), headers: b.bearer(), body: jsonBody(map[string]any{"body": "short"})})
		if code, _ := r.errorCode(t); r.StatusCode != 400 || code != "too_short" {
			t.Fatalf("short comment: %d %s", r.StatusCode, r.body)
		}
		r = s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)})
		q := r.json(t)
		answers := q["answers"].([]any)
		if r.StatusCode != 200 || len(answers) != 1 || q["body_html"] == "" {
			t.Fatalf("question: %d %s", r.StatusCode, r.body)
		}
		ans := answers[0].(map[string]any)
		for _, k := range []string{"id", "score", "body", "body_html", "author", "accepted", "comments"} {
			if _, ok := ans[k]; !ok {
				t.Errorf("answer lacks %q", k)
			}
		}
		if len(ans["comments"].([]any)) != 2 {
			t.Fatalf("answer comments: %v", ans["comments"])
		}
		r = s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid)})
		if len(r.json(t)["items"].([]any)) != 2 {
			t.Fatalf("comments list: %s", r.body)
		}
	})
	t.Run("lists, sorts and tags", func(t *testing.T) {
		r := s.do(req{method: "GET", path: "/api/v1/questions?sort=newest&page_size=1"})
		m := r.json(t)
		if r.StatusCode != 200 || m["total"] != 2.0 || len(m["items"].([]any)) != 1 || m["page"] != 1.0 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		for _, bad := range []string{"sort=best", "page=0", "page_size=101", "page=abc", "tag=no%20spaces"} {
			if r := s.do(req{method: "GET", path: "/api/v1/questions?" + bad}); r.StatusCode != 400 {
				t.Fatalf("%s: %d", bad, r.StatusCode)
			}
		}
		r = s.do(req{method: "GET", path: "/api/v1/questions?tag=assessment"})
		if r.json(t)["total"] != 1.0 {
			t.Fatalf("tag filter: %s", r.body)
		}
		r = s.do(req{method: "GET", path: "/api/v1/tags?q=gra"})
		items := r.json(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["name"] != "grading" {
			t.Fatalf("tag autocomplete: %s", r.body)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/tags/assessment"}); r.StatusCode != 200 || r.json(t)["count"] != 1.0 {
			t.Fatalf("tag: %s", r.body)
		}
		if r := s.do(req{method: "GET", path: "/api/v1/tags/nope"}); r.StatusCode != 404 {
			t.Fatalf("missing tag: %d", r.StatusCode)
		}
	})
	t.Run("anonymous writes need sign-in", func(t *testing.T) {
		if r := s.do(req{method: "POST", path: "/api/v1/questions", body: `{}`}); r.StatusCode != 401 {
			t.Fatalf("%d", r.StatusCode)
		}
	})
}

func TestVotesAcceptAndDelete(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker, answerer, voter := s.signup("asker"), s.signup("answerer"), s.signup("voter")
	qid := s.ask(asker, "How should we budget for a device pilot?", "budgeting")
	aid := s.answer(answerer, qid)
	vote := func(a *account, id int64, body string) *response {
		return s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", id), headers: a.bearer(), body: body})
	}
	t.Run("new people cannot vote up yet", func(t *testing.T) {
		r := vote(voter, aid, `{"value":1}`)
		if code, _ := r.errorCode(t); r.StatusCode != 403 || code != "insufficient_reputation" || !strings.Contains(string(r.body), "15") {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
	s.giveReputation(voter, 200)
	t.Run("vote, change, undo", func(t *testing.T) {
		for _, st := range []struct {
			body        string
			score, vote float64
			answererRep float64
		}{{`{"value":1}`, 1, 1, 11}, {`{"value":-1}`, -1, -1, 1}, {`{"value":0}`, 0, 0, 1}, {`{"value":1}`, 1, 1, 11}} {
			r := vote(voter, aid, st.body)
			m := r.json(t)
			if r.StatusCode != 200 || m["score"] != st.score || m["my_vote"] != st.vote {
				t.Fatalf("%s: %d %s", st.body, r.StatusCode, r.body)
			}
			me := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", answerer.ID)}).json(t)
			if me["reputation"] != st.answererRep {
				t.Fatalf("%s: answerer reputation %v, want %v", st.body, me["reputation"], st.answererRep)
			}
		}
		q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid), headers: voter.bearer()}).json(t)
		if q["answers"].([]any)[0].(map[string]any)["my_vote"] != 1.0 {
			t.Fatal("the page data does not show the viewer's vote")
		}
	})
	t.Run("bad votes", func(t *testing.T) {
		for body, want := range map[string]int{`{"value":2}`: 400, `{"value":"up"}`: 400, `{}`: 400} {
			if r := vote(voter, aid, body); r.StatusCode != want {
				t.Fatalf("%s: %d", body, r.StatusCode)
			}
		}
		if r := vote(answerer, aid, `{"value":1}`); r.StatusCode != 403 {
			t.Fatalf("self vote: %d", r.StatusCode)
		}
		if r := vote(voter, 999999, `{"value":1}`); r.StatusCode != 404 {
			t.Fatalf("missing post: %d", r.StatusCode)
		}
	})
	t.Run("accept", func(t *testing.T) {
		accept := func(a *account) *response {
			return s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/answers/%d/accept", aid), headers: a.bearer()})
		}
		if r := accept(voter); r.StatusCode != 403 {
			t.Fatalf("accept by someone else: %d", r.StatusCode)
		}
		if r := accept(asker); r.StatusCode != 200 || r.json(t)["accepted"] != true {
			t.Fatalf("accept: %d %s", r.StatusCode, r.body)
		}
		q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
		if q["accepted_answer_id"] != float64(aid) || q["answers"].([]any)[0].(map[string]any)["accepted"] != true {
			t.Fatalf("question after accept: %v", q["accepted_answer_id"])
		}
		if r := accept(asker); r.json(t)["accepted"] != false {
			t.Fatal("accepting again did not toggle off")
		}
	})
	t.Run("delete", func(t *testing.T) {
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: asker.bearer()}); r.StatusCode != 409 {
			t.Fatalf("deleting a question with upvoted answers: %d %s", r.StatusCode, r.body)
		}
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: voter.bearer()}); r.StatusCode != 403 {
			t.Fatalf("deleting another's answer: %d", r.StatusCode)
		}
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: answerer.bearer()}); r.StatusCode != 204 {
			t.Fatalf("author deletes: %d %s", r.StatusCode, r.body)
		}
		q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
		if _, ok := q["answers"]; ok && len(q["answers"].([]any)) != 0 {
			t.Fatalf("deleted answer still listed: %v", q["answers"])
		}
		if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid)}); r.StatusCode != 404 {
			t.Fatalf("comments of a deleted answer: %d", r.StatusCode)
		}
	})
}

func TestConcurrentVotesThroughTheAPI(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	author := s.signup("author")
	qid := s.ask(author, "Which 1:1 device policies actually work?", "devices")
	voters := make([]*account, 40)
	for i := range voters {
		voters[i] = s.signup(fmt.Sprintf("voter%02d", i))
		s.giveReputation(voters[i], 20)
	}
	var wg sync.WaitGroup
	for _, v := range voters {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: v.bearer(), body: `{"value":1}`}); r.StatusCode != 200 {
					t.Errorf("vote: %d %s", r.StatusCode, r.body)
				}
			}()
		}
	}
	wg.Wait()
	q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
	if q["score"] != 40.0 {
		t.Fatalf("score = %v, want 40", q["score"])
	}
	if drifts, err := s.db.Recount(context.Background(), false); err != nil || len(drifts) != 0 {
		t.Fatalf("recount: %v %v", drifts, err)
	}
}

func TestPreview(t *testing.T) {
	s := newSite(t)
	a := s.signup("previewer")
	r := s.do(req{method: "POST", path: "/api/v1/preview", headers: a.bearer(), body: `{"body":"Some *math* $x_1 + y_2$ and <img src=x onerror=alert(1)>"}`})
	html, _ := r.json(t)["html"].(string)
	if r.StatusCode != 200 || !strings.Contains(html, "<em>math</em>") || strings.Contains(html, "onerror") {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
}

func TestProfileActivity(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	qid := s.ask(asker, "How do you keep a parent newsletter short?", "communication")
	aid := s.answer(answerer, qid)
	s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/answers/%d/accept", aid), headers: asker.bearer()})
	r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/posts?type=answer", answerer.ID)})
	m := r.json(t)
	items := m["items"].([]any)
	if r.StatusCode != 200 || m["total"] != 1.0 || items[0].(map[string]any)["title"] != "How do you keep a parent newsletter short?" {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/posts?type=comment", answerer.ID)}); r.StatusCode != 400 {
		t.Fatalf("bad type: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/users/99999/posts"}); r.StatusCode != 404 {
		t.Fatalf("missing user: %d", r.StatusCode)
	}
	s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", aid), headers: answerer.bearer()})
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/posts?type=answer", answerer.ID)}); r.json(t)["total"] != 0.0 {
		t.Fatalf("a deleted answer is still listed: %s", r.body)
	}
	page := string(s.do(req{method: "GET", path: fmt.Sprintf("/users/%d/asker", asker.ID)}).body)
	if !strings.Contains(page, "How do you keep a parent newsletter short?") || !strings.Contains(page, "Reputation by day") {
		t.Fatal("the profile does not list the question")
	}
}

func TestViewCounts(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a, b := s.signup("asker"), s.signup("reader")
	qid := s.ask(a, "How long should a warm-up activity take?", "routines")
	views := func() float64 {
		if err := s.views.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)["view_count"].(float64)
	}
	for range 3 {
		s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), headers: b.bearer()})
	}
	if got := views(); got != 1 {
		t.Fatalf("one reader three times: %v views", got)
	}
	s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid)})
	s.clock.Add(16 * time.Minute)
	s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), headers: b.bearer()})
	if got := views(); got != 3 {
		t.Fatalf("an anonymous reader and the same reader later: %v views, want 3", got)
	}
}

func TestCommentVotes(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a, b := s.signup("asker"), s.signup("fan")
	s.giveReputation(b, 20)
	qid := s.ask(a, "Do you post learning targets on the board?", "routines")
	r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", qid), headers: a.bearer(), body: `{"body":"I write them every morning, in student language."}`})
	cid := int64(r.json(t)["id"].(float64))
	vote := func(who *account, body string) *response {
		return s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/comments/%d/vote", cid), headers: who.bearer(), body: body})
	}
	if r := vote(b, `{"value":1}`); r.StatusCode != 200 || r.json(t)["score"] != 1.0 {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if r := vote(b, `{"value":1}`); r.json(t)["score"] != 1.0 {
		t.Fatalf("double vote counted: %s", r.body)
	}
	if r := vote(b, `{"value":-1}`); r.StatusCode != 400 {
		t.Fatalf("down vote on a comment: %d", r.StatusCode)
	}
	if r := vote(a, `{"value":1}`); r.StatusCode != 403 {
		t.Fatalf("self vote: %d", r.StatusCode)
	}
	if r := vote(b, `{"value":0}`); r.json(t)["score"] != 0.0 {
		t.Fatalf("undo: %s", r.body)
	}
	if r := s.do(req{method: "POST", path: "/api/v1/comments/99999/vote", headers: b.bearer(), body: `{"value":1}`}); r.StatusCode != 404 {
		t.Fatalf("missing comment: %d", r.StatusCode)
	}
	if drifts, _ := s.db.Recount(t.Context(), false); len(drifts) != 0 {
		t.Fatalf("drift: %v", drifts)
	}
}

func TestIdempotentCreates(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("retrier")
	body := jsonBody(map[string]any{"title": "What is a good first-week routine?", "body": goodBody, "tags": []string{"routines"}})
	key := map[string]string{"Authorization": "Bearer " + a.Token, "Idempotency-Key": "7f1c2a9e-0000-4000-8000-000000000001"}
	first := s.do(req{method: "POST", path: "/api/v1/questions", headers: key, body: body})
	second := s.do(req{method: "POST", path: "/api/v1/questions", headers: key, body: body})
	if first.StatusCode != 201 || second.StatusCode != 201 || string(first.body) != string(second.body) || second.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %d %q", first.StatusCode, second.StatusCode, second.Header.Get("Idempotent-Replayed"))
	}
	if total := s.do(req{method: "GET", path: "/api/v1/questions"}).json(t)["total"]; total != 1.0 {
		t.Fatalf("questions = %v, want 1", total)
	}
	// A failed request is not remembered: the corrected retry runs.
	key["Idempotency-Key"] = "second-key"
	if r := s.do(req{method: "POST", path: "/api/v1/questions", headers: key, body: `{"title":"short"}`}); r.StatusCode != 400 {
		t.Fatalf("bad request: %d", r.StatusCode)
	}
	if r := s.do(req{method: "POST", path: "/api/v1/questions", headers: key, body: jsonBody(map[string]any{"title": "What is a good last-week routine?", "body": goodBody, "tags": []string{"routines"}})}); r.StatusCode != 201 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("corrected retry: %d", r.StatusCode)
	}
	s.clock.Add(25 * time.Hour)
	if r := s.do(req{method: "POST", path: "/api/v1/questions", headers: map[string]string{"Authorization": "Bearer " + a.Token, "Idempotency-Key": "7f1c2a9e-0000-4000-8000-000000000001"}, body: body}); r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a key older than 24 hours was replayed")
	}
	if r := s.do(req{method: "POST", path: "/api/v1/questions", headers: map[string]string{"Authorization": "Bearer " + a.Token, "Idempotency-Key": "has space"}, body: body}); r.StatusCode != 400 {
		t.Fatalf("bad key: %d", r.StatusCode)
	}
}

func TestRelatedAndLinkedQuestions(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("linker")
	first := s.ask(a, "How do we start a peer observation program?", "coaching", "observation")
	s.ask(a, "What makes instructional coaching stick?", "coaching")
	r := s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
		"title": "Peer observation forms: what do you use?", "tags": []string{"forms"},
		"body": fmt.Sprintf("Following up on [this question](/questions/%d/how-do-we-start), which forms do you use for notes?", first)})})
	third := int64(r.json(t)["id"].(float64))
	page := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", first)}).body)
	if !strings.Contains(page, "What makes instructional coaching stick?") {
		t.Fatal("the related question sharing a tag is missing")
	}
	if !strings.Contains(page, `id="linked-heading"`) || !strings.Contains(page, "Peer observation forms") {
		t.Fatal("the question linking here is not listed")
	}
	other := string(s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", third)}).body)
	if !strings.Contains(other, "How do we start a peer observation program?") {
		t.Fatal("the linked question is not listed on the linking question")
	}
}

func TestTagDescriptions(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a, b := s.signup("tagger"), s.signup("editor")
	s.ask(a, "How do you run morning meetings in grade 3?", "morning-meeting")
	patch := func(who *account, body string) *response {
		return s.do(req{method: "PATCH", path: "/api/v1/tags/morning-meeting", headers: who.bearer(), body: body})
	}
	if r := patch(b, `{"excerpt":"Daily community circles."}`); r.StatusCode != 403 {
		t.Fatalf("without the privilege: %d", r.StatusCode)
	}
	s.giveReputation(b, 1000)
	if r := patch(b, `{"excerpt":"Daily community circles that start the school day."}`); r.StatusCode != 200 || r.json(t)["excerpt"] != "Daily community circles that start the school day." {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if r := patch(b, jsonBody(map[string]string{"excerpt": strings.Repeat("x", 501)})); r.StatusCode != 400 {
		t.Fatalf("too long: %d", r.StatusCode)
	}
	if r := s.do(req{method: "PATCH", path: "/api/v1/tags/nope", headers: b.bearer(), body: `{"excerpt":"x"}`}); r.StatusCode != 404 {
		t.Fatalf("missing tag: %d", r.StatusCode)
	}
	page := string(s.do(req{method: "GET", path: "/tags/morning-meeting"}).body)
	if !strings.Contains(page, "Daily community circles that start the school day.") || !strings.Contains(page, "How do you run morning meetings") {
		t.Fatal("the tag page lacks its description or questions")
	}
}

func TestTogglingVotesCannotExhaustTheCap(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	author, toggler, fan := s.signup("author"), s.signup("toggler"), s.signup("genuinefan")
	s.giveReputation(toggler, 20)
	s.giveReputation(fan, 20)
	qid := s.ask(author, "How do you start a class novel study?", "reading")
	for range 15 { // 30 votes: under 40 a day, and 15 x 10 would exhaust a 150 cap without the fix
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":1}`})
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":0}`})
	}
	for range 4 {
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":1}`})
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":0}`})
	}
	s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: fan.bearer(), body: `{"value":1}`})
	if rep := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", author.ID)}).json(t)["reputation"]; rep != 11.0 {
		t.Fatalf("author reputation %v after toggles and one genuine vote, want 11", rep)
	}
	// Toggling counts against the daily vote limit: 19 votes cast so far, 21 more allowed.
	for i := range 22 {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":1}`})
		if want := 200; i == 21 {
			if r.StatusCode != 429 {
				t.Fatalf("the 41st vote of the day: %d", r.StatusCode)
			}
		} else if r.StatusCode != want {
			t.Fatalf("vote %d of the day: %d %s", 20+i, r.StatusCode, r.body)
		}
		s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", qid), headers: toggler.bearer(), body: `{"value":0}`})
	}
}

func TestQuestionJSONAlwaysHasAnswers(t *testing.T) {
	s := newSite(t)
	a := s.signup("lonely")
	qid := s.ask(a, "Does anyone have a seating chart tool?", "tools")
	q := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}).json(t)
	if answers, ok := q["answers"].([]any); !ok || len(answers) != 0 {
		t.Fatalf("answers = %#v, want an empty list", q["answers"])
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestTagsWithHash(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("csharp")
	s.ask(a, "Is C# a good first language for high school?", "c#", "c")
	page := string(s.do(req{method: "GET", path: "/"}).body)
	if !containsAll(page, `href="/tags/c%23"`) {
		t.Fatal("the tag link does not escape #")
	}
	r := s.do(req{method: "GET", path: "/tags/c%23"})
	if r.StatusCode != 200 || !containsAll(string(r.body), "Questions tagged c#") {
		t.Fatalf("tag page: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/tags/c%23"}); r.StatusCode != 200 || r.json(t)["name"] != "c#" {
		t.Fatalf("tag API: %d %s", r.StatusCode, r.body)
	}
}
