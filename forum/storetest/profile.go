package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"staffroom/forum"
)

// testProfiles: a person's live posts, newest first and paged, with the viewer's votes,
// and their reputation by UTC day.
func testProfiles(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	writer, voter, other := MustCreateUser(t, s, "writer"), MustCreateUser(t, s, "voter"), MustCreateUser(t, s, "other")
	var qs []*forum.Post
	for i := range 5 {
		q, err := s.CreateQuestion(ctx, forum.NewQuestion{AuthorID: writer.ID, Title: fmt.Sprintf("Question %d of the profile", i),
			Body: "body", BodyHTML: "body", Tags: []string{"profiles"}, Now: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	check(t, s.DeletePost(ctx, qs[4].ID, writer, t0))
	theirs := MustAsk(t, s, other, "Someone else's question about profiles", "profiles")
	answer := MustAnswer(t, s, writer, theirs)
	goneQ := MustAsk(t, s, other, "A question that will go", "profiles")
	MustAnswer(t, s, writer, goneQ)
	check(t, s.DeletePost(ctx, goneQ.ID, other, t0))
	mustVote(t, s, qs[3].ID, voter, 1, t0)

	t.Run("questions: live ones, newest first, paged, with the viewer's votes", func(t *testing.T) {
		page1, total, err := s.UserPosts(ctx, writer.ID, forum.KindQuestion, 1, 3, voter.ID)
		if err != nil || total != 4 || len(page1) != 3 {
			t.Fatalf("page 1: %d of %d, %v", len(page1), total, err)
		}
		if page1[0].ID != qs[3].ID || page1[1].ID != qs[2].ID || page1[0].MyVote != 1 || page1[1].MyVote != 0 {
			t.Fatalf("page 1 = %d (vote %d), %d", page1[0].ID, page1[0].MyVote, page1[1].ID)
		}
		page2, _, err := s.UserPosts(ctx, writer.ID, forum.KindQuestion, 2, 3, voter.ID)
		if err != nil || len(page2) != 1 || page2[0].ID != qs[0].ID {
			t.Fatalf("page 2 = %+v, %v", page2, err)
		}
	})
	t.Run("answers carry their question's title; those under a deleted question are gone", func(t *testing.T) {
		list, total, err := s.UserPosts(ctx, writer.ID, forum.KindAnswer, 1, 10, 0)
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != answer.ID || list[0].QuestionTitle != theirs.Title {
			t.Fatalf("answers = %+v (%d), %v", list, total, err)
		}
	})
	t.Run("reputation by day, newest first", func(t *testing.T) {
		mustVote(t, s, qs[2].ID, voter, 1, t0.Add(48*time.Hour))
		mustVote(t, s, qs[1].ID, voter, 1, t0.Add(48*time.Hour))
		days := must(s.ReputationHistory(ctx, writer.ID, t0.Add(-24*time.Hour))).ok(t)
		if len(days) != 2 || !days[0].Day.Equal(forum.UTCDay(t0.Add(48*time.Hour))) || days[0].Delta != 20 || days[0].Events != 2 ||
			!days[1].Day.Equal(forum.UTCDay(t0)) || days[1].Delta != 10 {
			t.Fatalf("history = %+v", days)
		}
		if days := must(s.ReputationHistory(ctx, writer.ID, t0.Add(24*time.Hour))).ok(t); len(days) != 1 {
			t.Fatalf("history since yesterday = %+v", days)
		}
	})
}
