package web_test

import (
	"fmt"
	"strings"
	"testing"

	"staffroom/forum"
)

// TestCommentFlagDialog: the question page offers flaggers a flag dialog per comment; it
// works without script, and a refused flag comes back to the page saying why.
func TestCommentFlagDialog(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	author := s.signup("author")
	flagger := s.signup("flagger")
	low := s.signup("newbie")
	s.privilege(forum.PrivFlag, 15)
	s.giveReputation(flagger, 20)
	s.giveReputation(author, 20)
	qid := s.ask(author, "How do you run morning meetings in grade two?", "sel")
	r := s.apiAs(author, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": "A comment long enough to post."})
	mustStatus(t, r, 201, "comment")
	cid := int64(r.json(t)["id"].(float64))
	page := fmt.Sprintf("/questions/%d", qid)
	form := fmt.Sprintf(`action="/comments/%d/flags"`, cid)

	if p := s.pageAs(low, page); strings.Contains(string(p.body), form) {
		t.Fatal("a reader without the flag privilege is offered the comment flag dialog")
	}
	if p := s.pageAs(flagger, page); !strings.Contains(string(p.body), form) {
		t.Fatal("no flag dialog on the comment")
	}
	path := fmt.Sprintf("/comments/%d/flags", cid)
	bad := s.formAs(path, flagger, "post", fmt.Sprint(qid), "reason", "other", "note", "")
	if bad.StatusCode == 303 {
		bad = s.pageAs(flagger, bad.Header.Get("Location"))
	}
	if !strings.Contains(string(bad.body), "needs a note") {
		t.Fatalf("a refused flag does not say why: %d", bad.StatusCode)
	}
	ok := s.formAs(path, flagger, "post", fmt.Sprint(qid), "reason", "offensive")
	if ok.StatusCode != 303 || !strings.Contains(ok.Header.Get("Location"), fmt.Sprintf("#comment-%d", cid)) {
		t.Fatalf("flag form: %d %s", ok.StatusCode, ok.Header.Get("Location"))
	}
	mustError(t, s.apiAs(flagger, "POST", fmt.Sprintf("/api/v1/comments/%d/flags", cid), flagBody("spam", "")), 409, "already_flagged", "")
}

// TestCommentModeratorControls: moderators get edit and delete controls on every comment
// of the question page (the page's forms); other readers do not.
func TestCommentModeratorControls(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.moderator("moderator")
	author := s.signup("author")
	reader := s.signup("reader")
	qid := s.ask(author, "How do you run morning meetings in grade two?", "sel")
	r := s.apiAs(author, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qid), map[string]any{"body": "A comment long enough to post."})
	mustStatus(t, r, 201, "comment")
	cid := int64(r.json(t)["id"].(float64))
	page := fmt.Sprintf("/questions/%d", qid)
	edit := fmt.Sprintf(`action="/comments/%d/edit"`, cid)
	del := fmt.Sprintf(`action="/comments/%d/delete"`, cid)
	if p := string(s.pageAs(reader, page).body); strings.Contains(p, edit) || strings.Contains(p, del) {
		t.Fatal("a reader is offered the moderators' comment controls")
	}
	if p := string(s.pageAs(mod, page).body); !strings.Contains(p, edit) || !strings.Contains(p, del) {
		t.Fatal("a moderator has no comment controls")
	}
	if r := s.formAs(fmt.Sprintf("/comments/%d/edit", cid), mod, "post", fmt.Sprint(qid), "body", "A comment a moderator reworded."); r.StatusCode != 303 {
		t.Fatalf("edit: %d %s", r.StatusCode, r.body)
	}
	if p := string(s.pageAs(reader, page).body); !strings.Contains(p, "A comment a moderator reworded.") {
		t.Fatal("the edit does not show")
	}
	if r := s.formAs(fmt.Sprintf("/comments/%d/delete", cid), mod, "post", fmt.Sprint(qid)); r.StatusCode != 303 {
		t.Fatalf("delete: %d %s", r.StatusCode, r.body)
	}
	if p := string(s.pageAs(reader, page).body); strings.Contains(p, "A comment a moderator reworded.") {
		t.Fatal("the deleted comment still shows")
	}
}
