package moderation

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"staffroom/forum"
)

// allowedOutput lists every element the sanitizer may let through and, for each, the
// attributes it may carry. The fuzz targets check the renderer's output against it, so
// that whatever markdown goldmark is fed, no other element or attribute can reach a page.
var allowedOutput = map[string]map[string]bool{
	"p": {}, "br": {}, "hr": {}, "h1": {}, "h2": {}, "h3": {}, "h4": {}, "h5": {}, "h6": {},
	"blockquote": {}, "ul": {"class": true}, "ol": {"start": true, "class": true}, "li": {"class": true},
	"em": {}, "strong": {}, "del": {}, "code": {"class": true}, "pre": {"class": true, "tabindex": true},
	"table": {"tabindex": true}, "thead": {}, "tbody": {}, "tr": {}, "th": {"align": true}, "td": {"align": true},
	"span": {"class": true}, "div": {"class": true}, "details": {}, "summary": {},
	"a":     {"href": true, "title": true, "rel": true},
	"img":   {"src": true, "alt": true, "title": true},
	"input": {"type": true, "checked": true, "disabled": true},
}

// unsafeHTML describes the first thing in out that the site's policy does not allow (an
// element or attribute outside allowedOutput, or a link or image whose URL is not http,
// https, mailto or relative), or returns "" when there is none.
func unsafeHTML(out string) string {
	if !utf8.ValidString(out) {
		return "output is not UTF-8"
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs, ok := allowedOutput[tok.Data]
			if !ok {
				return fmt.Sprintf("element <%s> reached the output", tok.Data)
			}
			for _, a := range tok.Attr {
				if !attrs[a.Key] {
					return fmt.Sprintf("attribute %s on <%s> reached the output", a.Key, tok.Data)
				}
				if a.Key == "href" || a.Key == "src" {
					u := strings.ToLower(strings.TrimSpace(a.Val))
					if i := strings.IndexAny(u, ":/?#"); i >= 0 && u[i] == ':' &&
						!strings.HasPrefix(u, "http:") && !strings.HasPrefix(u, "https:") && !strings.HasPrefix(u, "mailto:") {
						return fmt.Sprintf("URL %q in %s reached the output", a.Val, a.Key)
					}
				}
			}
		}
	}
}

// seeds are inputs that reach the pipeline's odd corners: raw HTML, links with schemes,
// nesting, tables, math and code.
var seeds = []string{
	"", "plain text", "**bold** _em_ ~~del~~ `code`",
	"<script>alert(1)</script>", `<img src=x onerror=alert(1)>`, "[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))", "![i](data:image/png;base64,AAAA)", "<a href=\"//evil\">x</a>",
	"[a](//evil.example) https://example.org www.example.org",
	"> > > > quote\n- a\n  - b\n    - c", "| a | b |\n|:-|-:|\n| 1 | 2 |",
	"$x^2$ and $$\\frac{a}{b}$$", "```go\nfunc main() {}\n```", "- [x] done\n- [ ] todo",
	"<details><summary>s</summary>body</details>", "&lt;script&gt;", "\x00\x01\u0085\u2028",
}

// FuzzRenderBody feeds any text to the body pipeline: it must answer (HTML or a
// markdown_too_complex error), never panic, and never let unsafe markup through.
func FuzzRenderBody(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, in string) {
		out, err := r.Body(in)
		if err != nil {
			if forum.KindOf(err) != forum.EInvalid || out != "" {
				t.Fatalf("want markdown_too_complex and no HTML, got %v and %q", err, out)
			}
			return
		}
		if bad := unsafeHTML(out); bad != "" {
			t.Fatalf("%s\ninput:  %q\noutput: %q", bad, in, out)
		}
	})
}

// FuzzRenderComment does the same for comments, whose pipeline is inline only.
func FuzzRenderComment(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	r := NewRenderer()
	f.Fuzz(func(t *testing.T, in string) {
		out, err := r.Comment(in)
		if err != nil {
			if forum.KindOf(err) != forum.EInvalid {
				t.Fatalf("want markdown_too_complex, got %v", err)
			}
			return
		}
		if bad := unsafeHTML(out); bad != "" {
			t.Fatalf("%s\ninput:  %q\noutput: %q", bad, in, out)
		}
		for _, block := range []string{"<p", "<h1", "<ul", "<table", "<pre", "<blockquote", "<img"} {
			if strings.Contains(out, block) {
				t.Fatalf("comment output has block markup %s: %q -> %q", block, in, out)
			}
		}
	})
}

// TestUnsafeHTMLCatches proves the fuzz oracle can fail: markup the policy forbids is
// reported, and what the renderer writes is not.
func TestUnsafeHTMLCatches(t *testing.T) {
	for _, bad := range []string{`<script>x</script>`, `<a href="javascript:x">a</a>`, `<p onclick="x">a</p>`, `<img src="data:x">`, `<iframe></iframe>`} {
		if unsafeHTML(bad) == "" {
			t.Errorf("unsafeHTML accepted %q", bad)
		}
	}
	if bad := unsafeHTML(`<p><a href="https://example.org" rel="nofollow ugc noopener">x</a> <code class="language-go">y</code></p>`); bad != "" {
		t.Errorf("unsafeHTML refused safe markup: %s", bad)
	}
}
