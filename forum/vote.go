package forum

import "time"

// The rules of votes. The privilege to vote up or down is the service's to check (it needs
// the voter's standing, not stored rows); a store checks the rest inside the vote's write.

func (p Privileges) voteValue(u *User, value int) refusal {
	switch value {
	case 1:
		return p.check(u, PrivUpvote)
	case -1:
		return p.check(u, PrivDownvote)
	}
	return refusal{}
}

// cast is the whole of a vote's rule for a page: the privilege first (held), then the
// post's own rule (vote).
func cast(held, post refusal) refusal {
	if !held.allowed() {
		return held
	}
	return post
}

// CheckVoteValue decides whether u may cast value on a post: 1 (up) needs the upvote
// privilege, -1 (down) the downvote privilege, 0 (taking a vote back) nothing. invalid
// "invalid_vote" for any other value, or insufficient_reputation.
func (p Privileges) CheckVoteValue(u *User, value int) error {
	if value < -1 || value > 1 {
		return Invalid("value", "invalid_vote", "value must be 1 (up), -1 (down) or 0 (take the vote back).")
	}
	return p.voteValue(u, value).err()
}

func vote(voterID int64, f PostFacts) refusal {
	if !f.Live() {
		return missing(noPost, f.ID)
	}
	if f.AuthorID == voterID {
		return refuse(errSelfVote)
	}
	if f.Locked {
		return refuse(errPostLocked)
	}
	return refusal{}
}

// CheckVote decides whether voterID may vote on the post: a live post, not their own.
// not_found, or forbidden "self_vote".
func CheckVote(voterID int64, f PostFacts) error { return vote(voterID, f).err() }

// CommentFacts are what the rules about one comment depend on.
type CommentFacts struct {
	ID       int64
	Exists   bool // false: no live comment has this id
	AuthorID int64
	Post     PostFacts // the post it is on
}

// CheckCommentVote decides whether voterID may vote on the comment: a live comment on a
// live post, not their own. not_found, or forbidden "self_vote".
func CheckCommentVote(voterID int64, c CommentFacts) error {
	if !c.Exists || !c.Post.Live() {
		return NotFoundComment(c.ID)
	}
	if c.AuthorID == voterID {
		return errSelfCommentVote
	}
	return nil
}

// LimitsToday reports whether changing a vote from current to value counts against the
// day's votes: casting or changing a vote does; taking one back, or casting the same one
// again, does not. A store counts the day's votes only when it does.
func (r VoteRules) LimitsToday(current, value int) bool {
	return r.DailyVotes > 0 && value != 0 && value != current
}

// CheckVotesToday returns rate_limited, until the next UTC day, once castToday (the votes
// cast since the UTC day began, taken back or not, so that toggling cannot dodge the
// limit) has reached the day's votes.
func (r VoteRules) CheckVotesToday(castToday int, now time.Time) error {
	if r.DailyVotes <= 0 || castToday < r.DailyVotes {
		return nil
	}
	return RateLimited(UTCDay(now).Add(24*time.Hour).Sub(now), "You have used your %d votes for today; more tomorrow (UTC).", r.DailyVotes)
}
