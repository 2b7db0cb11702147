package forum

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Search finds questions by their words, tags and filters (Stack Overflow's query syntax,
// see ParseSearchQuery). The work is split so that a second store can answer it with its
// own full-text engine: a SearchStore finds candidates and scores their text (BM25-style,
// title above body above answers); everything else, who may see what, the boost from votes
// and acceptance, the order, facets, totals, pages and snippets, is decided here.

// Limits of a search.
const (
	// MaxSearchCandidates is how many matches a store scores per index it reads, newest
	// first (a store may score fewer of a larger, less weighty index: answers). It bounds a
	// search's work: a word found in half the site costs what a rare one does. When there
	// are more, totals and facets are estimated from the part read.
	MaxSearchCandidates = 1000
	// SearchPageSize is the default page of results; MaxSearchPageSize the largest.
	SearchPageSize    = 15
	MaxSearchPageSize = 50
	// MaxSimilarQuestions is how many similar questions the ask page shows.
	MaxSimilarQuestions = 10
	// searchFacetTags is how many tags the tag facet lists.
	searchFacetTags = 12
	// searchCacheTTL is how long a search's candidates are reused while nothing was
	// posted, edited or deleted: a popular query costs one search a second per node, and
	// scores and answer counts shown are at most that old. Any change to the index ends
	// every cached search at once (SearchStore.SearchGeneration).
	searchCacheTTL = time.Second
	// searchCacheEntries bounds the cache; past it the oldest half is dropped.
	searchCacheEntries = 2048
	// snippetLen is about how many characters a snippet shows.
	snippetLen = 240
)

// Weights of a store's relevance. Column weights apply inside one post's text; an answer's
// relevance counts AnswerWeight times as much as the question's own (answers are long and
// about the question, which is what the result is).
const (
	SearchTitleWeight  = 4.0
	SearchTagsWeight   = 2.0
	SearchBodyWeight   = 1.0
	SearchAnswerWeight = 0.6
)

// SearchSort orders search results.
type SearchSort string

const (
	SearchByRelevance SearchSort = "relevance"
	SearchByNewest    SearchSort = "newest"
	SearchByVotes     SearchSort = "votes"
)

// ParseSearchSort accepts the three orders; empty means relevance.
func ParseSearchSort(s string) (SearchSort, error) {
	switch v := SearchSort(s); v {
	case "":
		return SearchByRelevance, nil
	case SearchByRelevance, SearchByNewest, SearchByVotes:
		return v, nil
	}
	return "", Invalid("sort", "invalid_sort", "Sort must be relevance, newest or votes.")
}

// SearchStatus narrows results to answered, unanswered or accepted questions.
type SearchStatus string

const (
	StatusAnswered   SearchStatus = "answered"
	StatusUnanswered SearchStatus = "unanswered"
	StatusAccepted   SearchStatus = "accepted"
)

// ParseSearchStatus accepts the three statuses; empty means any.
func ParseSearchStatus(s string) (SearchStatus, error) {
	switch v := SearchStatus(s); v {
	case "", StatusAnswered, StatusUnanswered, StatusAccepted:
		return v, nil
	}
	return "", Invalid("status", "invalid_status", "Status must be answered, unanswered or accepted.")
}

// SearchInput is a search as a person asks for it (the API's and the page's parameters).
type SearchInput struct {
	Q             string
	Tag           string
	Collaborative string
	Status        string
	Sort          string
	Page          int // from 1
	PageSize      int
}

// SearchPlan is what a store searches: the query with the viewer resolved and the
// filters merged in. It says nothing of who searches: candidates are the same for everyone,
// and who may see which is decided afterwards (SearchScope), so they can be shared.
type SearchPlan struct {
	Terms        []SearchTerm
	Excluded     []SearchTerm
	Tags         []string
	ExcludedTags []string
	AuthorID     int64    // posts by this person only; 0: anyone
	Kind         PostKind // "": questions and answers
	Score        *IntRange
	Answers      *IntRange
	Accepted     *bool
	Closed       *bool
	Created      *TimeRange
	District     string // posts by members of this district (slug)
	// CollaborativeID keeps to one collaborative's questions (0: any); the Searcher sets
	// it only for a collaborative the searcher may see inside.
	CollaborativeID int64
	Limit           int // candidates per index; 0: MaxSearchCandidates
}

// Key is a canonical text of the plan, for caching its candidates.
func (p *SearchPlan) Key() string {
	var b strings.Builder
	terms := func(name string, ts []SearchTerm) {
		for _, t := range ts {
			b.WriteString(name)
			b.WriteString(strings.Join(t.Stems, " "))
			b.WriteByte('\x00')
		}
	}
	terms("t:", p.Terms)
	terms("x:", p.Excluded)
	b.WriteString("g:" + strings.Join(p.Tags, " ") + "\x00gx:" + strings.Join(p.ExcludedTags, " "))
	b.WriteString("\x00u:" + strconv.FormatInt(p.AuthorID, 10) + "\x00k:" + string(p.Kind))
	rng := func(name string, r *IntRange) {
		if r == nil {
			return
		}
		b.WriteString("\x00" + name)
		if r.Min != nil {
			b.WriteString(strconv.Itoa(*r.Min))
		}
		b.WriteString("..")
		if r.Max != nil {
			b.WriteString(strconv.Itoa(*r.Max))
		}
	}
	rng("s:", p.Score)
	rng("a:", p.Answers)
	if p.Accepted != nil {
		b.WriteString("\x00acc:" + strconv.FormatBool(*p.Accepted))
	}
	if p.Closed != nil {
		b.WriteString("\x00cl:" + strconv.FormatBool(*p.Closed))
	}
	if p.Created != nil {
		b.WriteString("\x00cr:" + p.Created.From.Format(time.RFC3339) + ".." + p.Created.Until.Format(time.RFC3339))
	}
	b.WriteString("\x00d:" + p.District + "\x00c:" + strconv.FormatInt(p.CollaborativeID, 10) + "\x00l:" + strconv.Itoa(p.Limit))
	return b.String()
}

// SearchQuestionKeys is what ranking, filtering and facets need of a question.
type SearchQuestionKeys struct {
	ID          int64
	AuthorID    int64
	Deleted     bool
	Score       int
	AnswerCount int
	Accepted    bool
	Closed      bool
	Tags        []string
	District    string // the asker's district (slug), "" when none
	Curated     bool   // a live answer of it is curated (moderation)
	// The question's collaborative (0 and "": none) and whether it is private (forum/scope.go).
	CollaborativeID   int64
	CollaborativeSlug string
	Private           bool
}

// SearchAnswerMatch is an answer whose text matched.
type SearchAnswerMatch struct {
	ID        int64
	AuthorID  int64
	Deleted   bool
	Relevance float64
}

// SearchCandidate is a question that matched, through its own text or its answers'.
type SearchCandidate struct {
	Question SearchQuestionKeys
	// Relevance is the question's own text score (0 when only answers matched);
	// QuestionMatched says whether its own text matched at all.
	Relevance       float64
	QuestionMatched bool
	// Answers are its matching answers, best first (a few at most).
	Answers []SearchAnswerMatch
	// Weight is how many matches this one stands for when the store read only part of
	// them (1 / the share read); 1 when it read them all.
	Weight float64
}

// SearchCandidates is what a store found for a plan.
type SearchCandidates struct {
	Items []SearchCandidate
	// Complete says every match was read: totals and facets are exact, not estimates.
	Complete bool
}

// SimilarCandidate is a question whose title shares words with another's.
type SimilarCandidate struct {
	Question  SearchQuestionKeys
	Relevance float64
}

// SearchStore is a full-text index of questions and answers, kept in the same transaction
// as every post written, edited, deleted or undeleted, so that a post is found the moment
// its write returns and a deleted one is found only by those who may see it.
type SearchStore interface {
	// SearchCandidates returns the questions matching every term of the plan (in the
	// question's title, body or tags, or within one of its answers), none of its excluded
	// terms, all its tags and filters, with their text relevance. Deleted posts are
	// included, marked: the service decides who sees them. It reads at most plan.Limit
	// matches per index, newest first, and says whether that was all of them.
	SearchCandidates(ctx context.Context, plan SearchPlan) (*SearchCandidates, error)
	// SimilarTitles returns questions whose titles share the most of terms, weighing
	// rare words above common ones; at most limit, best first.
	SimilarTitles(ctx context.Context, terms []SearchTerm, limit int) ([]SimilarCandidate, error)
	// SearchPosts reads what a page of results shows: the questions (with bodies, deleted
	// ones included) with viewerID's votes, and the bodies of the given answers.
	SearchPosts(ctx context.Context, questionIDs, answerIDs []int64, viewerID int64) (map[int64]*Post, map[int64]string, error)
	// SearchGeneration changes whenever the index does: cached candidates are good while
	// it stays the same.
	SearchGeneration(ctx context.Context) (int64, error)
}

// SearchScope is who searches, and so what they may find: everything public, deleted
// posts for moderators and their authors, and private collaboratives' questions (and
// their answers) for their members and moderators.
type SearchScope struct {
	ViewerID  int64 // 0: anonymous
	Moderator bool
	// Members are the collaboratives the viewer belongs to, read only when a candidate
	// is private (Searcher.Search).
	Members map[int64]bool
}

// SearchScopeFor returns u's scope (nil: anonymous).
func SearchScopeFor(u *User) SearchScope {
	if u == nil {
		return SearchScope{}
	}
	return SearchScope{ViewerID: u.ID, Moderator: u.Role.IsModerator()}
}

// SeesDeleted reports whether the viewer may find a deleted post written by authorID:
// moderators may find any, authors their own.
func (s SearchScope) SeesDeleted(authorID int64) bool {
	return s.Moderator || (s.ViewerID != 0 && s.ViewerID == authorID)
}

// SeesQuestion reports whether the viewer may find the question at all: a private
// collaborative's is found by its members and moderators only (SeesPostScope's rule).
func (s SearchScope) SeesQuestion(q *SearchQuestionKeys) bool {
	return (!q.Deleted || s.SeesDeleted(q.AuthorID)) && s.SeesScope(q)
}

// SeesScope reports whether the viewer sees the question's collaborative's insides.
func (s SearchScope) SeesScope(q *SearchQuestionKeys) bool {
	if !q.Private {
		return true
	}
	var viewer *User
	if s.ViewerID != 0 {
		viewer = &User{ID: s.ViewerID, Role: RoleMember}
		if s.Moderator {
			viewer.Role = RoleModerator
		}
	}
	role := MemberNone
	if s.Members[q.CollaborativeID] {
		role = MemberRoleMember
	}
	return SeesPostScope(&PostCollaborative{ID: q.CollaborativeID, Slug: q.CollaborativeSlug, Visibility: VisibilityPrivate}, viewer, role)
}

// SeesAnswer reports whether the viewer may find an answer of a question they see.
func (s SearchScope) SeesAnswer(a *SearchAnswerMatch) bool {
	return !a.Deleted || s.SeesDeleted(a.AuthorID)
}

// SnippetPart is a piece of a snippet; Mark pieces are the words the search matched.
type SnippetPart struct {
	Text string
	Mark bool
}

// SearchHit is one result: a question, and the text that matched.
type SearchHit struct {
	Question *Post
	Title    []SnippetPart // the title with matched words marked
	// Snippet is cut from the question's body, or from the matching answer's when only
	// an answer matched (AnswerID says which).
	Snippet  []SnippetPart
	AnswerID int64
}

// FacetCount is one value of a facet and how many results have it.
type FacetCount struct {
	Value string
	Count int
}

// SearchFacets count the results by tag, status, collaborative and district, for the
// query as it stands: each is a filter a person can add.
type SearchFacets struct {
	Tags           []FacetCount
	Status         []FacetCount // answered, unanswered, accepted
	Collaboratives []FacetCount
	Districts      []FacetCount
}

// SearchResults is one page of a search.
type SearchResults struct {
	Query      SearchQuery
	Hits       []SearchHit
	Total      int
	TotalExact bool // false: Total and Facets are estimated from the newest matches
	Facets     SearchFacets
	Sort       SearchSort
	Status     SearchStatus
	Page       int
	PageSize   int
	Pages      int // pages there are to show (results past the candidates read are not paged)
}

// Searcher answers searches and similar-question lookups.
type Searcher struct {
	Store SearchStore
	Now   func() time.Time
	// Synonyms rewrite [tag]s that stand for others; nil: tags are searched as written.
	Synonyms TagSynonymStore
	// Scopes resolves the collaborative filter and the searcher's memberships; nil: the
	// filter finds nothing and private questions are found by moderators only.
	Scopes CollaborativeScopes

	mu      sync.Mutex
	cache   map[string]*cachedCandidates
	running map[string]chan struct{} // searches under way, closed when each ends
}

type cachedCandidates struct {
	gen  int64
	at   time.Time
	cand *SearchCandidates
	// pages are the results drawn from cand for viewers who see what anonymous readers
	// do, by order and page; the Searcher's mu guards the map.
	pages map[string]*searchPage
}

// searchPage is one page of results as every such viewer gets it.
type searchPage struct {
	hits   []SearchHit
	total  int
	exact  bool
	facets SearchFacets
	pages  int
}

// Search runs a search for u (nil: anonymous). It returns invalid for a bad sort, status,
// page or page size; every q parses (what cannot be read is skipped and listed in
// Query.Ignored), so words never fail.
func (s *Searcher) Search(ctx context.Context, u *User, in SearchInput) (*SearchResults, error) {
	res := &SearchResults{Page: in.Page, PageSize: in.PageSize}
	var err error
	if res.Sort, err = ParseSearchSort(in.Sort); err != nil {
		return nil, err
	}
	if res.Status, err = ParseSearchStatus(in.Status); err != nil {
		return nil, err
	}
	if res.Page == 0 {
		res.Page = 1
	}
	if res.Page < 1 {
		return nil, Invalid("page", "invalid_page", "Page must be 1 or more.")
	}
	if res.PageSize == 0 {
		res.PageSize = SearchPageSize
	}
	if res.PageSize < 1 || res.PageSize > MaxSearchPageSize {
		return nil, Invalid("page_size", "invalid_page_size", "Page size must be 1 to %d.", MaxSearchPageSize)
	}
	res.Query = ParseSearchQuery(in.Q)
	q := &res.Query
	if tag := strings.TrimSpace(in.Tag); tag != "" {
		t, err := NormalizeTag(tag)
		if err != nil {
			return nil, err.(*Error).WithField("tag")
		}
		q.Tags = appendUnique(q.Tags, t, maxSearchTags)
	}
	if c := strings.TrimSpace(in.Collaborative); c != "" {
		q.Collaborative = strings.ToLower(truncate(c, 60))
	}
	// [sbg] searches standards-based-grading when sbg is its synonym.
	if q.Tags, err = CanonicalTags(ctx, s.Synonyms, q.Tags); err != nil {
		return nil, err
	}
	if q.ExcludedTags, err = CanonicalTags(ctx, s.Synonyms, q.ExcludedTags); err != nil {
		return nil, err
	}
	res.Facets = SearchFacets{Tags: []FacetCount{}, Status: []FacetCount{}, Collaboratives: []FacetCount{}, Districts: []FacetCount{}}
	res.TotalExact = true
	plan, ok, err := s.plan(ctx, q, u, res.Status)
	if err != nil {
		return nil, err
	}
	if !ok || q.Empty() && res.Status == "" {
		return res, nil // nothing asked, or something nobody can match
	}
	entry, err := s.candidates(ctx, plan)
	if err != nil {
		return nil, err
	}
	cand, scope := entry.cand, SearchScopeFor(u)
	if err := s.scopeMembers(ctx, cand, &scope); err != nil {
		return nil, err
	}
	// Most viewers see exactly what anonymous readers do: they share the page drawn once.
	shared := !seesMoreThanPublic(cand, scope)
	pageKey := string(res.Sort) + "/" + strconv.Itoa(res.Page) + "/" + strconv.Itoa(res.PageSize)
	if shared {
		s.mu.Lock()
		p, ok := entry.pages[pageKey]
		s.mu.Unlock()
		if ok {
			res.Hits, res.Total, res.TotalExact, res.Facets, res.Pages = p.hits, p.total, p.exact, p.facets, p.pages
			return res, nil
		}
	}
	ranked := rankCandidates(cand, scope, res.Sort)
	res.Total, res.Facets = countResults(ranked, cand.Complete)
	res.TotalExact = cand.Complete
	res.Pages = (len(ranked) + res.PageSize - 1) / res.PageSize
	if from := (res.Page - 1) * res.PageSize; from < len(ranked) {
		if err := s.fillHits(ctx, res, ranked[from:min(len(ranked), from+res.PageSize)], scope); err != nil {
			return nil, err
		}
	}
	if shared {
		s.mu.Lock()
		if entry.pages == nil {
			entry.pages = map[string]*searchPage{}
		}
		entry.pages[pageKey] = &searchPage{hits: res.Hits, total: res.Total, exact: res.TotalExact, facets: res.Facets, pages: res.Pages}
		s.mu.Unlock()
	}
	return res, nil
}

// seesMoreThanPublic reports whether scope finds any candidate an anonymous reader does
// not: a deleted post it may see.
func seesMoreThanPublic(cand *SearchCandidates, scope SearchScope) bool {
	if scope.Moderator {
		return true
	}
	if scope.ViewerID == 0 {
		return false
	}
	for i := range cand.Items {
		c := &cand.Items[i]
		if c.Question.Private && scope.SeesQuestion(&c.Question) {
			return true
		}
		if c.Question.Deleted && scope.SeesDeleted(c.Question.AuthorID) {
			return true
		}
		for _, a := range c.Answers {
			if a.Deleted && scope.SeesDeleted(a.AuthorID) {
				return true
			}
		}
	}
	return false
}

// scopeMembers reads the collaboratives a signed-in viewer belongs to into scope, when
// some candidate is a private collaborative's and the viewer is not a moderator: one
// indexed read, and none for the many searches that find nothing private.
func (s *Searcher) scopeMembers(ctx context.Context, cand *SearchCandidates, scope *SearchScope) error {
	if scope.ViewerID == 0 || scope.Moderator || s.Scopes == nil {
		return nil
	}
	for i := range cand.Items {
		if cand.Items[i].Question.Private {
			groups, err := s.Scopes.MemberCollaboratives(ctx, scope.ViewerID)
			if err != nil {
				return err
			}
			scope.Members = make(map[int64]bool, len(groups))
			for _, g := range groups {
				scope.Members[g.ID] = true
			}
			return nil
		}
	}
	return nil
}

// plan turns a parsed query into what a store searches. It is false when nothing can
// match: a collaborative that does not exist or whose insides u may not see (answered
// alike: no results), or user:me for someone anonymous.
func (s *Searcher) plan(ctx context.Context, q *SearchQuery, u *User, status SearchStatus) (SearchPlan, bool, error) {
	p := SearchPlan{Terms: q.Terms, Excluded: q.Excluded, Tags: q.Tags, ExcludedTags: q.ExcludedTags, Kind: q.Kind,
		Score: q.Score, Answers: q.Answers, Accepted: q.Accepted, Closed: q.Closed, Created: q.Created, District: q.District,
		Limit: MaxSearchCandidates}
	if q.Collaborative != "" {
		if s.Scopes == nil {
			return p, false, nil
		}
		a, err := s.Scopes.CollaborativeAccess(ctx, q.Collaborative, u)
		if KindOf(err) == ENotFound {
			return p, false, nil
		}
		if err != nil {
			return p, false, err
		}
		if !a.CanSeeInside() {
			return p, false, nil
		}
		p.CollaborativeID = a.Collaborative.ID
	}
	switch {
	case q.UserMe && u == nil:
		return p, false, nil
	case q.UserMe:
		p.AuthorID = u.ID
	case q.User != nil:
		p.AuthorID = *q.User
	}
	yes, zero, one := true, 0, 1
	switch status {
	case StatusAnswered:
		p.Answers = &IntRange{Min: &one}
	case StatusUnanswered:
		p.Answers = &IntRange{Max: &zero}
	case StatusAccepted:
		p.Accepted = &yes
	}
	return p, true, nil
}

// candidates returns the plan's candidates, from the cache while the index has not
// changed and they are fresh.
func (s *Searcher) candidates(ctx context.Context, plan SearchPlan) (*cachedCandidates, error) {
	gen, err := s.Store.SearchGeneration(ctx)
	if err != nil {
		return nil, err
	}
	key, now := plan.Key(), s.now()
	fresh := func(c *cachedCandidates) bool {
		return c != nil && c.gen == gen && now.Sub(c.at) < searchCacheTTL && !now.Before(c.at)
	}
	s.mu.Lock()
	if c := s.cache[key]; fresh(c) {
		s.mu.Unlock()
		return c, nil
	}
	// One search per query at a time: those who ask meanwhile wait for its answer rather
	// than run it again (a popular query whose copy just expired).
	if wait, ok := s.running[key]; ok {
		s.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		s.mu.Lock()
		c := s.cache[key]
		s.mu.Unlock()
		if c != nil && c.gen == gen {
			return c, nil
		}
		return s.candidates(ctx, plan) // it failed, or the index changed meanwhile
	}
	if s.running == nil {
		s.running = map[string]chan struct{}{}
	}
	done := make(chan struct{})
	s.running[key] = done
	s.mu.Unlock()
	cand, err := s.Store.SearchCandidates(ctx, plan)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, key)
	close(done)
	if err != nil {
		return nil, err
	}
	if s.cache == nil {
		s.cache = map[string]*cachedCandidates{}
	}
	if len(s.cache) >= searchCacheEntries {
		for k, v := range s.cache { // drop what is stale, and if that is not enough, half
			if !fresh(v) || len(s.cache) > searchCacheEntries/2 {
				delete(s.cache, k)
			}
		}
	}
	entry := &cachedCandidates{gen: gen, at: now, cand: cand}
	s.cache[key] = entry
	return entry, nil
}

func (s *Searcher) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// rankedResult is a candidate the viewer may see, with its final score and the answer
// that represents it.
type rankedResult struct {
	c      *SearchCandidate
	score  float64
	answer *SearchAnswerMatch // the best visible matching answer, nil when none
}

// rankCandidates keeps what scope may see and orders it. Relevance is the question's own
// text score plus SearchAnswerWeight times its best visible answer's, times a boost for
// votes, acceptance and answers; recency breaks ties.
func rankCandidates(cand *SearchCandidates, scope SearchScope, order SearchSort) []rankedResult {
	out := make([]rankedResult, 0, len(cand.Items))
	for i := range cand.Items {
		c := &cand.Items[i]
		if !scope.SeesQuestion(&c.Question) {
			continue
		}
		r := rankedResult{c: c}
		for j := range c.Answers {
			if scope.SeesAnswer(&c.Answers[j]) {
				r.answer = &c.Answers[j]
				break
			}
		}
		if !c.QuestionMatched && r.answer == nil {
			continue // it matched only through answers this viewer may not see
		}
		rel := c.Relevance
		if r.answer != nil {
			rel += SearchAnswerWeight * r.answer.Relevance
		}
		r.score = rel * searchBoost(&c.Question)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch order {
		case SearchByNewest: // ids grow with time: the tie-break below is the order
		case SearchByVotes:
			if a.c.Question.Score != b.c.Question.Score {
				return a.c.Question.Score > b.c.Question.Score
			}
		default:
			if a.score != b.score {
				return a.score > b.score
			}
		}
		return a.c.Question.ID > b.c.Question.ID // the newer first
	})
	return out
}

// searchBoost raises a question's relevance by what readers thought of it: votes (on a
// log scale, so a hundred votes do not bury a better match), an accepted answer, a
// curated answer (moderators' endorsement counts more than the asker's), having answers
// at all; closed questions sink a little.
func searchBoost(q *SearchQuestionKeys) float64 {
	b := 1.0
	switch {
	case q.Score > 0:
		b += 0.15 * math.Log1p(float64(q.Score))
	case q.Score < 0:
		b -= math.Min(0.4, 0.08*float64(-q.Score))
	}
	if q.Accepted {
		b += 0.2
	}
	if q.Curated { // the network's reference answer: above an equal match without one
		b += 0.3
	}
	if q.AnswerCount > 0 {
		b += 0.05
	}
	if q.Closed {
		b -= 0.15
	}
	return b
}

// countResults totals what the viewer may see and counts its facets; when the store read
// only the newest matches, each counts for the matches it stands for (estimates).
func countResults(ranked []rankedResult, exact bool) (int, SearchFacets) {
	var total float64
	tags := map[string]float64{}
	districts := map[string]float64{}
	collaboratives := map[string]float64{} // of results the viewer may see only: ranked holds nothing else
	var answered, unanswered, accepted float64
	for _, r := range ranked {
		w := r.c.Weight
		if exact || w < 1 {
			w = 1
		}
		total += w
		for _, t := range r.c.Question.Tags {
			tags[t] += w
		}
		if d := r.c.Question.District; d != "" {
			districts[d] += w
		}
		if c := r.c.Question.CollaborativeSlug; c != "" {
			collaboratives[c] += w
		}
		if r.c.Question.AnswerCount > 0 {
			answered += w
		} else {
			unanswered += w
		}
		if r.c.Question.Accepted {
			accepted += w
		}
	}
	f := SearchFacets{Tags: topFacets(tags, searchFacetTags), Status: []FacetCount{},
		Collaboratives: topFacets(collaboratives, searchFacetTags), Districts: topFacets(districts, searchFacetTags)}
	for _, s := range []struct {
		v string
		n float64
	}{{string(StatusAnswered), answered}, {string(StatusUnanswered), unanswered}, {string(StatusAccepted), accepted}} {
		if n := roundCount(s.n); n > 0 {
			f.Status = append(f.Status, FacetCount{Value: s.v, Count: n})
		}
	}
	return roundCount(total), f
}

// roundCount rounds an estimate to what is worth saying: exact counts stay exact.
func roundCount(n float64) int {
	switch {
	case n < 100:
		return int(math.Round(n))
	case n < 1000:
		return int(math.Round(n/10) * 10)
	default:
		return int(math.Round(n/100) * 100)
	}
}

func topFacets(counts map[string]float64, n int) []FacetCount {
	out := make([]FacetCount, 0, len(counts))
	for v, c := range counts {
		if rc := roundCount(c); rc > 0 {
			out = append(out, FacetCount{Value: v, Count: rc})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// fillHits reads the page's posts and cuts their snippets.
func (s *Searcher) fillHits(ctx context.Context, res *SearchResults, page []rankedResult, scope SearchScope) error {
	qids := make([]int64, 0, len(page))
	var aids []int64
	for _, r := range page {
		qids = append(qids, r.c.Question.ID)
		if r.answer != nil && !r.c.QuestionMatched {
			aids = append(aids, r.answer.ID)
		}
	}
	// Read as nobody: results show no one's votes, so viewers can share a page.
	posts, answers, err := s.Store.SearchPosts(ctx, qids, aids, 0)
	if err != nil {
		return err
	}
	stems := map[string]bool{}
	for _, t := range res.Query.Terms {
		for _, st := range t.Stems {
			stems[st] = true
		}
	}
	for _, r := range page {
		q, ok := posts[r.c.Question.ID]
		if !ok {
			continue // gone since the candidates were read
		}
		if q.DeletedAt != nil && !scope.SeesDeleted(q.Author.ID) {
			continue // deleted since: never shown to those who may not see it
		}
		hit := SearchHit{Question: q, Title: MarkWords(q.Title, stems)}
		body := q.Body
		if r.answer != nil && !r.c.QuestionMatched {
			if text, ok := answers[r.answer.ID]; ok {
				body, hit.AnswerID = text, r.answer.ID
			}
		}
		hit.Snippet = Snippet(body, stems, snippetLen)
		q.Body = "" // the page shows the snippet, never the whole body
		res.Hits = append(res.Hits, hit)
	}
	return nil
}

// Similar returns up to MaxSimilarQuestions live questions whose titles share words with title,
// rare words counting most: what the ask page shows as someone types, so they find an
// answer before they ask again.
func (s *Searcher) Similar(ctx context.Context, u *User, title string) ([]*Post, error) {
	q := ParseSearchQuery(strings.NewReplacer(`"`, " ", "[", " ", "]", " ", "-", " ", ":", " ").Replace(title))
	terms := q.Terms
	if len(terms) == 0 {
		return []*Post{}, nil
	}
	cands, err := s.Store.SimilarTitles(ctx, terms, 2*MaxSimilarQuestions)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(cands))
	for _, c := range cands {
		if c.Question.Deleted || c.Question.Closed && c.Question.AnswerCount == 0 {
			continue // a duplicate-seeker needs somewhere to go: live, and answered if closed
		}
		if c.Question.Private {
			continue // never a private collaborative's title, to anyone, while they type
		}
		ids = append(ids, c.Question.ID)
		if len(ids) == MaxSimilarQuestions {
			break
		}
	}
	posts, _, err := s.Store.SearchPosts(ctx, ids, nil, SearchScopeFor(u).ViewerID)
	if err != nil {
		return nil, err
	}
	out := make([]*Post, 0, len(ids))
	for _, id := range ids {
		if p, ok := posts[id]; ok && p.DeletedAt == nil {
			p.Body = ""
			out = append(out, p)
		}
	}
	return out, nil
}
