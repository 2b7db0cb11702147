package storetest

import (
	"context"
	"fmt"
	"testing"

	"staffroom/forum"
)

// testCloseVotes: votes to close or reopen count per round; forum.CloseOutcome decides,
// in the vote's write; a closed question takes no answers.
func testCloseVotes(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	asker := MustCreateUser(t, s, "asker")
	var voters []*forum.User
	for i := range 4 {
		voters = append(voters, MustCreateUser(t, s, fmt.Sprintf("closer%d", i)))
	}
	vote := func(q *forum.Post, voter *forum.User, reason string, dup int64) (forum.CloseState, error) {
		return s.VoteClose(ctx, forum.CloseVote{QuestionID: q.ID, VoterID: voter.ID, Reason: reason, DuplicateOf: dup,
			Needed: forum.DefaultCloseVotes, Now: t0})
	}
	reopen := func(q *forum.Post, voter *forum.User, binding bool) (forum.CloseState, error) {
		return s.VoteClose(ctx, forum.CloseVote{QuestionID: q.ID, VoterID: voter.ID, Reopen: true, Binding: binding,
			Needed: forum.DefaultCloseVotes, Now: t0})
	}
	original := MustAsk(t, s, asker, "How do you start a lab notebook routine?", "science")

	t.Run("three votes close, for the reason most gave", func(t *testing.T) {
		q := MustAsk(t, s, asker, "What is the best lab notebook routine?", "science")
		head := must(s.TopicHead(ctx, forum.TopicQuestion(q.ID))).ok(t)
		st, err := vote(q, voters[0], forum.CloseOpinionBased, 0)
		if err != nil || st.Closed || st.Votes != 1 || st.Needed != forum.DefaultCloseVotes {
			t.Fatalf("first vote: %+v, %v", st, err)
		}
		_, err = vote(q, voters[0], forum.CloseOffTopic, 0)
		wantCode(t, err, forum.EConflict, "already_voted")
		if st, err = vote(q, voters[1], forum.CloseDuplicate, original.ID); err != nil || st.Closed || st.Votes != 2 {
			t.Fatalf("second vote: %+v, %v", st, err)
		}
		if st, err = vote(q, voters[2], forum.CloseDuplicate, original.ID); err != nil {
			t.Fatal(err)
		}
		if !st.Closed || st.Reason != forum.CloseDuplicate || st.DuplicateOf != original.ID || st.Votes != 0 {
			t.Fatalf("third vote: %+v", st)
		}
		p := must(s.Post(ctx, q.ID, 0, false)).ok(t)
		if p.ClosedReason != forum.CloseDuplicate || p.DuplicateOf != original.ID || p.ClosedAt == nil {
			t.Fatalf("closed question = %+v", p)
		}
		events := must(s.EventsSince(ctx, forum.TopicQuestion(q.ID), head, 10, 0)).ok(t)
		if len(events) != 2 || events[0].Name != forum.EventPostUpdated || events[1].Name != forum.EventPostLocked {
			t.Fatalf("events of the close: %+v", events)
		}
		_, err = s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: voters[3].ID, Body: "late", BodyHTML: "late", Now: t0})
		wantCode(t, err, forum.EConflict, "question_closed")
		_, err = vote(q, voters[3], forum.CloseOffTopic, 0)
		wantCode(t, err, forum.EConflict, "already_closed")

		// Reopening is a round of its own: those who closed may vote to reopen.
		if st, err = reopen(q, voters[0], false); err != nil || !st.Closed || st.Votes != 1 || st.Reason != forum.CloseDuplicate {
			t.Fatalf("first reopen vote: %+v, %v", st, err)
		}
		_, err = reopen(q, voters[0], false)
		wantCode(t, err, forum.EConflict, "already_voted")
		must(reopen(q, voters[1], false)).ok(t)
		if st, err = reopen(q, voters[3], false); err != nil || st.Closed {
			t.Fatalf("third reopen vote: %+v, %v", st, err)
		}
		if p := must(s.Post(ctx, q.ID, 0, false)).ok(t); p.ClosedReason != "" || p.DuplicateOf != 0 || p.ClosedAt != nil {
			t.Fatalf("reopened question = %+v", p)
		}
		MustAnswer(t, s, voters[3], q)
		// The round before is gone: a new close round starts from nothing.
		if st, err = vote(q, voters[0], forum.CloseOffTopic, 0); err != nil || st.Votes != 1 {
			t.Fatalf("a new round: %+v, %v", st, err)
		}
	})
	t.Run("a binding vote decides alone", func(t *testing.T) {
		q := MustAsk(t, s, asker, "Where do I find a lab notebook template?", "science")
		st, err := s.VoteClose(ctx, forum.CloseVote{QuestionID: q.ID, VoterID: asker.ID, Reason: forum.CloseDuplicate, DuplicateOf: original.ID,
			Binding: true, Needed: forum.DefaultCloseVotes, Now: t0})
		if err != nil || !st.Closed || st.Reason != forum.CloseDuplicate || st.DuplicateOf != original.ID {
			t.Fatalf("binding close: %+v, %v", st, err)
		}
		if st, err = reopen(q, asker, true); err != nil || st.Closed {
			t.Fatalf("binding reopen: %+v, %v", st, err)
		}
	})
	t.Run("refused votes", func(t *testing.T) {
		q := MustAsk(t, s, asker, "Should lab notebooks be graded?", "science")
		_, err := reopen(q, voters[0], false)
		wantCode(t, err, forum.EConflict, "not_closed")
		_, err = vote(q, voters[0], forum.CloseDuplicate, q.ID)
		wantCode(t, err, forum.EInvalid, "bad_duplicate")
		_, err = vote(q, voters[0], forum.CloseDuplicate, 99999)
		wantCode(t, err, forum.EInvalid, "bad_duplicate")
		a := MustAnswer(t, s, voters[1], q)
		_, err = vote(q, voters[0], forum.CloseDuplicate, a.ID)
		wantCode(t, err, forum.EInvalid, "bad_duplicate")
		_, err = vote(a, voters[0], forum.CloseOffTopic, 0)
		wantCode(t, err, forum.ENotFound, "")
		check(t, s.DeletePost(ctx, q.ID, asker, t0))
		_, err = vote(q, voters[0], forum.CloseOffTopic, 0)
		wantCode(t, err, forum.ENotFound, "")
		// None of the refused votes stands: a first vote on a new question counts 1.
		q2 := MustAsk(t, s, asker, "Do you keep lab notebooks digital?", "science")
		if st, err := vote(q2, voters[0], forum.CloseOffTopic, 0); err != nil || st.Votes != 1 {
			t.Fatalf("first vote: %+v, %v", st, err)
		}
	})
}
