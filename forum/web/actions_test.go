package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// What a reader is offered on a question page, in the question API and in a block the live
// script fetches: each comes from forum's checks (forum.Privileges.Actions), the same the
// writes make.

// TestLiveBlockIsThePagesBlock: the block the live script puts on the page for an answer
// that arrived live is, byte for byte, the block the page itself draws for that reader, so
// a moderator gets Delete on it as on a reload.
func TestLiveBlockIsThePagesBlock(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin") // the first account: an admin, so a moderator
	asker, answerer, reader, editor := s.signup("asker"), s.signup("answerer"), s.signup("reader"), s.signup("editor")
	s.giveReputation(editor, 1000)
	qid := s.ask(asker, "How do you run exit tickets in a 50-minute block?", "assessment")
	aid := s.answer(answerer, qid)
	s.post(reader, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", aid), map[string]any{"body": "Do you grade them at all, or only sort them?"})
	viewers := []viewer{{name: "nobody"}}
	for _, a := range []*account{admin, asker, answerer, reader, editor} {
		viewers = append(viewers, viewer{name: a.Name, cookie: a.Cookie})
	}
	for _, v := range viewers {
		for _, id := range []int64{qid, aid} {
			page := s.get(v, fmt.Sprintf("/questions/%d", qid)).body
			block := s.get(v, fmt.Sprintf("/posts/%d/block", id)).body
			if !bytes.Contains(block, []byte(fmt.Sprintf(`id="post-%d"`, id))) || !bytes.Contains(page, block) {
				t.Fatalf("%s: the block of post %d is not the page's:\n%s", v.name, id, block)
			}
		}
	}
	deleteButton := func(v viewer) bool {
		return bytes.Contains(s.get(v, fmt.Sprintf("/posts/%d/block", aid)).body, []byte(fmt.Sprintf(`action="/posts/%d/delete"`, aid)))
	}
	if !deleteButton(viewer{name: "admin", cookie: admin.Cookie}) || !deleteButton(viewer{name: "answerer", cookie: answerer.Cookie}) {
		t.Error("a moderator or the author has no Delete on the block")
	}
	if deleteButton(viewer{name: "reader", cookie: reader.Cookie}) {
		t.Error("a reader who may not delete is offered Delete")
	}
	if r := s.do(req{method: "GET", path: "/posts/999999/block"}); r.StatusCode != 404 {
		t.Errorf("block of a missing post: %d", r.StatusCode)
	}
	s.post(answerer, "DELETE", fmt.Sprintf("/api/v1/posts/%d", aid), nil)
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/posts/%d/block", aid), cookie: reader.Cookie}); r.StatusCode != 404 {
		t.Errorf("block of a deleted answer for a member: %d", r.StatusCode)
	}
}

// TestPrivilegedButtonsShowTheirState: a reader without a privilege gets its button
// disabled, with the reason the server would give; a moderator's close vote is labelled
// as deciding.
func TestPrivilegedButtonsShowTheirState(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, newbie, voter, closer := s.signup("asker"), s.signup("newbie"), s.signup("voter"), s.signup("closer")
	s.giveReputation(voter, 200)
	s.giveReputation(closer, 600)
	qid := s.ask(asker, "Which warm-ups work for a block schedule?", "warmups")
	s.giveReputation(asker, 200) // enough to vote: only their authorship refuses it
	path := fmt.Sprintf("/questions/%d", qid)
	page := func(a *account) string { return string(s.get(viewer{name: a.Name, cookie: a.Cookie}, path).body) }

	p := page(newbie)
	for _, want := range []string{`disabled title="Voting up needs 15 reputation; you have 1."`, `disabled title="Voting down needs 125 reputation; you have 1."`} {
		if !strings.Contains(p, want) {
			t.Errorf("a new member's page lacks %s", want)
		}
	}
	if strings.Contains(p, "Vote to close") || strings.Contains(p, ">Close</button>") {
		t.Error("a new member is offered to close")
	}
	if p := page(voter); strings.Contains(p, "disabled") {
		t.Error("a voter with the privileges has a disabled button")
	}
	if p := page(asker); !strings.Contains(p, `disabled title="You cannot vote on your own post."`) {
		t.Error("the asker may vote on their own question")
	}
	if p := page(closer); !strings.Contains(p, "Vote to close</button>") || strings.Contains(p, ">Close</button>") {
		t.Error("a member's close vote is not labelled a vote")
	}
	if p := page(admin); !strings.Contains(p, ">Close</button>") || strings.Contains(p, "Vote to close") {
		t.Error("an admin's binding close vote is labelled a vote")
	}
	if r := s.postForm(path+"/close", admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "reason": {"off_topic"}}); r.StatusCode != 303 {
		t.Fatalf("close: %d %s", r.StatusCode, r.body)
	}
	if p := page(admin); !strings.Contains(p, ">Reopen</button>") {
		t.Error("an admin's binding reopen vote is labelled a vote")
	}
	if p := page(closer); !strings.Contains(p, ">Vote to reopen</button>") {
		t.Error("a member's reopen vote is not labelled a vote")
	}
}

// TestQuestionAPIActionsAreTheWritesAnswers: for each reader and post, what the API says
// the reader may do is what the write then does: a refused vote is refused with the
// refusal the API named, an allowed one is taken.
func TestQuestionAPIActionsAreTheWritesAnswers(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer, newbie, voter := s.signup("asker"), s.signup("answerer"), s.signup("newbie"), s.signup("voter")
	s.giveReputation(voter, 200)
	qid := s.ask(asker, "How do you grade group projects fairly?", "grading")
	aid := s.answer(answerer, qid)
	s.post(voter, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", aid), map[string]int{"value": 1}) // the question now has an upvoted answer
	type can map[string]any
	for _, tc := range []struct {
		who  *account
		post int64
		want can
	}{
		{nil, qid, can{"can_vote": false, "can_edit": false, "can_delete": false, "can_comment": false, "can_close": false}},
		{asker, qid, can{"can_vote_up": false, "vote_up_refusal": "Voting up needs 15 reputation; you have 1.",
			"can_edit": true, "can_delete": false, "can_comment": true, "can_close": false, "close_binding": false}},
		{asker, aid, can{"can_accept": true, "can_edit": false, "can_delete": false}},
		{answerer, aid, can{"can_accept": false, "can_edit": true, "can_delete": true, "can_vote": false}},
		{voter, qid, can{"can_vote": true, "can_vote_up": true, "can_vote_down": true, "can_edit": false}},
		{voter, aid, can{"can_vote_up": true, "can_vote_down": true}},
		{newbie, aid, can{"can_vote": false, "can_comment": true}},
		{admin, qid, can{"can_vote": true, "can_edit": true, "can_delete": true, "can_undelete": false, "can_close": true, "close_binding": true}},
	} {
		name := "nobody"
		r := req{method: "GET", path: fmt.Sprintf("/api/v1/questions/%d", qid)}
		if tc.who != nil {
			name, r.headers = tc.who.Name, tc.who.bearer()
		}
		q := s.do(r).json(t)
		post := q
		if tc.post == aid {
			post = q["answers"].([]any)[0].(map[string]any)
		}
		for k, want := range tc.want {
			if got := post[k]; got != want {
				t.Errorf("%s on post %d: %s = %v, want %v", name, tc.post, k, got, want)
			}
		}
		if tc.who == nil {
			continue
		}
		for _, value := range []int{1, -1} {
			key, refusal := "can_vote_up", "vote_up_refusal"
			if value < 0 {
				key, refusal = "can_vote_down", "vote_down_refusal"
			}
			res := s.post(tc.who, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", tc.post), map[string]int{"value": value})
			if post[key] == true {
				if res.StatusCode != 200 {
					t.Errorf("%s on post %d: %s, but the vote is refused: %s", name, tc.post, key, res.body)
				}
				continue
			}
			msg, _ := res.json(t)["error"].(map[string]any)["message"].(string)
			if res.StatusCode != 403 || msg != post[refusal] {
				t.Errorf("%s on post %d: %s false (%v), but the vote answers %d %s", name, tc.post, key, post[refusal], res.StatusCode, res.body)
			}
		}
		// Put the reader's vote back as it was, for the readers after.
		s.post(tc.who, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", tc.post), map[string]any{"value": post["my_vote"]})
	}
	// The writes behind the other flags.
	if r := s.post(answerer, "DELETE", fmt.Sprintf("/api/v1/posts/%d", qid), nil); r.StatusCode != 403 {
		t.Errorf("someone else's question deleted: %d", r.StatusCode)
	}
	if r := s.post(asker, "DELETE", fmt.Sprintf("/api/v1/posts/%d", qid), nil); r.StatusCode != 409 {
		t.Errorf("a question with an upvoted answer deleted by its asker: %d", r.StatusCode)
	}
	if r := s.post(asker, "POST", fmt.Sprintf("/api/v1/answers/%d/accept", aid), nil); r.StatusCode != 200 {
		t.Errorf("the asker could not accept: %d", r.StatusCode)
	}
	if r := s.post(answerer, "POST", fmt.Sprintf("/api/v1/answers/%d/accept", aid), nil); r.StatusCode != 403 {
		t.Errorf("the answerer accepted: %d", r.StatusCode)
	}
}
