package moderation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// repeatUntil repeats unit until the text is as long as size allows.
func repeatUntil(unit string, size int) string { return strings.Repeat(unit, size/len(unit)) }

// linesOf joins n lines made by line(i).
func linesOf(n int, line func(i int) string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(line(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// bomb outcomes.
const (
	refused  = "refused"  // must be refused with markdown_too_complex
	rendered = "rendered" // must render
	either   = "either"   // must only finish in time
)

// markdownBombs are inputs whose cost grows faster than their length in some markdown
// parser: the ones the task names, the same shapes cut to fit under MaxBodyBytes (so that
// the parse limits, not the size limit, are what stops them), and cmark's pathological
// test suite.
var markdownBombs = []struct {
	name, input, want string
}{
	{"10,000 nested quotes", strings.Repeat(">", 10_000) + " a", refused},
	{"10,000 nested quotes with spaces", strings.Repeat("> ", 10_000) + "a", refused},
	{"quotes one deeper per line", linesOf(400, func(i int) string { return strings.Repeat(">", i+1) + " a" }), refused},
	{"100,000 stars", strings.Repeat("*", 100_000), either},
	{"stars up to the size limit", strings.Repeat("*", MaxBodyBytes), either},
	{"10,000 nested list levels on one line", strings.Repeat("- ", 10_000) + "a", refused},
	{"10,000 nested ordered lists on one line", strings.Repeat("1. ", 10_000) + "a", refused},
	{"nested lists by indentation", linesOf(10_000, func(i int) string { return strings.Repeat(" ", 2*i) + "- a" }), refused},
	{"nested lists by indentation up to the size limit", linesOf(300, func(i int) string { return strings.Repeat(" ", 2*i) + "- a" }), refused},
	{"quotes and lists", strings.Repeat("> - ", 10_000) + "a", refused},
	{"50,000 brackets", strings.Repeat("[", 50_000), either},
	{"brackets up to the size limit", strings.Repeat("[", MaxBodyBytes), either},
	{"table 1,000 × 1,000", linesOf(1_001, func(i int) string {
		if i == 1 {
			return strings.Repeat("|-", 1_000) + "|"
		}
		return strings.Repeat("|a", 1_000) + "|"
	}), refused},
	{"table with short rows padded", "|" + strings.Repeat("a|", 1_000) + "\n|" + strings.Repeat("-|", 1_000) + "\n" + repeatUntil("a\n", MaxBodyBytes-4_100), refused},
	{"table 16,000 columns", "|" + strings.Repeat("a|", 16_000) + "\n|" + strings.Repeat("-|", 16_000) + "\n", refused},
	{"table 100 × 100", linesOf(101, func(i int) string {
		if i == 1 {
			return strings.Repeat("|-", 100) + "|"
		}
		return strings.Repeat("|a", 100) + "|"
	}), rendered},
	{"1 MB of backticks", strings.Repeat("`", 1<<20), refused},
	{"backticks up to the size limit", strings.Repeat("`", MaxBodyBytes), either},
	{"backtick runs of growing length", func() string {
		var b strings.Builder
		for i := 1; b.Len() < MaxBodyBytes-1000; i++ {
			b.WriteString("e" + strings.Repeat("`", i))
		}
		return b.String()
	}(), either},
	// cmark's pathological tests (test/pathological_tests.py), sized to MaxBodyBytes.
	{"nested strong emphasis", strings.Repeat("*a **a ", 6_500) + "b" + strings.Repeat(" a** a*", 6_500), either},
	{"emphasis closers with no openers", repeatUntil("a_ ", MaxBodyBytes), either},
	{"emphasis openers with no closers", repeatUntil("_a ", MaxBodyBytes), either},
	{"mismatched openers and closers", repeatUntil("*a_ ", MaxBodyBytes), either},
	{"openers and closers multiple of 3", "a**b" + repeatUntil("c* ", MaxBodyBytes-10), either},
	{"link closers with no openers", repeatUntil("a]", MaxBodyBytes), either},
	{"link openers with no closers", repeatUntil("[a", MaxBodyBytes), either},
	{"link openers and emphasis closers", repeatUntil("[ a_", MaxBodyBytes), either},
	{"[ (]( repeated", repeatUntil("[ (](", MaxBodyBytes), either},
	{"nested brackets", strings.Repeat("[", 45_000) + "a" + strings.Repeat("]", 45_000), either},
	{"unclosed links A", repeatUntil("[a](<b", MaxBodyBytes), either},
	{"unclosed links B", repeatUntil("[a](b", MaxBodyBytes), either},
	{"unclosed <!--", "</" + repeatUntil("<!--", MaxBodyBytes-10), either},
	{"many link references", linesOf(5_000, func(i int) string { return fmt.Sprintf("[%d]: u", i) }) + repeatUntil("[0] ", 50_000), either},
	{"autolinks", repeatUntil("www.", MaxBodyBytes), either},
	{"task boxes", repeatUntil("- [ ] ", MaxBodyBytes), either},
	{"dollars", repeatUntil("$a ", MaxBodyBytes), either},
	{"unclosed display math", repeatUntil("$$a ", MaxBodyBytes), either},
	{"math blocks", repeatUntil("$$\n", MaxBodyBytes), either},
	{"code fences", repeatUntil("```go\nx := 1\n```\n", MaxBodyBytes), either},
	{"one big code block", "```python\n" + repeatUntil("def f(x): return [x for x in range(10) if x % 2] # comment\n", MaxBodyBytes-20) + "```\n", rendered},
	{"NULs and broken UTF-8", repeatUntil("\x00\xff\xfe*a*", MaxBodyBytes), either},
	{"many paragraphs of emphasis", repeatUntil("a**b"+strings.Repeat("c* ", 1000)+"\n\n", MaxBodyBytes), refused},
	// The worst of the quadratic cases that maxInlineWork lets through.
	{"multiple of 3 just under the inline limit", "a**b" + strings.Repeat("c* ", 3_200), rendered},
	{"ten paragraphs under the inline limit", strings.Repeat("a**b"+strings.Repeat("c* ", 1_000)+"\n\n", 10), rendered},
	{"unclosed links just under the inline limit", repeatUntil("[a](b", 8_900), rendered},
	{"unclosed links spread under the inline limit", repeatUntil("[a](b"+strings.Repeat("x", 100), 40_000), rendered},
	{"mismatched emphasis under the inline limit", repeatUntil("*a_ ", 8_000), rendered},
}

// TestMarkdownBombsFinish holds every bomb to a generous deadline: the point is that each
// either renders or is refused in bounded time (BenchmarkBody measures speed).
func TestMarkdownBombsFinish(t *testing.T) {
	r := NewRenderer()
	for _, b := range markdownBombs {
		t.Run(b.name, func(t *testing.T) {
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := r.Body(b.input)
				done <- err
			}()
			select {
			case err := <-done:
				t.Logf("%s: %d bytes, %v, %v", b.name, len(b.input), time.Since(start), err)
				e := forum.AsError(err)
				switch {
				case err != nil && (e == nil || e.Code != "markdown_too_complex" || e.Kind != forum.EInvalid || e.Field != "body"):
					t.Fatalf("err = %v, want markdown_too_complex on body", err)
				case b.want == refused && err == nil:
					t.Fatalf("rendered, want refused")
				case b.want == rendered && err != nil:
					t.Fatalf("refused (%v), want rendered", err)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("still rendering after 2 s")
			}
		})
	}
}

// TestCommentBombsFinish holds comments to the same deadline, with each bomb cut to
// MaxCommentBytes.
func TestCommentBombsFinish(t *testing.T) {
	r := NewRenderer()
	for _, b := range markdownBombs {
		t.Run(b.name, func(t *testing.T) {
			input := b.input[:min(len(b.input), MaxCommentBytes)]
			done := make(chan error, 1)
			go func() {
				_, err := r.Comment(input)
				done <- err
			}()
			select {
			case err := <-done:
				if e := forum.AsError(err); err != nil && (e == nil || e.Code != "markdown_too_complex") {
					t.Fatalf("err = %v, want markdown_too_complex", err)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("still rendering after 2 s")
			}
		})
	}
}
