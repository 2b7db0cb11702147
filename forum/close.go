package forum

import (
	"context"
	"time"
)

// Close reasons, as on Stack Overflow.
const (
	CloseDuplicate     = "duplicate"
	CloseOffTopic      = "off_topic"
	CloseNeedsDetails  = "needs_details"
	CloseOpinionBased  = "opinion_based"
	DefaultCloseVotes  = 3 // votes that close or reopen a question; a moderator's alone does
	closeReasonsPhrase = "duplicate, off_topic, needs_details or opinion_based"
)

// CloseReasonText says a close reason in words.
var CloseReasonText = map[string]string{
	CloseDuplicate:    "a duplicate",
	CloseOffTopic:     "off-topic",
	CloseNeedsDetails: "needing details or clarity",
	CloseOpinionBased: "opinion-based",
}

// CloseVote is one person's vote to close (with a reason) or to reopen a question.
type CloseVote struct {
	QuestionID  int64
	VoterID     int64
	Reopen      bool
	Reason      string
	DuplicateOf int64
	Binding     bool // a moderator's vote closes or reopens at once
	Needed      int  // votes that decide
	Now         time.Time
}

// CloseState is where a question stands after a close or reopen vote.
type CloseState struct {
	Closed      bool
	Reason      string
	DuplicateOf int64
	Votes       int // standing votes toward the next change
	Needed      int
}

// CloseStore records close and reopen votes.
type CloseStore interface {
	// VoteClose records a vote and closes or reopens the question when the votes are in:
	// it reads CloseFacts and applies CheckCloseVote, then reads the standing votes and
	// applies CloseOutcome, all in one write. Returns not_found for a missing question,
	// conflict "already_closed"/"not_closed", "already_voted", and invalid "duplicate_of"
	// for a bad original.
	VoteClose(ctx context.Context, v CloseVote) (CloseState, error)
}

// CloseFacts are what a close or reopen vote is checked against, read in the vote's write.
type CloseFacts struct {
	Question PostFacts
	Original PostFacts // the question DuplicateOf names; zero when it names none
	Voted    bool      // the voter already has a standing vote of this kind on the question
}

// CheckCloseVote decides whether v may be cast: on a live question, to close it while open
// or to reopen it while closed, once per person and round, pointing at another live
// question when it is a duplicate. not_found, conflict "already_closed", "not_closed" or
// "already_voted", or invalid "duplicate_of".
func CheckCloseVote(v CloseVote, f CloseFacts) error {
	q := f.Question
	if !q.Live() || q.Kind != KindQuestion {
		return NotFoundQuestion(v.QuestionID)
	}
	kind := "close"
	if v.Reopen {
		kind = "reopen"
		if !q.Closed {
			return Coded(EConflict, "not_closed", "This question is open; there is nothing to reopen.")
		}
	} else if q.Closed {
		return Coded(EConflict, "already_closed", "This question is already closed.")
	}
	if v.DuplicateOf != 0 {
		if v.DuplicateOf == v.QuestionID {
			return Invalid("duplicate_of", "bad_duplicate", "A question cannot duplicate itself.")
		}
		if o := f.Original; !o.Live() || o.Kind != KindQuestion {
			return Invalid("duplicate_of", "bad_duplicate", "There is no question %d to point to.", v.DuplicateOf)
		}
	}
	if f.Voted {
		return Coded(EConflict, "already_voted", "You have already voted to %s this question.", kind)
	}
	return nil
}

// StandingCloseVote is one standing vote to close (or reopen) a question, as stored.
type StandingCloseVote struct {
	Reason      string // close votes: the reason given
	DuplicateOf int64  // close votes for "duplicate": the original named
}

// CloseDecision is what a round of votes comes to.
type CloseDecision struct {
	Decided     bool   // the question closes (or reopens) now
	Reason      string // when it closes: the reason
	DuplicateOf int64  // when it closes as a duplicate: the original
}

// CloseOutcome decides whether v, with the standing votes of its kind (v's own among them,
// in the order they were cast), closes or reopens the question. A binding vote decides at
// once, for its own reason; otherwise v.Needed votes do, for the reason most of them gave
// (between reasons given equally often, the one given first), pointing, for a duplicate,
// at the highest-numbered original its voters named.
func CloseOutcome(v CloseVote, standing []StandingCloseVote) CloseDecision {
	if v.Binding {
		return CloseDecision{Decided: true, Reason: v.Reason, DuplicateOf: v.DuplicateOf}
	}
	if len(standing) < v.Needed {
		return CloseDecision{}
	}
	d := CloseDecision{Decided: true}
	if v.Reopen {
		return d
	}
	count := map[string]int{}
	for _, s := range standing {
		count[s.Reason]++
	}
	best := 0
	for _, s := range standing { // in the order cast: of reasons given equally often, the first wins
		if n := count[s.Reason]; n > best {
			d.Reason, best = s.Reason, n
		}
	}
	for _, s := range standing {
		if s.Reason == d.Reason {
			d.DuplicateOf = max(d.DuplicateOf, s.DuplicateOf)
		}
	}
	return d
}

// CloseBinding reports whether u's vote to close or reopen decides at once: a moderator's
// does.
func CloseBinding(u *User) bool { return u != nil && u.Role.IsModerator() }

// closing is the rule of close votes, held being the check of the close-vote privilege.
func closing(q PostFacts, held refusal) refusal {
	if !held.allowed() {
		return held
	}
	if !q.Live() || q.Kind != KindQuestion {
		return missing(noQuestion, q.ID)
	}
	return refusal{}
}

// CheckClose decides whether u may vote to close or reopen question q: the close-vote
// privilege, on a live question. insufficient_reputation or not_found.
func (p Privileges) CheckClose(u *User, q PostFacts) error {
	return closing(q, p.check(u, PrivCloseVote)).err()
}

// Close votes to close a question (a moderator closes it at once). reason is one of the
// close reasons; duplicate needs duplicateOf, the original question.
func (s *QA) Close(ctx context.Context, u *User, questionID int64, reason string, duplicateOf int64) (CloseState, error) {
	if err := s.Privileges.Rules().Check(u, PrivCloseVote); err != nil {
		return CloseState{}, err
	}
	var fe FieldErrors
	if _, ok := CloseReasonText[reason]; !ok {
		fe.Add(Invalid("reason", "invalid_reason", "reason must be %s.", closeReasonsPhrase))
	}
	if reason == CloseDuplicate && duplicateOf <= 0 {
		fe.Add(Invalid("duplicate_of", "duplicate_required", "Give the id of the question this one duplicates."))
	}
	if err := fe.Err(); err != nil {
		return CloseState{}, err
	}
	if reason != CloseDuplicate {
		duplicateOf = 0
	}
	return s.Closes.VoteClose(ctx, CloseVote{QuestionID: questionID, VoterID: u.ID, Reason: reason, DuplicateOf: duplicateOf,
		Binding: CloseBinding(u), Needed: DefaultCloseVotes, Now: s.now()})
}

// Reopen votes to reopen a closed question (a moderator reopens it at once).
func (s *QA) Reopen(ctx context.Context, u *User, questionID int64) (CloseState, error) {
	if err := s.Privileges.Rules().Check(u, PrivCloseVote); err != nil {
		return CloseState{}, err
	}
	return s.Closes.VoteClose(ctx, CloseVote{QuestionID: questionID, VoterID: u.ID, Reopen: true,
		Binding: CloseBinding(u), Needed: DefaultCloseVotes, Now: s.now()})
}
