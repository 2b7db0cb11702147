package forum

import (
	"fmt"
	"time"
)

// Flags. Anyone with the flag privilege may flag a question, an answer or a comment (and,
// a channel message) as spam, offensive, low quality, a duplicate or
// something else, once at a time per target. Spam and offensive flags act on their own:
// enough of them hide the post pending review, more delete it and cost its author
// reputation. A moderator's flag acts at once. Every flag is resolved as helpful or
// declined, which the flagger sees, and which sets the weight of their next flags.

// Flag reasons.
const (
	FlagSpam       = "spam"
	FlagOffensive  = "offensive"
	FlagLowQuality = "low_quality"
	FlagDuplicate  = "duplicate"
	FlagOther      = "other"
)

// Flag targets.
const (
	FlagOnPost    = "post"
	FlagOnComment = "comment"
	FlagOnMessage = "message"
)

// Flag outcomes.
const (
	FlagOpen     = "open"
	FlagHelpful  = "helpful"
	FlagDeclined = "declined"
)

// MaxFlagNoteLen bounds a flag's note: a sentence or two for the moderator.
const MaxFlagNoteLen = 500

// flagReasons lists the reasons, in the order forms offer them.
var flagReasons = []string{FlagSpam, FlagOffensive, FlagLowQuality, FlagDuplicate, FlagOther}

// FlagReasonText says each reason in words.
var FlagReasonText = map[string]string{
	FlagSpam:       "spam",
	FlagOffensive:  "rude or abusive",
	FlagLowQuality: "very low quality",
	FlagDuplicate:  "a duplicate",
	FlagOther:      "needs a moderator (say why)",
}

// FlagReasons returns the reasons in the order forms offer them.
func FlagReasons() []string { return append([]string(nil), flagReasons...) }

// FlagRules are the numbers flags act on (DESIGN.md: configurable).
type FlagRules struct {
	// HideWeight: open spam/offensive flags whose weights add up to this hide the target
	// pending review. With every flagger at weight 1 (a new flagger), it is a count.
	HideWeight float64
	// DeleteWeight: open spam/offensive flags adding up to this delete the target, and
	// a post's author loses Penalty reputation.
	DeleteWeight float64
	Penalty      int
}

// DefaultFlagRules: three flags hide, six delete and cost 100 reputation.
var DefaultFlagRules = FlagRules{HideWeight: 3, DeleteWeight: 6, Penalty: 100}

// RepKindFlagPenalty is the ledger kind of the reputation a post deleted by spam or
// offensive flags costs its author; `staffroom recount` sums it with the rest.
const RepKindFlagPenalty = "flag_penalty"

// FlagRecord is a flagger's past: how many of their flags were resolved each way.
type FlagRecord struct {
	Helpful, Declined int
}

// FlagWeight is how much one flag by a person with record r counts toward hiding and
// deleting: twice their smoothed accuracy, (helpful + 1) / (helpful + declined + 2) × 2.
// A new flagger weighs 1 (so three new flaggers hide a post); a flagger whose flags were
// all helpful approaches 2; one whose flags were all declined approaches 0. The +1/+2
// (Laplace's rule of succession) keeps one early mistake from silencing anyone.
func FlagWeight(r FlagRecord) float64 {
	return 2 * float64(r.Helpful+1) / float64(r.Helpful+r.Declined+2)
}

// Flag is one flag, as its flagger and moderators see it.
type Flag struct {
	ID          int64
	TargetKind  string
	TargetID    int64
	PostID      int64 // the post, or the post the comment is on
	QuestionID  int64 // the question of that post (for links)
	FlaggerID   int64
	Flagger     *User // filled where a list shows who flagged
	Reason      string
	Note        string
	DuplicateOf int64
	Weight      float64
	Status      string
	CreatedAt   time.Time
	ResolvedAt  *time.Time
}

// FlagInput is a flag as a person sends it.
type FlagInput struct {
	Reason      string
	Note        string
	DuplicateOf int64
}

// NewFlag is a checked flag ready to store.
type NewFlag struct {
	TargetKind  string
	TargetID    int64
	Flagger     *User
	Reason      string
	Note        string
	DuplicateOf int64
	Rules       FlagRules
	Now         time.Time
}

// Binding reports whether the flag acts at once: a moderator's does.
func (f NewFlag) Binding() bool { return f.Flagger != nil && f.Flagger.Role.IsModerator() }

// FlagFacts are what a flag is checked against, read in the flag's write.
type FlagFacts struct {
	Exists   bool  // the target exists and the flagger can see it
	AuthorID int64 // the target's author
	Post     PostFacts
	Original PostFacts // the question DuplicateOf names
	OpenFlag bool      // the flagger already has an open flag on the target
}

var (
	errOwnFlag      = Coded(EInvalid, "own_post", "You cannot flag your own post; edit or delete it instead.")
	errAlreadyFlagd = Coded(EConflict, "already_flagged", "You have already flagged this; a moderator will look at it, and your flags page shows the outcome.")
)

// CheckFlagInput checks a flag's fields before anything is read: reason one of the five,
// a note for "other" (and at most MaxFlagNoteLen characters), the original's id for
// "duplicate" (posts only). invalid naming the field.
func CheckFlagInput(targetKind string, in FlagInput) (FlagInput, error) {
	if _, ok := FlagReasonText[in.Reason]; !ok {
		return in, Invalid("reason", "invalid_reason", "reason must be spam, offensive, low_quality, duplicate or other.")
	}
	note, err := CleanBody("note", in.Note, 0, MaxFlagNoteLen)
	if err != nil {
		return in, err
	}
	in.Note = note
	if in.Reason == FlagOther && in.Note == "" {
		return in, Invalid("note", "note_required", "Say what a moderator should look at: a flag for another reason needs a note.")
	}
	if in.Reason == FlagDuplicate {
		if targetKind != FlagOnPost {
			return in, Invalid("reason", "invalid_reason", "Only questions can be duplicates; flag this for another reason.")
		}
		if in.DuplicateOf <= 0 {
			return in, Invalid("duplicate_of", "duplicate_required", "Give the id of the question this one duplicates.")
		}
	} else {
		in.DuplicateOf = 0
	}
	return in, nil
}

// CheckFlag decides whether the flag may be stored: the target exists and is visible to
// the flagger, is not their own, names a live other question when it is a duplicate, and
// the flagger has no open flag on it. not_found, invalid "own_post" or "bad_duplicate",
// conflict "already_flagged".
func CheckFlag(f NewFlag, facts FlagFacts) error {
	if !facts.Exists {
		switch f.TargetKind {
		case FlagOnComment:
			return NotFoundComment(f.TargetID)
		case FlagOnMessage:
			return NotFoundMessage(f.TargetID)
		}
		return NotFoundPost(f.TargetID)
	}
	if facts.AuthorID == f.Flagger.ID {
		return errOwnFlag
	}
	if f.Reason == FlagDuplicate {
		if facts.Post.Kind != KindQuestion {
			return Invalid("reason", "invalid_reason", "Only questions can be duplicates; flag this answer for another reason.")
		}
		if f.DuplicateOf == f.TargetID {
			return Invalid("duplicate_of", "bad_duplicate", "A question cannot duplicate itself.")
		}
		if o := facts.Original; !o.Live() || o.Kind != KindQuestion {
			return Invalid("duplicate_of", "bad_duplicate", "There is no question %d to point to.", f.DuplicateOf)
		}
	}
	if facts.OpenFlag {
		return errAlreadyFlagd
	}
	return nil
}

// StandingFlag is one open flag on a target, as FlagOutcome weighs it.
type StandingFlag struct {
	Reason string
	Weight float64
}

// FlagDecision is what the open flags on a target come to.
type FlagDecision struct {
	Hide    bool // take it out of sight pending review
	Delete  bool // delete it (and, for a post, Penalize its author)
	Penalty int  // reputation its author loses; 0: none
	Queue   bool // put it in the flags queue (every flag does, until a reviewer resolves it)
}

// FlagOutcome decides what the target's open flags (f's among them) do now. Spam and
// offensive flags add their weights: rules.HideWeight hides, rules.DeleteWeight deletes
// with the penalty. A moderator's flag acts at once: spam or offensive delete with the
// penalty, low quality deletes, the rest wait for a moderator in the queue like any flag
// (a moderator's "other" needs nobody else: they resolve it themselves).
func FlagOutcome(f NewFlag, standing []StandingFlag) FlagDecision {
	d := FlagDecision{Queue: true}
	abusive := func(reason string) bool { return reason == FlagSpam || reason == FlagOffensive }
	if f.Binding() {
		switch {
		case abusive(f.Reason):
			return FlagDecision{Delete: true, Penalty: f.Rules.Penalty}
		case f.Reason == FlagLowQuality:
			return FlagDecision{Delete: true}
		}
		return d
	}
	var weight float64
	for _, s := range standing {
		if abusive(s.Reason) {
			weight += s.Weight
		}
	}
	// A little slack: weights are sums of fractions, and 3 × 1.0 must reach 3.
	const epsilon = 1e-9
	switch {
	case f.Rules.DeleteWeight > 0 && weight+epsilon >= f.Rules.DeleteWeight:
		d.Delete, d.Penalty = true, f.Rules.Penalty
	case f.Rules.HideWeight > 0 && weight+epsilon >= f.Rules.HideWeight:
		d.Hide = true
	}
	return d
}

// String is a flag in a line, for logs and audit reasons.
func (f *Flag) String() string {
	return fmt.Sprintf("%s flag %d on %s %d", f.Reason, f.ID, f.TargetKind, f.TargetID)
}
