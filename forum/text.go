package forum

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text hygiene (DESIGN.md): every title, name, tag and body a person writes passes through
// one of these functions before it is stored, so that stored text is valid UTF-8 in NFC,
// one-line fields hold one line of text a reader can see, and bodies carry no control
// characters but line breaks and tabs. Channels, meetings and whatever comes later use the
// same functions, so no field drifts from the others.
//
// Lengths are counted in characters (code points) after cleaning. Minimums count only
// characters a reader sees: a title of four letters padded with zero-width spaces to
// fifteen is still four characters long. Maximums count every character stored.

// CleanLine checks and normalizes one line of text: a title, a name, a tag, an edit
// summary. It refuses invalid UTF-8 (invalid_encoding), control characters (C0, C1 and
// DEL, NUL and tabs included) and line breaks, U+2028 and U+2029 included
// (invalid_characters), all naming field. It returns the text in NFC with surrounding
// whitespace trimmed, or "" when nothing visible is left once whitespace and invisible
// format characters (U+200B, U+200D, U+2060, U+FEFF, ...) are taken away: callers with a
// required field refuse that through their minimum.
func CleanLine(field, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Invalid(field, "invalid_encoding", "%s must be valid UTF-8 text.", fieldLabel(field))
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			if r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029' || r == '\v' || r == '\f' {
				return "", Invalid(field, "invalid_characters", "%s must be one line: remove the line breaks.", fieldLabel(field))
			}
			return "", Invalid(field, "invalid_characters", "%s must not contain control characters (such as U+%04X).", fieldLabel(field), r)
		}
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if visibleLen(s) == 0 {
		return "", nil
	}
	return s, nil
}

// CleanTitle is CleanLine for a required field with a length: min to max characters, the
// minimum counting only visible ones. Returns invalid naming field: CleanLine's codes,
// too_short (an empty or invisible value among them) or too_long.
func CleanTitle(field, s string, min, max int) (string, error) {
	s, err := CleanLine(field, s)
	if err != nil {
		return "", err
	}
	return s, checkLen(field, s, min, max)
}

// CleanBody checks and normalizes a body of markdown: a question, an answer, a comment,
// a description. Line breaks become \n; \n and \t are kept and every other control
// character (C0, C1, DEL, NUL included) is dropped, since it has no business in text
// and some of them hide or reorder what a reader sees. The result is NFC with surrounding
// whitespace trimmed, and its length is checked after all that: min to max characters,
// the minimum counting visible characters only, so a body of nothing but spaces and
// zero-width characters is too_short. With min 0 an invisible body comes back as "".
// Returns invalid naming field: invalid_encoding, too_short or too_long.
func CleanBody(field, s string, min, max int) (string, error) {
	s, err := cleanBodyText(field, s)
	if err != nil {
		return "", err
	}
	if min == 0 && visibleLen(s) == 0 {
		s = ""
	}
	return s, checkLen(field, s, min, max)
}

// cleanBodyText is CleanBody without the lengths: what a preview renders.
func cleanBodyText(field, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Invalid(field, "invalid_encoding", "%s must be valid UTF-8 text.", fieldLabel(field))
	}
	if strings.IndexFunc(s, isDroppedControl) >= 0 || strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
		s = strings.Map(func(r rune) rune {
			if isDroppedControl(r) {
				return -1
			}
			return r
		}, s)
	}
	// NFC last: dropping a control character can bring a letter and its accent together.
	return strings.TrimSpace(norm.NFC.String(s)), nil
}

// isDroppedControl reports the control characters a body loses: all but \n and \t.
func isDroppedControl(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }

// checkLen checks a cleaned value's length: the minimum in visible characters, the
// maximum in all of them.
func checkLen(field, s string, min, max int) error {
	if min > 0 {
		if n := visibleLen(s); n < min {
			if n == 0 {
				return Invalid(field, "too_short", "%s is empty: write at least %d characters.", fieldLabel(field), min)
			}
			return Invalid(field, "too_short", "%s must be at least %d characters; it has %d.", fieldLabel(field), min, n)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Invalid(field, "too_long", "%s must be at most %d characters; it has %d.", fieldLabel(field), max, n)
	}
	return nil
}

// visibleLen counts the characters of s that are neither whitespace nor invisible.
func visibleLen(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) && !invisible(r) {
			n++
		}
	}
	return n
}

// invisible reports characters that show nothing by themselves: format characters
// (category Cf: zero-width space and joiners, word joiner, byte-order mark, bidi marks),
// Unicode's other default-ignorable characters (Hangul fillers, the combining grapheme
// joiner), variation selectors, and the blank braille pattern, which fonts draw empty.
// They are allowed inside text (emoji sequences need the joiner), but do not make a
// value non-empty.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || r == '\u2800'
}
