package forum

import (
	"context"
	"regexp"
	"time"
)

// NewUserRules restrain accounts that have not yet earned trust: spam comes from new
// accounts, and these limits cost a real teacher little.
type NewUserRules struct {
	Reputation       int           // below this, the rules apply
	MaxLinks         int           // links per post
	QuestionInterval time.Duration // between two questions; 0: none (rate limits off)
}

// DefaultNewUserRules are DESIGN.md's: under 125 reputation, 2 links per post and 40
// minutes between questions.
var DefaultNewUserRules = NewUserRules{Reputation: 125, MaxLinks: 2, QuestionInterval: 40 * time.Minute}

var linkPattern = regexp.MustCompile(`(?i)\b(?:https?://|www\.)`)

// checkNewUserLinks refuses a post with more links than a new account may add.
func (s *QA) checkNewUserLinks(u *User, field, markdown string) error {
	r := s.NewUsers
	if r.MaxLinks <= 0 || u.Reputation >= r.Reputation || u.Role.IsModerator() {
		return nil
	}
	if n := len(linkPattern.FindAllStringIndex(markdown, r.MaxLinks+1)); n > r.MaxLinks {
		return Invalid(field, "too_many_links", "New members may include at most %d links in a post until they reach %d reputation; remove a link or two.", r.MaxLinks, r.Reputation)
	}
	return nil
}

// checkQuestionInterval makes a new account wait between questions.
func (s *QA) checkQuestionInterval(ctx context.Context, u *User) error {
	r := s.NewUsers
	if r.QuestionInterval <= 0 || u.Reputation >= r.Reputation || u.Role.IsModerator() {
		return nil
	}
	author := u.ID
	last, err := s.Posts.Questions(ctx, QuestionFilter{Sort: SortNewest, AuthorID: &author, Page: 1, PageSize: 1}, u.ID)
	if err != nil || len(last.Items) == 0 {
		return err
	}
	if wait := last.Items[0].CreatedAt.Add(r.QuestionInterval).Sub(s.now()); wait > 0 {
		return RateLimited(wait, "New members can ask one question every %d minutes; you can ask again in %s.", int(r.QuestionInterval.Minutes()), humanDuration(wait))
	}
	return nil
}
