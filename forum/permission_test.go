package forum_test

import (
	"testing"
	"time"

	"staffroom/forum"
)

var (
	member    = &forum.User{ID: 10, Role: forum.RoleMember, Reputation: 1}
	author    = &forum.User{ID: 20, Role: forum.RoleMember, Reputation: 1}
	asker     = &forum.User{ID: 30, Role: forum.RoleMember, Reputation: 1}
	moderator = &forum.User{ID: 40, Role: forum.RoleModerator, Reputation: 1}
	veteran   = &forum.User{ID: 50, Role: forum.RoleMember, Reputation: 5000}
	privs     = forum.Privileges{forum.PrivUpvote: 15, forum.PrivDownvote: 125, forum.PrivComment: 1,
		forum.PrivCloseVote: 500, forum.PrivEdit: 1000, forum.PrivFlag: 15}
)

func answerFacts() forum.PostFacts {
	return forum.PostFacts{ID: 2, Exists: true, Kind: forum.KindAnswer, AuthorID: author.ID, QuestionID: 1, AskerID: asker.ID}
}

func questionFacts() forum.PostFacts {
	return forum.PostFacts{ID: 1, Exists: true, Kind: forum.KindQuestion, AuthorID: asker.ID, QuestionID: 1, AskerID: asker.ID}
}

// code is the error's code, "" for nil.
func code(err error) string {
	if err == nil {
		return ""
	}
	if e := forum.AsError(err); e != nil {
		return e.Code
	}
	return "not a forum error: " + err.Error()
}

func TestPostRules(t *testing.T) {
	deleted := answerFacts()
	deleted.Deleted = true
	underDeleted := answerFacts()
	underDeleted.QuestionDeleted = true
	missing := forum.PostFacts{ID: 99}
	upvoted := questionFacts()
	upvoted.UpvotedAnswers = true
	closed := questionFacts()
	closed.Closed = true
	deletedQ := questionFacts()
	deletedQ.Deleted, deletedQ.QuestionDeleted = true, true

	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a vote on someone else's post", forum.CheckVote(member.ID, answerFacts()), ""},
		{"self vote refused", forum.CheckVote(author.ID, answerFacts()), "self_vote"},
		{"no vote on a deleted post", forum.CheckVote(member.ID, deleted), "not_found"},
		{"no vote under a deleted question", forum.CheckVote(member.ID, underDeleted), "not_found"},
		{"no vote on a missing post", forum.CheckVote(member.ID, missing), "not_found"},
		{"comment vote", forum.CheckCommentVote(member.ID, forum.CommentFacts{ID: 5, Exists: true, AuthorID: author.ID, Post: answerFacts()}), ""},
		{"self comment vote refused", forum.CheckCommentVote(author.ID, forum.CommentFacts{ID: 5, Exists: true, AuthorID: author.ID, Post: answerFacts()}), "self_vote"},
		{"no vote on a comment of a deleted post", forum.CheckCommentVote(member.ID, forum.CommentFacts{ID: 5, Exists: true, AuthorID: author.ID, Post: deleted}), "not_found"},
		{"no vote on a missing comment", forum.CheckCommentVote(member.ID, forum.CommentFacts{ID: 5}), "not_found"},
		{"the asker accepts", forum.CheckAccept(asker.ID, answerFacts()), ""},
		{"only the asker accepts", forum.CheckAccept(member.ID, answerFacts()), "not_asker"},
		{"a moderator is not the asker", forum.CheckAccept(moderator.ID, answerFacts()), "not_asker"},
		{"a question is not accepted", forum.CheckAccept(asker.ID, questionFacts()), "not_found"},
		{"a deleted answer is not accepted", forum.CheckAccept(asker.ID, deleted), "not_found"},
		{"the author deletes", forum.CheckDelete(author, answerFacts()), ""},
		{"others do not delete", forum.CheckDelete(member, answerFacts()), "not_author"},
		{"moderators delete", forum.CheckDelete(moderator, answerFacts()), ""},
		{"an upvoted answer keeps its question", forum.CheckDelete(asker, upvoted), "has_upvoted_answers"},
		{"a moderator deletes it all the same", forum.CheckDelete(moderator, upvoted), ""},
		{"nothing deleted twice", forum.CheckDelete(moderator, deleted), "not_found"},
		{"moderators undelete", forum.CheckUndelete(moderator, deleted), ""},
		{"others do not see it to undelete", forum.CheckUndelete(author, deleted), "not_found"},
		{"a live post is not undeleted", forum.CheckUndelete(moderator, answerFacts()), "not_deleted"},
		{"the question comes back first", forum.CheckUndelete(moderator, func() forum.PostFacts { f := deleted; f.QuestionDeleted = true; return f }()), "question_deleted"},
		{"a deleted question comes back", forum.CheckUndelete(moderator, deletedQ), ""},
		{"a missing post is not undeleted", forum.CheckUndelete(moderator, missing), "not_found"},
		{"an open question takes answers", forum.CheckAnswer(questionFacts()), ""},
		{"a closed one does not", forum.CheckAnswer(closed), "question_closed"},
		{"an answer is not a question", forum.CheckAnswer(answerFacts()), "not_found"},
		{"the author edits", privs.CheckEdit(author, answerFacts()), ""},
		{"others need the privilege", privs.CheckEdit(member, answerFacts()), "insufficient_reputation"},
		{"with it, they edit", privs.CheckEdit(veteran, answerFacts()), ""},
		{"nobody edits a deleted post", privs.CheckEdit(moderator, deleted), "not_found"},
		{"a reply to a comment on the post", forum.CheckReply(2, 7, 2), ""},
		{"a reply to a comment elsewhere", forum.CheckReply(2, 7, 3), "bad_parent"},
		{"a reply to nothing", forum.CheckReply(2, 7, 0), "bad_parent"},
		{"no parent", forum.CheckReply(2, 0, 0), ""},
		{"vote up needs its privilege", privs.CheckVoteValue(member, 1), "insufficient_reputation"},
		{"taking a vote back needs none", privs.CheckVoteValue(member, 0), ""},
		{"a vote is 1, -1 or 0", privs.CheckVoteValue(veteran, 2), "invalid_vote"},
		{"revision current", forum.CheckRevision(3, 3), ""},
		{"revision stale", forum.CheckRevision(2, 3), "edit_conflict"},
		{"revision not given", forum.CheckRevision(0, 3), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.err); got != tc.want {
				t.Fatalf("code %q (%v), want %q", got, tc.err, tc.want)
			}
		})
	}
}

func TestDailyVotes(t *testing.T) {
	r := forum.VoteRules{DailyVotes: 3}
	now := time.Date(2026, 11, 2, 18, 0, 0, 0, time.UTC)
	if !r.LimitsToday(0, 1) || !r.LimitsToday(1, -1) || r.LimitsToday(1, 0) || r.LimitsToday(1, 1) {
		t.Fatal("a new or changed vote counts against the day; taking one back or repeating it does not")
	}
	if (forum.VoteRules{}).LimitsToday(0, 1) {
		t.Fatal("no daily limit set, yet a vote counts against one")
	}
	if err := r.CheckVotesToday(2, now); err != nil {
		t.Fatalf("third vote of the day: %v", err)
	}
	err := r.CheckVotesToday(3, now)
	if e := forum.AsError(err); e == nil || e.Kind != forum.ERateLimited || e.RetryAfter != 6*time.Hour {
		t.Fatalf("fourth vote: %v, want rate_limited until midnight UTC", err)
	}
}

func TestCloseVotes(t *testing.T) {
	open, closed := questionFacts(), questionFacts()
	closed.Closed = true
	vote := forum.CloseVote{QuestionID: 1, VoterID: member.ID, Reason: forum.CloseOffTopic, Needed: 3}
	reopen := forum.CloseVote{QuestionID: 1, VoterID: member.ID, Reopen: true, Needed: 3}
	dup := vote
	dup.Reason, dup.DuplicateOf = forum.CloseDuplicate, 7
	original := forum.PostFacts{ID: 7, Exists: true, Kind: forum.KindQuestion, QuestionID: 7}
	self := dup
	self.DuplicateOf = 1
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"close an open question", forum.CheckCloseVote(vote, forum.CloseFacts{Question: open}), ""},
		{"not twice", forum.CheckCloseVote(vote, forum.CloseFacts{Question: open, Voted: true}), "already_voted"},
		{"not a closed one", forum.CheckCloseVote(vote, forum.CloseFacts{Question: closed}), "already_closed"},
		{"reopen a closed question", forum.CheckCloseVote(reopen, forum.CloseFacts{Question: closed}), ""},
		{"not an open one", forum.CheckCloseVote(reopen, forum.CloseFacts{Question: open}), "not_closed"},
		{"a duplicate of a question", forum.CheckCloseVote(dup, forum.CloseFacts{Question: open, Original: original}), ""},
		{"a duplicate of nothing", forum.CheckCloseVote(dup, forum.CloseFacts{Question: open, Original: forum.PostFacts{ID: 7}}), "bad_duplicate"},
		{"a duplicate of itself", forum.CheckCloseVote(self, forum.CloseFacts{Question: open, Original: open}), "bad_duplicate"},
		{"not an answer", forum.CheckCloseVote(vote, forum.CloseFacts{Question: answerFacts()}), "not_found"},
		{"the privilege", privs.CheckClose(member, open), "insufficient_reputation"},
		{"moderators hold it", privs.CheckClose(moderator, open), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.err); got != tc.want {
				t.Fatalf("code %q (%v), want %q", got, tc.err, tc.want)
			}
		})
	}

	standing := func(reasons ...string) []forum.StandingCloseVote {
		var out []forum.StandingCloseVote
		for i, r := range reasons {
			out = append(out, forum.StandingCloseVote{Reason: r, DuplicateOf: int64(i)})
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		v        forum.CloseVote
		standing []forum.StandingCloseVote
		want     forum.CloseDecision
	}{
		{"two votes do not close", vote, standing("off_topic", "off_topic"), forum.CloseDecision{}},
		{"three do, for the reason most gave", vote, standing("needs_details", "off_topic", "off_topic"),
			forum.CloseDecision{Decided: true, Reason: "off_topic", DuplicateOf: 2}},
		{"a tie goes to the reason given first", vote, standing("opinion_based", "off_topic", "needs_details"),
			forum.CloseDecision{Decided: true, Reason: "opinion_based"}},
		{"a moderator's vote decides alone, for its reason", forum.CloseVote{Reason: "duplicate", DuplicateOf: 9, Binding: true, Needed: 3},
			standing("off_topic"), forum.CloseDecision{Decided: true, Reason: "duplicate", DuplicateOf: 9}},
		{"three reopen votes reopen", reopen, standing("", "", ""), forum.CloseDecision{Decided: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.CloseOutcome(tc.v, tc.standing); got != tc.want {
				t.Fatalf("outcome %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestActionsFollowTheChecks(t *testing.T) {
	thread := &forum.QuestionThread{
		Question: &forum.Post{ID: 1, Kind: forum.KindQuestion, Author: asker},
		Answers: []*forum.Post{
			{ID: 2, Kind: forum.KindAnswer, QuestionID: 1, Author: author, Score: 1},
			{ID: 3, Kind: forum.KindAnswer, QuestionID: 1, Author: member, DeletedAt: &time.Time{}, Score: 5},
		},
	}
	q, a, gone := thread.Question, thread.Answers[0], thread.Answers[1]
	if f := thread.Facts(q); !f.UpvotedAnswers || f.AskerID != asker.ID {
		t.Fatalf("question facts %+v: a live upvoted answer", f)
	}
	if got := privs.Actions(nil, thread.Facts(a)); got != (forum.PostActions{}) {
		t.Fatalf("an anonymous reader may %+v", got)
	}
	const (
		upNeeds   = "Voting up needs 15 reputation; you have 1."
		downNeeds = "Voting down needs 125 reputation; you have 1."
	)
	for _, tc := range []struct {
		name     string
		u        *forum.User
		p        *forum.Post
		up, down string // why the vote is refused; "" when it is not
		want     forum.PostActions
	}{
		{"a new member on an answer", member, a, upNeeds, downNeeds, forum.PostActions{Comment: true, SuggestEdit: true}},
		{"the author", author, a, upNeeds, downNeeds, forum.PostActions{Edit: true, Delete: true, Comment: true}},
		{"a veteran on an answer", veteran, a, "", "", forum.PostActions{Edit: true, Comment: true, Flag: true}},
		{"the asker", asker, a, upNeeds, downNeeds, forum.PostActions{Accept: true, Comment: true, SuggestEdit: true}},
		{"the asker on the question, which has an upvoted answer", asker, q, upNeeds, downNeeds, forum.PostActions{Edit: true, Comment: true}},
		{"a moderator on the question", moderator, q, "", "", forum.PostActions{Edit: true, Delete: true, Comment: true, Close: true, CloseBinding: true,
			Flag: true, Moderate: true}},
		{"a moderator on a deleted answer", moderator, gone, "There is no post 3.", "There is no post 3.", forum.PostActions{Undelete: true, Moderate: true}},
		{"a moderator's own post", &forum.User{ID: asker.ID, Role: forum.RoleModerator}, q,
			"You cannot vote on your own post.", "You cannot vote on your own post.",
			forum.PostActions{Edit: true, Delete: true, Comment: true, Close: true, CloseBinding: true, Moderate: true}},
		{"a veteran may vote to close, not alone", veteran, q, "", "", forum.PostActions{Edit: true, Comment: true, Close: true, Flag: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := privs.Actions(tc.u, thread.Facts(tc.p))
			for _, v := range []struct {
				name string
				got  forum.Allowance
				want string
			}{{"vote up", got.VoteUp, tc.up}, {"vote down", got.VoteDown, tc.down}} {
				if v.got.OK != (v.want == "") || v.got.Why() != v.want {
					t.Errorf("%s: allowed %v (%q), want refused for %q", v.name, v.got.OK, v.got.Why(), v.want)
				}
			}
			// Taking a vote back needs no privilege: only a live post that is not one's own.
			if want := tc.p.DeletedAt == nil && tc.p.Author.ID != tc.u.ID; got.Unvote.OK != want {
				t.Errorf("take a vote back: allowed %v (%q)", got.Unvote.OK, got.Unvote.Why())
			}
			got.VoteUp, got.VoteDown, got.Unvote = forum.Allowance{}, forum.Allowance{}, forum.Allowance{}
			if got != tc.want {
				t.Fatalf("may\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}
