package forum

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Snippets are cut from the text as written (markdown, lightly flattened), never from the
// folded copy the index keeps: a reader sees "Café", not "cafe". They are plain text in
// parts; whoever shows them escapes every part and wraps the marked ones (the page
// template, or the API's snippet_html), so no markup a person wrote can reach a page.

var (
	mdFence  = regexp.MustCompile("(?m)^\\s*(```|~~~).*$")
	mdImage  = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink   = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdTag    = regexp.MustCompile(`</?[a-zA-Z][^>]{0,200}>`)
	mdPrefix = regexp.MustCompile(`(?m)^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)`)
	mdRule   = regexp.MustCompile(`:?-{3,}:?`) // table rules and horizontal lines
	mdMarks  = strings.NewReplacer("**", "", "__", "", "`", "", "$$", "", "|", " ")
)

// plainText flattens markdown into the words a reader sees: links and images become
// their text; headings, quotes, list markers, table rules, emphasis, code marks and HTML
// tags go; runs of white space become one space.
func plainText(markdown string) string {
	s := mdFence.ReplaceAllString(markdown, " ")
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdTag.ReplaceAllString(s, " ")
	s = mdPrefix.ReplaceAllString(s, "")
	s = mdRule.ReplaceAllString(s, " ")
	s = mdMarks.Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// match is a matched word's place in the plain text.
type match struct {
	start, end int
	stem       string
}

// findMatches returns where words whose stems are in stems occur in plain.
func findMatches(plain string, stems map[string]bool) []match {
	if len(stems) == 0 {
		return nil
	}
	folded, offs := foldWithOffsets(plain, true)
	var out []match
	for _, t := range SearchTokens(folded) {
		if !stems[t.Stem] {
			continue
		}
		start := offs[t.Start]
		end := len(plain)
		if t.End < len(folded) {
			end = offs[t.End]
		}
		if end <= start { // one character folded into more than the word
			_, size := utf8.DecodeRuneInString(plain[start:])
			end = start + size
		}
		out = append(out, match{start: start, end: end, stem: t.Stem})
	}
	return out
}

// MarkWords returns text in parts with the words whose stems are in stems marked.
func MarkWords(text string, stems map[string]bool) []SnippetPart {
	return markRange(text, findMatches(text, stems), 0, len(text))
}

// markRange returns text[from:to] in parts, marking the matches inside it.
func markRange(text string, ms []match, from, to int) []SnippetPart {
	var parts []SnippetPart
	at := from
	for _, m := range ms {
		if m.start < at || m.end > to {
			continue
		}
		if m.start > at {
			parts = append(parts, SnippetPart{Text: text[at:m.start]})
		}
		parts = append(parts, SnippetPart{Text: text[m.start:m.end], Mark: true})
		at = m.end
	}
	if at < to {
		parts = append(parts, SnippetPart{Text: text[at:to]})
	}
	return parts
}

// Snippet cuts about n bytes of markdown's text around the place where the most of the
// matched words are close together, and marks them. Without a match it is the beginning.
func Snippet(markdown string, stems map[string]bool, n int) []SnippetPart {
	plain := plainText(markdown)
	if plain == "" {
		return nil
	}
	ms := findMatches(plain, stems)
	if len(ms) > 200 {
		ms = ms[:200] // plenty to choose a window from
	}
	// The window starting at the match that has the most different words within reach.
	best, bestCount := -1, 0
	for i := range ms {
		seen := map[string]bool{}
		for j := i; j < len(ms) && ms[j].end-ms[i].start <= n*4/5; j++ {
			seen[ms[j].stem] = true
		}
		if len(seen) > bestCount {
			best, bestCount = i, len(seen)
		}
	}
	from := 0
	if best >= 0 {
		from = max(0, ms[best].start-n/5)
	}
	if len(plain)-from < n { // near the end: show a full window if the text has one
		from = max(0, len(plain)-n)
	}
	from = wordStart(plain, from)
	to := min(len(plain), from+n)
	to = wordEnd(plain, to)
	parts := markRange(plain, ms, from, to)
	if from > 0 {
		parts = append([]SnippetPart{{Text: "…"}}, parts...)
	}
	if to < len(plain) {
		parts = append(parts, SnippetPart{Text: "…"})
	}
	return parts
}

// wordStart moves i forward to the start of a word (after a space), unless that is far.
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	if sp := strings.IndexByte(s[i:], ' '); sp >= 0 && sp < 20 {
		return i + sp + 1
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// wordEnd moves i back to the end of a word (before a space), unless that is far.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	if sp := strings.LastIndexByte(s[:i], ' '); sp >= 0 && i-sp < 20 {
		return sp
	}
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
