package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"staffroom/forum"
)

// testQuestionPaging walks every list to its end, by page number, by next cursors and
// back by prev cursors, and checks that each question shows exactly once, in the list's
// order: a page that skipped or repeated a question fails here.
func testQuestionPaging(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	asker := MustCreateUser(t, s, "asker")
	var voters []*forum.User
	for i := range 3 {
		voters = append(voters, MustCreateUser(t, s, fmt.Sprintf("voter%d", i)))
	}
	rules := forum.VoteRules{DailyRepCap: forum.DefaultDailyRepCap}
	var qs []*forum.Post
	for i := range 23 {
		tags := []string{"all"}
		if i%3 != 0 {
			tags = append(tags, "most")
		}
		// Pairs of questions share their time, and many share a score: ties must break by id.
		q, err := s.CreateQuestion(ctx, forum.NewQuestion{AuthorID: asker.ID, Title: fmt.Sprintf("Question number %d of the list", i),
			Body: "body", BodyHTML: "body", Tags: tags, Now: t0.Add(time.Duration(i/2) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
		for v := range i % 4 {
			if _, err := s.Vote(ctx, q.ID, voters[v].ID, 1, rules, t0); err != nil {
				t.Fatal(err)
			}
		}
		if i%5 == 1 { // answered later: active order differs from newest, and it leaves unanswered
			if _, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: voters[0].ID, Body: "b", BodyHTML: "b",
				Now: t0.Add(time.Duration(100-i) * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.DeletePost(ctx, qs[7].ID, asker, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sorts := []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes, forum.SortUnanswered}
	tags := []string{"", "all", "most"}
	for _, sort := range sorts {
		for _, tag := range tags {
			t.Run(fmt.Sprintf("%s tag=%q", sort, tag), func(t *testing.T) {
				f := forum.QuestionFilter{Sort: sort, PageSize: 4}
				if tag != "" {
					f.Tag = &tag
				}
				want := expectedList(qs, s, f)
				checkPaging(t, s, f, want)
			})
		}
	}
	t.Run("a cursor keeps its place when questions come and go", func(t *testing.T) {
		f := forum.QuestionFilter{Sort: forum.SortNewest, PageSize: 4}
		first, err := s.Questions(ctx, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		MustAsk(t, s, asker, "A newer question arrives") // by number, page 2 would repeat one
		f.Page, f.After = 2, first.Next
		second, err := s.Questions(ctx, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := second.Items[0].ID, first.Items[3].ID; got >= want {
			t.Fatalf("page 2 by cursor starts at %d, not after %d", got, want)
		}
		for _, p := range second.Items {
			for _, q := range first.Items {
				if p.ID == q.ID {
					t.Fatalf("question %d on both pages", p.ID)
				}
			}
		}
	})
	t.Run("the counts and copies behind the lists agree with the posts", func(t *testing.T) {
		if drifts, err := s.Recount(ctx, false); err != nil || len(drifts) != 0 {
			t.Fatalf("recount: %+v, %v", drifts, err)
		}
	})
	t.Run("cursors are checked", func(t *testing.T) {
		page, err := s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortVotes, PageSize: 4}, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortNewest, After: page.Next}, 0)
		wantCode(t, err, forum.EInvalid, "invalid_cursor")
		_, err = s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortNewest, Before: "not a cursor"}, 0)
		wantCode(t, err, forum.EInvalid, "invalid_cursor")
		_, err = s.Questions(ctx, forum.QuestionFilter{Sort: forum.SortVotes, After: page.Next, Before: page.Next}, 0)
		wantCode(t, err, forum.EInvalid, "invalid_cursor")
	})
}

// expectedList is what a list must hold, in order, computed from the posts themselves.
func expectedList(qs []*forum.Post, s Store, f forum.QuestionFilter) []int64 {
	var live []*forum.Post
	for _, q := range qs {
		p, err := s.Post(context.Background(), q.ID, 0, false)
		if err != nil {
			continue // deleted
		}
		if f.Tag != nil && !contains(p.Tags, *f.Tag) || f.Sort == forum.SortUnanswered && p.AnswerCount > 0 {
			continue
		}
		live = append(live, p)
	}
	before := func(a, b *forum.Post) bool { // a comes first
		switch f.Sort {
		case forum.SortActive:
			if !a.ActivityAt.Equal(b.ActivityAt) {
				return a.ActivityAt.After(b.ActivityAt)
			}
		case forum.SortVotes:
			if a.Score != b.Score {
				return a.Score > b.Score
			}
		default:
			if !a.CreatedAt.Equal(b.CreatedAt) {
				return a.CreatedAt.After(b.CreatedAt)
			}
		}
		return a.ID > b.ID
	}
	for i := 1; i < len(live); i++ { // insertion sort: a few dozen posts
		for j := i; j > 0 && before(live[j], live[j-1]); j-- {
			live[j], live[j-1] = live[j-1], live[j]
		}
	}
	ids := make([]int64, len(live))
	for i, p := range live {
		ids[i] = p.ID
	}
	return ids
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkPaging reads a list three ways and compares each with want.
func checkPaging(t *testing.T, s Store, f forum.QuestionFilter, want []int64) {
	t.Helper()
	ctx := context.Background()
	get := func(f forum.QuestionFilter) *forum.QuestionPage {
		t.Helper()
		page, err := s.Questions(ctx, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) {
			t.Fatalf("total %d, want %d", page.Total, len(want))
		}
		return page
	}
	last := (len(want) + f.PageSize - 1) / f.PageSize
	var byNumber, byNext []int64
	var pages []*forum.QuestionPage
	for n := 1; n <= last+1; n++ { // one past the end: empty
		g := f
		g.Page = n
		page := get(g)
		if n > last && len(page.Items) != 0 {
			t.Fatalf("page %d past the last has %d questions", n, len(page.Items))
		}
		pages = append(pages, page)
		byNumber = append(byNumber, ids(page)...)
	}
	compare(t, "by page number", byNumber, want)

	g := f
	for n := 1; ; n++ {
		page := get(g)
		if n <= last && !equal(ids(page), ids(pages[n-1])) {
			t.Fatalf("page %d by cursor %v, by number %v", n, ids(page), ids(pages[n-1]))
		}
		byNext = append(byNext, ids(page)...)
		if page.Next == "" {
			break
		}
		if n > last {
			t.Fatalf("a next cursor after the last page %d", last)
		}
		g.Page, g.After, g.Before = n+1, page.Next, ""
	}
	compare(t, "by next cursors", byNext, want)

	if last == 0 {
		return
	}
	var byPrev []int64
	page := pages[last-1]
	byPrev = append(ids(page), byPrev...)
	for page.Prev != "" {
		g.After, g.Before = "", page.Prev
		page = get(g)
		byPrev = append(ids(page), byPrev...)
	}
	compare(t, "back by prev cursors", byPrev, want)
}

func ids(p *forum.QuestionPage) []int64 {
	out := []int64{}
	for _, q := range p.Items {
		out = append(out, q.ID)
	}
	return out
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func compare(t *testing.T, how string, got, want []int64) {
	t.Helper()
	if !equal(got, want) {
		t.Fatalf("%s:\n got %v\nwant %v", how, got, want)
	}
}
