package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"staffroom/forum"
)

// Scoped questions (forum/scope.go): a question asked into a collaborative, its answers
// and comments, and who may see them through every store method that reads or writes them.

// memberAdder adds a person to a collaborative in a role; the store suite's way to make
// members until the collaboratives' own workflow is part of the suite.
type memberAdder interface {
	AddCollaborativeMember(ctx context.Context, collaborativeID, userID int64, role forum.MemberRole, now time.Time) error
}

// MustAddMember makes u a member of g in role, failing the test on error.
func MustAddMember(t *testing.T, s any, g *forum.Collaborative, u *forum.User, role forum.MemberRole) {
	t.Helper()
	a, ok := s.(memberAdder)
	if !ok {
		t.Fatalf("store %T cannot add collaborative members", s)
	}
	if err := a.AddCollaborativeMember(context.Background(), g.ID, u.ID, role, t0); err != nil {
		t.Fatalf("add %s to %s: %v", u.Username, g.Slug, err)
	}
}

// MustAskInto stores a question in collaborative g (nil: the site's own), failing the
// test on error.
func MustAskInto(t *testing.T, s forum.PostStore, g *forum.Collaborative, author *forum.User, title string, tags ...string) *forum.Post {
	t.Helper()
	var id int64
	if g != nil {
		id = g.ID
	}
	q, err := s.CreateQuestion(context.Background(), forum.NewQuestion{AuthorID: author.ID, Title: title,
		Body: "Body of " + title, BodyHTML: "<p>Body of " + title + "</p>", Tags: tags, CollaborativeID: id, Now: t0})
	if err != nil {
		t.Fatalf("ask %q: %v", title, err)
	}
	return q
}

// scopeWorld is a site with a public and a private collaborative, each with a question,
// and a question of the site's own.
type scopeWorld struct {
	s                             Store
	admin, lead, member, outsider *forum.User
	public, private               *forum.Collaborative
	open, pub, priv               *forum.Post // the site's own, the public group's, the private group's
	privAnswer                    *forum.Post
}

func newScopeWorld(t *testing.T, open Opener) *scopeWorld {
	s := open(t)
	w := &scopeWorld{s: s, admin: MustCreateUser(t, s, "admin"), lead: MustCreateUser(t, s, "lead"),
		member: MustCreateUser(t, s, "member"), outsider: MustCreateUser(t, s, "outsider")}
	w.public = MustCollaborative(t, s, w.lead, "ct-framework", forum.VisibilityPublic)
	w.private = MustCollaborative(t, s, w.lead, "ell-resources", forum.VisibilityPrivate)
	MustAddMember(t, s, w.private, w.member, forum.MemberRoleMember)
	w.open = MustAskInto(t, s, nil, w.outsider, "Open question for everyone", "grading")
	w.pub = MustAskInto(t, s, w.public, w.lead, "Public group question on loops", "grading", "ct")
	w.priv = MustAskInto(t, s, w.private, w.member, "Private group question on newcomers", "grading", "ell-secret")
	w.privAnswer = MustAnswer(t, s, w.lead, w.priv)
	return w
}

func testScopedQuestions(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("a question carries its collaborative; answers inherit it", func(t *testing.T) {
		w := newScopeWorld(t, open)
		if w.open.Collaborative != nil {
			t.Errorf("site's question has a collaborative: %+v", w.open.Collaborative)
		}
		if c := w.priv.Collaborative; c == nil || c.ID != w.private.ID || c.Slug != "ell-resources" || !c.Private() || c.Name != w.private.Name {
			t.Fatalf("private question's collaborative = %+v", c)
		}
		a := must(w.s.Post(ctx, w.privAnswer.ID, 0, false)).ok(t)
		if a.Collaborative == nil || a.Collaborative.ID != w.private.ID {
			t.Errorf("answer's collaborative = %+v", a.Collaborative)
		}
		if c := must(w.s.Post(ctx, w.pub.ID, 0, false)).ok(t).Collaborative; c == nil || c.Private() {
			t.Errorf("public question's collaborative = %+v", c)
		}
		noDrift(t, w.s)
	})
	t.Run("site-wide lists and counts keep to the site's own questions", func(t *testing.T) {
		w := newScopeWorld(t, open)
		for _, sort := range []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes, forum.SortUnanswered} {
			for _, tag := range []*string{nil, ptr("grading")} {
				page := must(w.s.Questions(ctx, forum.QuestionFilter{Sort: sort, Tag: tag}, w.member.ID)).ok(t)
				if ids := postIDs(page.Items); !slices.Equal(ids, []int64{w.open.ID}) || page.Total != 1 {
					t.Errorf("%s tag %v: %v of %d, want only the site's question %d", sort, tag, ids, page.Total, w.open.ID)
				}
			}
		}
		tags, total := mustCounted(w.s.Tags(ctx, "", 1, 50))
		for _, tg := range tags {
			if tg.Name == "ell-secret" || tg.Name == "ct" || tg.Name == "grading" && tg.Count != 1 {
				t.Errorf("tag list shows %+v (of %d)", tg, total)
			}
		}
		_, err := w.s.Tag(ctx, "ell-secret")
		wantCode(t, err, forum.ENotFound, "")
		if g := must(w.s.Tag(ctx, "grading")).ok(t); g.Count != 1 {
			t.Errorf("grading counts %d, want 1", g.Count)
		}
		// Deleting and restoring a scoped question leaves the site's counts alone.
		check(t, w.s.DeletePost(ctx, w.priv.ID, w.member, t0.Add(time.Hour)))
		check(t, w.s.UndeletePost(ctx, w.priv.ID, w.admin, t0.Add(2*time.Hour)))
		if page := must(w.s.Questions(ctx, forum.QuestionFilter{}, 0)).ok(t); page.Total != 1 {
			t.Errorf("after delete and undelete: total %d", page.Total)
		}
		noDrift(t, w.s)
	})
	t.Run("a collaborative's list has its own questions", func(t *testing.T) {
		w := newScopeWorld(t, open)
		for _, tc := range []struct {
			g    *forum.Collaborative
			want int64
		}{{w.public, w.pub.ID}, {w.private, w.priv.ID}} {
			for _, sort := range []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes} {
				page := must(w.s.Questions(ctx, forum.QuestionFilter{Sort: sort, CollaborativeID: tc.g.ID}, 0)).ok(t)
				if ids := postIDs(page.Items); !slices.Equal(ids, []int64{tc.want}) || page.Total != 1 {
					t.Errorf("%s %s: %v of %d", tc.g.Slug, sort, ids, page.Total)
				}
			}
			tagged := must(w.s.Questions(ctx, forum.QuestionFilter{Tag: ptr("grading"), CollaborativeID: tc.g.ID}, 0)).ok(t)
			if ids := postIDs(tagged.Items); !slices.Equal(ids, []int64{tc.want}) {
				t.Errorf("%s tagged: %v", tc.g.Slug, ids)
			}
		}
		// The private question has an answer: not in its unanswered list.
		page := must(w.s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortUnanswered, CollaborativeID: w.private.ID}, 0)).ok(t)
		if len(page.Items) != 0 || page.Total != 0 {
			t.Errorf("private unanswered: %+v", page)
		}
	})
	t.Run("writes on a private question are refused to non-members as on a missing one", func(t *testing.T) {
		w := newScopeWorld(t, open)
		missing := w.privAnswer.ID + 1000
		for _, who := range []*forum.User{w.outsider} {
			for _, id := range []int64{w.priv.ID, missing} {
				_, err := w.s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: id, AuthorID: who.ID, Body: "b", BodyHTML: "b", Now: t0})
				wantCode(t, err, forum.ENotFound, "")
				_, err = w.s.CreateComment(ctx, forum.NewComment{PostID: id, AuthorID: who.ID, Body: "b", BodyHTML: "b", Now: t0})
				wantCode(t, err, forum.ENotFound, "")
				_, err = w.s.Vote(ctx, id, who.ID, 1, forum.VoteRules{}, t0)
				wantCode(t, err, forum.ENotFound, "")
				err = w.s.DeletePost(ctx, id, who, t0)
				wantCode(t, err, forum.ENotFound, "")
				_, err = w.s.VoteClose(ctx, forum.CloseVote{QuestionID: id, VoterID: who.ID, Reason: "off_topic", Needed: 3, Now: t0})
				wantCode(t, err, forum.ENotFound, "")
				title := "A title edited by someone"
				_, err = w.s.EditPost(ctx, forum.StoredEdit{PostID: id, EditorID: who.ID, Title: &title, BaseRevision: 1, Now: t0})
				wantCode(t, err, forum.ENotFound, "")
			}
			_, err := w.s.Vote(ctx, w.privAnswer.ID, who.ID, 1, forum.VoteRules{}, t0)
			wantCode(t, err, forum.ENotFound, "")
			_, err = w.s.Accept(ctx, w.privAnswer.ID, who.ID, t0)
			wantCode(t, err, forum.ENotFound, "")
			// Nor may the private question be named as another's original.
			_, err = w.s.VoteClose(ctx, forum.CloseVote{QuestionID: w.open.ID, VoterID: who.ID, Reason: "duplicate",
				DuplicateOf: w.priv.ID, Binding: true, Now: t0})
			if err == nil {
				t.Errorf("%s closed a question as a duplicate of a private one they cannot see", who.Username)
			}
		}
		// Members, and the site's moderators, write as anywhere.
		c := must(w.s.CreateComment(ctx, forum.NewComment{PostID: w.privAnswer.ID, AuthorID: w.member.ID,
			Body: "A member's comment", BodyHTML: "<p>c</p>", Now: t0})).ok(t)
		if _, err := w.s.VoteComment(ctx, c.ID, w.outsider.ID, true, t0); forum.KindOf(err) != forum.ENotFound {
			t.Errorf("outsider's comment vote: %v", err)
		}
		must(w.s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: w.priv.ID, AuthorID: w.admin.ID, Body: "b", BodyHTML: "b", Now: t0})).ok(t)
		must(w.s.Accept(ctx, w.privAnswer.ID, w.member.ID, t0)).ok(t)
		// A public collaborative's questions take everyone's answers.
		must(w.s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: w.pub.ID, AuthorID: w.outsider.ID, Body: "b", BodyHTML: "b", Now: t0})).ok(t)
		noDrift(t, w.s)
	})
	t.Run("reads through forum's rules: non-members get not_found, alike for a missing id", func(t *testing.T) {
		w := newScopeWorld(t, open)
		qa := &forum.QA{Posts: w.s, Scopes: w.s}
		for _, tc := range []struct {
			who  *forum.User
			sees bool
		}{{nil, false}, {w.outsider, false}, {w.member, true}, {w.lead, true}, {w.admin, true}} {
			for _, id := range []int64{w.priv.ID, w.privAnswer.ID} {
				_, err := qa.Post(ctx, tc.who, id)
				if tc.sees {
					check(t, err)
				} else if e := forum.AsError(err); e == nil || e.Kind != forum.ENotFound || e.Message != forum.NotFoundPost(id).Message {
					t.Errorf("%v reads %d: %v", tc.who, id, err)
				}
			}
			_, err := qa.Thread(ctx, tc.who, w.priv.ID, forum.AnswersByScore)
			if tc.sees != (err == nil) {
				t.Errorf("%v reads the private thread: %v", tc.who, err)
			}
			if err := qa.CheckScopeNow(ctx, tc.who, w.priv.Collaborative, forum.NotFoundPost(w.priv.ID)); tc.sees != (err == nil) {
				t.Errorf("%v: CheckScopeNow %v", tc.who, err)
			}
			_, err = qa.Questions(ctx, tc.who, forum.QuestionFilter{Collaborative: "ell-resources"})
			if tc.sees != (err == nil) {
				t.Errorf("%v lists the private group: %v", tc.who, err)
			}
			if _, err := qa.Thread(ctx, tc.who, w.pub.ID, forum.AnswersByScore); err != nil {
				t.Errorf("%v reads the public group's question: %v", tc.who, err)
			}
		}
		_, err := qa.Questions(ctx, nil, forum.QuestionFilter{Collaborative: "no-such-group"})
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("asking into a collaborative takes a member", func(t *testing.T) {
		w := newScopeWorld(t, open)
		qa := &forum.QA{Posts: w.s, Scopes: w.s, Render: plainRenderer{}, Now: func() time.Time { return t0 },
			Privileges: forum.Privileges{forum.PrivCreateTag: 1}}
		in := forum.AskInput{Title: "How do groups share rubrics?", Body: "We want to share our rubrics across districts.", Tags: []string{"rubrics"}}
		for _, tc := range []struct {
			who  *forum.User
			slug string
			kind forum.Kind
			code string
		}{
			{w.outsider, "ell-resources", forum.ENotFound, ""},
			{w.outsider, "ct-framework", forum.EForbidden, "not_a_member"},
			{w.outsider, "no-such-group", forum.ENotFound, ""},
			{w.member, "ct-framework", forum.EForbidden, "not_a_member"},
		} {
			in.Collaborative = tc.slug
			_, err := qa.Ask(ctx, tc.who, in)
			wantCode(t, err, tc.kind, tc.code)
		}
		for _, tc := range []struct {
			who  *forum.User
			slug string
		}{{w.member, "ell-resources"}, {w.lead, "ct-framework"}, {w.admin, "ell-resources"}} {
			in.Collaborative = tc.slug
			q := must(qa.Ask(ctx, tc.who, in)).ok(t)
			if q.Collaborative == nil || q.Collaborative.Slug != tc.slug {
				t.Errorf("%s asked into %s: %+v", tc.who.Username, tc.slug, q.Collaborative)
			}
		}
	})
	t.Run("a new scoped question is announced on its collaborative's topic only", func(t *testing.T) {
		w := newScopeWorld(t, open)
		events := func(topic string) int { return len(must(w.s.EventsSince(ctx, topic, 0, 50, 0)).ok(t)) }
		if n := events(forum.TopicQuestions); n != 1 {
			t.Errorf("questions feed has %d events, want the site's question's only", n)
		}
		if n := events(forum.TopicTag("ell-secret")); n != 0 {
			t.Errorf("tag feed of a private tag has %d events", n)
		}
		if n := events(forum.TopicTag("grading")); n != 1 {
			t.Errorf("grading feed has %d events, want 1", n)
		}
		if n := events(forum.TopicCollaborative("ell-resources")); n != 1 {
			t.Errorf("the private group's topic has %d events, want 1", n)
		}
	})
	t.Run("a person's posts list only what the viewer may see", func(t *testing.T) {
		w := newScopeWorld(t, open)
		for _, tc := range []struct {
			viewer int64
			want   int
		}{{0, 0}, {w.outsider.ID, 0}, {w.member.ID, 1}} {
			qs, total := mustCounted(w.s.UserPosts(ctx, w.member.ID, forum.KindQuestion, 1, 10, tc.viewer))
			if len(qs) != tc.want || total != tc.want {
				t.Errorf("viewer %d sees %d of member's questions (total %d), want %d", tc.viewer, len(qs), total, tc.want)
			}
		}
		// The lead's answer on the private question, and their public group's question.
		as, total := mustCounted(w.s.UserPosts(ctx, w.lead.ID, forum.KindAnswer, 1, 10, w.outsider.ID))
		if len(as) != 0 || total != 0 {
			t.Errorf("outsider sees the lead's private answer: %d", total)
		}
		qs, _ := mustCounted(w.s.UserPosts(ctx, w.lead.ID, forum.KindQuestion, 1, 10, 0))
		if ids := postIDs(qs); !slices.Equal(ids, []int64{w.pub.ID}) {
			t.Errorf("anonymous sees the lead's questions %v, want the public group's", ids)
		}
	})
	t.Run("a page never shows another private collaborative's question beside it", func(t *testing.T) {
		w := newScopeWorld(t, open)
		// The site's question links to the private one and shares its tag.
		link := "See https://staffroom.test/questions/" + strconv.FormatInt(w.priv.ID, 10) + " for more."
		title := w.open.Title
		must(w.s.EditPost(ctx, forum.StoredEdit{PostID: w.open.ID, EditorID: w.outsider.ID, Title: &title, Body: &link,
			BodyHTML: "<p>" + link + "</p>", BaseRevision: 1, Now: t0})).ok(t)
		th := must(w.s.Thread(ctx, w.open.ID, 0, false, forum.AnswersByScore)).ok(t)
		for _, p := range append(th.Related, th.Linked...) {
			if p.ID == w.priv.ID {
				t.Errorf("the private question shows beside the site's")
			}
		}
		// Beside its own collaborative's page it may.
		other := MustAskInto(t, w.s, w.private, w.member, "Another private question on newcomers", "ell-secret")
		th = must(w.s.Thread(ctx, other.ID, 0, false, forum.AnswersByScore)).ok(t)
		if ids := postIDs(th.Related); !slices.Contains(ids, w.priv.ID) {
			t.Errorf("related beside its own group's question: %v", ids)
		}
	})
	t.Run("membership reads", func(t *testing.T) {
		w := newScopeWorld(t, open)
		if r := must(w.s.MemberRole(ctx, w.private.ID, w.member.ID)).ok(t); r != forum.MemberRoleMember {
			t.Errorf("member's role %q", r)
		}
		if r := must(w.s.MemberRole(ctx, w.private.ID, w.outsider.ID)).ok(t); r != forum.MemberNone {
			t.Errorf("outsider's role %q", r)
		}
		v, r, err := w.s.ScopeNow(ctx, w.private.ID, w.lead.ID)
		if err != nil || v != forum.VisibilityPrivate || r != forum.MemberRoleLead {
			t.Errorf("ScopeNow = %q %q %v", v, r, err)
		}
		if v, r, err := w.s.ScopeNow(ctx, w.public.ID, 0); err != nil || v != forum.VisibilityPublic || r != forum.MemberNone {
			t.Errorf("ScopeNow anonymous = %q %q %v", v, r, err)
		}
		groups := must(w.s.MemberCollaboratives(ctx, w.lead.ID)).ok(t)
		if len(groups) != 2 || groups[0].Name > groups[1].Name {
			t.Errorf("lead's collaboratives: %+v", groups)
		}
		if groups := must(w.s.MemberCollaboratives(ctx, w.outsider.ID)).ok(t); len(groups) != 0 {
			t.Errorf("outsider's collaboratives: %+v", groups)
		}
	})
	t.Run("search finds a private question for members only, in results, totals and facets", func(t *testing.T) {
		w := newScopeWorld(t, open)
		se := &forum.Searcher{Store: w.s, Scopes: w.s, Now: func() time.Time { return t0 }}
		for _, tc := range []struct {
			who  *forum.User
			want []int64
		}{
			{nil, []int64{w.pub.ID, w.open.ID}},
			{w.outsider, []int64{w.pub.ID, w.open.ID}},
			{w.member, []int64{w.priv.ID, w.pub.ID, w.open.ID}},
			{w.admin, []int64{w.priv.ID, w.pub.ID, w.open.ID}},
		} {
			res := searchWith(t, se, tc.who, forum.SearchInput{Q: "question", Sort: "newest"})
			if ids := hitIDs(res); !slices.Equal(ids, tc.want) || res.Total != len(tc.want) {
				t.Errorf("%v finds %v (total %d), want %v", tc.who, ids, res.Total, tc.want)
			}
			for _, f := range append(res.Facets.Tags, res.Facets.Collaboratives...) {
				if (f.Value == "ell-secret" || f.Value == "ell-resources") && len(tc.want) == 2 {
					t.Errorf("%v sees facet %+v", tc.who, f)
				}
			}
			// The private answer's words: found through it by members only.
			res = searchWith(t, se, tc.who, forum.SearchInput{Q: "answer lead"})
			if got := len(hitIDs(res)); got != len(tc.want)-2 {
				t.Errorf("%v finds %d by the private answer's words", tc.who, got)
			}
			// The collaborative filter and its query syntax.
			for _, in := range []forum.SearchInput{{Q: "question", Collaborative: "ell-resources"}, {Q: "question collaborative:ell-resources"}} {
				res = searchWith(t, se, tc.who, in)
				if ids := hitIDs(res); len(tc.want) == 3 != slices.Equal(ids, []int64{w.priv.ID}) || len(tc.want) == 2 && (len(ids) != 0 || res.Total != 0) {
					t.Errorf("%v in ell-resources (%+v): %v of %d", tc.who, in, ids, res.Total)
				}
			}
			res = searchWith(t, se, tc.who, forum.SearchInput{Q: "question", Collaborative: "ct-framework"})
			if ids := hitIDs(res); !slices.Equal(ids, []int64{w.pub.ID}) {
				t.Errorf("%v in ct-framework: %v", tc.who, ids)
			}
		}
		res := searchWith(t, se, w.member, forum.SearchInput{Q: "question"})
		if !slices.ContainsFunc(res.Facets.Collaboratives, func(f forum.FacetCount) bool { return f.Value == "ell-resources" && f.Count == 1 }) {
			t.Errorf("member's collaborative facet: %+v", res.Facets.Collaboratives)
		}
		similar := must(se.Similar(ctx, w.member, "Private group question on newcomers")).ok(t)
		for _, p := range similar {
			if p.ID == w.priv.ID {
				t.Errorf("similar questions show a private one")
			}
		}
	})
}

func postIDs(ps []*forum.Post) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func mustCounted[T any](v T, n int, err error) (T, int) {
	if err != nil {
		panic(err)
	}
	return v, n
}

// plainRenderer renders markdown as itself, for QA-level tests that need no HTML.
type plainRenderer struct{}

func (plainRenderer) Body(md string) (string, error)    { return "<p>" + md + "</p>", nil }
func (plainRenderer) Comment(md string) (string, error) { return md, nil }
func (plainRenderer) Links(string) []string             { return nil }
