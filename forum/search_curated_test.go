package forum

import "testing"

// A curated answer lifts its question above an equal match, even one with an accepted
// answer: the moderators' endorsement is the network's reference.
func TestCuratedRanksAbove(t *testing.T) {
	cand := &SearchCandidates{Complete: true, Items: []SearchCandidate{
		{Question: SearchQuestionKeys{ID: 1, Accepted: true, AnswerCount: 1}, Relevance: 2, QuestionMatched: true, Weight: 1},
		{Question: SearchQuestionKeys{ID: 2, Curated: true, AnswerCount: 1}, Relevance: 2, QuestionMatched: true, Weight: 1},
		{Question: SearchQuestionKeys{ID: 3, AnswerCount: 1}, Relevance: 2, QuestionMatched: true, Weight: 1},
	}}
	got := rankCandidates(cand, SearchScope{}, SearchByRelevance)
	if len(got) != 3 || got[0].c.Question.ID != 2 || got[1].c.Question.ID != 1 {
		t.Fatalf("ranking: %d, %d, %d", got[0].c.Question.ID, got[1].c.Question.ID, got[2].c.Question.ID)
	}
}
