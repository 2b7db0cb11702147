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
// goldmark-highlighting, which cannot bound chroma's cost and lets a fence's info string
// ({linenos=table, hl_lines=…, hl_style=…}) change the markup.
//
// chroma's lexers are backtracking regular expressions, and on hostile input most of them
// are quadratic: 8 KB of " \t\n" takes the Java lexer 1.7 s, and some lexers (JSONata)
// run for minutes. Three things bound that here. Only the lexers in highlightLanguages are
// used: each was measured on hostile 16 KB inputs (markdown_test.go keeps measuring them)
// and never spent more than ~10 ms on one token. A document highlights at most
// maxHighlightBytes of code. And tokens are pulled one at a time until the document's
// highlightTime is spent; what is left is shown plain.

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

// highlightLanguages are the lexers code is highlighted with, by chroma's name for them; a
// fence may name any of their aliases ("py", "js", "sh", "c++", "yml").
var highlightLanguages = map[string]bool{
	"Bash": true, "Bash Session": true, "Batchfile": true, "C": true, "C#": true, "C++": true,
	"Common Lisp": true, "CSS": true, "CSV": true, "Dart": true, "Diff": true, "Docker": true,
	"Fortran": true, "Go": true, "GraphQL": true, "Haskell": true, "HTML": true, "INI": true,
	"Java": true, "JavaScript": true, "JSON": true, "Julia": true, "Kotlin": true, "Lua": true,
	"Makefile": true, "markdown": true, "Matlab": true, "MySQL": true, "Objective-C": true,
	"Octave": true, "Perl": true, "PHP": true, "PostgreSQL SQL dialect": true, "PowerShell": true,
	"Python": true, "R": true, "Racket": true, "react": true, "Ruby": true, "Rust": true,
	"Scala": true, "Scheme": true, "SCSS": true, "SQL": true, "Swift": true, "TeX": true,
	"TOML": true, "TypeScript": true, "VB.net": true, "XML": true, "YAML": true,
}

// lexerFor returns the lexer for a fence's language, or nil when it is not highlighted.
func lexerFor(lang string) chroma.Lexer {
	l := lexers.Get(lang)
	if l == nil || !highlightLanguages[l.Config().Name] {
		return nil
	}
	return l
}

// highlighter spends one document's highlighting budget: bytes deterministically, time as a
// backstop for a lexer's bad case. Blocks past either budget are shown plain.
type highlighter struct {
	bytesLeft int
	deadline  time.Time
}

func newHighlighter(now time.Time, budget time.Duration) *highlighter {
	return &highlighter{bytesLeft: maxHighlightBytes, deadline: now.Add(budget)}
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

// highlight writes code highlighted as lang to b, or reports that it has not: the language
// is not highlighted, the document's budget is spent, or the lexer failed.
func (h *highlighter) highlight(b *bytes.Buffer, lang, code string) (ok bool) {
	cost := len(code) + highlightBlockBytes
	if lang == "" || cost > h.bytesLeft || !time.Now().Before(h.deadline) {
		return false
	}
	lexer := lexerFor(lang)
	if lexer == nil {
		return false
	}
	h.bytesLeft -= cost
	mark := b.Len()
	defer func() {
		// A lexer's rule that fails panics in chroma; the block is shown plain instead.
		if recover() != nil || !ok {
			b.Truncate(mark)
			ok = false
		}
	}()
	// Not chroma.Coalesce: it pulls a whole run of tokens of one type in one call, past
	// any deadline. Runs are merged after.
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		return false
	}
	var tokens []chroma.Token
	for t := it(); t != chroma.EOF; t = it() {
		if !time.Now().Before(h.deadline) {
			return false
		}
		tokens = append(tokens, t)
	}
	return codeFormatter.Format(b, styles.Get(highlightStyle), chroma.Literator(coalesce(tokens)...)) == nil
}

// coalesce merges runs of tokens of one type, as chroma.Coalesce would have.
func coalesce(tokens []chroma.Token) []chroma.Token {
	out := tokens[:0]
	var run strings.Builder
	for i, t := range tokens {
		run.WriteString(t.Value)
		if i+1 < len(tokens) && tokens[i+1].Type == t.Type {
			continue
		}
		out = append(out, chroma.Token{Type: t.Type, Value: run.String()})
		run.Reset()
	}
	return out
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
