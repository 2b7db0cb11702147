package forum

import (
	"strings"
	"time"
)

// NewUserRules restrain accounts that have not yet earned trust: spam comes from new
// accounts, and these limits cost a real teacher little.
type NewUserRules struct {
	Reputation       int           // below this, the rules apply
	MaxLinks         int           // links to other sites per post or comment
	QuestionInterval time.Duration // between two questions; 0: none (rate limits off)
	NoImages         bool          // images in posts and comments are refused
	DailyPosts       int           // questions and answers per UTC day; 0: no quota (rate limits off)
	// SiteHost is this site's host (and port, if the base URL names one): links to it are
	// not counted. Empty: every link with a host counts.
	SiteHost string
}

// DefaultNewUserRules are DESIGN.md's: under 125 reputation, 2 links per post and 40
// minutes between questions; no images, and 10 questions and answers a day.
var DefaultNewUserRules = NewUserRules{Reputation: 125, MaxLinks: 2, QuestionInterval: 40 * time.Minute, NoImages: true, DailyPosts: 10}

// applies reports whether u is held to the new-member rules. Known members (an
// invitation, an allowed domain or an admin vouched for them) never are.
func (r NewUserRules) applies(u *User) bool {
	return u.Reputation < r.Reputation && !u.Role.IsModerator() && !u.Known
}

// checkNewUserLinks refuses a post or comment whose rendered HTML links to other sites
// more often than a new account may. It counts what readers will get, the links and
// images in the sanitized HTML, rather than patterns in the markdown, which miss
// whatever the pattern did not think of (`//host`, reference links, autolinks).
func (s *QA) checkNewUserLinks(u *User, field, html string) error {
	r := s.NewUsers
	if r.MaxLinks <= 0 || !r.applies(u) {
		return nil
	}
	if n := countOffSiteLinks(s.Render.Links(html), r.SiteHost); n > r.MaxLinks {
		return Invalid(field, "too_many_links", "New members may include at most %d links in a post or comment until they reach %d reputation; this one has %d. Remove a link or two.", r.MaxLinks, r.Reputation, n)
	}
	return nil
}

// questionInterval is the wait u must leave between two questions: the store checks it
// against u's last question (CheckQuestionInterval) in the transaction that adds the next.
func (s *QA) questionInterval(u *User) time.Duration {
	if r := s.NewUsers; r.QuestionInterval > 0 && r.applies(u) {
		return r.QuestionInterval
	}
	return 0
}

// CheckQuestionInterval is the rule a store applies, inside the transaction that adds a
// question, to the time of the author's last question (deleted ones too: deleting a
// question does not give its time back). last is zero when there is none. Returns
// rate_limited with the time left.
func CheckQuestionInterval(interval time.Duration, last, now time.Time) error {
	if interval <= 0 || last.IsZero() {
		return nil
	}
	if wait := last.Add(interval).Sub(now); wait > 0 {
		return RateLimited(wait, "New members can ask one question every %d minutes; you can ask again in %s.", int(interval.Minutes()), humanDuration(wait))
	}
	return nil
}

// checkNewUserImages refuses a post or comment with an image from a new account: images
// are how spam shows what the sanitizer would not let it write.
func (s *QA) checkNewUserImages(u *User, field, html string) error {
	r := s.NewUsers
	if !r.NoImages || !r.applies(u) || !strings.Contains(html, "<img") {
		return nil
	}
	return Invalid(field, "no_images", "New members cannot include images until they reach %d reputation; link to the image instead.", r.Reputation)
}

// dailyPosts is u's quota of questions and answers today: the store counts the day's
// posts (CheckDailyPosts) in the transaction that adds the next.
func (s *QA) dailyPosts(u *User) int {
	if r := s.NewUsers; r.DailyPosts > 0 && r.applies(u) {
		return r.DailyPosts
	}
	return 0
}

// CheckDailyPosts is the rule a store applies, inside the transaction that adds a
// question or an answer, to the author's questions and answers since the UTC day began
// (deleted ones too). Returns rate_limited until the next UTC day once quota is reached.
func CheckDailyPosts(quota, today int, now time.Time) error {
	if quota <= 0 || today < quota {
		return nil
	}
	return RateLimited(UTCDay(now).Add(24*time.Hour).Sub(now),
		"New members can post %d questions and answers a day; you can post again tomorrow (UTC), or sooner once you have more reputation.", quota)
}
