package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"staffroom/forum"
	"staffroom/realtime"
)

// The authorization matrix (issue #19): who may do what inside a collaborative, one row
// per endpoint or websocket topic, one column per role, for a public and a private
// collaborative. This table is the specification; the test runs every cell against the
// real app over a real SQLite file (live topics over a real websocket), on content made
// fresh for each cell, so that no cell depends on another's writes.
//
// Rows for the collaboratives', channels' and meetings' endpoints join this table: a row
// is a method, a path template and a body template; the placeholders are filled from
// the cell's fresh content (authzFixture). A 404 that hides a private thing must be the
// very answer a missing id gets: every such cell is also run with the ids replaced by
// missing ones, and the two bodies compared.

// authzRole is a column of the matrix.
type authzRole int

const (
	roleAnonymous authzRole = iota
	roleNonMember           // signed in, not a member
	rolePending             // asked to join a private collaborative, not yet approved
	roleMember
	roleLead
	roleModerator // the site's moderators
	roleAdmin
	authzRoles
)

var authzRoleNames = [authzRoles]string{"anonymous", "non-member", "pending", "member", "lead", "moderator", "admin"}

// authzWant is a row's expected status (or, for websocket rows, wsSubscribed or
// wsNotFound) for each role, in authzRole order. 0: the cell is not specified yet (the
// pending requester's, until join requests are part of this branch), and is skipped.
type authzWant [authzRoles]int

// Websocket rows answer a subscribe frame: subscribed, or an error code.
const (
	wsSubscribed = 1
	wsNotFound   = 2
)

// authzRow is one endpoint or topic. method "WS" subscribes to the topic named by path.
type authzRow struct {
	name            string
	method, path    string
	body            string // a JSON template; "" for none
	public, private authzWant
}

// Placeholders in paths and bodies: {q} a question of the collaborative, {a} its answer,
// {c} a comment on the answer, {slug} the collaborative, {writer} the content's author.
var scopedQuestionRows = []authzRow{
	{name: "read a question", method: "GET", path: "/api/v1/questions/{q}",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "question page", method: "GET", path: "/questions/{q}",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "question page, slugged", method: "GET", path: "/questions/{q}/some-slug",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "an answer's address", method: "GET", path: "/questions/{a}",
		public: authzWant{301, 301, 0, 301, 301, 301, 301}, private: authzWant{404, 404, 0, 301, 301, 301, 301}},
	{name: "comments of a post", method: "GET", path: "/api/v1/posts/{a}/comments",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "revisions of a post", method: "GET", path: "/api/v1/posts/{q}/revisions",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "revisions page", method: "GET", path: "/posts/{q}/revisions",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "a post's live block", method: "GET", path: "/posts/{a}/block",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "the collaborative's questions", method: "GET", path: "/api/v1/questions?collaborative={slug}",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{404, 404, 0, 200, 200, 200, 200}},
	{name: "search in the collaborative", method: "GET", path: "/api/v1/search?q=question&collaborative={slug}",
		public: authzWant{200, 200, 0, 200, 200, 200, 200}, private: authzWant{200, 200, 0, 200, 200, 200, 200}},
	{name: "ask into the collaborative", method: "POST", path: "/api/v1/questions",
		body:   `{"title":"How do we pilot the framework next term?","body":"We want to pilot it in three schools next term.","tags":["pilots"],"collaborative":"{slug}"}`,
		public: authzWant{401, 403, 0, 201, 201, 201, 201}, private: authzWant{401, 404, 0, 201, 201, 201, 201}},
	{name: "answer", method: "POST", path: "/api/v1/questions/{q}/answers",
		body:   `{"body":"We ran it in two schools; start with the teachers who volunteer."}`,
		public: authzWant{401, 201, 0, 201, 201, 201, 201}, private: authzWant{401, 404, 0, 201, 201, 201, 201}},
	{name: "comment", method: "POST", path: "/api/v1/posts/{a}/comments", body: `{"body":"Which schools volunteered first?"}`,
		public: authzWant{401, 201, 0, 201, 201, 201, 201}, private: authzWant{401, 404, 0, 201, 201, 201, 201}},
	{name: "vote on an answer", method: "POST", path: "/api/v1/posts/{a}/vote", body: `{"value":1}`,
		public: authzWant{401, 200, 0, 200, 200, 200, 200}, private: authzWant{401, 404, 0, 200, 200, 200, 200}},
	{name: "vote on a comment", method: "POST", path: "/api/v1/comments/{c}/vote", body: `{"value":1}`,
		public: authzWant{401, 200, 0, 200, 200, 200, 200}, private: authzWant{401, 404, 0, 200, 200, 200, 200}},
	{name: "accept (only the asker may)", method: "POST", path: "/api/v1/answers/{a}/accept",
		public: authzWant{401, 403, 0, 403, 403, 403, 403}, private: authzWant{401, 404, 0, 403, 403, 403, 403}},
	// Below the edit privilege an edit is a suggestion for review (202), open to anyone
	// who may see the post.
	{name: "edit", method: "PATCH", path: "/api/v1/posts/{a}", body: `{"body":"An edited answer that is long enough to keep."}`,
		public: authzWant{401, 202, 0, 202, 202, 200, 200}, private: authzWant{401, 404, 0, 202, 202, 200, 200}},
	{name: "delete", method: "DELETE", path: "/api/v1/posts/{a}",
		public: authzWant{401, 403, 0, 403, 403, 204, 204}, private: authzWant{401, 404, 0, 403, 403, 204, 204}},
	{name: "undelete a live post", method: "POST", path: "/api/v1/posts/{a}/undelete",
		public: authzWant{401, 404, 0, 404, 404, 409, 409}, private: authzWant{401, 404, 0, 404, 404, 409, 409}},
	// Close votes need reputation, and that is checked before the question is read: a
	// missing id gets the same 403, so it tells nothing (the body is compared below).
	{name: "close", method: "POST", path: "/api/v1/questions/{q}/close", body: `{"reason":"off_topic"}`,
		public: authzWant{401, 403, 0, 403, 403, 200, 200}, private: authzWant{401, 403, 0, 403, 403, 200, 200}},
	{name: "follow the question live", method: "WS", path: "question:{q}",
		public:  authzWant{wsSubscribed, wsSubscribed, 0, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed},
		private: authzWant{wsNotFound, wsNotFound, 0, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed}},
	{name: "follow the collaborative live", method: "WS", path: "collaborative:{slug}",
		public:  authzWant{wsSubscribed, wsSubscribed, 0, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed},
		private: authzWant{wsNotFound, wsNotFound, 0, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed}},
}

// authzWorld is the site the matrix runs on: one account per role, a public and a
// private collaborative, and a writer (a member of both) who authors the cells' content.
type authzWorld struct {
	s       *testSite
	addr    string
	as      [authzRoles]*account // nil for anonymous and unfilled roles
	writer  *account
	groups  map[forum.Visibility]*forum.Collaborative
	missing int64 // an id no post has
}

func newAuthzWorld(t *testing.T) *authzWorld {
	s := newSite(t, withLive(realtime.Config{}))
	w := &authzWorld{s: s, addr: s.listen(), groups: map[forum.Visibility]*forum.Collaborative{}}
	ctx := context.Background()
	w.as[roleAdmin] = s.signup("admin") // the first account is the site's admin
	w.as[roleModerator] = s.signup("moderator")
	if _, err := s.accounts.SetRole(ctx, "moderator", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	w.as[roleNonMember], w.as[roleMember], w.as[roleLead] = s.signup("outsider"), s.signup("member"), s.signup("lead")
	w.writer = s.signup("writer")
	for _, a := range append(w.as[:], w.writer) {
		if a != nil {
			s.giveReputation(a, 200) // enough to vote and comment; not to edit or close
		}
	}
	for _, v := range []forum.Visibility{forum.VisibilityPublic, forum.VisibilityPrivate} {
		g, err := s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: "group-" + string(v), Name: "The " + string(v) + " group",
			Visibility: v, CreatedBy: w.as[roleLead].ID, Now: s.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []*account{w.as[roleMember], w.writer} {
			if err := s.db.AddCollaborativeMember(ctx, g.ID, m.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		w.groups[v] = g
	}
	w.missing = 1 << 40
	return w
}

// authzFixture is one cell's fresh content in a collaborative.
type authzFixture map[string]string

func (w *authzWorld) fixture(t *testing.T, g *forum.Collaborative) authzFixture {
	t.Helper()
	ctx, now := context.Background(), w.s.clock.Now()
	q, err := w.s.db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: w.writer.ID, Title: "A question of the group about pilots",
		Body: "How do we run the pilot?", BodyHTML: "<p>How do we run the pilot?</p>", Tags: []string{"pilots"}, CollaborativeID: g.ID, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.s.db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: w.writer.ID, Body: "Start small and measure.",
		BodyHTML: "<p>Start small and measure.</p>", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.s.db.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: w.writer.ID, Body: "How small is small?",
		BodyHTML: "How small is small?", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return authzFixture{"{q}": idStr(q.ID), "{a}": idStr(a.ID), "{c}": idStr(c.ID), "{slug}": g.Slug, "{writer}": idStr(w.writer.ID)}
}

// fill replaces the placeholders of a template.
func (f authzFixture) fill(s string) string {
	for k, v := range f {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// missingIDs is the fixture with every post and comment id replaced by a missing one.
func (f authzFixture) missingIDs(missing int64) authzFixture {
	out := authzFixture{}
	for k, v := range f {
		out[k] = v
	}
	for _, k := range []string{"{q}", "{a}", "{c}"} {
		out[k] = idStr(missing)
	}
	return out
}

// call runs one cell: the status (or websocket outcome) and the body.
func (w *authzWorld) call(t *testing.T, role authzRole, row authzRow, f authzFixture) (int, string) {
	t.Helper()
	if row.method == "WS" {
		topic := f.fill(row.path)
		var h http.Header
		if a := w.as[role]; a != nil {
			h = bearerHeader(a)
		}
		c := mustDial(t, w.addr, h)
		defer c.Conn.Close()
		c.Send(map[string]any{"type": "subscribe", "topic": topic})
		fr := c.Next()
		if fr.Topic != topic {
			t.Fatalf("answer for topic %q, want %q: %+v", fr.Topic, topic, fr)
		}
		switch {
		case fr.Type == "subscribed":
			return wsSubscribed, ""
		case fr.Type == "error" && fr.Code == "not_found":
			return wsNotFound, strings.ReplaceAll(fr.Message, topic, "TOPIC")
		}
		t.Fatalf("subscribe %s: %+v", topic, fr)
	}
	r := req{method: row.method, path: f.fill(row.path), body: f.fill(row.body)}
	if a := w.as[role]; a != nil {
		if strings.HasPrefix(row.path, "/api/") {
			r.headers = a.bearer()
		} else {
			r.cookie = a.Cookie
		}
	}
	res := w.s.do(r)
	return res.StatusCode, string(res.body)
}

// sameAsMissing normalizes a body for comparison with a missing id's: the ids and the
// per-request tokens differ, nothing else may.
var perRequest = regexp.MustCompile(`(name="_csrf" value|name="csrf-token" content|data-csrf)="[^"]*"|nonce="[^"]*"`)

func normalize(body string, f authzFixture) string {
	for _, k := range []string{"{q}", "{a}", "{c}"} {
		// Whole numbers only: an asset's hash may hold the same digits.
		body = regexp.MustCompile(`(^|[^0-9a-zA-Z])`+f[k]+`([^0-9a-zA-Z]|$)`).ReplaceAllString(body, "${1}ID${2}")
	}
	return perRequest.ReplaceAllString(body, "")
}

func TestAuthorizationMatrix(t *testing.T) {
	w := newAuthzWorld(t)
	for _, row := range scopedQuestionRows {
		for _, vis := range []forum.Visibility{forum.VisibilityPublic, forum.VisibilityPrivate} {
			want := row.public
			if vis == forum.VisibilityPrivate {
				want = row.private
			}
			for role := range authzRoles {
				if want[role] == 0 {
					continue // not specified yet in this branch
				}
				t.Run(fmt.Sprintf("%s/%s/%s", row.name, vis, authzRoleNames[role]), func(t *testing.T) {
					f := w.fixture(t, w.groups[vis])
					got, body := w.call(t, role, row, f)
					if got != want[role] {
						t.Fatalf("%s %s as %s in a %s collaborative: %d, want %d: %.300s", row.method, f.fill(row.path),
							authzRoleNames[role], vis, got, want[role], body)
					}
					if vis != forum.VisibilityPrivate || role != roleAnonymous && role != roleNonMember || got < 400 && got != wsNotFound {
						return
					}
					// A refusal inside a private collaborative is exactly what a missing id gets.
					mf := f.missingIDs(w.missing)
					if row.method != "WS" && !strings.Contains(row.path, "{q}") && !strings.Contains(row.path, "{a}") && !strings.Contains(row.path, "{c}") {
						mf["{slug}"] = "no-such-group" // the collaborative itself is what is missing
					}
					mgot, mbody := w.call(t, role, row, mf)
					if mgot != got {
						t.Fatalf("a missing id gets %d, this %d", mgot, got)
					}
					if a, b := normalize(body, f), normalize(mbody, mf); strings.ReplaceAll(a, "group-private", "no-such-group") != b {
						t.Fatalf("the refusal differs from a missing id's:\n%.600s\n---\n%.600s", a, b)
					}
				})
			}
		}
	}
}
