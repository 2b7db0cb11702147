package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// makeModerator gives a signed-up account the moderator role and lets the sign-in cache
// pass, as a role change made outside the request must.
func (s *testSite) makeModerator(a *account) {
	s.t.Helper()
	if _, err := s.accounts.SetRole(context.Background(), a.Name, forum.RoleModerator); err != nil {
		s.t.Fatal(err)
	}
	s.clock.Add(3 * time.Second)
}

// privilege sets the reputation a privilege needs on this site.
func (s *testSite) privilege(p forum.Privilege, need int) {
	s.qa.Privileges.(forum.Privileges)[p] = need
}

func flagBody(reason, note string) map[string]any {
	return map[string]any{"reason": reason, "note": note}
}

func TestFlagsThroughTheAPI(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	author := s.signup("author")
	flagger := s.signup("flagger")
	low := s.signup("newbie")
	qid := s.ask(author, "How do you run morning meetings in grade two?", "sel")
	s.privilege(forum.PrivFlag, 15)
	s.giveReputation(flagger, 20)
	s.giveReputation(author, 20)
	comment := s.apiAs(author, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": "A comment long enough to post."})
	mustStatus(t, comment, 201, "comment")
	cid := int64(comment.json(t)["id"].(float64))
	flagPath := fmt.Sprintf("/api/v1/posts/%d/flags", qid)

	for _, tc := range []struct {
		name         string
		who          *account
		path         string
		body         map[string]any
		status       int
		code, field  string
		firstSucceed bool
	}{
		{"unknown reason", flagger, flagPath, flagBody("boring", ""), 400, "invalid_reason", "reason", false},
		{"other without a note", flagger, flagPath, flagBody("other", " "), 400, "note_required", "note", false},
		{"duplicate without the original", flagger, flagPath, flagBody("duplicate", ""), 400, "duplicate_required", "duplicate_of", false},
		{"duplicate of a missing question", flagger, flagPath, map[string]any{"reason": "duplicate", "duplicate_of": 9999}, 400, "bad_duplicate", "duplicate_of", false},
		{"own post", author, flagPath, flagBody("spam", ""), 400, "own_post", "", false},
		{"below the flag privilege", low, flagPath, flagBody("spam", ""), 403, "insufficient_reputation", "", false},
		{"anonymous", nil, flagPath, flagBody("spam", ""), 401, "unauthorized", "", false},
		{"missing post", flagger, "/api/v1/posts/9999/flags", flagBody("spam", ""), 404, "not_found", "", false},
		{"missing comment", flagger, "/api/v1/comments/9999/flags", flagBody("spam", ""), 404, "not_found", "", false},
		{"second open flag", flagger, flagPath, flagBody("low_quality", ""), 409, "already_flagged", "", true},
		{"a second flag on the comment", flagger, fmt.Sprintf("/api/v1/comments/%d/flags", cid), flagBody("offensive", ""), 409, "already_flagged", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.firstSucceed {
				mustStatus(t, s.apiAs(tc.who, "POST", tc.path, tc.body), 201, "first flag")
			}
			r := s.apiAs(tc.who, "POST", tc.path, tc.body)
			mustError(t, r, tc.status, tc.code, tc.field)
		})
	}
	t.Run("the flagger sees their flags", func(t *testing.T) {
		r := s.apiAs(flagger, "GET", "/api/v1/me/flags", nil)
		mustStatus(t, r, 200, "my flags")
		m := r.json(t)
		if items := m["items"].([]any); len(items) != 2 || items[0].(map[string]any)["status"] != "open" || m["weight"] != 1.0 {
			t.Fatalf("my flags: %s", r.body)
		}
		page := s.pageAs(flagger, "/flags")
		mustStatus(t, page, 200, "flags page")
		if !strings.Contains(string(page.body), "open") {
			t.Fatal("the flags page does not show the outcome")
		}
	})
}

// TestThreeFlagsHideAPostAndAModeratorRestoresIt: the story, through HTTP.
func TestThreeFlagsHideAPostAndAModeratorRestoresIt(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod, other := s.signup("mod"), s.signup("mod2")
	s.makeModerator(mod)
	s.makeModerator(other)
	author := s.signup("author")
	reader := s.signup("reader")
	qid := s.ask(author, "Cheap essay writing services for your class", "writing")
	path := fmt.Sprintf("/api/v1/questions/%d", qid)
	mustStatus(t, s.pageAs(reader, fmt.Sprintf("/questions/%d", qid)), 200, "page before") // fills the cache
	for i := range 3 {
		f := s.signup(fmt.Sprintf("flagger%d", i))
		r := s.apiAs(f, "POST", fmt.Sprintf("/api/v1/posts/%d/flags", qid), flagBody("spam", ""))
		mustStatus(t, r, 201, "flag")
		if hidden := r.json(t)["hidden"] == true; hidden != (i == 2) {
			t.Fatalf("flag %d: hidden = %v", i+1, hidden)
		}
	}
	mustStatus(t, s.apiAs(reader, "GET", path, nil), 404, "a reader after three flags")
	mustStatus(t, s.pageAs(reader, fmt.Sprintf("/questions/%d", qid)), 404, "the page for a reader")
	mustStatus(t, s.pageAs(nil, fmt.Sprintf("/questions/%d", qid)), 404, "the page for anyone")
	r := s.apiAs(author, "GET", path, nil)
	mustStatus(t, r, 200, "the author")
	if r.json(t)["hidden"] != true {
		t.Fatalf("the author's copy is not marked hidden: %s", r.body)
	}
	if page := s.pageAs(author, fmt.Sprintf("/questions/%d", qid)); page.StatusCode != 200 || !strings.Contains(string(page.body), "hidden pending review") {
		t.Fatalf("the author's page: %d", page.StatusCode)
	}

	t.Run("the queue: reviewers, kinds and counts", func(t *testing.T) {
		s.privilege(forum.PrivReview, 350)
		mustError(t, s.apiAs(reader, "GET", "/api/v1/moderation/queue", nil), 403, "insufficient_reputation", "")
		s.giveReputation(reader, 400)
		mustError(t, s.apiAs(reader, "GET", "/api/v1/moderation/queue?kind=flags", nil), 403, "not_moderator", "")
		mustError(t, s.apiAs(mod, "GET", "/api/v1/moderation/queue?kind=nope", nil), 400, "invalid_kind", "kind")
		r := s.apiAs(reader, "GET", "/api/v1/moderation/queue", nil)
		mustStatus(t, r, 200, "a reviewer's queue")
		if _, ok := r.json(t)["counts"].(map[string]any)["flags"]; ok {
			t.Fatal("a reviewer is counted the flags queue")
		}
	})
	r = s.apiAs(mod, "GET", "/api/v1/moderation/queue?kind=flags", nil)
	mustStatus(t, r, 200, "queue")
	m := r.json(t)
	items := m["items"].([]any)
	if len(items) != 1 || m["counts"].(map[string]any)["flags"] != 1.0 {
		t.Fatalf("flags queue: %s", r.body)
	}
	item := items[0].(map[string]any)
	if len(item["flags"].([]any)) != 3 || item["post"].(map[string]any)["hidden"] != true || len(item["history"].([]any)) != 1 {
		t.Fatalf("item without its context: %s", r.body)
	}
	id := int64(item["id"].(float64))
	claim := fmt.Sprintf("/api/v1/moderation/queue/%d/claim", id)
	resolve := fmt.Sprintf("/api/v1/moderation/queue/%d/resolve", id)
	mustStatus(t, s.apiAs(mod, "POST", claim, nil), 200, "claim")
	mustError(t, s.apiAs(other, "POST", claim, nil), 409, "held_by_other", "")
	mustError(t, s.apiAs(other, "POST", resolve, map[string]any{"action": "delete"}), 409, "held_by_other", "")
	mustError(t, s.apiAs(mod, "POST", resolve, map[string]any{"action": "approve"}), 400, "invalid_action", "action")
	mustStatus(t, s.apiAs(mod, "POST", resolve, map[string]any{"action": "restore", "reason": "not spam"}), 200, "restore")
	mustStatus(t, s.apiAs(reader, "GET", path, nil), 200, "a reader after the restore")
	mustError(t, s.apiAs(mod, "POST", resolve, map[string]any{"action": "restore"}), 404, "not_found", "")

	// The moderator's dashboard shows the recent action, and the header its count.
	page := s.pageAs(mod, "/moderation")
	mustStatus(t, page, 200, "dashboard")
	if !strings.Contains(string(page.body), "review.restore") || !strings.Contains(string(page.body), `href="/moderation"`) {
		t.Fatal("the dashboard lacks the recent action or the header link")
	}
}

// TestClaimRaceThroughHTTP: reviewers racing for one item through the whole app.
func TestClaimRaceThroughHTTP(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	newcomer := s.signup("newcomer")
	s.ask(newcomer, "My first question about guided reading groups", "reading")
	var mods []*account
	for i := range 8 {
		m := s.signup(fmt.Sprintf("mod%d", i))
		s.makeModerator(m)
		mods = append(mods, m)
	}
	r := s.apiAs(mods[0], "GET", "/api/v1/moderation/queue?kind=first_posts", nil)
	items := r.json(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("first posts: %s", r.body)
	}
	id := int64(items[0].(map[string]any)["id"].(float64))
	var wg sync.WaitGroup
	statuses := make([]int, len(mods))
	for i, m := range mods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.apiAs(m, "POST", fmt.Sprintf("/api/v1/moderation/queue/%d/claim", id), nil).StatusCode
		}()
	}
	wg.Wait()
	won := 0
	for _, st := range statuses {
		switch st {
		case 200:
			won++
		case 409:
		default:
			t.Fatalf("claim status %d", st)
		}
	}
	if won != 1 {
		t.Fatalf("%d reviewers hold the item at once: %v", won, statuses)
	}
}

func TestCurationsAndModeratorActions(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.signup("mod")
	s.makeModerator(mod)
	member := s.signup("member")
	expert := s.signup("expert")
	qid := s.ask(member, "How do you set up literature circles?", "literacy")
	aid := s.answer(expert, qid)
	curate := fmt.Sprintf("/api/v1/posts/%d/curate", aid)

	t.Run("curate", func(t *testing.T) {
		mustError(t, s.apiAs(member, "POST", curate, map[string]any{"note": "the reference"}), 403, "not_moderator", "")
		mustError(t, s.apiAs(mod, "POST", curate, map[string]any{"note": "x", "review_by": "someday"}), 400, "invalid_date", "review_by")
		mustError(t, s.apiAs(mod, "POST", curate, map[string]any{"note": "x", "review_by": "2020-01-01"}), 400, "date_past", "review_by")
		mustError(t, s.apiAs(mod, "POST", curate, map[string]any{"note": ""}), 400, "too_short", "note")
		mustError(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/posts/%d/curate", qid), map[string]any{"note": "x"}), 400, "not_an_answer", "id")
		r := s.apiAs(mod, "POST", curate, map[string]any{"note": "the reference"})
		mustStatus(t, r, 200, "curate")
		if r.json(t)["review_by"] != "2027-11-24" {
			t.Fatalf("default review date: %s", r.body)
		}
		list := s.apiAs(nil, "GET", "/api/v1/tags/literacy/curated", nil)
		if items := list.json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("curated list: %s", list.body)
		}
		page := s.pageAs(nil, "/tags/literacy/curated")
		mustStatus(t, page, 200, "curated page")
		if !strings.Contains(string(page.body), "literature circles") {
			t.Fatal("the curated page does not list the answer")
		}
		q := s.apiAs(nil, "GET", fmt.Sprintf("/api/v1/questions/%d", qid), nil).json(t)
		if q["answers"].([]any)[0].(map[string]any)["curated"] != true {
			t.Fatal("the answer carries no curated mark")
		}
	})
	t.Run("editing a curated answer goes to review", func(t *testing.T) {
		r := s.apiAs(expert, "PATCH", fmt.Sprintf("/api/v1/posts/%d", aid), map[string]any{"body": goodBody + " Now with more detail."})
		mustStatus(t, r, 202, "the author's edit of a curated answer")
		q := s.apiAs(mod, "GET", "/api/v1/moderation/queue?kind=edits", nil)
		items := q.json(t)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("edits queue: %s", q.body)
		}
		id := int64(items[0].(map[string]any)["id"].(float64))
		resolve := fmt.Sprintf("/api/v1/moderation/queue/%d/resolve", id)
		mustError(t, s.apiAs(mod, "POST", resolve, map[string]any{"action": "reject"}), 400, "reason_required", "reason")
		mustStatus(t, s.apiAs(mod, "POST", resolve, map[string]any{"action": "approve"}), 200, "approve")
		a := s.apiAs(nil, "GET", fmt.Sprintf("/api/v1/questions/%d", qid), nil).json(t)["answers"].([]any)[0].(map[string]any)
		if !strings.Contains(a["body"].(string), "more detail") {
			t.Fatal("the approved edit is not applied")
		}
	})
	t.Run("uncurate", func(t *testing.T) {
		mustStatus(t, s.apiAs(mod, "DELETE", curate, nil), 204, "uncurate")
		mustError(t, s.apiAs(mod, "DELETE", curate, nil), 404, "not_found", "")
	})
	t.Run("lock", func(t *testing.T) {
		lock := fmt.Sprintf("/api/v1/posts/%d/lock", qid)
		mustError(t, s.apiAs(member, "POST", lock, nil), 403, "not_moderator", "")
		r := s.apiAs(mod, "POST", lock, map[string]any{"reason": "heated"})
		mustStatus(t, r, 200, "lock")
		if r.json(t)["locked"] != true {
			t.Fatalf("lock: %s", r.body)
		}
		mustError(t, s.apiAs(mod, "POST", lock, nil), 409, "already_locked", "")
		mustError(t, s.apiAs(expert, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": "A comment on a locked post."}), 409, "post_locked", "")
		mustStatus(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/posts/%d/unlock", qid), nil), 200, "unlock")
	})
	t.Run("hide and unhide", func(t *testing.T) {
		mustStatus(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/posts/%d/hide", aid), map[string]any{"reason": "checking"}), 200, "hide")
		mustStatus(t, s.apiAs(member, "GET", fmt.Sprintf("/api/v1/questions/%d", aid), nil), 404, "hidden answer")
		mustError(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/posts/%d/hide", aid), nil), 409, "not_visible", "")
		mustStatus(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/posts/%d/unhide", aid), nil), 200, "unhide")
	})
	t.Run("merge, convert, message, spam account", func(t *testing.T) {
		dup := s.ask(expert, "Literature circles: how do you set them up?", "literacy")
		s.answer(member, dup)
		mustError(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/questions/%d/merge", dup), map[string]any{"into": 0}), 400, "bad_duplicate", "into")
		r := s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/questions/%d/merge", dup), map[string]any{"into": qid})
		mustStatus(t, r, 200, "merge")
		if r.json(t)["duplicate_of"] != float64(qid) {
			t.Fatalf("merge: %s", r.body)
		}
		short := s.apiAs(expert, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", qid), map[string]any{"body": "Thanks, this helped me a lot, really!"})
		mustStatus(t, short, 201, "short answer")
		sid := int64(short.json(t)["id"].(float64))
		mustStatus(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/answers/%d/convert-to-comment", sid), nil), 200, "convert")
		msg := fmt.Sprintf("/api/v1/moderation/users/%d/messages", member.ID)
		mustError(t, s.apiAs(mod, "POST", msg, map[string]any{"body": "hi"}), 400, "too_short", "body")
		mustError(t, s.apiAs(member, "POST", msg, map[string]any{"body": "Please cite your sources."}), 403, "not_moderator", "")
		mustStatus(t, s.apiAs(mod, "POST", msg, map[string]any{"body": "Please cite your sources."}), 201, "message")
		mine := s.apiAs(member, "GET", "/api/v1/me/moderator-messages", nil)
		if items := mine.json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("messages: %s", mine.body)
		}
		if page := s.pageAs(member, "/flags"); !strings.Contains(string(page.body), "Please cite your sources.") {
			t.Fatal("the message is not shown to its reader")
		}
		spammer := s.signup("spammer")
		s.ask(spammer, "Buy cheap essays online right here today", "spam")
		mustError(t, s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/moderation/users/%d/delete-spammer", mod.ID), nil), 403, "protected_account", "")
		r = s.apiAs(mod, "POST", fmt.Sprintf("/api/v1/moderation/users/%d/delete-spammer", spammer.ID), map[string]any{"reason": "spam"})
		mustStatus(t, r, 200, "delete spammer")
		if r.json(t)["deleted_posts"] != 1.0 {
			t.Fatalf("delete spammer: %s", r.body)
		}
		recent := s.apiAs(mod, "GET", "/api/v1/moderation/recent", nil).json(t)["items"].([]any)
		seen := map[string]bool{}
		for _, e := range recent {
			seen[e.(map[string]any)["action"].(string)] = true
		}
		for _, a := range []string{"post.curate", "post.uncurate", "post.lock", "post.unlock", "post.hide", "post.unhide", "question.merge",
			"answer.convert_to_comment", "user.message", "user.delete_spammer"} {
			if !seen[a] {
				t.Errorf("no audit row %s", a)
			}
		}
	})
	if drifts, err := s.db.Recount(t.Context(), false); err != nil || len(drifts) != 0 {
		t.Fatalf("recount: %v %v", drifts, err)
	}
}

func TestModerationForms(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.signup("mod")
	s.makeModerator(mod)
	author := s.signup("author")
	flagger := s.signup("flagger")
	qid := s.ask(author, "How do you organise a classroom library?", "library")
	page := string(s.pageAs(flagger, fmt.Sprintf("/questions/%d", qid)).body)
	if !strings.Contains(page, `action="/posts/`+idStr(qid)+`/flags"`) {
		t.Fatal("no flag dialog on the post")
	}
	if strings.Contains(string(s.pageAs(author, fmt.Sprintf("/questions/%d", qid)).body), `action="/posts/`+idStr(qid)+`/flags"`) {
		t.Fatal("the author is offered a flag on their own post")
	}
	r := s.formAs(fmt.Sprintf("/posts/%d/flags", qid), flagger, "reason", "other")
	if r.StatusCode != 400 || !strings.Contains(string(r.body), "needs a note") {
		t.Fatalf("a flag form without its note: %d", r.StatusCode)
	}
	r = s.formAs(fmt.Sprintf("/posts/%d/flags", qid), flagger, "reason", "other", "note", "Copied from a website.")
	mustStatus(t, r, 303, "flag form")
	r = s.formAs(fmt.Sprintf("/posts/%d/moderate", qid), mod, "action", "lock", "reason", "calm down")
	mustStatus(t, r, 303, "lock form")
	if !strings.Contains(string(s.pageAs(author, fmt.Sprintf("/questions/%d", qid)).body), ">locked<") {
		t.Fatal("a locked post carries no mark")
	}
	dash := string(s.pageAs(mod, "/moderation?kind=flags").body)
	if !strings.Contains(dash, "Copied from a website.") {
		t.Fatal("the dashboard does not show the flag")
	}
	mustStatus(t, s.pageAs(nil, "/moderation"), 303, "anonymous dashboard")
	s.privilege(forum.PrivReview, 350)
	mustStatus(t, s.pageAs(author, "/moderation"), 403, "a member's dashboard")
}
