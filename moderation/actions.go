package moderation

import (
	"fmt"
	"strconv"
	"time"

	"staffroom/forum"
)

// Action names a kind of write (or costly read) that is rate limited per person and per
// network address. The web layer meters each route by its action; features that add
// routes (flags, channel messages) meter theirs with the same call.
type Action string

// The metered actions.
const (
	ActionQuestion Action = "question"
	ActionAnswer   Action = "answer"
	ActionComment  Action = "comment"
	ActionVote     Action = "vote"
	ActionFlag     Action = "flag"
	ActionMessage  Action = "message"
	ActionSearch   Action = "search"
)

// Actions lists every metered action, in the order the configuration documents them.
var Actions = []Action{ActionQuestion, ActionAnswer, ActionComment, ActionVote, ActionFlag, ActionMessage, ActionSearch}

// Rate is Burst attempts at once, refilled evenly over Per: "10 per 10 minutes".
type Rate struct {
	Burst int
	Per   time.Duration
}

// ActionRate is the rate of one action per person and per address. A zero Rate is no limit.
type ActionRate struct {
	PerPerson Rate
	PerIP     Rate
}

// DefaultActionRates are the rates a site starts with. Per person they let a teacher work
// at a human pace and stop a script; per address they are far higher, because a workshop
// of forty teachers shares one school address.
var DefaultActionRates = map[Action]ActionRate{
	ActionQuestion: {PerPerson: Rate{5, time.Hour}, PerIP: Rate{60, time.Hour}},
	ActionAnswer:   {PerPerson: Rate{10, 10 * time.Minute}, PerIP: Rate{200, 10 * time.Minute}},
	ActionComment:  {PerPerson: Rate{20, 10 * time.Minute}, PerIP: Rate{300, 10 * time.Minute}},
	ActionVote:     {PerPerson: Rate{30, time.Minute}, PerIP: Rate{600, time.Minute}},
	ActionFlag:     {PerPerson: Rate{10, 10 * time.Minute}, PerIP: Rate{100, 10 * time.Minute}},
	ActionMessage:  {PerPerson: Rate{30, time.Minute}, PerIP: Rate{600, time.Minute}},
	ActionSearch:   {PerPerson: Rate{30, time.Minute}, PerIP: Rate{120, time.Minute}},
}

// nouns word each action in a refusal.
var nouns = map[Action]string{
	ActionQuestion: "questions", ActionAnswer: "answers", ActionComment: "comments", ActionVote: "votes",
	ActionFlag: "flags", ActionMessage: "messages", ActionSearch: "searches",
}

// ActionLimits meter actions per person and per address. Each limiter is a
// forum.RateLimiter, so a shared limiter (Redis, for several nodes) can stand in for the
// in-memory ones by building ActionLimits with NewActionLimitsFrom. A nil *ActionLimits
// allows everything: that is STAFFROOM_RATE_LIMITS=off.
type ActionLimits struct {
	perPerson map[Action]forum.RateLimiter
	perIP     map[Action]forum.RateLimiter
}

// NewActionLimits builds in-memory limiters for rates (DefaultActionRates when nil).
func NewActionLimits(rates map[Action]ActionRate) *ActionLimits {
	if rates == nil {
		rates = DefaultActionRates
	}
	return NewActionLimitsFrom(rates, func(_ Action, r Rate) forum.RateLimiter { return NewLimiter(r.Burst, r.Per) })
}

// NewActionLimitsFrom builds ActionLimits whose limiters come from build, called once for
// each action's non-zero person and address rates.
func NewActionLimitsFrom(rates map[Action]ActionRate, build func(Action, Rate) forum.RateLimiter) *ActionLimits {
	l := &ActionLimits{perPerson: map[Action]forum.RateLimiter{}, perIP: map[Action]forum.RateLimiter{}}
	for a, r := range rates {
		if r.PerPerson.Burst > 0 && r.PerPerson.Per > 0 {
			l.perPerson[a] = build(a, r.PerPerson)
		}
		if r.PerIP.Burst > 0 && r.PerIP.Per > 0 {
			l.perIP[a] = build(a, r.PerIP)
		}
	}
	return l
}

// Taken is an attempt Take let through; Refund gives it back when the attempt turned out
// not to count (the write was refused for another reason).
type Taken struct {
	l      *ActionLimits
	action Action
	person string // "" when the person's limiter was not asked
	ip     string
}

// Take meters one attempt of action by the person (0: anonymous, metered by address only)
// from ip at now. It returns rate_limited with the wait until the next attempt is free,
// taking nothing, when either limit is spent.
func (l *ActionLimits) Take(action Action, userID int64, ip string, now time.Time) (Taken, error) {
	t := Taken{l: l, action: action}
	if l == nil {
		return t, nil
	}
	if lim := l.perPerson[action]; lim != nil && userID != 0 {
		key := strconv.FormatInt(userID, 10)
		if ok, wait := lim.Allow(key, now); !ok {
			return t, refusal(action, wait, false)
		}
		t.person = key
	}
	if lim := l.perIP[action]; lim != nil && ip != "" {
		if ok, wait := lim.Allow(ip, now); !ok {
			if t.person != "" {
				l.perPerson[action].Refund(t.person, now)
			}
			return Taken{l: l, action: action}, refusal(action, wait, true)
		}
		t.ip = ip
	}
	return t, nil
}

// Refund gives the attempt back.
func (t Taken) Refund(now time.Time) {
	if t.l == nil {
		return
	}
	if t.person != "" {
		t.l.perPerson[t.action].Refund(t.person, now)
	}
	if t.ip != "" {
		t.l.perIP[t.action].Refund(t.ip, now)
	}
}

// refusal words a spent limit so that the person knows what to do: wait, and for how long.
func refusal(a Action, wait time.Duration, network bool) *forum.Error {
	noun := nouns[a]
	if noun == "" {
		noun = string(a) + "s"
	}
	who := "You are sending " + noun
	if network {
		who = "Your network is sending " + noun
	}
	// Retry-After is whole seconds, rounded up: a client that waits exactly that long is let in.
	if wait < time.Second {
		wait = time.Second
	}
	return forum.RateLimited(wait, "%s faster than this site allows; try again in %s.", who, forum.HumanDuration(wait))
}

// String describes the rates for the configuration's help.
func (r Rate) String() string { return fmt.Sprintf("%d per %s", r.Burst, r.Per) }
