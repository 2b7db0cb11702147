package web_test

import (
	"context"
	"fmt"
	"testing"

	"staffroom/forum"
)

// BenchmarkQuestionPageScope is the question page (10 answers, 20 comments) for a
// signed-in reader, and the same question as JSON, for a question of the site's own and
// for one in a public and in a private collaborative (the reader a member): what the
// privacy check costs. The site's question costs nothing more; a scoped one's cached page
// reads the collaborative's visibility and the reader's role in one query of two
// primary-key lookups (forum.QA.CheckScopeNow), and the uncached read (the API) reads the
// scope with the post and, for a private one, the membership by its primary key.
func BenchmarkQuestionPageScope(b *testing.B) {
	for _, scope := range []string{"none", "public", "private"} {
		s, qid, reader := benchScopedSite(b, scope)
		b.Run(scope+"/page", func(b *testing.B) { benchGet(b, s, fmt.Sprintf("/questions/%d", qid), reader.bearer()) })
		b.Run(scope+"/api", func(b *testing.B) { benchGet(b, s, fmt.Sprintf("/api/v1/questions/%d", qid), reader.bearer()) })
	}
}

// benchScopedSite is benchSite's question asked into a collaborative of the visibility
// scope ("none": the site's own), with a reader who is a member of it.
func benchScopedSite(b *testing.B, scope string) (*testSite, int64, *account) {
	t := &testing.T{}
	s := newSite(t)
	s.t = t
	s.signup("admin")
	a, c, reader := s.signup("asker"), s.signup("answerer"), s.signup("reader")
	body := map[string]any{"title": "How do you run standards-based grading in a 1:1 school?",
		"body": goodBody + " What do you do?", "tags": []string{"grading", "sbg"}}
	if scope != "none" {
		ctx := context.Background()
		g, err := s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: "bench-" + scope, Name: "Bench " + scope,
			Visibility: forum.Visibility(scope), CreatedBy: a.ID, Now: s.clock.Now()})
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range []*account{c, reader} {
			if err := s.db.AddCollaborativeMember(ctx, g.ID, m.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
				b.Fatal(err)
			}
		}
		body["collaborative"] = g.Slug
	}
	r := s.apiAs(a, "POST", "/api/v1/questions", body)
	if r.StatusCode != 201 {
		b.Fatalf("ask: %d %s", r.StatusCode, r.body)
	}
	qid := int64(r.json(t)["id"].(float64))
	for i := range 10 {
		aid := s.answer(c, qid)
		for j := range 2 {
			s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: a.bearer(),
				body: jsonBody(map[string]string{"body": fmt.Sprintf("Comment %d on answer %d, with *emphasis*.", j, i)})})
		}
	}
	return s, qid, reader
}
