package moderation

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2/lexers"
	"golang.org/x/net/html"

	"staffroom/forum"
)

// newTestRenderer is NewRenderer with all the time in the world for highlighting, so that
// tests comparing HTML do not depend on the machine's load (the race detector slows
// chroma tenfold).
func newTestRenderer() *Renderer {
	r := NewRenderer()
	r.highlightTime = time.Minute
	return r
}

// render renders a body or fails the test.
func render(t *testing.T, r *Renderer, markdown string) string {
	t.Helper()
	out, err := r.Body(markdown)
	if err != nil {
		t.Fatalf("Body(%q): %v", markdown, err)
	}
	assertSafe(t, out)
	return out
}

// renderComment renders a comment or fails the test.
func renderComment(t *testing.T, r *Renderer, markdown string) string {
	t.Helper()
	out, err := r.Comment(markdown)
	if err != nil {
		t.Fatalf("Comment(%q): %v", markdown, err)
	}
	assertSafe(t, out)
	return out
}

// safeAttrs is, per element, the attributes the site's HTML may carry: assertSafe holds
// every rendering to it independently of the sanitizer's policy.
var safeAttrs = map[string][]string{
	"a": {"href", "title", "rel"}, "img": {"src", "alt", "title"}, "input": {"type", "checked", "disabled"},
	"ol": {"start", "class"}, "ul": {"class"}, "li": {"class"}, "th": {"align"}, "td": {"align"},
	"span": {"class"}, "div": {"class"}, "pre": {"class", "tabindex"}, "code": {"class"},
	"p": nil, "br": nil, "hr": nil, "h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil,
	"blockquote": nil, "em": nil, "strong": nil, "del": nil,
	"table": {"tabindex"}, "thead": nil, "tbody": nil, "tr": nil, "details": nil, "summary": nil,
}

// assertSafe parses out as a browser's tokenizer would and fails on any element, attribute
// or URL outside what the site allows: no script, style, event handler, form, frame, or
// URL with a scheme other than http, https or mailto; every link rel="nofollow ugc
// noopener"; inputs only disabled checkboxes; no comments.
func assertSafe(t *testing.T, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.CommentToken, html.DoctypeToken:
			t.Fatalf("comment or doctype in %q", out)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			allowed, ok := safeAttrs[tok.Data]
			if !ok {
				t.Fatalf("element <%s> in %q", tok.Data, out)
			}
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				if !contains(allowed, a.Key) {
					t.Fatalf("attribute %s on <%s> in %q", a.Key, tok.Data, out)
				}
				attrs[a.Key] = a.Val
			}
			if tt == html.EndTagToken {
				continue
			}
			switch tok.Data {
			case "a":
				if attrs["rel"] != linkRel {
					t.Fatalf("link without rel=%q in %q", linkRel, out)
				}
				if href, ok := attrs["href"]; ok {
					assertURL(t, href, out, "http", "https", "mailto", "")
				}
			case "img":
				if src, ok := attrs["src"]; ok && !proxyPath.MatchString(src) { // images_test.go
					t.Fatalf("image %q not served by the image proxy in %q", src, out)
				}
			case "input":
				if attrs["type"] != "checkbox" || attrs["disabled"] != "" || len(tok.Attr) < 2 {
					t.Fatalf("input other than a disabled checkbox in %q", out)
				}
			}
		}
	}
}

func assertURL(t *testing.T, raw, out string, schemes ...string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || !contains(schemes, strings.ToLower(u.Scheme)) || strings.ContainsAny(raw, " \t\n") {
		t.Fatalf("URL %q in %q", raw, out)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// attacks are markdown written to get script, style or a dangerous URL into a page, in
// the manner of Gitea's sanitizer tests. Each is rendered as a body and as a comment;
// absent lists markup that must not be in the HTML (compared case-insensitively: text is
// escaped, so "<script" can only be a tag and "href=" only an attribute), and assertSafe
// checks every element, attribute and URL against what the site allows.
var attacks = []struct {
	name, input string
	absent      []string
}{
	{"script element", "<script>alert(1)</script>", []string{"<script"}},
	{"script inline", "hello <script>alert(1)</script> world", []string{"<script"}},
	{"script in a quote", "> <script>alert(1)</script>", []string{"<script"}},
	{"img onerror", "<img src=x onerror=alert(1)>", []string{"<img"}},
	{"img onerror inline", "a <img src=x onerror=alert(1)> b", []string{"<img"}},
	{"javascript link", "[x](javascript:alert(1))", []string{"href="}},
	{"mixed-case javascript link", "[x](JaVaScRiPt:alert(1))", []string{"href="}},
	{"javascript link in angle brackets", "[x](<javascript:alert(1)>)", []string{"href="}},
	{"entity-encoded javascript link", "[x](&#106;avascript:alert(1))", []string{"href="}},
	{"hex entity javascript link", "[x](&#x6A;&#x61;vascript&#x3A;alert(1))", []string{"href="}},
	{"javascript link with a tab entity", "[x](java&#09;script:alert(1))", []string{"href="}},
	{"javascript link with a newline entity", "[x](java&#10;script:alert(1))", []string{"href="}},
	{"javascript reference link", "[x][y]\n\n[y]: javascript:alert(1)", []string{"href="}},
	{"javascript autolink", "<javascript:alert(1)>", []string{"href="}},
	{"upper-case javascript autolink", "<JAVASCRIPT:alert(1)>", []string{"href="}},
	{"vbscript link", "[x](vbscript:msgbox(1))", []string{"href="}},
	{"file link", "[x](file:///etc/passwd)", []string{"href="}},
	{"data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"href="}},
	{"data html link", "[x](data:text/html,<script>alert(1)</script>)", []string{`href="data`, "<script"}},
	{"data image", "![x](data:image/png;base64,iVBORw0KGgo=)", []string{"src="}},
	{"data svg image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", []string{"src="}},
	{"javascript image", "![x](javascript:alert(1))", []string{"src="}},
	{"iframe", `<iframe src="https://evil.example"></iframe>`, []string{"<iframe"}},
	{"iframe inline", `a <iframe src="https://evil.example"></iframe> b`, []string{"<iframe"}},
	{"form", `<form action="https://evil.example"><input name="password"><button>Go</button></form>`, []string{"<form", "<input", "<button"}},
	{"input inline", `a <input type="checkbox"> b`, []string{"<input"}},
	{"link onclick", `<a href="https://x.example" onclick="alert(1)">x</a>`, []string{"onclick="}},
	{"link onclick inline", `see <a href="https://x.example" onclick="alert(1)">x</a>`, []string{"onclick="}},
	{"style element", "<style>body{display:none}</style>", []string{"<style"}},
	{"style attribute", `<p style="position:fixed;top:0">x</p>`, []string{"style="}},
	{"style attribute inline", `a <span style="position:fixed">x</span> b`, []string{"style="}},
	{"svg onload", "<svg onload=alert(1)>", []string{"<svg"}},
	{"svg onload inline", "a <svg/onload=alert(1)> b", []string{"<svg"}},
	{"html comment", "<!-- secret --> text <!-- <script>alert(1)</script> -->", []string{"<!--", "<script", "secret"}},
	{"details ontoggle", "<details open ontoggle=alert(1)><summary>x</summary></details>", []string{"ontoggle", "open"}},
	{"details script", "<details>\n<summary>a<script>alert(1)</script></summary>\n<img src=x onerror=alert(1)>\n</details>", []string{"<script", "<img", "onerror"}},
	{"details attributes", `<details id="csrf_token" class="math math-display" style="position:fixed"><summary onclick="alert(1)">x</summary></details>`, []string{"id=", "class=", "style=", "onclick="}},
	{"math mXSS", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", []string{"<img", "<math", "<style"}},
	{"object and embed", `<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">`, []string{"<object", "<embed"}},
	{"base and meta", `<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">`, []string{"<base", "<meta"}},
	{"link title breaking out", `[x](https://a.example "\" onmouseover=\"alert(1)")`, []string{`onmouseover="`}},
	{"link URL breaking out", `[x](https://a.example/"onmouseover="alert(1))`, []string{`onmouseover="`}},
	{"image URL breaking out", `![x](https://a.example/a.png"onerror="alert(1))`, []string{`onerror="`}},
	{"image alt breaking out", `![x" onerror="alert(1)](https://a.example/a.png)`, []string{`onerror="`}},
	{"code fence info", "```\"><script>alert(1)</script>\nx\n```", []string{"<script"}},
	{"code fence info img", "~~~ <img src=x onerror=alert(1)>\nx\n~~~", []string{"<img"}},
	{"code fence language with a quote", "```go\"onmouseover=\"alert(1)\nx\n```", []string{`onmouseover="`}},
	{"inline math breaking out", `$</span><script>alert(1)</script>$`, []string{"<script"}},
	{"display math breaking out", "$$\n</div><img src=x onerror=alert(1)>\n$$", []string{"<img"}},
	{"math with an entity", `$&lt;script&gt;$`, []string{"<script"}},
	{"NUL in a tag", "<scr\x00ipt>alert(1)</script>", []string{"<scr"}},
	{"autolink with quote", `<https://a.example/"onmouseover="alert(1)>`, []string{`onmouseover="`}},
	{"protocol-relative image", "![x](//evil.example/a.png)", []string{"src="}},
	{"mailto image", "![x](mailto:a@b.example)", []string{"src="}},
	{"relative image", "![x](/logout)", []string{"src="}},
	{"target blank", `<a href="https://x.example" target="_blank">x</a>`, []string{"target="}},
	{"id for DOM clobbering", `<a id="csrf_token" name="x">x</a>`, []string{"id=", "name="}},
	{"class forgery", `<span class="math math-inline" onclick="alert(1)">x</span>`, []string{"onclick="}},
}

func TestBodyAttacks(t *testing.T) {
	r := newTestRenderer()
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			for kind, out := range map[string]string{"body": render(t, r, a.input), "comment": renderComment(t, r, a.input)} {
				low := strings.ToLower(out)
				for _, bad := range a.absent {
					if strings.Contains(low, strings.ToLower(bad)) {
						t.Errorf("%s: %q contains %q", kind, out, bad)
					}
				}
			}
		})
	}
}

func TestBodyFeatures(t *testing.T) {
	r := newTestRenderer()
	tests := []struct {
		name, input string
		want        []string
		absent      []string
	}{
		{"heading and emphasis", "# Grading\n\n*some* **strong** words", []string{"<h1>Grading</h1>", "<em>some</em>", "<strong>strong</strong>"}, nil},
		{"table", "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |",
			[]string{`<table tabindex="0">`, `<th align="left">a</th>`, `<th align="center">b</th>`, `<td align="right">3</td>`}, []string{"style="}},
		{"strikethrough", "~~gone~~ and ~also~", []string{"<del>gone</del>", "<del>also</del>"}, nil},
		{"folded section", "<details>\n<summary>The rubric</summary>\n\n- **4** exceeds\n- 3 meets\n\n</details>\n\nAfter it.",
			[]string{"<details>\n<summary>The rubric</summary>\n<ul>", "<li><strong>4</strong> exceeds</li>", "</ul>\n</details>", "<p>After it.</p>"}, nil},
		{"folded section on one line", "<details><summary>Rubric</summary>Grade it well.</details>",
			[]string{"<details><summary>Rubric</summary>Grade it well.</details>"}, nil},
		{"folded section left open is closed", "<details>\n<summary>Rubric</summary>\n\nGrade it.",
			[]string{"<p>Grade it.</p>\n</details>"}, nil},
		{"stray close and a summary out of place", "</details>\n\n<summary>Alone</summary>", []string{"Alone"}, []string{"</details>", "<summary>"}},
		{"folded section in a paragraph: words stay apart", "See <details><summary>Rubric</summary>Grade</details> here",
			[]string{"Rubric Grade"}, []string{"<details>", "RubricGrade"}},
		{"task list", "- [ ] to do\n- [x] done",
			[]string{`<ul class="contains-task-list">`, `<li class="task-list-item"><input disabled="" type="checkbox"> to do</li>`,
				`<input checked="" disabled="" type="checkbox"> done`}, nil},
		{"www autolink", "see www.example.com now",
			[]string{`<a href="http://www.example.com" rel="nofollow ugc noopener">www.example.com</a>`}, nil},
		{"URL autolink", "see https://example.com/a?b=c.",
			[]string{`<a href="https://example.com/a?b=c" rel="nofollow ugc noopener">https://example.com/a?b=c</a>.`}, nil},
		{"angle autolink", "<https://example.com>", []string{`<a href="https://example.com" rel="nofollow ugc noopener">`}, nil},
		{"email autolink", "write to help@example.com", []string{`<a href="mailto:help@example.com" rel="nofollow ugc noopener">help@example.com</a>`}, nil},
		{"link", `[the rubric](https://example.com/rubric "Rubric")`,
			[]string{`<a href="https://example.com/rubric" title="Rubric" rel="nofollow ugc noopener">the rubric</a>`}, nil},
		{"relative and fragment links", "[q](/questions/1) [top](#top)",
			[]string{`<a href="/questions/1" rel="nofollow ugc noopener">q</a>`, `<a href="#top" rel="nofollow ugc noopener">top</a>`}, nil},
		{"mailto link", "[mail](mailto:a@example.com)", []string{`href="mailto:a@example.com"`}, nil},
		{"image as a link without a proxy", "![a chart](https://example.com/chart.png)", // images_test.go has the proxy
			[]string{`<a href="https://example.com/chart.png" rel="nofollow ugc noopener">a chart</a>`}, []string{"<img"}},
		{"ordered list start", "3. three\n4. four", []string{`<ol start="3">`, "<li>three</li>"}, nil},
		{"quote", "> said", []string{"<blockquote>\n<p>said</p>\n</blockquote>"}, nil},
		{"raw HTML dropped", "a <b>bold</b> claim\n\n<div>block</div>", []string{"a bold claim"}, []string{"<b>", "<div>"}},
		{"Go code highlighted", "```go\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```",
			[]string{`<pre class="chroma" tabindex="0"><code class="language-go">`, `<span class="kd">func</span>`, `<span class="nf">main</span>`, `<span class="s">&#34;hi&#34;</span>`},
			[]string{"style="}},
		{"unknown language plain", "```klingon\n<b> & x\n```", []string{`<code class="language-klingon">&lt;b&gt; &amp; x`}, []string{"<span"}},
		{"indented code plain", "    x < y", []string{`<pre class="chroma" tabindex="0"><code>x &lt; y`}, nil},
		{"inline math", "$a_1 * b_2$ and $c_3 * d_4$",
			[]string{`<span class="math math-inline">a_1 * b_2</span> and <span class="math math-inline">c_3 * d_4</span>`}, []string{"<em>"}},
		{"inline math escaped", `$x < y & z > \alpha$`, []string{`<span class="math math-inline">x &lt; y &amp; z &gt; \alpha</span>`}, nil},
		{"inline math keeps backslashes", `$\{a\} \$5 \\ b$`, []string{`<span class="math math-inline">\{a\} \$5 \\ b</span>`}, nil},
		{"inline math over lines", "so $a +\nb$ holds", []string{"<span class=\"math math-inline\">a +\nb</span>"}, nil},
		{"display math block", "$$\n x^2 < y_1 * y_2 \n$$", []string{"<div class=\"math math-display\"> x^2 &lt; y_1 * y_2 \n</div>"}, []string{"<em>", "<p>"}},
		{"display math one line", "$$ \\int_0^1 f $$", []string{`<div class="math math-display"> \int_0^1 f </div>`}, nil},
		{"display math in a paragraph", `so $$\sum_i x_i$$ holds`, []string{`so <span class="math math-display">\sum_i x_i</span> holds`}, nil},
		{"display math in a quote", "> $$\n> a_1\n> $$", []string{"<blockquote>\n<div class=\"math math-display\">a_1\n</div>"}, nil},
		{"money", "It costs $5 and $10.", []string{"It costs $5 and $10."}, []string{"math"}},
		{"money range", "Budget $5-$10 per student, or US$5 and US$6.", []string{"$5-$10", "US$5 and US$6"}, []string{"math"}},
		{"money then math", "Pay $5 and $10, or $x$.", []string{`Pay $5 and $10, or <span class="math math-inline">x</span>.`}, nil},
		{"dollar with spaces", "between $ 5 and $ 6", []string{"between $ 5 and $ 6"}, []string{"math"}},
		{"closing dollar before a digit", "$x$5", []string{"$x$5"}, []string{"math"}},
		{"escaped dollars", `\$x\$`, []string{"$x$"}, []string{"math"}},
		{"dollars in code", "`$x$`", []string{"<code>$x$</code>"}, []string{"math"}},
		{"money paragraph then display", "$5\n\n$$\nx\n$$", []string{"<p>$5</p>", `<div class="math math-display">x`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, r, tt.input)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("Body(%q) = %q, want it to contain %q", tt.input, out, w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(out, a) {
					t.Errorf("Body(%q) = %q, want no %q", tt.input, out, a)
				}
			}
		})
	}
}

func TestComment(t *testing.T) {
	r := newTestRenderer()
	tests := []struct {
		name, input, want string
	}{
		{"inline formatting kept", "*a* **b** `c` ~~d~~", "<em>a</em> <strong>b</strong> <code>c</code> <del>d</del>"},
		{"links", "[rubric](https://example.com) and www.example.org",
			`<a href="https://example.com" rel="nofollow ugc noopener">rubric</a> and <a href="http://www.example.org" rel="nofollow ugc noopener">www.example.org</a>`},
		{"inline math", "$a_1 * b_2$", `<span class="math math-inline">a_1 * b_2</span>`},
		{"heading as text", "# not a heading", "# not a heading"},
		{"list as text", "- one\n- two", "- one\n- two"},
		{"ordered list as text", "1. one", "1. one"},
		{"quote as text", "> not a quote", "&gt; not a quote"},
		{"indented code as text", "    not code", "not code"},
		{"fence as code span", "```\nx\n```", "<code>x</code>"},
		{"table as text", "| a |\n|---|\n| 1 |", "| a |\n|---|\n| 1 |"},
		{"image as text", "![chart](https://example.com/c.png)", "![chart](https://example.com/c.png)"},
		{"thematic break as text", "---", "---"},
		{"paragraphs run together", "one\n\ntwo", "one two"},
		{"raw HTML dropped", "a <b>b</b> c", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderComment(t, r, tt.input); got != tt.want {
				t.Errorf("Comment(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

// assertTooComplex fails unless err is markdown_too_complex: invalid, on the body field.
func assertTooComplex(t *testing.T, err error) {
	t.Helper()
	e := forum.AsError(err)
	if e == nil || e.Kind != forum.EInvalid || e.Code != "markdown_too_complex" || e.Field != "body" || e.Message == "" {
		t.Fatalf("err = %#v, want markdown_too_complex on body", err)
	}
}

func TestLimits(t *testing.T) {
	r := newTestRenderer()
	nestedLists := func(levels int) string {
		return linesOf(levels, func(i int) string { return strings.Repeat("  ", i) + "- a" })
	}
	table := func(cols, rows int) string {
		return linesOf(rows+1, func(i int) string {
			if i == 1 {
				return strings.Repeat("|-", cols) + "|"
			}
			return strings.Repeat("|a", cols) + "|"
		})
	}
	refused := []struct{ name, input string }{
		{"body over MaxBodyBytes", strings.Repeat("a", MaxBodyBytes+1)},
		{"33 quotes on a line", strings.Repeat("> ", 65) + "a"},
		{"33 quotes over lines", linesOf(MaxNesting+1, func(i int) string { return strings.Repeat(">", i+1) + " a" })},
		{"33 nested lists", nestedLists(MaxNesting + 1)},
		{"quotes in lists in quotes", strings.Repeat("> - ", MaxNesting/2+1) + "a"},
		{"table over MaxTableCells", table(101, 100)},
		{"table of a wide header and short rows", table(1000, 1) + strings.Repeat("a\n", 10)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Body(tt.input)
			assertTooComplex(t, err)
		})
	}
	t.Run("comment over MaxCommentBytes", func(t *testing.T) {
		_, err := r.Comment(strings.Repeat("a", MaxCommentBytes+1))
		assertTooComplex(t, err)
	})

	accepted := []struct{ name, input string }{
		{"body of MaxBodyBytes", strings.Repeat("a", MaxBodyBytes)},
		{"30,000 three-byte characters", strings.Repeat("漢", 30_000)},
		{"32 nested lists", nestedLists(MaxNesting)},
		{"32 quotes", strings.Repeat("> ", MaxNesting) + "a"},
		{"table of MaxTableCells", table(100, 100)},
		{"long thematic break", strings.Repeat("- ", 200)},
		{"deeply indented code in a fence", "```\n" + strings.Repeat(" ", 120) + "x\n```"},
		{"a long paragraph of prose with links", strings.Repeat("A [link](https://example.com) in *some* prose. ", 300)},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			render(t, r, tt.input)
		})
	}
}

func TestConcurrentRenders(t *testing.T) {
	r := newTestRenderer()
	inputs := []string{typicalAnswer, "*a* $x_1$ www.example.com", "```python\nprint(1)\n```", strings.Repeat("> ", 40) + "a"}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		want[i], _ = r.Body(in)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				i := (g + n) % len(inputs)
				if got, _ := r.Body(inputs[i]); got != want[i] {
					t.Errorf("concurrent Body(%.20q) differs", inputs[i])
					return
				}
				if _, err := r.Comment(inputs[i]); err != nil && i != 3 {
					t.Errorf("Comment: %v", err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestHighlightCSS(t *testing.T) {
	css := HighlightCSS()
	for _, want := range []string{".chroma {", ".chroma .kd {", ".chroma .s {", ".chroma .c {"} {
		if !strings.Contains(css, want) {
			t.Errorf("HighlightCSS() has no %q", want)
		}
	}
	for _, bad := range []string{"<", "url(", "@import", "expression("} {
		if strings.Contains(css, bad) {
			t.Errorf("HighlightCSS() contains %q", bad)
		}
	}
	// Every class the renderer puts on code has a rule, or is plain text.
	out := render(t, newTestRenderer(), typicalAnswer)
	for _, c := range []string{"kd", "nf", "nb", "c1"} {
		if !strings.Contains(out, fmt.Sprintf(`class="%s"`, c)) {
			t.Errorf("typical answer has no %q class", c)
		}
	}
}

func TestSafeHTML(t *testing.T) {
	out := render(t, newTestRenderer(), "*hi*")
	if got := SafeHTML(out); got != template.HTML("<p><em>hi</em></p>\n") {
		t.Errorf("SafeHTML = %q", got)
	}
}

// typicalAnswer is a 2 KB answer: prose, a list, a table, Go code, a link and math.
const typicalAnswer = "We moved to **standards-based grading** in our 1:1 middle school two years ago. " +
	"What worked for us, in order:\n\n" +
	"1. Write the *learning targets* first, four to six per unit, in student language.\n" +
	"2. Grade each target on a 4-point scale; a 3 means *meets the standard*.\n" +
	"3. Let students reassess once per target after doing the practice set.\n" +
	"4. Report the **most recent** evidence, not the average: $score = \\max(s_1, s_2)$.\n\n" +
	"Our conversion table for the report card:\n\n" +
	"| Scale | Meaning | Letter |\n|:--|:--|:-:|\n| 4 | Exceeds | A |\n| 3 | Meets | B |\n| 2 | Approaching | C |\n| 1 | Beginning | D |\n\n" +
	"We compute the grade book export with a small script:\n\n" +
	"```go\n// mostRecent returns the latest evidence for each target.\nfunc mostRecent(scores []Score) map[string]int {\n" +
	"\tlatest := make(map[string]Score)\n\tfor _, s := range scores {\n\t\tif s.Date.After(latest[s.Target].Date) {\n" +
	"\t\t\tlatest[s.Target] = s\n\t\t}\n\t}\n\tout := make(map[string]int, len(latest))\n" +
	"\tfor t, s := range latest {\n\t\tout[t] = s.Points // 1 to 4\n\t}\n\treturn out\n}\n```\n\n" +
	"> Parents asked most about reassessment, so we wrote a one-page FAQ.\n\n" +
	"## What we would do differently\n\n" +
	"Start with one grade level and one subject, and give teachers a shared planning period for the first " +
	"semester: calibrating what a 3 looks like took us most of the first year. Keep homework as practice, " +
	"recorded but not graded, and say so in the syllabus. Students used `reassess` requests in the LMS:\n\n" +
	"```python\ndef can_reassess(student, target):\n    \"\"\"One reassessment per target, after practice.\"\"\"\n" +
	"    return student.practice_done(target) and not student.reassessed(target)\n```\n\n" +
	"- [x] targets written\n- [x] rubric shared with families\n- [ ] reassessment calendar\n\n" +
	"The district's guide is at https://example.org/sbg and [our FAQ](https://example.org/faq) is public. " +
	"It costs $5 per printed copy, ~~free~~ online. Happy to share more in the comments.\n"

func BenchmarkBody(b *testing.B) {
	r := newTestRenderer()
	b.SetBytes(int64(len(typicalAnswer)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Body(typicalAnswer); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComment(b *testing.B) {
	r := newTestRenderer()
	comment := "Thanks, **this** helped: see www.example.com and `go vet`, with $x_1$ of $5."
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Comment(comment); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHighlightLanguages(t *testing.T) {
	for name := range highlightLanguages {
		if l := lexers.Get(name); l == nil || l.Config().Name != name {
			t.Errorf("highlightLanguages names %q, which is not a chroma lexer", name)
		}
	}
	r := newTestRenderer()
	for _, c := range []struct{ fence, class string }{
		{"py", "language-py"}, {"js", "language-js"}, {"sh", "language-sh"}, {"c++", "language-c++"},
		{"yml", "language-yml"}, {"java", "language-java"}, {"sql", "language-sql"},
	} {
		out := render(t, r, "```"+c.fence+"\nx = 1 # a\n```")
		if !strings.Contains(out, `class="`+c.class+`"`) || !strings.Contains(out, "<span class=") {
			t.Errorf("%s fence not highlighted: %q", c.fence, out)
		}
	}
	// Languages outside the list are shown plain, with their name.
	if out := render(t, r, "```jsonata\n$x := 1\n```"); strings.Contains(out, "<span") || !strings.Contains(out, `class="language-jsonata"`) {
		t.Errorf("jsonata highlighted: %q", out)
	}
}

// hostileCode is code shaped to make backtracking lexers slow: each highlighted language was
// measured on these, 16 KB each, and spent at most ~10 ms on any one token.
var hostileCode = map[string]string{
	"whitespace":   repeatUntil(" \t\n", 16_000),
	"spaces":       strings.Repeat(" ", 16_000),
	"open":         strings.Repeat("(", 8_000) + strings.Repeat("[", 8_000),
	"quotes":       repeatUntil("\"'`\\\"/*<!--(", 16_000),
	"sigils":       repeatUntil("#{$@%&", 16_000),
	"digits":       repeatUntil("0123456789.e+", 16_000),
	"continuation": strings.Repeat("a\\\n", 5_000),
}

// TestHighlightBounded highlights hostile code in every highlighted language with a 10 ms
// budget: each block must come back soon after it, which holds as long as no lexer spends
// long on one token (the budget is checked between tokens). A chroma upgrade that breaks
// this fails here.
func TestHighlightBounded(t *testing.T) {
	for name := range highlightLanguages {
		alias := lexers.Get(name).Config().Aliases
		if len(alias) == 0 {
			alias = []string{name}
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for shape, code := range hostileCode {
				start := time.Now()
				h := newHighlighter(start, 10*time.Millisecond)
				out := h.code(alias[0], []byte(code))
				if d := time.Since(start); d > time.Second {
					t.Errorf("%s: %v", shape, d)
				}
				assertSafe(t, string(out))
			}
		})
	}
}
