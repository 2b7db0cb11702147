package storetest

import (
	"context"
	"testing"

	"staffroom/forum"
)

// testCommentVotes: a comment takes one vote up per person, which can be taken back, and
// gives no reputation; nobody votes on their own comment or on a gone one.
func testCommentVotes(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	asker, answerer, voter := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "answerer"), MustCreateUser(t, s, "voter")
	q := MustAsk(t, s, asker, "How do you keep comments kind?", "culture")
	a := MustAnswer(t, s, answerer, q)
	c := must(s.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: asker.ID, Body: "Thanks, this helped.", BodyHTML: "x", Now: t0})).ok(t)
	topic := forum.TopicQuestion(q.ID)
	head := must(s.TopicHead(ctx, topic)).ok(t)
	for i, st := range []struct {
		up     bool
		score  int
		events int64 // events on the question's topic so far
	}{
		{true, 1, 1},
		{true, 1, 1}, // again: nothing changes, nothing is told
		{false, 0, 2},
		{false, 0, 2},
		{true, 1, 3},
	} {
		score, err := s.VoteComment(ctx, c.ID, voter.ID, st.up, t0)
		if err != nil || score != st.score {
			t.Fatalf("step %d: score %d, %v; want %d", i, score, err, st.score)
		}
		if got := must(s.TopicHead(ctx, topic)).ok(t); got != head+st.events {
			t.Fatalf("step %d: %d events, want %d", i, got-head, st.events)
		}
	}
	events := must(s.EventsSince(ctx, topic, head, 1, 0)).ok(t)
	if len(events) != 1 || events[0].Name != forum.EventVoteChanged {
		t.Fatalf("comment vote event = %+v", events)
	}
	_, err := s.VoteComment(ctx, c.ID, asker.ID, true, t0)
	wantCode(t, err, forum.EForbidden, "self_vote")
	_, err = s.VoteComment(ctx, 99999, voter.ID, true, t0)
	wantCode(t, err, forum.ENotFound, "")
	if got := reputation(t, s, asker); got != forum.RepStart {
		t.Errorf("a comment's votes gave its author reputation: %d", got)
	}
	check(t, s.DeletePost(ctx, a.ID, answerer, t0))
	_, err = s.VoteComment(ctx, c.ID, voter.ID, false, t0)
	wantCode(t, err, forum.ENotFound, "")
	if cs := must(s.Comments(ctx, a.ID)).ok(t); len(cs) != 1 || cs[0].Score != 1 {
		t.Fatalf("comments = %+v", cs)
	}
	noDrift(t, s)
}
