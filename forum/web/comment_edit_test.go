package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// comment posts a comment as a on post and returns its id.
func (s *testSite) comment(a *account, post int64, body string) int64 {
	s.t.Helper()
	r := s.apiAs(a, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", post), map[string]any{"body": body})
	mustStatus(s.t, r, 201, "comment")
	return int64(r.json(s.t)["id"].(float64))
}

func TestCommentEditAndDelete(t *testing.T) {
	s := newSite(t)
	s.signup("founder")
	mod := s.moderator("moderator")
	author := s.signup("author")
	other := s.signup("other")
	qid := s.ask(mod, "How do you pace a unit on fractions?", "math")
	edit := func(a *account, id int64, body string) *response {
		return s.apiAs(a, "PATCH", fmt.Sprintf("/api/v1/comments/%d", id), map[string]any{"body": body})
	}
	del := func(a *account, id int64) *response {
		return s.apiAs(a, "DELETE", fmt.Sprintf("/api/v1/comments/%d", id), nil)
	}
	cases := []struct {
		name   string
		by     func() *account
		after  time.Duration // since the comment was written
		act    func(a *account, id int64) *response
		status int
		code   string
		audits int // rows the change writes to the audit log
	}{
		{"the author edits within five minutes", func() *account { return author }, 4*time.Minute + 59*time.Second,
			func(a *account, id int64) *response { return edit(a, id, "A corrected comment that reads better.") }, 200, "", 0},
		{"the author edits after five minutes", func() *account { return author }, 5*time.Minute + time.Second,
			func(a *account, id int64) *response { return edit(a, id, "A corrected comment that reads better.") }, 403, "edit_window_passed", 0},
		{"someone else edits", func() *account { return other }, time.Minute,
			func(a *account, id int64) *response { return edit(a, id, "Somebody else's words in my comment.") }, 403, "not_author", 0},
		{"a moderator edits later", func() *account { return mod }, time.Hour,
			func(a *account, id int64) *response { return edit(a, id, "A moderator's cleaned-up comment text.") }, 200, "", 1},
		{"an edit too short", func() *account { return author }, time.Minute,
			func(a *account, id int64) *response { return edit(a, id, "short") }, 400, "too_short", 0},
		{"anonymous", func() *account { return nil }, time.Minute,
			func(a *account, id int64) *response { return edit(a, id, "A corrected comment that reads better.") }, 401, "unauthorized", 0},
		{"the author deletes, any time", func() *account { return author }, 24 * time.Hour, del, 204, "", 0},
		{"someone else deletes", func() *account { return other }, time.Minute, del, 403, "not_author", 0},
		{"a moderator deletes", func() *account { return mod }, time.Hour, del, 204, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := s.comment(author, qid, "A first comment that says something useful.")
			before := len(s.auditRows(mod, "target=comment:"+idStr(id)))
			s.clock.Add(tc.after)
			r := tc.act(tc.by(), id)
			if tc.code != "" {
				field := ""
				if tc.status == 400 {
					field = "body"
				}
				mustError(t, r, tc.status, tc.code, field)
			} else {
				mustStatus(t, r, tc.status, tc.name)
			}
			rows := s.auditRows(mod, "target=comment:"+idStr(id))
			if len(rows)-before != tc.audits {
				t.Fatalf("%d audit rows, want %d", len(rows)-before, tc.audits)
			}
			if tc.audits == 1 && (rows[0]["actor"].(map[string]any)["username"] != "moderator" ||
				rows[0]["before"].(map[string]any)["body"] != "A first comment that says something useful.") {
				t.Fatalf("audit row %v", rows[0])
			}
		})
	}

	t.Run("revisions are kept; deleted comments are gone", func(t *testing.T) {
		id := s.comment(author, qid, "A first comment that says something useful.")
		mustStatus(t, edit(author, id, "The second text of this comment, better."), 200, "edit 1")
		mustStatus(t, edit(mod, id, "The third text of this comment, by a moderator."), 200, "edit 2")
		r := s.apiAs(other, "GET", fmt.Sprintf("/api/v1/comments/%d/revisions", id), nil)
		mustStatus(t, r, 200, "revisions")
		items := r.json(t)["items"].([]any)
		if len(items) != 3 || items[2].(map[string]any)["body"] != "A first comment that says something useful." ||
			items[0].(map[string]any)["edited_by"].(map[string]any)["username"] != "moderator" {
			t.Fatalf("revisions %v", items)
		}
		mustStatus(t, del(author, id), 204, "delete")
		mustError(t, edit(mod, id, "Editing a comment that is gone now."), 404, "not_found", "")
		mustError(t, del(author, id), 404, "not_found", "")
		mustError(t, s.apiAs(other, "GET", fmt.Sprintf("/api/v1/comments/%d/revisions", id), nil), 404, "not_found", "")
		mustStatus(t, s.apiAs(mod, "GET", fmt.Sprintf("/api/v1/comments/%d/revisions", id), nil), 200, "moderators see a deleted comment's revisions")
		list := s.apiAs(other, "GET", fmt.Sprintf("/api/v1/posts/%d/comments", qid), nil)
		if strings.Contains(string(list.body), fmt.Sprintf(`"id":%d,`, id)) {
			t.Fatal("a deleted comment is still listed")
		}
	})
	t.Run("the forms", func(t *testing.T) {
		id := s.comment(author, qid, "A first comment that says something useful.")
		mustStatus(t, s.formAs(fmt.Sprintf("/comments/%d/edit", id), author, "post", idStr(qid), "body", "An edited comment from the page's form."), 303, "edit form")
		page := s.pageAs(other, fmt.Sprintf("/questions/%d", qid))
		if !strings.Contains(string(page.body), "An edited comment from the page") {
			t.Fatal("the question page shows the old text")
		}
		mustStatus(t, s.formAs(fmt.Sprintf("/comments/%d/delete", id), author, "post", idStr(qid)), 303, "delete form")
		page = s.pageAs(other, fmt.Sprintf("/questions/%d", qid))
		if strings.Contains(string(page.body), "An edited comment from the page") {
			t.Fatal("the question page shows a deleted comment")
		}
	})
}
