package moderation

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Code blocks are highlighted on the server with chroma, as CSS classes (the stylesheet is
// HighlightCSS), never inline styles. This is chroma wired in directly rather than through
// goldmark-highlighting: that extension cannot bound chroma's cost (its lexers are regular
// expressions that cost 1–4 µs a byte here, with a 250 ms timeout per match), and it lets a
// fence's info string ({linenos=table, hl_lines=…, hl_style=…}) change the markup.

// highlightStyle is the light chroma style HighlightCSS is written for.
const highlightStyle = "github"

// codeFormatter writes chroma tokens as <span class="…">; the <pre><code> around them is
// ours, so that highlighted and plain blocks look alike.
var codeFormatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true))

// languageName is what a fence's info string may name; anything else is shown unlabelled.
var languageName = regexp.MustCompile(`^[A-Za-z0-9_+#.-]{1,32}$`)

// HighlightCSS returns the stylesheet for highlighted code: the classes the rendered HTML
// uses, in the "github" style, scoped under .chroma.
func HighlightCSS() string { return highlightCSS() }

var highlightCSS = sync.OnceValue(func() string {
	var b strings.Builder
	if err := codeFormatter.WriteCSS(&b, styles.Get(highlightStyle)); err != nil {
		return "" // a strings.Builder does not fail
	}
	return b.String()
})

// highlighter spends one document's highlighting budget: bytes deterministically, time as a
// backstop for a lexer's bad case. Blocks past either budget are shown plain.
type highlighter struct {
	bytesLeft int
	deadline  time.Time
}

func newHighlighter(now time.Time) *highlighter {
	return &highlighter{bytesLeft: maxHighlightBytes, deadline: now.Add(highlightTime)}
}

// codeHTML is a code block already written as HTML; it replaces the fenced or indented
// code block it was made from.
type codeHTML struct {
	ast.BaseBlock
	HTML []byte
}

var kindCodeHTML = ast.NewNodeKind("CodeHTML")

func (n *codeHTML) Kind() ast.NodeKind { return kindCodeHTML }

func (n *codeHTML) IsRaw() bool { return true }

func (n *codeHTML) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

type codeHTMLRenderer struct{}

func (codeHTMLRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindCodeHTML, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.Write(n.(*codeHTML).HTML)
		}
		return ast.WalkContinue, nil
	})
}

// code writes a code block: <pre class="chroma" tabindex="0"><code class="language-go">,
// highlighted when the language is known and the budget allows, escaped text otherwise.
func (h *highlighter) code(lang string, code []byte) []byte {
	if !languageName.MatchString(lang) {
		lang = ""
	}
	var b bytes.Buffer
	b.Grow(len(code) + 64)
	b.WriteString(`<pre class="chroma" tabindex="0"><code`)
	if lang != "" {
		b.WriteString(` class="language-`)
		b.Write(util.EscapeHTML([]byte(lang)))
		b.WriteString(`"`)
	}
	b.WriteString(">")
	if !h.highlight(&b, lang, string(code)) {
		b.Write(util.EscapeHTML(code))
	}
	b.WriteString("</code></pre>\n")
	return b.Bytes()
}

func (h *highlighter) highlight(b *bytes.Buffer, lang, code string) bool {
	cost := len(code) + highlightBlockBytes
	if lang == "" || cost > h.bytesLeft || !time.Now().Before(h.deadline) {
		return false
	}
	lexer := lexers.Get(lang)
	if lexer == nil {
		return false
	}
	h.bytesLeft -= cost
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		return false
	}
	var tokens []chroma.Token
	for t := it(); t != chroma.EOF; t = it() {
		if len(tokens)%64 == 0 && !time.Now().Before(h.deadline) {
			return false
		}
		tokens = append(tokens, t)
	}
	mark := b.Len()
	if err := codeFormatter.Format(b, styles.Get(highlightStyle), chroma.Literator(tokens...)); err != nil {
		b.Truncate(mark)
		return false
	}
	return true
}

// codeClasses is every class codeFormatter puts on a token, for the sanitizer's policy.
func codeClasses() []string {
	seen := map[string]bool{}
	for _, c := range chroma.StandardTypes {
		if c != "" {
			seen[c] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
