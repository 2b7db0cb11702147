package forum

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what a search reads of its query. Beyond them the rest is ignored, never
// refused: any text a person can type gets an answer.
const (
	// MaxSearchQueryLen is how much of a query is read (bytes): a pasted page of text is cut here.
	MaxSearchQueryLen = 1000
	// MaxSearchTerms bounds the words and phrases a search matches; more only slow the
	// search down without narrowing it in any useful way.
	MaxSearchTerms = 12
	// MaxPhraseWords bounds one quoted phrase.
	MaxPhraseWords = 8
	// maxSearchTags bounds [tag] filters (a question has at most MaxTags).
	maxSearchTags = MaxTags
)

// SearchTerm is a word or a quoted phrase (several words in order). Words are folded
// (FoldSearchText) and split as the index splits text; Stems are theirs, stemmed.
type SearchTerm struct {
	Words []string
	Stems []string
	Text  string // as the person typed it, for showing the query back
}

// IntRange is an inclusive range; nil ends are open.
type IntRange struct {
	Min, Max *int
}

// Contains reports whether n is in the range.
func (r *IntRange) Contains(n int) bool {
	return r == nil || (r.Min == nil || n >= *r.Min) && (r.Max == nil || n <= *r.Max)
}

// TimeRange is a half-open range of instants [From, Until); zero ends are open.
type TimeRange struct {
	From, Until time.Time
}

// SearchQuery is a parsed search: Stack Overflow's syntax (words, "exact phrase",
// -excluded, [tag], user:ID|me, is:question|answer, score:N|N..M, answers:N, isaccepted:yes|no,
// closed:yes|no, created:2026-01..2026-06, collaborative:slug, district:slug). Every
// input parses: what cannot be read is skipped and listed in Ignored.
type SearchQuery struct {
	Terms         []SearchTerm // all must match
	Excluded      []SearchTerm // none may match
	Tags          []string     // the question has every one
	ExcludedTags  []string
	User          *int64 // posts by this person (user:ID)
	UserMe        bool   // user:me, resolved by the service to the viewer
	Kind          PostKind
	Score         *IntRange
	Answers       *IntRange
	Accepted      *bool
	Closed        *bool
	Created       *TimeRange
	Collaborative string
	District      string
	Ignored       []string // parts of the query that were not understood
}

// Empty reports whether the query asks for nothing at all (no words, tags or filters).
func (q *SearchQuery) Empty() bool {
	return len(q.Terms) == 0 && len(q.Excluded) == 0 && len(q.Tags) == 0 && len(q.ExcludedTags) == 0 &&
		q.User == nil && !q.UserMe && q.Kind == "" && q.Score == nil && q.Answers == nil && q.Accepted == nil &&
		q.Closed == nil && q.Created == nil && q.Collaborative == "" && q.District == ""
}

// searchStopwords are words too common to narrow a search: dropped from a query's words
// (not from phrases) when it has others, as Stack Overflow does.
var searchStopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be but by do doe for from how i if in is it its me my
		of on or our so than that the their them then there these they thi to us wa we what when where which who
		whi will with you your can should would could has have had not no`) {
		searchStopwords[w] = true
	}
}

// IsSearchStopword reports whether a stem is one of the words a search ignores.
func IsSearchStopword(stem string) bool { return searchStopwords[stem] }

// reservedSearchToken reports whether a stem has the shape stores use for their own
// tokens (tags, authors: "z...qz"), which a person's words must never reach.
func reservedSearchToken(stem string) bool {
	return len(stem) >= 4 && stem[0] == 'z' && strings.HasSuffix(stem, "qz")
}

// ParseSearchQuery reads a query as Stack Overflow does. It never fails.
func ParseSearchQuery(s string) SearchQuery {
	var q SearchQuery
	if len(s) > MaxSearchQueryLen {
		n := MaxSearchQueryLen
		for n > 0 && !utf8.RuneStart(s[n]) { // do not cut a character in half
			n--
		}
		s = s[:n]
	}
	s = strings.ToValidUTF8(s, " ")
	var words []SearchTerm // plain words, stopwords decided once all are known
	for i := 0; i < len(s); {
		c := s[i]
		if isQuerySpace(c) {
			i++
			continue
		}
		negate := false
		if c == '-' && i+1 < len(s) && !isQuerySpace(s[i+1]) {
			negate = true
			i++
			c = s[i]
		}
		switch c {
		case '"':
			end := strings.IndexByte(s[i+1:], '"')
			var text string
			if end < 0 { // unbalanced: the phrase runs to the end
				text, i = s[i+1:], len(s)
			} else {
				text, i = s[i+1:i+1+end], i+2+end
			}
			if t, ok := makeTerm(text, MaxPhraseWords); ok {
				if negate {
					q.Excluded = append(q.Excluded, t)
				} else {
					q.Terms = append(q.Terms, t)
				}
			}
			continue
		case '[':
			end := strings.IndexByte(s[i+1:], ']')
			var text string
			if end < 0 {
				j := i + 1
				for j < len(s) && !isQuerySpace(s[j]) {
					j++
				}
				text, i = s[i+1:j], j
			} else {
				text, i = s[i+1:i+1+end], i+2+end
			}
			tag, err := NormalizeTag(strings.TrimSpace(text))
			switch {
			case err != nil:
				if text != "" {
					q.Ignored = append(q.Ignored, "["+truncate(text, 40)+"]")
				}
			case negate:
				q.ExcludedTags = appendUnique(q.ExcludedTags, tag, maxSearchTags)
			default:
				q.Tags = appendUnique(q.Tags, tag, maxSearchTags)
			}
			continue
		}
		j := i
		for j < len(s) && !isQuerySpace(s[j]) && s[j] != '"' && s[j] != '[' {
			j++
		}
		if j == i { // a lone quote or bracket after '-': take it next round
			continue
		}
		word := s[i:j]
		i = j
		if key, value, ok := strings.Cut(word, ":"); ok && !negate {
			if handled, understood := q.operator(strings.ToLower(key), value); handled {
				if !understood {
					q.Ignored = append(q.Ignored, truncate(word, 40))
				}
				continue
			}
		}
		if word == "AND" || word == "OR" || word == "NOT" || word == "NEAR" {
			continue // search engines' operators: not words anyone looks for
		}
		word = strings.TrimPrefix(word, "NEAR(")
		t, ok := makeTerm(word, MaxPhraseWords)
		if !ok {
			continue
		}
		if negate {
			q.Excluded = append(q.Excluded, t)
		} else {
			words = append(words, t)
		}
	}
	// Stopwords narrow nothing and cost the most to match: drop them unless they are all
	// there is. A word that is several once split ("standards-based") is a phrase, kept.
	var content []SearchTerm
	for _, w := range words {
		if len(w.Stems) > 1 || !IsSearchStopword(w.Stems[0]) {
			content = append(content, w)
		}
	}
	if len(content) > 0 || len(q.Terms) > 0 {
		words = content
	}
	q.Terms = append(q.Terms, words...)
	q.Terms = uniqueTerms(q.Terms)
	if len(q.Terms) > MaxSearchTerms {
		q.Terms = q.Terms[:MaxSearchTerms]
	}
	q.Excluded = uniqueTerms(q.Excluded)
	if len(q.Excluded) > MaxSearchTerms {
		q.Excluded = q.Excluded[:MaxSearchTerms]
	}
	return q
}

func isQuerySpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// makeTerm folds and stems text into a term; false when nothing searchable is left.
func makeTerm(text string, maxWords int) (SearchTerm, bool) {
	var words, stems []string
	folded := FoldSearchText(text)
	for _, tok := range SearchTokens(folded) {
		if reservedSearchToken(tok.Stem) {
			continue
		}
		words = append(words, folded[tok.Start:tok.End])
		stems = append(stems, tok.Stem)
		if len(stems) == maxWords {
			break
		}
	}
	if len(stems) == 0 {
		return SearchTerm{}, false
	}
	return SearchTerm{Words: words, Stems: stems, Text: truncate(strings.TrimSpace(text), 80)}, true
}

func uniqueTerms(ts []SearchTerm) []SearchTerm {
	seen := map[string]bool{}
	out := ts[:0]
	for _, t := range ts {
		k := strings.Join(t.Stems, " ")
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}

func appendUnique(list []string, v string, max int) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	if len(list) >= max {
		return list
	}
	return append(list, v)
}

// operator applies key:value. handled is false for keys that are not operators (the text
// is then searched as words, as "http://..." or "9:30" should be); understood is false
// for an operator whose value makes no sense.
func (q *SearchQuery) operator(key, value string) (handled, understood bool) {
	switch key {
	case "user":
		if strings.EqualFold(value, "me") {
			q.UserMe, q.User = true, nil
			return true, true
		}
		id, err := strconv.ParseInt(value, 10, 64)
		if err != nil || id < 1 {
			return true, false
		}
		q.User, q.UserMe = &id, false
		return true, true
	case "is":
		switch strings.ToLower(value) {
		case "question", "q":
			q.Kind = KindQuestion
		case "answer", "a":
			q.Kind = KindAnswer
		default:
			return true, false
		}
		return true, true
	case "score":
		r, ok := parseIntRange(value)
		if ok {
			q.Score = r
		}
		return true, ok
	case "answers":
		r, ok := parseIntRange(value)
		if ok {
			// answers:3 means at least 3, as on Stack Overflow; answers:0 means none.
			if r.Max == nil && r.Min != nil && *r.Min <= 0 {
				zero := 0
				r = &IntRange{Max: &zero}
			}
			q.Answers = r
		}
		return true, ok
	case "isaccepted", "hasaccepted", "accepted":
		b, ok := parseYesNo(value)
		if ok {
			q.Accepted = &b
		}
		return true, ok
	case "closed":
		b, ok := parseYesNo(value)
		if ok {
			q.Closed = &b
		}
		return true, ok
	case "created":
		r, ok := parseDateRange(value)
		if ok {
			q.Created = r
		}
		return true, ok
	case "collaborative":
		if value == "" {
			return true, false
		}
		q.Collaborative = strings.ToLower(truncate(value, 60))
		return true, true
	case "district":
		if value == "" {
			return true, false
		}
		q.District = strings.ToLower(truncate(value, 60))
		return true, true
	}
	return false, false
}

// parseIntRange reads N (at least N for score, as Stack Overflow), N..M, N.. or ..M.
func parseIntRange(v string) (*IntRange, bool) {
	num := func(s string) (*int, bool) {
		if s == "" {
			return nil, true
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < -1_000_000 || n > 1_000_000 {
			return nil, false
		}
		return &n, true
	}
	lo, hi, isRange := strings.Cut(v, "..")
	min, ok1 := num(lo)
	if !isRange {
		if min == nil || !ok1 {
			return nil, false
		}
		return &IntRange{Min: min}, true
	}
	max, ok2 := num(hi)
	if !ok1 || !ok2 || (min == nil && max == nil) {
		return nil, false
	}
	if min != nil && max != nil && *min > *max {
		min, max = max, min
	}
	return &IntRange{Min: min, Max: max}, true
}

func parseYesNo(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1":
		return true, true
	case "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// parseDateRange reads created: values: a year, a month or a day (2026, 2026-01,
// 2026-01-15), or a range of them with "..", either end open. A bare date means that
// whole year, month or day; a range runs from the start of its first to the end of its last.
func parseDateRange(v string) (*TimeRange, bool) {
	lo, hi, isRange := strings.Cut(v, "..")
	if !isRange {
		from, until, ok := parseDatePeriod(lo)
		if !ok {
			return nil, false
		}
		return &TimeRange{From: from, Until: until}, true
	}
	var r TimeRange
	if lo != "" {
		from, _, ok := parseDatePeriod(lo)
		if !ok {
			return nil, false
		}
		r.From = from
	}
	if hi != "" {
		_, until, ok := parseDatePeriod(hi)
		if !ok {
			return nil, false
		}
		r.Until = until
	}
	if r.From.IsZero() && r.Until.IsZero() {
		return nil, false
	}
	if !r.From.IsZero() && !r.Until.IsZero() && !r.From.Before(r.Until) {
		return nil, false
	}
	return &r, true
}

// parseDatePeriod reads 2026, 2026-01 or 2026-01-15 as the UTC period it names.
func parseDatePeriod(s string) (from, until time.Time, ok bool) {
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if len(s) != len(f.layout) {
			continue
		}
		t, err := time.Parse(f.layout, s)
		if err != nil {
			return time.Time{}, time.Time{}, false
		}
		return t, f.next(t), true
	}
	return time.Time{}, time.Time{}, false
}
