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
	// VoteClose records a vote and closes or reopens the question when the votes are in.
	// Returns not_found for a missing question, conflict "already_closed"/"not_closed",
	// "already_voted", and invalid "duplicate_of" for a bad original.
	VoteClose(ctx context.Context, v CloseVote) (CloseState, error)
}

// Close votes to close a question (a moderator closes it at once). reason is one of the
// close reasons; duplicate needs duplicateOf, the original question.
func (s *QA) Close(ctx context.Context, u *User, questionID int64, reason string, duplicateOf int64) (CloseState, error) {
	if err := s.Privileges.Check(u, PrivCloseVote); err != nil {
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
		Binding: u.Role.IsModerator(), Needed: DefaultCloseVotes, Now: s.now()})
}

// Reopen votes to reopen a closed question (a moderator reopens it at once).
func (s *QA) Reopen(ctx context.Context, u *User, questionID int64) (CloseState, error) {
	if err := s.Privileges.Check(u, PrivCloseVote); err != nil {
		return CloseState{}, err
	}
	return s.Closes.VoteClose(ctx, CloseVote{QuestionID: questionID, VoterID: u.ID, Reopen: true,
		Binding: u.Role.IsModerator(), Needed: DefaultCloseVotes, Now: s.now()})
}
