package storetest

import (
	"context"
	"testing"

	"staffroom/forum"
)

// testThreadVersions checks the number question page caches trust: every write that
// changes a question's page changes it, writes to other questions do not, and a reader's
// votes are theirs and this thread's only.
func testThreadVersions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	asker, answerer, voter := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "answerer"), MustCreateUser(t, s, "voter")
	q := MustAsk(t, s, asker, "How do you grade group projects fairly?", "grading")
	other := MustAsk(t, s, asker, "How do you plan a unit backwards?", "planning")
	version := func(id int64) int64 {
		t.Helper()
		v, err := s.ThreadVersion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var a *forum.Post
	steps := []struct {
		name  string
		write func() error
	}{
		{"answer", func() error { a = MustAnswer(t, s, answerer, q); return nil }},
		{"comment on the question", func() error {
			_, err := s.CreateComment(ctx, forum.NewComment{PostID: q.ID, AuthorID: voter.ID, Body: "Which grade level?", BodyHTML: "x", Now: t0})
			return err
		}},
		{"comment on an answer", func() error {
			_, err := s.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: voter.ID, Body: "Did it last?", BodyHTML: "x", Now: t0})
			return err
		}},
		{"vote on an answer", func() error { _, err := s.Vote(ctx, a.ID, voter.ID, 1, rules, t0); return err }},
		{"vote changed", func() error { _, err := s.Vote(ctx, a.ID, voter.ID, -1, rules, t0); return err }},
		{"vote on the question", func() error { _, err := s.Vote(ctx, q.ID, voter.ID, 1, rules, t0); return err }},
		{"accept", func() error { _, err := s.Accept(ctx, a.ID, asker.ID, t0); return err }},
		{"delete the answer", func() error { return s.DeletePost(ctx, a.ID, answerer, t0) }},
		{"undelete the answer", func() error { return s.UndeletePost(ctx, a.ID, asker, t0) }},
	}
	for _, st := range steps {
		before, untouched := version(q.ID), version(other.ID)
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if version(q.ID) == before {
			t.Errorf("%s: the question's version did not change", st.name)
		}
		if version(other.ID) != untouched {
			t.Errorf("%s: another question's version changed", st.name)
		}
	}
	votes, err := s.VotesIn(ctx, q.ID, voter.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 2 || votes[q.ID] != 1 || votes[a.ID] != -1 {
		t.Errorf("voter's votes = %v, want the question up and the answer down", votes)
	}
	if _, err := s.Vote(ctx, other.ID, voter.ID, 1, rules, t0); err != nil {
		t.Fatal(err)
	}
	if votes, err := s.VotesIn(ctx, q.ID, answerer.ID); err != nil || len(votes) != 0 {
		t.Errorf("someone else's votes = %v, %v; want none", votes, err)
	}
	if votes, err := s.VotesIn(ctx, q.ID, voter.ID); err != nil || len(votes) != 2 {
		t.Errorf("a vote on another question shows in this one: %v, %v", votes, err)
	}
}
