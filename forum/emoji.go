package forum

import "github.com/rivo/uniseg"

// Emoji reactions. A reaction is one emoji as a keyboard's emoji picker types it: one
// grapheme cluster (uniseg counts them, so a family joined with ZWJs or a flag made of two
// regional indicators is one) made only of emoji characters, with a pictograph, a flag or
// a keycap at its heart. Text such as "+1", ":)" or "a" is refused, so a reaction is always
// something a reader sees as one picture.

// isOneEmoji reports whether s is a single emoji grapheme.
func isOneEmoji(s string) bool {
	if uniseg.GraphemeClusterCount(s) != 1 {
		return false
	}
	runes := []rune(s)
	pictures, keycap, regional := 0, false, 0
	for i, r := range runes {
		switch {
		case isPictograph(r):
			pictures++
		case r >= 0x1F1E6 && r <= 0x1F1FF: // regional indicators: a flag is two
			regional++
		case r == 0x20E3: // combining enclosing keycap, after a digit, # or *
			keycap = i > 0
		case r == 0xFE0F, r == 0x200D, r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F:
			// variation selector, zero-width joiner, skin tones, subdivision flag tags
		case (r >= '0' && r <= '9') || r == '#' || r == '*':
			if i != 0 {
				return false
			}
		default:
			return false
		}
	}
	if (runes[0] >= '0' && runes[0] <= '9') || runes[0] == '#' || runes[0] == '*' {
		return keycap && pictures == 0 && regional == 0
	}
	return (pictures > 0 && regional == 0) || (regional == 2 && pictures == 0 && len(runes) == 2)
}

// isPictograph reports the Unicode blocks whose characters are emoji pictographs
// (Extended_Pictographic's ranges, folded into blocks: a few non-emoji symbols in them are
// accepted, which harms nobody).
func isPictograph(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF && !(r >= 0x1F1E6 && r <= 0x1F1FF) && !(r >= 0x1F3FB && r <= 0x1F3FF):
		return true
	case r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x2190 && r <= 0x21FF, r >= 0x25A0 && r <= 0x25FF:
		return true
	}
	switch r {
	case 0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D, 0x3297, 0x3299:
		return true
	}
	return false
}
