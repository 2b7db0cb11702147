package forum

import (
	"context"
	"fmt"
	"time"
)

// Reputation rules, Stack Overflow's (DESIGN.md).
const (
	RepStart              = 1   // new people start here, and nobody goes below it
	RepUpvoted            = 10  // a vote up on your question or answer
	RepDownvoted          = -2  // a vote down on your question or answer
	RepDownvoteAnswerCost = -1  // what voting an answer down costs the voter
	RepAccepted           = 15  // your answer is accepted
	RepAccepter           = 2   // you accept someone else's answer
	DefaultDailyRepCap    = 200 // reputation from votes per person per UTC day
	DefaultDailyVotes     = 40  // votes per person per UTC day
)

// Kinds of reputation events. Everything a vote gives has a kind starting "vote", and
// everything an acceptance gives starts "accept", so that the net effect of one vote or one
// acceptance is the sum of its rows and can be reversed exactly.
const (
	RepKindVoteUp       = "vote_up"
	RepKindVoteDown     = "vote_down"
	RepKindVoteDownCost = "vote_down_cost"
	RepKindVoteUndo     = "vote_undo"
	RepKindAccepted     = "accept_answer"
	RepKindAccepter     = "accept_bonus"
	RepKindAcceptUndo   = "accept_undo"
)

// VoteDeltas returns what a vote of value on a post of kind gives its author and costs its
// voter, before the floor and the daily cap.
func VoteDeltas(kind PostKind, value int) (author, voter int) {
	switch {
	case value > 0:
		return RepUpvoted, 0
	case value < 0 && kind == KindAnswer:
		return RepDownvoted, RepDownvoteAnswerCost
	case value < 0:
		return RepDownvoted, 0
	}
	return 0, 0
}

// FloorDelta returns the part of delta that can apply to current without going under
// RepStart. The ledger records this applied part, so reversing it later is exact.
func FloorDelta(current, delta int) int {
	if current+delta < RepStart {
		return min(0, RepStart-current)
	}
	return delta
}

// CapDelta returns the part of a positive vote delta that fits under the day's cap, given
// what the person has earned from votes so far that day.
func CapDelta(delta, earnedToday, dailyCap int) int {
	if delta <= 0 || dailyCap <= 0 {
		return delta
	}
	return max(0, min(delta, dailyCap-earnedToday))
}

// UTCDay returns the start of t's UTC day, the window of daily limits.
func UTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Drift is one stored counter that disagrees with the rows it summarizes.
type Drift struct {
	What   string // e.g. "post 42 score"
	Stored int
	Actual int
}

func (d Drift) String() string {
	return fmt.Sprintf("%s: stored %d, recounted %d", d.What, d.Stored, d.Actual)
}

// Recounter recomputes stored counters (scores, counts, reputation) from the rows they
// summarize, reports each that drifted and, with fix, corrects it.
type Recounter interface {
	Recount(ctx context.Context, fix bool) ([]Drift, error)
}
