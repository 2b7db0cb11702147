package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// askWith stores a question with a body of its own.
func askWith(t *testing.T, s forum.PostStore, author *forum.User, title, body string, tags ...string) *forum.Post {
	t.Helper()
	q, err := s.CreateQuestion(context.Background(), forum.NewQuestion{AuthorID: author.ID, Title: title,
		Body: body, BodyHTML: "<p>" + body + "</p>", Tags: tags, Now: t0})
	if err != nil {
		t.Fatalf("ask %q: %v", title, err)
	}
	return q
}

// answerWith stores an answer with the given body.
func answerWith(t *testing.T, s forum.PostStore, author *forum.User, q *forum.Post, body string) *forum.Post {
	t.Helper()
	a, err := s.CreateAnswer(context.Background(), forum.NewAnswer{QuestionID: q.ID, AuthorID: author.ID,
		Body: body, BodyHTML: "<p>" + body + "</p>", Now: t0.Add(time.Minute)})
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	return a
}

// searchFor runs a search as u (nil: anonymous) with a searcher of its own (no cache).
func searchFor(t *testing.T, s Store, u *forum.User, q string) *forum.SearchResults {
	t.Helper()
	return searchWith(t, &forum.Searcher{Store: s, Now: func() time.Time { return t0 }}, u, forum.SearchInput{Q: q})
}

func searchWith(t *testing.T, se *forum.Searcher, u *forum.User, in forum.SearchInput) *forum.SearchResults {
	t.Helper()
	res, err := se.Search(context.Background(), u, in)
	if err != nil {
		t.Fatalf("search %+v: %v", in, err)
	}
	return res
}

// hitIDs are the question ids of a page of results, in order.
func hitIDs(res *forum.SearchResults) []int64 {
	out := []int64{}
	for _, h := range res.Hits {
		out = append(out, h.Question.ID)
	}
	return out
}

func wantHits(t *testing.T, res *forum.SearchResults, want ...*forum.Post) {
	t.Helper()
	got := hitIDs(res)
	ids := []int64{}
	for _, p := range want {
		ids = append(ids, p.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("hits = %v, want %v (query %+v)", got, ids, res.Query)
	}
}

func marked(parts []forum.SnippetPart) []string {
	var out []string
	for _, p := range parts {
		if p.Mark {
			out = append(out, p.Text)
		}
	}
	return out
}

func testSearch(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	admin := MustCreateUser(t, s, "siteadmin")
	alice, bob := MustCreateUser(t, s, "alice"), MustCreateUser(t, s, "bob")
	rubric := askWith(t, s, alice, "Grading rubrics for persuasive essays",
		"We want one rubric for every essay in the unit, so that students know what a claim with evidence looks like.", "grading", "writing")
	cafe := askWith(t, s, bob, "Seating plans for the Café corner",
		"Our reading café needs a seating plan that keeps the noise down during independent reading.", "classroom-management")
	sbg := askWith(t, s, bob, "Moving a department to standards-based grading",
		"How did you explain reassessment to parents when the whole math department switched?", "standards-based-grading")
	labs := askWith(t, s, alice, "Safety routines for chemistry labs",
		"Goggles, aprons and a routine for spills: what works with ninth graders?", "science")
	answerWith(t, s, bob, labs, "We practise a fire drill for the lab with a phenomenon-based warmup every Monday.")

	t.Run("stemmed words find their forms", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, "rubric"), rubric)
		wantHits(t, searchFor(t, s, nil, "essay grade"), rubric)
		wantHits(t, searchFor(t, s, nil, "RUBRICS"), rubric)
	})
	t.Run("case and diacritics are folded both ways", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, "cafe"), cafe)
		wantHits(t, searchFor(t, s, nil, "CAFÉ"), cafe)
		coop := askWith(t, s, alice, "Running a coop for classroom supplies", "Who keeps the supply coop stocked in your building?", "supplies")
		wantHits(t, searchFor(t, s, nil, "coöp"), coop)
	})
	t.Run("all words must match", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, "rubric goggles"))
		wantHits(t, searchFor(t, s, nil, "rubric essays students"), rubric)
	})
	t.Run("an exact phrase needs its words together", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, `"seating plan"`), cafe)
		wantHits(t, searchFor(t, s, nil, `"plan seating"`))
	})
	t.Run("excluded words and tags", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, "grading -rubric"), sbg)
		wantHits(t, searchFor(t, s, nil, "grading -[writing]"), sbg)
	})
	t.Run("tags match whole", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, "[standards-based-grading]"), sbg)
		wantHits(t, searchFor(t, s, nil, "[grading]"), rubric)
		wantHits(t, searchFor(t, s, nil, "[grading] [writing] essays"), rubric)
		wantHits(t, searchFor(t, s, nil, "[grading] [science]"))
		res := searchWith(t, &forum.Searcher{Store: s, Now: func() time.Time { return t0 }}, nil, forum.SearchInput{Q: "routine", Tag: "science"})
		wantHits(t, res, labs)
	})
	t.Run("title matches rank above body matches", func(t *testing.T) {
		inBody := askWith(t, s, bob, "Questions about our late work policy", "The reading log asks for a routine, not a rubric of points.", "policy")
		res := searchFor(t, s, nil, "rubric")
		wantHits(t, res, rubric, inBody)
	})
	t.Run("an answer's match brings its question with the answer's words", func(t *testing.T) {
		res := searchFor(t, s, nil, "phenomenon drill")
		wantHits(t, res, labs)
		if res.Hits[0].AnswerID == 0 || strings.Join(marked(res.Hits[0].Snippet), ",") != "drill,phenomenon" {
			t.Fatalf("hit = %+v", res.Hits[0])
		}
		wantHits(t, searchFor(t, s, nil, "phenomenon is:question"))
		wantHits(t, searchFor(t, s, nil, "phenomenon is:answer"), labs)
		wantHits(t, searchFor(t, s, nil, "goggles is:answer"))
	})
	t.Run("snippets mark the matched words in the text as written", func(t *testing.T) {
		res := searchFor(t, s, nil, "cafe seating")
		h := res.Hits[0]
		if got := strings.Join(marked(h.Title), ","); got != "Seating,Café" {
			t.Fatalf("title marks = %q", got)
		}
		if got := strings.Join(marked(h.Snippet), ","); got != "café,seating" {
			t.Fatalf("snippet marks = %q (%+v)", got, h.Snippet)
		}
		if h.Question.Body != "" {
			t.Fatal("results carry the whole body")
		}
	})
	t.Run("user and state filters", func(t *testing.T) {
		wantHits(t, searchFor(t, s, nil, fmt.Sprintf("grading user:%d", bob.ID)), sbg)
		wantHits(t, searchFor(t, s, alice, "grading user:me"), rubric)
		wantHits(t, searchFor(t, s, nil, "grading user:me"))
		wantHits(t, searchFor(t, s, nil, fmt.Sprintf("phenomenon user:%d", bob.ID)), labs) // bob answered it
		wantHits(t, searchFor(t, s, nil, "routine answers:1"), labs)
		wantHits(t, searchFor(t, s, nil, "essays answers:0"), rubric)
		wantHits(t, searchFor(t, s, nil, "essays score:1"))
		wantHits(t, searchFor(t, s, nil, "essays score:0..3"), rubric)
		wantHits(t, searchFor(t, s, nil, "essays isaccepted:yes"))
		wantHits(t, searchFor(t, s, nil, "essays closed:no"), rubric)
		wantHits(t, searchFor(t, s, nil, "essays created:2026-11"), rubric)
		wantHits(t, searchFor(t, s, nil, "essays created:2025..2026-10"))
		wantHits(t, searchFor(t, s, nil, "essays collaborative:no-such-group"))
		wantHits(t, searchFor(t, s, nil, "essays district:no-such-district"))
	})
	t.Run("facets count tags and status", func(t *testing.T) {
		res := searchFor(t, s, nil, "grading")
		if res.Total != 2 || !res.TotalExact {
			t.Fatalf("total = %d (exact %v)", res.Total, res.TotalExact)
		}
		tags := map[string]int{}
		for _, f := range res.Facets.Tags {
			tags[f.Value] = f.Count
		}
		if tags["grading"] != 1 || tags["standards-based-grading"] != 1 || tags["writing"] != 1 {
			t.Fatalf("tag facets = %+v", res.Facets.Tags)
		}
		if fmt.Sprint(res.Facets.Status) != "[{unanswered 2}]" {
			t.Fatalf("status facets = %+v", res.Facets.Status)
		}
	})
	t.Run("edits reindex at once", func(t *testing.T) {
		title := "Grading rubrics for argument essays"
		body := "We want one rubric for every argument in the unit."
		if _, err := s.EditPost(ctx, forum.StoredEdit{PostID: rubric.ID, EditorID: alice.ID, Title: &title, Body: &body,
			BodyHTML: "<p>" + body + "</p>", Tags: []string{"grading", "argument"}, Now: t0}); err != nil {
			t.Fatal(err)
		}
		wantHits(t, searchFor(t, s, nil, "persuasive"))
		wantHits(t, searchFor(t, s, nil, "argument rubric"), rubric)
		wantHits(t, searchFor(t, s, nil, "[writing]"))
		wantHits(t, searchFor(t, s, nil, "[argument]"), rubric)
	})
	t.Run("tag edits move answers' tags too", func(t *testing.T) {
		tags := []string{"science", "safety"}
		if _, err := s.EditPost(ctx, forum.StoredEdit{PostID: labs.ID, EditorID: alice.ID, Tags: tags, Now: t0}); err != nil {
			t.Fatal(err)
		}
		wantHits(t, searchFor(t, s, nil, "[safety] phenomenon"), labs)
	})
	t.Run("a deleted post is gone at once, but for its author and moderators", func(t *testing.T) {
		mod := MustCreateUser(t, s, "moderator")
		if err := s.SetRole(ctx, mod.ID, forum.RoleModerator); err != nil {
			t.Fatal(err)
		}
		mod.Role = forum.RoleModerator
		shared := &forum.Searcher{Store: s, Now: func() time.Time { return t0 }}
		in := forum.SearchInput{Q: "café"}
		wantHits(t, searchWith(t, shared, nil, in), cafe) // cached now
		if err := s.DeletePost(ctx, cafe.ID, &forum.User{ID: bob.ID, Role: forum.RoleMember}, t0); err != nil {
			t.Fatal(err)
		}
		res := searchWith(t, shared, nil, in)
		wantHits(t, res)
		if res.Total != 0 || len(res.Facets.Tags) != 0 {
			t.Fatalf("a deleted post is counted: total %d, facets %+v", res.Total, res.Facets)
		}
		wantHits(t, searchWith(t, shared, alice, in))
		wantHits(t, searchWith(t, shared, bob, in), cafe)
		wantHits(t, searchWith(t, shared, mod, in), cafe)
		if err := s.UndeletePost(ctx, cafe.ID, mod, t0); err != nil {
			t.Fatal(err)
		}
		wantHits(t, searchWith(t, shared, alice, in), cafe)
	})
	t.Run("a deleted answer is found only by its author and moderators", func(t *testing.T) {
		q := askWith(t, s, alice, "Where do you store the lab goggles?", "Our goggles end up everywhere after class.", "science")
		a := answerWith(t, s, bob, q, "A labelled bin with a sterilising cabinet beside the door.")
		wantHits(t, searchFor(t, s, alice, "sterilising"), q)
		if err := s.DeletePost(ctx, a.ID, admin, t0); err != nil {
			t.Fatal(err)
		}
		wantHits(t, searchFor(t, s, alice, "sterilising"))
		wantHits(t, searchFor(t, s, nil, "sterilising"))
		wantHits(t, searchFor(t, s, bob, "sterilising"), q)
		wantHits(t, searchFor(t, s, admin, "sterilising"), q)
		if err := s.DeletePost(ctx, q.ID, admin, t0); err != nil {
			t.Fatal(err)
		}
		wantHits(t, searchFor(t, s, bob, "sterilising")) // his answer, but not his question
	})
	t.Run("any text is searched, never run", func(t *testing.T) {
		for _, q := range []string{`"unbalanced`, `-`, `[`, `*`, `]`, `" OR 1=1; DROP TABLE posts; --`, `NEAR(a b)`,
			`rubric OR essay`, `^rubric`, `rubric*`, `title:rubric`, `zallqz`, `-rubric`, `user:`, `score:abc`, `created:2026-13`,
			strings.Repeat("rubric ", 800), strings.Repeat("\"[-", 2000), "\xff\xfe", "é́́́́"} {
			searchFor(t, s, nil, q)
			searchFor(t, s, admin, q)
		}
		wantHits(t, searchFor(t, s, nil, "zallqz"))
		res := searchFor(t, s, nil, `rubric "argument`)
		wantHits(t, res, rubric)
	})
	t.Run("filters alone list what they match", func(t *testing.T) {
		res := searchFor(t, s, nil, fmt.Sprintf("user:%d is:question", bob.ID))
		if len(res.Hits) != 3 {
			t.Fatalf("bob's questions = %v", hitIDs(res))
		}
		wantHits(t, searchFor(t, s, nil, "-[science] [grading]"), rubric)
	})
	t.Run("similar questions share a title's rarer words", func(t *testing.T) {
		se := &forum.Searcher{Store: s, Now: func() time.Time { return t0 }}
		got, err := se.Similar(ctx, nil, "What rubric do you use for argument essays?")
		if err != nil || len(got) == 0 || got[0].ID != rubric.ID {
			t.Fatalf("similar = %v, %v", got, err)
		}
		got, err = se.Similar(ctx, nil, `"[-*`)
		if err != nil || len(got) != 0 {
			t.Fatalf("similar of nothing = %v, %v", got, err)
		}
	})
}

// A long phrase is matched exactly, however the store reads it.
func testSearchLongPhrase(t *testing.T, open Opener) {
	s := open(t)
	a := MustCreateUser(t, s, "siteadmin")
	exact := askWith(t, s, a, "Reading logs in the upper grades", "We ask for a reading log every single week of the term, signed.", "reading")
	askWith(t, s, a, "Weekly logs", "We keep a reading log every day, and a single week of the year for the term project.", "reading")
	wantHits(t, searchFor(t, s, nil, `"a reading log every single week of the term"`), exact)
}
