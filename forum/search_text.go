package forum

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Search text analysis. A store's full-text index and the snippets the site shows must
// agree on what a word is, so both use these functions: FoldSearchText before anything is
// indexed or searched (case and diacritics folded: "Café" and "cafe" are one word), then
// SearchTokens, which splits and stems exactly as SQLite's FTS "porter" tokenizer does (a
// port of fts3_porter.c), so that the words the index matched are the words a snippet marks.

// foldSpecial are letters that NFKD leaves whole but that readers take for plain ones.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ĸ': "k",
	'‘': "'", '’': "'", 'ʼ': "'",
}

// FoldSearchText returns s as the index stores it: compatibility-decomposed (NFKD, so
// ligatures and full-width letters become plain ones), without combining marks, lower-case,
// with a few letters NFKD keeps (ß, æ, ø, ł...) spelled out. Invalid UTF-8 becomes spaces.
func FoldSearchText(s string) string {
	out, _ := foldWithOffsets(s, false)
	return out
}

// foldWithOffsets folds s and, when withOffsets, also returns for each byte of the result
// the offset of the byte of s it came from (plus one final entry: len(s)), so that a word
// found in the folded text can be marked in the original.
func foldWithOffsets(s string, withOffsets bool) (string, []int) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii { // the common case: lower-casing is all there is to do
		out := strings.ToLower(s)
		var offs []int
		if withOffsets {
			offs = make([]int, len(out)+1)
			for i := range offs {
				offs[i] = i
			}
		}
		return out, offs
	}
	var b strings.Builder
	b.Grow(len(s))
	var offs []int
	var buf [utf8.UTFMax * 8]byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		start := b.Len()
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte(' ')
		case r < utf8.RuneSelf:
			b.WriteByte(byte(unicode.ToLower(r)))
		default:
			if sp, ok := foldSpecial[r]; ok {
				b.WriteString(sp)
				break
			}
			d := norm.NFKD.AppendString(buf[:0], s[i:i+size])
			for len(d) > 0 {
				dr, ds := utf8.DecodeRune(d)
				d = d[ds:]
				if unicode.Is(unicode.Mn, dr) {
					continue
				}
				if sp, ok := foldSpecial[dr]; ok {
					b.WriteString(sp)
					continue
				}
				b.WriteRune(unicode.ToLower(dr))
			}
		}
		if withOffsets {
			for range b.Len() - start {
				offs = append(offs, i)
			}
		}
		i += size
	}
	if withOffsets {
		offs = append(offs, len(s))
	}
	return b.String(), offs
}

// SearchToken is one word of folded text as the index keeps it.
type SearchToken struct {
	Stem       string
	Start, End int // byte offsets in the folded text
}

// isSearchDelim reports whether b separates words: ASCII that is not a letter, a digit or
// '_' (fts3_porter.c's porterIdChar). Bytes of other characters are parts of words.
func isSearchDelim(b byte) bool {
	if b >= 0x80 {
		return false
	}
	return !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_')
}

// SearchTokens splits folded text into stemmed words, as the porter tokenizer does.
func SearchTokens(folded string) []SearchToken {
	var out []SearchToken
	EachSearchWord(folded, func(start, end int) {
		out = append(out, SearchToken{Stem: PorterStem(folded[start:end]), Start: start, End: end})
	})
	return out
}

// EachSearchWord calls fn with the byte range of each word of folded text, unstemmed: for
// callers that stem only the words that could matter.
func EachSearchWord(folded string, fn func(start, end int)) {
	for i := 0; i < len(folded); {
		for i < len(folded) && isSearchDelim(folded[i]) {
			i++
		}
		start := i
		for i < len(folded) && !isSearchDelim(folded[i]) {
			i++
		}
		if i > start {
			fn(start, i)
		}
	}
}

// PorterStem stems one word exactly as SQLite's porter tokenizer does (fts3_porter.c),
// including its fallbacks: words under 3 or over 20 bytes, or with bytes other than ASCII
// letters, are only lower-cased (ASCII), and long ones are cut to their first and last 10
// bytes (3 when they hold a digit).
func PorterStem(w string) string {
	n := len(w)
	if n < 3 || n >= 21 {
		return copyStem(w)
	}
	// The C code works on the word reversed, with NUL padding after it; so does this.
	z := make([]byte, 0, n+5)
	for i := n - 1; i >= 0; i-- {
		c := w[i]
		switch {
		case c >= 'A' && c <= 'Z':
			z = append(z, c+'a'-'A')
		case c >= 'a' && c <= 'z':
			z = append(z, c)
		default:
			return copyStem(w)
		}
	}
	s := &porterWord{z: z}
	s.run()
	out := make([]byte, len(s.z))
	for i, c := range s.z {
		out[len(s.z)-1-i] = c
	}
	return string(out)
}

// copyStem is fts3_porter.c's copy_stemmer.
func copyStem(w string) string {
	out := []byte(w)
	hasDigit := false
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c - 'A' + 'a'
		} else if c >= '0' && c <= '9' {
			hasDigit = true
		}
	}
	mx := 10
	if hasDigit {
		mx = 3
	}
	if len(out) > mx*2 {
		out = append(out[:mx], out[len(out)-mx:]...)
	}
	return string(out)
}

// porterWord is a word being stemmed, reversed: z[0] is its last letter. The C code's
// pointer moves (z++ drops the last letter, *(--z) adds one) are slices here.
type porterWord struct{ z []byte }

// at returns the letter i places from the end, or 0 past the start (the C code's NUL).
func at(z []byte, i int) byte {
	if i < len(z) {
		return z[i]
	}
	return 0
}

// porterCType is fts3_porter.c's cType: 0 vowel, 1 consonant, 2 'y'.
var porterCType = [26]byte{0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 2, 1}

func isConsonant(z []byte) bool {
	if len(z) == 0 {
		return false
	}
	j := porterCType[z[0]-'a']
	if j < 2 {
		return j == 1
	}
	return len(z) == 1 || isVowel(z[1:])
}

func isVowel(z []byte) bool {
	if len(z) == 0 {
		return false
	}
	j := porterCType[z[0]-'a']
	if j < 2 {
		return j == 0
	}
	return isConsonant(z[1:])
}

func skipVowels(z []byte) []byte {
	for isVowel(z) {
		z = z[1:]
	}
	return z
}

func skipConsonants(z []byte) []byte {
	for isConsonant(z) {
		z = z[1:]
	}
	return z
}

func mGt0(z []byte) bool {
	z = skipVowels(z)
	if len(z) == 0 {
		return false
	}
	z = skipConsonants(z)
	return len(z) != 0
}

func mEq1(z []byte) bool {
	z = skipVowels(z)
	if len(z) == 0 {
		return false
	}
	z = skipConsonants(z)
	if len(z) == 0 {
		return false
	}
	z = skipVowels(z)
	if len(z) == 0 {
		return true
	}
	z = skipConsonants(z)
	return len(z) == 0
}

func mGt1(z []byte) bool {
	z = skipVowels(z)
	if len(z) == 0 {
		return false
	}
	z = skipConsonants(z)
	if len(z) == 0 {
		return false
	}
	z = skipVowels(z)
	if len(z) == 0 {
		return false
	}
	z = skipConsonants(z)
	return len(z) != 0
}

func hasVowel(z []byte) bool {
	z = skipConsonants(z)
	return len(z) != 0
}

func doubleConsonant(z []byte) bool {
	return isConsonant(z) && len(z) > 1 && z[0] == z[1]
}

func starOh(z []byte) bool {
	return isConsonant(z) && z[0] != 'w' && z[0] != 'x' && z[0] != 'y' && isVowel(z[1:]) && len(z) > 2 && isConsonant(z[2:])
}

// stem is fts3_porter.c's stem(): if the word ends with from (given reversed) and cond holds
// for what precedes it, the ending becomes to (given forward). It reports whether from
// matched, whether or not cond allowed the change.
func (w *porterWord) stem(from, to string, cond func([]byte) bool) bool {
	z := w.z
	if len(z) < len(from) || string(z[:len(from)]) != from {
		return false
	}
	rest := z[len(from):]
	if cond != nil && !cond(rest) {
		return true
	}
	nz := make([]byte, 0, len(to)+len(rest))
	for i := len(to) - 1; i >= 0; i-- {
		nz = append(nz, to[i])
	}
	w.z = append(nz, rest...)
	return true
}

func (w *porterWord) run() {
	// Step 1a
	if at(w.z, 0) == 's' {
		if !w.stem("sess", "ss", nil) && !w.stem("sei", "i", nil) && !w.stem("ss", "ss", nil) {
			w.z = w.z[1:]
		}
	}
	// Step 1b
	before := len(w.z)
	if w.stem("dee", "ee", mGt0) {
		// the work was all in the test
	} else if (w.stem("gni", "", hasVowel) || w.stem("de", "", hasVowel)) && len(w.z) != before {
		switch {
		case w.stem("ta", "ate", nil) || w.stem("lb", "ble", nil) || w.stem("zi", "ize", nil):
		case doubleConsonant(w.z) && w.z[0] != 'l' && w.z[0] != 's' && w.z[0] != 'z':
			w.z = w.z[1:]
		case mEq1(w.z) && starOh(w.z):
			w.z = append([]byte{'e'}, w.z...)
		}
	}
	// Step 1c
	if at(w.z, 0) == 'y' && hasVowel(w.z[1:]) {
		w.z[0] = 'i'
	}
	// Step 2
	switch at(w.z, 1) {
	case 'a':
		if !w.stem("lanoita", "ate", mGt0) {
			w.stem("lanoit", "tion", mGt0)
		}
	case 'c':
		if !w.stem("icne", "ence", mGt0) {
			w.stem("icna", "ance", mGt0)
		}
	case 'e':
		w.stem("rezi", "ize", mGt0)
	case 'g':
		w.stem("igol", "log", mGt0)
	case 'l':
		if !w.stem("ilb", "ble", mGt0) && !w.stem("illa", "al", mGt0) && !w.stem("iltne", "ent", mGt0) && !w.stem("ile", "e", mGt0) {
			w.stem("ilsuo", "ous", mGt0)
		}
	case 'o':
		if !w.stem("noitazi", "ize", mGt0) && !w.stem("noita", "ate", mGt0) {
			w.stem("rota", "ate", mGt0)
		}
	case 's':
		if !w.stem("msila", "al", mGt0) && !w.stem("ssenevi", "ive", mGt0) && !w.stem("ssenluf", "ful", mGt0) {
			w.stem("ssensuo", "ous", mGt0)
		}
	case 't':
		if !w.stem("itila", "al", mGt0) && !w.stem("itivi", "ive", mGt0) {
			w.stem("itilib", "ble", mGt0)
		}
	}
	// Step 3
	switch at(w.z, 0) {
	case 'e':
		if !w.stem("etaci", "ic", mGt0) && !w.stem("evita", "", mGt0) {
			w.stem("ezila", "al", mGt0)
		}
	case 'i':
		w.stem("itici", "ic", mGt0)
	case 'l':
		if !w.stem("laci", "ic", mGt0) {
			w.stem("luf", "", mGt0)
		}
	case 's':
		w.stem("ssen", "", mGt0)
	}
	// Step 4
	z := w.z
	drop := func(n int) {
		if n <= len(w.z) {
			w.z = w.z[n:]
		}
	}
	tail := func(n int) []byte {
		if n <= len(z) {
			return z[n:]
		}
		return nil
	}
	switch at(z, 1) {
	case 'a':
		if at(z, 0) == 'l' && mGt1(tail(2)) {
			drop(2)
		}
	case 'c':
		if at(z, 0) == 'e' && at(z, 2) == 'n' && (at(z, 3) == 'a' || at(z, 3) == 'e') && mGt1(tail(4)) {
			drop(4)
		}
	case 'e':
		if at(z, 0) == 'r' && mGt1(tail(2)) {
			drop(2)
		}
	case 'i':
		if at(z, 0) == 'c' && mGt1(tail(2)) {
			drop(2)
		}
	case 'l':
		if at(z, 0) == 'e' && at(z, 2) == 'b' && (at(z, 3) == 'a' || at(z, 3) == 'i') && mGt1(tail(4)) {
			drop(4)
		}
	case 'n':
		if at(z, 0) == 't' {
			if at(z, 2) == 'a' {
				if mGt1(tail(3)) {
					drop(3)
				}
			} else if at(z, 2) == 'e' {
				if !w.stem("tneme", "", mGt1) && !w.stem("tnem", "", mGt1) {
					w.stem("tne", "", mGt1)
				}
			}
		}
	case 'o':
		if at(z, 0) == 'u' {
			if mGt1(tail(2)) {
				drop(2)
			}
		} else if at(z, 3) == 's' || at(z, 3) == 't' {
			w.stem("noi", "", mGt1)
		}
	case 's':
		if at(z, 0) == 'm' && at(z, 2) == 'i' && mGt1(tail(3)) {
			drop(3)
		}
	case 't':
		if !w.stem("eta", "", mGt1) {
			w.stem("iti", "", mGt1)
		}
	case 'u':
		if at(z, 0) == 's' && at(z, 2) == 'o' && mGt1(tail(3)) {
			drop(3)
		}
	case 'v', 'z':
		if at(z, 0) == 'e' && at(z, 2) == 'i' && mGt1(tail(3)) {
			drop(3)
		}
	}
	// Step 5a
	if at(w.z, 0) == 'e' {
		if mGt1(w.z[1:]) {
			w.z = w.z[1:]
		} else if mEq1(w.z[1:]) && !starOh(w.z[1:]) {
			w.z = w.z[1:]
		}
	}
	// Step 5b
	if mGt1(w.z) && at(w.z, 0) == 'l' && at(w.z, 1) == 'l' {
		w.z = w.z[1:]
	}
}
