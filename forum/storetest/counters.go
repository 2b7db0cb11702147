package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"staffroom/forum"
)

// testCountersUnderLoad: many people answer, comment, vote, accept, delete and undelete
// on the same questions at once. Afterwards every stored counter equals a recount of its
// rows (scores, answer and comment counts, reputation, tag and site totals), and every
// topic's events are numbered one by one from 1, each once, and were published in that
// order.
func testCountersUnderLoad(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	rec := &recorder{}
	s.PublishTo(rec)
	moderator := MustCreateUser(t, s, "moderator") // the first account: an admin
	var people []*forum.User
	for i := range 8 {
		people = append(people, MustCreateUser(t, s, fmt.Sprintf("teacher%d", i)))
	}
	var qs []*forum.Post
	for i := range 3 {
		qs = append(qs, MustAsk(t, s, people[i], fmt.Sprintf("Busy question number %d", i), "busy", fmt.Sprintf("topic-%d", i)))
	}
	var seeded []*forum.Post // answers everyone votes on
	for _, q := range qs {
		seeded = append(seeded, MustAnswer(t, s, people[6], q), MustAnswer(t, s, people[7], q))
	}
	noCap := forum.VoteRules{DailyRepCap: forum.DefaultDailyRepCap} // no daily vote limit: every vote here is meant
	// A vote on an answer deleted meanwhile, or an acceptance of one, is not_found.
	errs := &errorsBut{expected: []error{forum.ErrNotFound}}
	var wg sync.WaitGroup
	for i, p := range people[:6] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []*forum.Post
			for j := range 12 {
				q := qs[(i+j)%len(qs)]
				a := seeded[(i+j)%len(seeded)]
				switch j % 6 {
				case 0:
					a, err := s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: p.ID, Body: "An answer under load", BodyHTML: "x", Now: t0})
					errs.add("answer", err)
					if err == nil {
						mine = append(mine, a)
					}
				case 1:
					_, err := s.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: p.ID, Body: "A comment under load", BodyHTML: "x", Now: t0})
					errs.add("comment", err)
				case 2:
					if q.Author.ID != p.ID {
						_, err := s.Vote(ctx, q.ID, p.ID, []int{1, -1, 0, 1}[(i+j)%4], noCap, t0)
						errs.add("vote on a question", err)
					}
				case 3:
					_, err := s.Vote(ctx, a.ID, p.ID, []int{1, -1, 1}[(i+j)%3], noCap, t0)
					errs.add("vote on an answer", err)
				case 4:
					for _, a := range seeded {
						if a.QuestionID == q.ID && q.Author.ID == p.ID {
							_, err := s.Accept(ctx, a.ID, p.ID, t0)
							errs.add("accept", err)
						}
					}
				case 5:
					if len(mine) > 0 {
						gone := mine[len(mine)-1]
						errs.add("delete", s.DeletePost(ctx, gone.ID, p, t0))
						if j%4 == 1 {
							errs.add("undelete", s.UndeletePost(ctx, gone.ID, moderator, t0))
						}
					}
				}
			}
		}()
	}
	// Meanwhile the seeded answers' authors delete and undelete one of them.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 4 {
			errs.add("delete a seeded answer", s.DeletePost(ctx, seeded[0].ID, people[6], t0))
			errs.add("undelete a seeded answer", s.UndeletePost(ctx, seeded[0].ID, moderator, t0))
		}
	}()
	wg.Wait()
	for _, err := range errs.got {
		t.Error(err)
	}
	noDrift(t, s)
	topics := []string{forum.TopicQuestions, forum.TopicTag("busy")}
	for i, q := range qs {
		topics = append(topics, forum.TopicQuestion(q.ID), forum.TopicTag(fmt.Sprintf("topic-%d", i)))
	}
	for _, topic := range topics {
		wantNumbered(t, s, rec, topic)
	}
}
