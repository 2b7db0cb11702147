package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

var rules = forum.VoteRules{DailyVotes: forum.DefaultDailyVotes, DailyRepCap: forum.DefaultDailyRepCap}

// MustAsk stores a question, failing the test on error.
func MustAsk(t *testing.T, s forum.PostStore, author *forum.User, title string, tags ...string) *forum.Post {
	t.Helper()
	q, err := s.CreateQuestion(context.Background(), forum.NewQuestion{AuthorID: author.ID, Title: title,
		Body: "Body of " + title, BodyHTML: "<p>Body of " + title + "</p>", Tags: tags, Now: t0})
	if err != nil {
		t.Fatalf("ask %q: %v", title, err)
	}
	return q
}

// MustAnswer stores an answer, failing the test on error.
func MustAnswer(t *testing.T, s forum.PostStore, author *forum.User, q *forum.Post) *forum.Post {
	t.Helper()
	a, err := s.CreateAnswer(context.Background(), forum.NewAnswer{QuestionID: q.ID, AuthorID: author.ID,
		Body: "An answer by " + author.Username, BodyHTML: "<p>An answer</p>", Now: t0.Add(time.Minute)})
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	return a
}

// mustVote casts a vote under the default rules, failing the test on error.
func mustVote(t *testing.T, s forum.PostStore, postID int64, voter *forum.User, value int, at time.Time) forum.VoteResult {
	t.Helper()
	r, err := s.Vote(context.Background(), postID, voter.ID, value, rules, at)
	if err != nil {
		t.Fatalf("vote %d on post %d: %v", value, postID, err)
	}
	return r
}

// mustAccept toggles an answer's acceptance, failing the test on error or when it is not
// accepted afterwards as want says.
func mustAccept(t *testing.T, s forum.PostStore, answer *forum.Post, asker *forum.User, want bool) {
	t.Helper()
	got, err := s.Accept(context.Background(), answer.ID, asker.ID, t0)
	if err != nil || got != want {
		t.Fatalf("accept answer %d: accepted %v, %v; want %v", answer.ID, got, err, want)
	}
}

func reputation(t *testing.T, s Store, u *forum.User) int {
	t.Helper()
	got, err := s.UserByID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Reputation
}

// noDrift fails the test when a stored counter disagrees with its rows.
func noDrift(t *testing.T, s Store) {
	t.Helper()
	drifts, err := s.Recount(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drifts {
		t.Errorf("drift: %s", d)
	}
}

func testPosts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	MustCreateUser(t, s, "siteadmin") // the first account is admin: the others are members
	asker, answerer := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "answerer")
	q := MustAsk(t, s, asker, "How do you grade homework fairly?", "grading", "homework")
	t.Run("question stored with tags and a first revision", func(t *testing.T) {
		if q.Kind != forum.KindQuestion || q.Author.ID != asker.ID || len(q.Tags) != 2 || q.Tags[0] != "grading" || q.Revision != 1 {
			t.Fatalf("question = %+v", q)
		}
		tag, err := s.Tag(ctx, "grading")
		if err != nil || tag.Count != 1 {
			t.Fatalf("tag = %+v, %v", tag, err)
		}
		ex := must(s.ExistingTags(ctx, []string{"grading", "nope"})).ok(t)
		if !ex["grading"] || ex["nope"] {
			t.Fatalf("existing = %v", ex)
		}
	})
	a := MustAnswer(t, s, answerer, q)
	t.Run("answer counts on its question", func(t *testing.T) {
		got := must(s.Post(ctx, q.ID, 0, false)).ok(t)
		if got.AnswerCount != 1 || a.QuestionID != q.ID || a.Kind != forum.KindAnswer || !got.ActivityAt.After(q.ActivityAt) {
			t.Fatalf("question after answer = %+v", got)
		}
		if _, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: a.ID, AuthorID: asker.ID, Body: "x", BodyHTML: "x", Now: t0}); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("answering an answer: %v", err)
		}
	})
	t.Run("threaded comments", func(t *testing.T) {
		c1, err := s.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: asker.ID, Body: "Could you say more?", BodyHTML: "x", Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		c2, err := s.CreateComment(ctx, forum.NewComment{PostID: a.ID, ParentID: c1.ID, AuthorID: answerer.ID, Body: "Yes, here is more.", BodyHTML: "x", Now: t0})
		if err != nil || c2.ParentID != c1.ID {
			t.Fatalf("reply = %+v, %v", c2, err)
		}
		_, err = s.CreateComment(ctx, forum.NewComment{PostID: q.ID, ParentID: c1.ID, AuthorID: answerer.ID, Body: "wrong post", BodyHTML: "x", Now: t0})
		wantCode(t, err, forum.EInvalid, "bad_parent")
		th, err := s.Thread(ctx, q.ID, 0, false, forum.AnswersByScore)
		if err != nil || len(th.Answers) != 1 || len(th.Comments[a.ID]) != 2 {
			t.Fatalf("thread = %+v, %v", th, err)
		}
	})
	t.Run("deleting", func(t *testing.T) {
		other := MustCreateUser(t, s, "stranger")
		wantCode(t, s.DeletePost(ctx, a.ID, other, t0), forum.EForbidden, "not_author")
		if _, err := s.Vote(ctx, a.ID, other.ID, 1, rules, t0); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeletePost(ctx, q.ID, asker, t0), forum.EConflict, "has_upvoted_answers")
		if err := s.DeletePost(ctx, a.ID, answerer, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Post(ctx, a.ID, 0, false); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("deleted answer visible: %v", err)
		}
		if p, err := s.Post(ctx, a.ID, 0, true); err != nil || p.DeletedAt == nil {
			t.Fatalf("moderator view of the deleted answer: %v", err)
		}
		if _, err := s.Vote(ctx, a.ID, asker.ID, 1, rules, t0); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("vote on a deleted post: %v", err)
		}
		if err := s.DeletePost(ctx, q.ID, asker, t0); err != nil {
			t.Fatalf("question without live upvoted answers: %v", err)
		}
		if _, err := s.Thread(ctx, q.ID, 0, false, forum.AnswersByScore); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("deleted question's thread: %v", err)
		}
		if tag := must(s.Tag(ctx, "grading")).ok(t); tag.Count != 0 {
			t.Fatalf("tag count after delete = %d", tag.Count)
		}
	})
	noDrift(t, s)
}

func testVotes(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("reputation follows votes and reverses exactly", func(t *testing.T) {
		s := open(t)
		author, voter := MustCreateUser(t, s, "author"), MustCreateUser(t, s, "voter")
		q := MustAsk(t, s, author, "What works for exit tickets?", "assessment")
		a := MustAnswer(t, s, author, q)
		_, err := s.Vote(ctx, a.ID, author.ID, 1, rules, t0)
		wantCode(t, err, forum.EForbidden, "self_vote")

		steps := []struct {
			value, score, authorRep, voterRep int
		}{
			{1, 1, 11, 1},
			{1, 1, 11, 1}, // the same vote again changes nothing
			{-1, -1, 1, 1},
			{0, 0, 1, 1},
			{1, 1, 11, 1},
		}
		for i, st := range steps {
			r, err := s.Vote(ctx, a.ID, voter.ID, st.value, rules, t0)
			if err != nil || r.Score != st.score || r.MyVote != st.value {
				t.Fatalf("step %d: %+v, %v", i, r, err)
			}
			if got := reputation(t, s, author); got != st.authorRep {
				t.Fatalf("step %d: author reputation %d, want %d", i, got, st.authorRep)
			}
			if got := reputation(t, s, voter); got != st.voterRep {
				t.Fatalf("step %d: voter reputation %d, want %d", i, got, st.voterRep)
			}
		}
		// With reputation to lose, a downvote on an answer costs the voter 1 and the author 2.
		other := MustCreateUser(t, s, "other")
		q2 := MustAsk(t, s, other, "Where do you keep spare chargers?", "devices")
		mustVote(t, s, q2.ID, voter, 1, t0) // other: 11
		MustAnswer(t, s, voter, q2)
		rich := MustAnswer(t, s, other, q)
		if _, err := s.Vote(ctx, a.ID, other.ID, 1, rules, t0); err != nil { // author: 21
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, rich.ID, author.ID, -1, rules, t0); err != nil {
			t.Fatal(err)
		}
		if got := reputation(t, s, other); got != 9 {
			t.Fatalf("downvoted author: %d, want 9", got)
		}
		if got := reputation(t, s, author); got != 20 {
			t.Fatalf("downvoter: %d, want 20", got)
		}
		mustVote(t, s, rich.ID, author, 0, t0)
		if reputation(t, s, other) != 11 || reputation(t, s, author) != 21 {
			t.Fatalf("undo did not reverse exactly: %d %d", reputation(t, s, other), reputation(t, s, author))
		}
		noDrift(t, s)
	})
	t.Run("150 people voting at once: exact score, daily cap, no drift", func(t *testing.T) {
		s := open(t)
		author := MustCreateUser(t, s, "popular")
		q := MustAsk(t, s, author, "How do you run standards-based grading?", "sbg")
		voters := make([]*forum.User, 150)
		for i := range voters {
			voters[i] = MustCreateUser(t, s, fmt.Sprintf("v%03d", i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 300)
		for _, v := range voters {
			for range 2 { // a double click
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := s.Vote(ctx, q.ID, v.ID, 1, rules, t0); err != nil {
						errs <- err
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		p := must(s.Post(ctx, q.ID, voters[0].ID, false)).ok(t)
		if p.Score != 150 || p.MyVote != 1 {
			t.Fatalf("score %d my vote %d", p.Score, p.MyVote)
		}
		if got := reputation(t, s, author); got != forum.RepStart+forum.DefaultDailyRepCap {
			t.Fatalf("reputation %d, want the daily cap %d", got, forum.RepStart+forum.DefaultDailyRepCap)
		}
		// The next day the cap starts over.
		late := MustCreateUser(t, s, "nextday")
		mustVote(t, s, q.ID, late, 1, t0.Add(24*time.Hour))
		if got := reputation(t, s, author); got != forum.RepStart+forum.DefaultDailyRepCap+forum.RepUpvoted {
			t.Fatalf("next day reputation %d", got)
		}
		noDrift(t, s)
	})
	t.Run("daily vote limit", func(t *testing.T) {
		s := open(t)
		voter, author := MustCreateUser(t, s, "eager"), MustCreateUser(t, s, "writer")
		small := forum.VoteRules{DailyVotes: 3, DailyRepCap: 200}
		var last error
		for i := range 4 {
			q := MustAsk(t, s, author, fmt.Sprintf("Question number %d about rubrics", i), "rubrics")
			_, last = s.Vote(ctx, q.ID, voter.ID, 1, small, t0)
			if i < 3 && last != nil {
				t.Fatalf("vote %d: %v", i, last)
			}
		}
		e := forum.AsError(last)
		if e == nil || e.Kind != forum.ERateLimited || e.RetryAfter <= 0 {
			t.Fatalf("4th vote: %v", last)
		}
	})
}

func testAccept(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	// The asker is the first account, so an admin: the moderator who undeletes below.
	asker, a1u, a2u := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "first"), MustCreateUser(t, s, "second")
	q := MustAsk(t, s, asker, "How do we budget for a device pilot?", "budgeting")
	a1, a2 := MustAnswer(t, s, a1u, q), MustAnswer(t, s, a2u, q)
	own := MustAnswer(t, s, asker, q)
	if _, err := s.Accept(ctx, a1.ID, a2u.ID, t0); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("accept by a non-asker: %v", err)
	}
	check := func(step string, acceptedID int64, askerRep, a1Rep, a2Rep int) {
		t.Helper()
		th, err := s.Thread(ctx, q.ID, 0, false, forum.AnswersByScore)
		if err != nil {
			t.Fatal(err)
		}
		if th.Question.AcceptedAnswerID != acceptedID {
			t.Fatalf("%s: accepted %d, want %d", step, th.Question.AcceptedAnswerID, acceptedID)
		}
		for _, a := range th.Answers {
			if a.Accepted != (a.ID == acceptedID) {
				t.Fatalf("%s: answer %d accepted=%v", step, a.ID, a.Accepted)
			}
		}
		if r := [3]int{reputation(t, s, asker), reputation(t, s, a1u), reputation(t, s, a2u)}; r != [3]int{askerRep, a1Rep, a2Rep} {
			t.Fatalf("%s: reputations %v, want %v", step, r, [3]int{askerRep, a1Rep, a2Rep})
		}
	}
	if ok, err := s.Accept(ctx, a1.ID, asker.ID, t0); err != nil || !ok {
		t.Fatal(ok, err)
	}
	check("accept", a1.ID, 3, 16, 1)
	mustAccept(t, s, a2, asker, true)
	check("move", a2.ID, 3, 1, 16)
	mustAccept(t, s, a2, asker, false) // accepting again toggles off
	check("toggle off", 0, 1, 1, 1)
	mustAccept(t, s, own, asker, true)
	check("self-answer gives nothing", own.ID, 1, 1, 1)
	mustAccept(t, s, a1, asker, true)
	if err := s.DeletePost(ctx, a1.ID, a1u, t0); err != nil {
		t.Fatal(err)
	}
	check("accepted answer deleted", 0, 1, 1, 1)
	if err := s.UndeletePost(ctx, a1.ID, asker, t0); err != nil {
		t.Fatal(err)
	}
	check("undelete gives the acceptance back", a1.ID, 3, 16, 1)
	noDrift(t, s)

	// Accepted elsewhere in between: the undeleted answer comes back unaccepted.
	if err := s.DeletePost(ctx, a1.ID, a1u, t0); err != nil {
		t.Fatal(err)
	}
	mustAccept(t, s, a2, asker, true)
	check("another accepted while deleted", a2.ID, 3, 1, 16)
	if err := s.UndeletePost(ctx, a1.ID, asker, t0); err != nil {
		t.Fatal(err)
	}
	check("undelete keeps the newer acceptance", a2.ID, 3, 1, 16)
	noDrift(t, s)
}

func testQuestionList(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	u, v := MustCreateUser(t, s, "lister"), MustCreateUser(t, s, "voter")
	var qs []*forum.Post
	for i := range 7 {
		tag := "ell"
		if i%2 == 0 {
			tag = "math"
		}
		q, err := s.CreateQuestion(ctx, forum.NewQuestion{AuthorID: u.ID, Title: fmt.Sprintf("Question %d about things", i),
			Body: "body", BodyHTML: "body", Tags: []string{tag}, Now: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	mustVote(t, s, qs[2].ID, v, 1, t0)
	if _, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: qs[0].ID, AuthorID: v.ID, Body: "b", BodyHTML: "b", Now: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	list := func(f forum.QuestionFilter) ([]int64, int) {
		t.Helper()
		page, err := s.Questions(ctx, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		total := page.Total
		var ids []int64
		for _, p := range page.Items {
			ids = append(ids, p.ID)
		}
		return ids, total
	}
	if ids, total := list(forum.QuestionFilter{Sort: forum.SortNewest, PageSize: 3}); total != 7 || len(ids) != 3 || ids[0] != qs[6].ID {
		t.Fatalf("newest: %v of %d", ids, total)
	}
	if ids, _ := list(forum.QuestionFilter{Sort: forum.SortNewest, PageSize: 3, Page: 3}); len(ids) != 1 || ids[0] != qs[0].ID {
		t.Fatalf("page 3: %v", ids)
	}
	if ids, _ := list(forum.QuestionFilter{Sort: forum.SortVotes}); ids[0] != qs[2].ID {
		t.Fatalf("votes: %v", ids)
	}
	if ids, _ := list(forum.QuestionFilter{Sort: forum.SortActive}); ids[0] != qs[0].ID {
		t.Fatalf("active: %v", ids)
	}
	if _, total := list(forum.QuestionFilter{Sort: forum.SortUnanswered}); total != 6 {
		t.Fatalf("unanswered total %d", total)
	}
	math := "math"
	if _, total := list(forum.QuestionFilter{Tag: &math}); total != 4 {
		t.Fatalf("tag math total %d", total)
	}
	tags, total, err := s.Tags(ctx, "ma", 1, 10)
	if err != nil || total != 1 || tags[0].Name != "math" || tags[0].Count != 4 {
		t.Fatalf("tags by prefix: %+v %d %v", tags, total, err)
	}
	author := u.ID
	if page, err := s.Questions(ctx, forum.QuestionFilter{AuthorID: &author}, 0); err != nil || page.Total != 7 {
		t.Fatalf("by author: %+v, %v", page, err)
	}
	if page, err := s.Questions(ctx, forum.QuestionFilter{AuthorID: &author, Sort: forum.SortUnanswered, Tag: &math}, 0); err != nil || page.Total != 3 {
		t.Fatalf("by author, unanswered, tagged: %+v, %v", page, err)
	}
	_, err = s.Questions(ctx, forum.QuestionFilter{PageSize: 1000}, 0)
	wantCode(t, err, forum.EInvalid, "invalid_page_size")
}

// testRefusals: each error code PostStore documents, from the rule the store applies in
// its write, and nothing changed by a refused write.
func testRefusals(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	moderator := MustCreateUser(t, s, "moderator") // the first account: an admin
	asker, answerer := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "answerer")
	q := MustAsk(t, s, asker, "What goes in a first-week letter home?", "families")
	a := MustAnswer(t, s, answerer, q)
	gone := MustAsk(t, s, asker, "A question its asker deletes", "families")
	goneAnswer := MustAnswer(t, s, answerer, gone)
	check(t, s.DeletePost(ctx, goneAnswer.ID, answerer, t0)) // the answer, then its question
	check(t, s.DeletePost(ctx, gone.ID, asker, t0))
	for _, tc := range []struct {
		name       string
		err        error
		kind       forum.Kind
		code       string
		wantsField string
	}{
		{"a comment on nothing", func() error {
			_, err := s.CreateComment(ctx, forum.NewComment{PostID: 99999, AuthorID: asker.ID, Body: "Hello there, anyone?", BodyHTML: "x", Now: t0})
			return err
		}(), forum.ENotFound, "not_found", ""},
		{"a comment under a deleted question", func() error {
			_, err := s.CreateComment(ctx, forum.NewComment{PostID: goneAnswer.ID, AuthorID: asker.ID, Body: "Hello there, anyone?", BodyHTML: "x", Now: t0})
			return err
		}(), forum.ENotFound, "not_found", ""},
		{"a reply to a missing comment", func() error {
			_, err := s.CreateComment(ctx, forum.NewComment{PostID: a.ID, ParentID: 99999, AuthorID: asker.ID, Body: "Hello there, anyone?", BodyHTML: "x", Now: t0})
			return err
		}(), forum.EInvalid, "bad_parent", "parent_id"},
		{"an answer to an answer", func() error {
			_, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: a.ID, AuthorID: asker.ID, Body: "x", BodyHTML: "x", Now: t0})
			return err
		}(), forum.ENotFound, "not_found", ""},
		{"an answer to a deleted question", func() error {
			_, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: gone.ID, AuthorID: answerer.ID, Body: "x", BodyHTML: "x", Now: t0})
			return err
		}(), forum.ENotFound, "not_found", ""},
		{"accepting a question", func() error { _, err := s.Accept(ctx, q.ID, asker.ID, t0); return err }(), forum.ENotFound, "not_found", ""},
		{"accepting under a deleted question", func() error { _, err := s.Accept(ctx, goneAnswer.ID, asker.ID, t0); return err }(), forum.ENotFound, "not_found", ""},
		{"accepting, not the asker", func() error { _, err := s.Accept(ctx, a.ID, answerer.ID, t0); return err }(), forum.EForbidden, "not_asker", ""},
		{"deleting someone else's answer", s.DeletePost(ctx, a.ID, asker, t0), forum.EForbidden, "not_author", ""},
		{"deleting a deleted post", s.DeletePost(ctx, gone.ID, moderator, t0), forum.ENotFound, "not_found", ""},
		{"undeleting, not a moderator", s.UndeletePost(ctx, gone.ID, asker, t0), forum.ENotFound, "not_found", ""},
		{"undeleting a live post", s.UndeletePost(ctx, a.ID, moderator, t0), forum.EConflict, "not_deleted", ""},
		{"undeleting an answer of a deleted question", s.UndeletePost(ctx, goneAnswer.ID, moderator, t0), forum.EConflict, "question_deleted", ""},
		{"undeleting nothing", s.UndeletePost(ctx, 99999, moderator, t0), forum.ENotFound, "not_found", ""},
		{"a missing post", func() error { _, err := s.Post(ctx, 99999, 0, true); return err }(), forum.ENotFound, "not_found", ""},
		{"the thread of an answer", func() error { _, err := s.Thread(ctx, a.ID, 0, false, forum.AnswersByScore); return err }(), forum.ENotFound, "not_found", ""},
		{"a missing tag", func() error { _, err := s.Tag(ctx, "nothing-here"); return err }(), forum.ENotFound, "not_found", ""},
		{"describing a missing tag", s.SetTagExcerpt(ctx, "nothing-here", "About nothing."), forum.ENotFound, "not_found", ""},
		{"a list sorted by nothing", func() error {
			_, err := s.Questions(ctx, forum.QuestionFilter{Sort: "loudest"}, 0)
			return err
		}(), forum.EInvalid, "invalid_sort", "sort"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.err, tc.kind, tc.code)
			if e := forum.AsError(tc.err); e.Field != tc.wantsField || e.Message == "" {
				t.Fatalf("field %q message %q, want field %q and a message", e.Field, e.Message, tc.wantsField)
			}
		})
	}
	check(t, s.SetTagExcerpt(ctx, "families", "Working with families."))
	if tag := must(s.Tag(ctx, "families")).ok(t); tag.Excerpt != "Working with families." || tag.Count != 1 {
		t.Fatalf("tag = %+v", tag)
	}
	noDrift(t, s)
}
