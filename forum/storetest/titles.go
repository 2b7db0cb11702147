package storetest

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
)

// closeNow closes (or reopens) a question with a moderator's binding vote.
func closeNow(t *testing.T, s Store, q *forum.Post, mod *forum.User, reopen bool) {
	t.Helper()
	if _, err := s.VoteClose(context.Background(), forum.CloseVote{QuestionID: q.ID, VoterID: mod.ID, Reopen: reopen,
		Reason: forum.CloseOffTopic, Binding: true, Needed: forum.DefaultCloseVotes, Now: t0}); err != nil {
		t.Fatal(err)
	}
}

// testUnansweredOpen: a closed question waits for no answer, so "unanswered" leaves it out,
// with its totals, on the site's list and its tags', and takes it back when it reopens.
func testUnansweredOpen(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	mod, u := MustCreateUser(t, s, "moderator"), MustCreateUser(t, s, "asker")
	open1 := MustAsk(t, s, u, "How do you grade group projects fairly?", "grading")
	shut := MustAsk(t, s, u, "What is the best whiteboard marker brand?", "grading")
	closeNow(t, s, shut, mod, false)
	tag := "grading"
	unanswered := func(want int, ids ...int64) {
		t.Helper()
		for _, f := range []forum.QuestionFilter{{Sort: forum.SortUnanswered}, {Sort: forum.SortUnanswered, Tag: &tag}} {
			page, err := s.Questions(ctx, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range page.Items {
				got = append(got, p.ID)
			}
			if page.Total != want || len(got) != len(ids) || (len(ids) > 0 && got[0] != ids[0]) {
				t.Fatalf("unanswered (tag %v): total %d ids %v, want %d %v", f.Tag != nil, page.Total, got, want, ids)
			}
		}
	}
	unanswered(1, open1.ID)
	closeNow(t, s, shut, mod, true)
	unanswered(2, shut.ID, open1.ID)
	closeNow(t, s, open1, mod, false)
	unanswered(1, shut.ID)
	if err := s.DeletePost(ctx, open1.ID, mod, t0); err != nil { // a closed question deleted: no count moves twice
		t.Fatal(err)
	}
	unanswered(1, shut.ID)
	noDrift(t, s)
}

// testSimilarQuestions: questions found by the words of their titles (forum.Searcher.Similar,
// what the ask page and the close form's search show), the one sharing the most first;
// retitled ones by their new title, deleted ones not.
func testSimilarQuestions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	se := &forum.Searcher{Store: s, Now: func() time.Time { return t0 }}
	similar := func(title string) []*forum.Post {
		t.Helper()
		found, err := se.Similar(ctx, nil, title)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	mod, u := MustCreateUser(t, s, "moderator"), MustCreateUser(t, s, "asker")
	best := MustAsk(t, s, u, "How do you grade group projects fairly?", "grading")
	some := MustAsk(t, s, u, "Group work in a large class", "grading")
	gone := MustAsk(t, s, u, "Grade group projects with a rubric", "grading")
	MustAsk(t, s, u, "Which calculators for tests?", "assessment")
	if err := s.DeletePost(ctx, gone.ID, mod, t0); err != nil {
		t.Fatal(err)
	}
	found := similar("grade group projects")
	if len(found) == 0 || found[0].ID != best.ID {
		t.Fatalf("found %v, want %d first", titles(found), best.ID)
	}
	for _, p := range found {
		if p.ID == gone.ID {
			t.Fatalf("a deleted question is suggested: %v", titles(found))
		}
	}
	title := "Peer review of lab reports"
	if _, err := s.EditPost(ctx, forum.StoredEdit{PostID: some.ID, EditorID: u.ID, Title: &title, BaseRevision: 1, Now: t0}); err != nil {
		t.Fatal(err)
	}
	if found := similar("group"); len(found) != 1 || found[0].ID != best.ID {
		t.Fatalf("after the retitle, group finds %v", titles(found))
	}
	if found := similar("lab reports"); len(found) != 1 || found[0].ID != some.ID {
		t.Fatalf("the new title finds %v", titles(found))
	}
	if found := similar(`" or *`); len(found) != 0 {
		t.Fatalf("search syntax in the words: %v", titles(found))
	}
}

func titles(ps []*forum.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Title)
	}
	return out
}

// testTagWords: the tag filter matches the start of the name or of a word in it, names
// starting with it first.
func testTagWords(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	u := MustCreateUser(t, s, "asker")
	MustAsk(t, s, u, "How do you grade group projects fairly?", "middle-grades", "grading")
	MustAsk(t, s, u, "How do you run reassessment weeks?", "grading", "ma.grade")
	tags, total, err := s.Tags(ctx, "grad", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	if total != 3 || len(names) != 3 || names[0] != "grading" {
		t.Fatalf("grad: %v (total %d), want grading first, then middle-grades and ma.grade", names, total)
	}
	if tags, total, _ := s.Tags(ctx, "iddle", 1, 10); total != 0 || len(tags) != 0 {
		t.Fatalf("the middle of a word matched: %v", tags)
	}
	if tags, _, _ := s.Tags(ctx, "%", 1, 10); len(tags) != 0 {
		t.Fatalf("%% is a wildcard: %v", tags)
	}
}
