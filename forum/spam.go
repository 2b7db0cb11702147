package forum

import (
	"context"
	"crypto/sha256"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Spam signals. Every new question, answer and comment is scored from plain signals
// (ScoreSpam); a post that reaches the threshold is stored hidden pending review
// (hidden_at, hidden_reason), with an audit row by the system, and the review queue shows
// it to moderators. The scoring is a pure function of the post, its author, the lists
// admins keep and how often the same text was posted lately, so it costs microseconds and
// every rule is a table test.

// SpamRules are the weights and thresholds; DefaultSpamRules are the site's.
type SpamRules struct {
	Threshold      int           // a score at or above this hides the post; 0: spam scoring off
	FreeLinks      int           // links a post may carry before each further one counts
	LinkWeight     int           // per link beyond FreeLinks
	MaxLinkScore   int           // the links' part of the score is capped here
	BlockedWord    int           // a word or phrase admins blocked
	BlockedDomain  int           // a link to a domain admins blocked
	SpamDomain     int           // a link to a domain seen in posts removed as spam
	NewAccount     int           // an account younger than NewAccountAge, not known, posting
	NewAccountAge  time.Duration //
	NewAccountLink int           // ... and its post carries a link
	Repeated       int           // the same text posted RepeatCount times within RepeatWindow
	RepeatedOnce   int           // posted once before within the window
	RepeatCount    int
	RepeatWindow   time.Duration
}

// DefaultSpamRules hide at once a post with a blocked word or domain, or a text posted
// for the third time within the hour; the weaker signals (links, a new account, a domain
// seen in removed spam) only when several agree.
var DefaultSpamRules = SpamRules{
	Threshold: 5, FreeLinks: 2, LinkWeight: 1, MaxLinkScore: 4,
	BlockedWord: 5, BlockedDomain: 5, SpamDomain: 3,
	NewAccount: 1, NewAccountAge: 10 * time.Minute, NewAccountLink: 1,
	Repeated: 5, RepeatedOnce: 1, RepeatCount: 2, RepeatWindow: time.Hour,
}

// Spam term kinds and sources.
const (
	SpamWord           = "word"
	SpamDomainKind     = "domain"
	SpamFromAdmin      = "admin"
	SpamFromRemoved    = "removed_spam"
	MaxSpamTerms       = 1000 // per kind
	MaxSpamTermLen     = 100
	spamListsFreshness = 30 * time.Second // how long another process's change may take to apply here
)

// SpamTerm is a blocked word or domain.
type SpamTerm struct {
	Kind, Value, Source string
	CreatedAt           time.Time
}

// SpamLists are the terms in force, ready for scoring.
type SpamLists struct {
	Words   []string          // normalized as the text they are matched in (normalizeSpamText)
	Domains map[string]string // domain (lower case, no "www.") -> source
	// byFirst indexes Words by their first word, so that a post is matched in one pass
	// over its words, whatever the length of the list.
	byFirst map[string][]string
}

// NewSpamLists indexes terms.
func NewSpamLists(terms []SpamTerm) *SpamLists {
	l := &SpamLists{Domains: map[string]string{}, byFirst: map[string][]string{}}
	for _, t := range terms {
		switch t.Kind {
		case SpamWord:
			if w := string(normalizeSpamText(t.Value)); w != "" {
				l.Words = append(l.Words, w)
				first, _, _ := strings.Cut(w, " ")
				l.byFirst[first] = append(l.byFirst[first], w)
			}
		case SpamDomainKind:
			if l.Domains[t.Value] != SpamFromAdmin { // an admin's block outweighs the record of removed spam
				l.Domains[t.Value] = t.Source
			}
		}
	}
	return l
}

// SpamPost is what scoring reads of a new post.
type SpamPost struct {
	Author *User
	Text   string   // title and body as written
	Links  []string // the addresses of its links and images (Renderer.Links)
	Now    time.Time
}

// SpamCheck is a post's score before the store adds the repeats it counts in the
// transaction that writes the post (WithRepeats).
type SpamCheck struct {
	Score   int
	Reasons []string
	Hash    []byte // SpamTextHash of the text
	rules   SpamRules
}

// SpamVerdict is the final score: Hidden when it reaches the threshold, with the reasons.
type SpamVerdict struct {
	Score   int
	Reasons []string
	Hidden  bool
}

// Reason is the reasons in one line, for hidden_reason and the queue.
func (v SpamVerdict) Reason() string {
	if !v.Hidden {
		return ""
	}
	return "Suspected spam: " + strings.Join(v.Reasons, "; ") + "."
}

// normalizeSpamText is text as scoring reads it: its letters and digits in lower case,
// every run of anything else one space. Trivial variations (case, spacing, punctuation)
// read alike, and blocked words match on word boundaries.
func normalizeSpamText(text string) []byte {
	b := make([]byte, 0, len(text))
	space := false
	for _, r := range text {
		if r < utf8.RuneSelf { // ASCII, most text: no tables
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			default:
				space = true
				continue
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = unicode.ToLower(r)
		} else {
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = utf8.AppendRune(b, r)
	}
	return b
}

// SpamTextHash hashes text normalized so that trivial variations (case, spacing,
// punctuation) hash alike.
func SpamTextHash(text string) []byte { return spamHash(normalizeSpamText(text)) }

func spamHash(norm []byte) []byte {
	sum := sha256.Sum256(norm)
	return sum[:16]
}

// linkDomain is a link's host, lower case, without "www." and port; "" for links within
// the site.
func linkDomain(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// domainListed reports whether d or a parent domain of it is listed, and its source.
func (l *SpamLists) domainListed(d string) (string, bool) {
	for d != "" {
		if src, ok := l.Domains[d]; ok {
			return src, true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok || !strings.Contains(rest, ".") {
			return "", false
		}
		d = rest
	}
	return "", false
}

// hasBlockedWord reports whether norm (normalizeSpamText's: words separated by single
// spaces) holds one of the blocked words or phrases, on word boundaries.
func (l *SpamLists) hasBlockedWord(norm string) bool {
	if len(l.byFirst) == 0 {
		return false
	}
	for rest := norm; rest != ""; {
		word, after, _ := strings.Cut(rest, " ")
		for _, w := range l.byFirst[word] {
			if strings.HasPrefix(rest, w) && (len(rest) == len(w) || rest[len(w)] == ' ') {
				return true
			}
		}
		rest = after
	}
	return false
}

// ScoreSpam scores a post from its own signals. Moderators are never scored.
func ScoreSpam(r SpamRules, p SpamPost, l *SpamLists) SpamCheck {
	norm := normalizeSpamText(p.Text)
	c := SpamCheck{Hash: spamHash(norm), rules: r}
	if r.Threshold <= 0 || (p.Author != nil && p.Author.Role.IsModerator()) {
		c.rules.Threshold = 0
		return c
	}
	var offsite []string
	for _, link := range p.Links {
		if d := linkDomain(link); d != "" {
			offsite = append(offsite, d)
		}
	}
	if extra := len(offsite) - r.FreeLinks; extra > 0 && r.LinkWeight > 0 {
		c.add(min(extra*r.LinkWeight, r.MaxLinkScore), "many links")
	}
	if l != nil {
		blocked, removed := false, false
		for _, d := range offsite {
			switch src, ok := l.domainListed(d); {
			case ok && src == SpamFromAdmin:
				blocked = true
			case ok:
				removed = true
			}
		}
		if blocked {
			c.add(r.BlockedDomain, "a link to a blocked domain")
		} else if removed {
			c.add(r.SpamDomain, "a link to a domain seen in removed spam")
		}
		if l.hasBlockedWord(string(norm)) {
			c.add(r.BlockedWord, "a blocked word")
		}
	}
	if a := p.Author; a != nil && !a.Known && r.NewAccountAge > 0 && p.Now.Sub(a.CreatedAt) < r.NewAccountAge {
		c.add(r.NewAccount, "a brand-new account")
		if len(offsite) > 0 {
			c.add(r.NewAccountLink, "a link from a brand-new account")
		}
	}
	return c
}

func (c *SpamCheck) add(score int, reason string) {
	if score <= 0 {
		return
	}
	c.Score += score
	c.Reasons = append(c.Reasons, reason)
}

// WithRepeats is the verdict once the store has counted the posts of the same text
// within the window (RepeatWindow) before this one. A nil check is never hidden.
func (c *SpamCheck) WithRepeats(n int) SpamVerdict {
	if c == nil || c.rules.Threshold <= 0 {
		return SpamVerdict{}
	}
	v := SpamVerdict{Score: c.Score, Reasons: slices.Clone(c.Reasons)}
	switch r := c.rules; {
	case r.RepeatCount > 0 && n >= r.RepeatCount && r.Repeated > 0:
		v.Score += r.Repeated
		v.Reasons = append(v.Reasons, "the same text posted repeatedly")
	case n >= 1 && r.RepeatedOnce > 0:
		v.Score += r.RepeatedOnce
		v.Reasons = append(v.Reasons, "the same text posted before")
	}
	v.Hidden = v.Score >= c.rules.Threshold
	return v
}

// RepeatSince is the start of the window the store counts repeats in.
func (c *SpamCheck) RepeatSince(now time.Time) time.Time { return now.Add(-c.rules.RepeatWindow) }

// SpamStore keeps the blocked words and domains.
type SpamStore interface {
	// SpamTerms lists every term, by kind and value.
	SpamTerms(ctx context.Context) ([]SpamTerm, error)
	// SetSpamTerms replaces the admins' terms of kind with values (lower case, unique).
	SetSpamTerms(ctx context.Context, kind string, values []string, now time.Time) error
	// AddSpamDomains records the domains of a post removed as spam (source removed_spam);
	// a domain already listed keeps its entry. The moderators' delete-as-spam calls it.
	AddSpamDomains(ctx context.Context, domains []string, now time.Time) error
}

// SpamGuard scores new posts against the lists in force and lets admins change them.
type SpamGuard struct {
	Store SpamStore
	Rules SpamRules
	Now   func() time.Time

	mu       sync.Mutex
	lists    *SpamLists
	loadedAt time.Time
}

// current returns the lists, reading them again when they are older than the freshness.
func (g *SpamGuard) current(ctx context.Context) (*SpamLists, error) {
	now := g.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lists != nil && now.Sub(g.loadedAt) < spamListsFreshness && !now.Before(g.loadedAt) {
		return g.lists, nil
	}
	terms, err := g.Store.SpamTerms(ctx)
	if err != nil {
		return nil, err
	}
	g.lists, g.loadedAt = NewSpamLists(terms), now
	return g.lists, nil
}

func (g *SpamGuard) forget() {
	g.mu.Lock()
	g.lists = nil
	g.mu.Unlock()
}

// Check scores a new post by u. A nil guard scores nothing.
func (g *SpamGuard) Check(ctx context.Context, u *User, text string, links []string, now time.Time) (*SpamCheck, error) {
	if g == nil {
		return nil, nil
	}
	l, err := g.current(ctx)
	if err != nil {
		return nil, err
	}
	c := ScoreSpam(g.Rules, SpamPost{Author: u, Text: text, Links: links, Now: now}, l)
	return &c, nil
}

// SpamListsView is the blocked words and domains as the admin area shows them.
type SpamListsView struct {
	Words, Domains []string // the admins' own
	SpamDomains    []string // recorded from removed spam
}

// Lists returns the terms to an admin (not_found to anyone else, as the admin area).
func (g *SpamGuard) Lists(ctx context.Context, by *User) (*SpamListsView, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	terms, err := g.Store.SpamTerms(ctx)
	if err != nil {
		return nil, err
	}
	v := &SpamListsView{Words: []string{}, Domains: []string{}, SpamDomains: []string{}}
	for _, t := range terms {
		switch {
		case t.Kind == SpamWord:
			v.Words = append(v.Words, t.Value)
		case t.Source == SpamFromAdmin:
			v.Domains = append(v.Domains, t.Value)
		default:
			v.SpamDomains = append(v.SpamDomains, t.Value)
		}
	}
	return v, nil
}

// NormalizeSpamWords cleans a list of blocked words or phrases: lower case, spaces
// collapsed, duplicates and empty lines dropped. invalid "words".
func NormalizeSpamWords(in []string) ([]string, error) {
	return normalizeSpamTerms("words", in, func(s string) (string, bool) {
		s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
		return s, true
	})
}

// NormalizeSpamDomains cleans a list of domains: "https://www.Example.com/x" is
// example.com. invalid "domains" naming one that is not a domain.
func NormalizeSpamDomains(in []string) ([]string, error) {
	return normalizeSpamTerms("domains", in, func(s string) (string, bool) {
		s = strings.ToLower(strings.TrimSpace(s))
		if strings.Contains(s, "://") {
			s = linkDomain(s)
		} else {
			s, _, _ = strings.Cut(s, "/")
			s = strings.TrimPrefix(s, "www.")
		}
		if !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
			return s, false
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r > unicode.MaxASCII && unicode.IsLetter(r)) {
				return s, false
			}
		}
		return s, true
	})
}

func normalizeSpamTerms(field string, in []string, norm func(string) (string, bool)) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, raw := range in {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		clean, err := CleanLine(field, raw)
		if err != nil {
			return nil, err
		}
		v, ok := norm(clean)
		if !ok {
			return nil, Invalid(field, "bad_domain", "%q is not a domain; write one per line, such as spam.example.", strings.TrimSpace(raw))
		}
		if utf8.RuneCountInString(v) > MaxSpamTermLen {
			return nil, Invalid(field, "too_long", "Each entry can be at most %d characters.", MaxSpamTermLen)
		}
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	if len(out) > MaxSpamTerms {
		return nil, Invalid(field, "too_many", "At most %d entries.", MaxSpamTerms)
	}
	slices.Sort(out)
	return out, nil
}

// SetLists replaces the admins' blocked words and domains; nil leaves a list as it is.
// not_found unless by is an admin; invalid "words" or "domains".
func (g *SpamGuard) SetLists(ctx context.Context, by *User, words, domains []string) (*SpamListsView, error) {
	if err := CheckAdmin(by); err != nil {
		return nil, err
	}
	var fe FieldErrors
	var err error
	if words != nil {
		words, err = NormalizeSpamWords(words)
		fe.Add(err)
	}
	if domains != nil {
		domains, err = NormalizeSpamDomains(domains)
		fe.Add(err)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := g.Now().UTC()
	if words != nil {
		if err := g.Store.SetSpamTerms(ctx, SpamWord, words, now); err != nil {
			return nil, err
		}
	}
	if domains != nil {
		if err := g.Store.SetSpamTerms(ctx, SpamDomainKind, domains, now); err != nil {
			return nil, err
		}
	}
	g.forget()
	return g.Lists(ctx, by)
}

// SpamDomainsOf returns the distinct off-site domains links point to (Renderer.Links of a
// post's HTML), as the spam lists record them.
func SpamDomainsOf(links []string) []string {
	var out []string
	for _, l := range links {
		if d := linkDomain(l); d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// RecordRemovedSpam records the domains a post removed as spam linked to, so that new
// posts linking there score higher. The moderators' "delete as spam" calls it with
// Renderer.Links of the post's HTML. A nil guard records nothing.
func (g *SpamGuard) RecordRemovedSpam(ctx context.Context, links []string) error {
	if g == nil {
		return nil
	}
	domains := SpamDomainsOf(links)
	if len(domains) == 0 {
		return nil
	}
	if err := g.Store.AddSpamDomains(ctx, domains, g.Now().UTC()); err != nil {
		return err
	}
	g.forget()
	return nil
}
