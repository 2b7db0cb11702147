package forum_test

import (
	"strings"
	"testing"

	"staffroom/forum"
)

func TestCleanLine(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, code string
	}{
		{"trimmed", "  How do you grade?  ", "How do you grade?", ""},
		{"NFC", "cafe\u0301 routines", "café routines", ""},
		{"already NFC", "Lucía García 李老师", "Lucía García 李老师", ""},
		{"emoji with a joiner kept", "Teacher 👩\u200d🏫 tips", "Teacher 👩\u200d🏫 tips", ""},
		{"only zero-width characters", "\u200b\u200c\u200d\u2060\ufeff", "", ""},
		{"zero-width and spaces", " \u200b \u3000 \u200b ", "", ""},
		{"Hangul filler", "\u3164\u3164", "", ""},
		{"blank braille", "\u2800", "", ""},
		{"NUL", "a\x00b", "", "invalid_characters"},
		{"U+0001", "a\u0001b", "", "invalid_characters"},
		{"DEL", "a\u007fb", "", "invalid_characters"},
		{"U+0085 (C1 next line)", "a\u0085b", "", "invalid_characters"},
		{"U+009B (C1 CSI)", "a\u009bb", "", "invalid_characters"},
		{"tab", "a\tb", "", "invalid_characters"},
		{"LF", "a\nb", "", "invalid_characters"},
		{"CR LF", "a\r\nb", "", "invalid_characters"},
		{"CR", "a\rb", "", "invalid_characters"},
		{"U+2028", "a\u2028b", "", "invalid_characters"},
		{"U+2029", "a\u2029b", "", "invalid_characters"},
		{"invalid UTF-8", "a\xffb", "", "invalid_encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.CleanLine("title", tc.in)
			checkClean(t, got, err, tc.want, tc.code, "title")
		})
	}
}

func TestCleanTitle(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, code string
	}{
		{"fits", "What are good exit tickets?", "What are good exit tickets?", ""},
		{"zero-width only", strings.Repeat("\u200b", 20), "", "too_short"},
		{"padded with zero-width to the minimum", "Help" + strings.Repeat("\u200b", 20), "", "too_short"},
		{"minimum counted after NFC", strings.Repeat("e\u0301", 8), "", "too_short"}, // 16 runes, 8 characters
		{"maximum", strings.Repeat("é", 150), strings.Repeat("é", 150), ""},
		{"over the maximum", strings.Repeat("é", 151), "", "too_long"},
		{"maximum counted after NFC", strings.Repeat("e\u0301", 150), strings.Repeat("é", 150), ""},
		{"line break", "What are good exit\ntickets?", "", "invalid_characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.CleanTitle("title", tc.in, forum.MinTitleLen, forum.MaxTitleLen)
			checkClean(t, got, err, tc.want, tc.code, "title")
		})
	}
}

func TestCleanBody(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, code string
		min                  int
	}{
		{"kept as written", "Line one\n\n\tcode\nline two", "Line one\n\n\tcode\nline two", "", 1},
		{"CR LF and CR become LF", "one\r\ntwo\rthree", "one\ntwo\nthree", "", 1},
		{"control characters dropped", "a\u0001b\u0085c\u007fd\x00e\u009bf\vg\fh", "abcdefgh", "", 1},
		{"NFC", "cafe\u0301", "café", "", 1},
		{"NFC across a dropped control", "cafe\u0001\u0301", "café", "", 1},
		{"trimmed", "\n\n  text  \n", "text", "", 1},
		{"zero-width only", "\u200b\u200b\n\u2060\ufeff", "", "too_short", 1},
		{"control characters only", "\u0001\u0002\u0003", "", "too_short", 1},
		{"too short once cleaned", "abcd\u0001\u0001\u0001", "", "too_short", 5},
		{"optional and invisible", "\u200b\u200b", "", "", 0},
		{"over the maximum", strings.Repeat("x", 31), "", "too_long", 1},
		{"invalid UTF-8", "a\xffb", "", "invalid_encoding", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.CleanBody("body", tc.in, tc.min, 30)
			checkClean(t, got, err, tc.want, tc.code, "body")
		})
	}
}

func checkClean(t *testing.T, got string, err error, want, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
		return
	}
	e := forum.AsError(err)
	if e == nil || e.Kind != forum.EInvalid || e.Code != code || e.Field != field {
		t.Fatalf("got %q, %v; want invalid %s naming %s", got, err, code, field)
	}
}

func TestNormalizeTagsCountsRepeats(t *testing.T) {
	if _, err := forum.NormalizeTags([]string{"sbg", "SBG", "grading"}); err != nil {
		t.Fatalf("three tags, two alike: %v", err)
	}
	for _, n := range []int{6, 200_000} {
		raw := make([]string, n)
		for i := range raw {
			raw[i] = "grading"
		}
		if _, err := forum.NormalizeTags(raw); forum.AsError(err) == nil || forum.AsError(err).Code != "too_many_tags" {
			t.Fatalf("%d copies of one tag: %v, want too_many_tags", n, err)
		}
	}
}
