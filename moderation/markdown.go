package moderation

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"

	"staffroom/forum"
)

// Limits of the markdown pipeline. Markdown parsers have inputs whose cost grows faster
// than their length (the "markdown bombs" in markdown_limits_test.go); each limit bounds
// one of them so that any input renders in a few tens of milliseconds or is refused with
// markdown_too_complex. Times quoted are goldmark v1.8.7 on this project's 2-core machine.
const (
	// MaxBodyBytes bounds a body's markdown. forum.MaxBodyLen (30,000 characters) fits in
	// 3-byte characters (CJK); every cost below is at most linear in it once the other
	// limits hold, and the worst input of this size we know of takes 40 ms here
	// (markdown_limits_test.go; 64 KB would halve that but refuse long CJK answers).
	MaxBodyBytes = 96 << 10
	// MaxCommentBytes bounds a comment's markdown: forum.MaxCommentLen is 600 characters,
	// and whatever the caller checked, the parser never sees more than this.
	MaxCommentBytes = 8 << 10
	// MaxNesting bounds block quotes and lists nested in one another: nobody reads 32
	// levels. goldmark's cost grows with the square of the nesting on one line (30,000
	// "- " on a line take 2 s) and with its cube over lines (360 levels of indented lists
	// take 90 ms), so lines that could open more than twice this are refused before
	// parsing, and the exact depth is checked after.
	MaxNesting = 32
	// MaxTableCells bounds a table's columns × rows. GFM pads short rows to the header's
	// width, so 4 KB of header and 56 KB of "a\n" rows ask for 28 million cells (24 s).
	MaxTableCells = 10_000
	// maxInlineWork bounds the sum, over the blocks whose text is parsed for emphasis and
	// links (paragraphs, headings, table cells), of the block's bytes times its delimiter
	// characters (*_~[]`<$). goldmark's delimiter and link matching is quadratic at worst
	// ("a**b" then "c* " × 20,000 takes 0.85 s) at about 0.7 ns per unit here, so this
	// is ~25 ms at worst, while a 16 KB paragraph with 2,000 delimiters still fits.
	maxInlineWork = 32 << 20
	// maxHighlightBytes bounds the code chroma highlights in one document (the rest is
	// shown plain): its lexers take about 1.2 µs a byte of real code here (16 KB of
	// Python: 20 ms), and a long answer's code fits.
	maxHighlightBytes = 16 << 10
	// highlightBlockBytes is charged to maxHighlightBytes for each block besides its
	// length: starting a lexer costs about as much as this many bytes, and thousands of
	// one-line fences would otherwise take 50 ms.
	highlightBlockBytes = 256
	// highlightTime stops highlighting in a document that has spent this long on it: the
	// bound on chroma's lexers at their worst, where hostile code takes them seconds (see
	// highlight.go). Real code within maxHighlightBytes takes well under it.
	highlightTime = 50 * time.Millisecond
	// maxHTMLBytes bounds the HTML handed to the sanitizer (30–40 ms of bluemonday). A
	// document within the limits above that writes more is all tiny blocks, or math
	// written to expand 13-fold.
	maxHTMLBytes = 1 << 20
)

// Renderer turns markdown into the safe HTML stored beside it ("render once": pages and
// the API serve the stored HTML, reads never run this). Markdown is CommonMark with
// GitHub's tables, strikethrough, autolinks and task lists, code highlighted by chroma
// and $math$ kept as TeX for KaTeX; the HTML is sanitized by the site's bluemonday policy
// (sanitizer.go). A Renderer is safe for concurrent use.
type Renderer struct {
	body    goldmark.Markdown
	comment goldmark.Markdown
	policy  *bluemonday.Policy

	highlightTime time.Duration // the constant; tests that compare HTML under load raise it

	// imageProxy writes off-site images' URLs (WithImageProxy); nil: they are links.
	imageProxy func(src string) string
}

var _ forum.Renderer = (*Renderer)(nil)

// NewRenderer returns the site's markdown renderer.
func NewRenderer(opts ...Option) *Renderer {
	body := goldmark.New(
		goldmark.WithExtensions(extension.GFM, limitsExtension{tables: true}, mathExtension{blocks: true}),
		// Table alignment as align="…", not as a style attribute the policy would drop.
		goldmark.WithRendererOptions(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	)
	body.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(codeHTMLRenderer{}, 100)))

	// Comments parse paragraphs only, so block syntax stays text; inline syntax is
	// CommonMark's plus strikethrough, autolinks and inline math.
	comment := goldmark.New(
		goldmark.WithParser(parser.NewParser(
			parser.WithBlockParsers(util.Prioritized(commentParagraphParser{parser.NewParagraphParser()}, 1000)),
			parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		)),
		goldmark.WithExtensions(extension.Strikethrough, extension.Linkify,
			limitsExtension{}, mathExtension{}),
	)
	comment.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(commentRenderer{}, 100)))

	r := &Renderer{body: body, comment: comment, policy: newPolicy(), highlightTime: highlightTime}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Body renders a question or answer body. It returns markdown_too_complex (invalid, field
// "body") for markdown over the limits above.
func (r *Renderer) Body(markdown string) (string, error) {
	if len(markdown) > MaxBodyBytes {
		return "", tooComplex("The text is too long to format: it is %d KB, the most is %d KB.",
			(len(markdown)+1023)>>10, MaxBodyBytes>>10)
	}
	if err := checkNestingLines(markdown); err != nil {
		return "", err
	}
	return r.render(r.body, markdown, true)
}

// Comment renders a comment: inline markdown only (emphasis, code, links, autolinks,
// strikethrough, inline math). Block syntax (headings, lists, quotes, code blocks, tables,
// images) is shown as the text it is; paragraphs run together. The HTML is inline content,
// with no <p> around it. Errors as Body's.
func (r *Renderer) Comment(markdown string) (string, error) {
	if len(markdown) > MaxCommentBytes {
		return "", tooComplex("The comment is too long to format: the most is %d KB.", MaxCommentBytes>>10)
	}
	html, err := r.render(r.comment, markdown, false)
	return strings.TrimSpace(html), err
}

// SafeHTML marks HTML as safe to put in a page unescaped. It is only for strings returned
// by Renderer.Body or Renderer.Comment (as stored beside the markdown): it is the one place
// in the code base where user content becomes template.HTML.
func SafeHTML(s string) template.HTML {
	return template.HTML(s) // #nosec G203 -- output of Renderer, sanitized by newPolicy
}

// Links implements forum.Renderer: the href of every link and the src of every image in
// html, character references decoded, as a browser would follow them. Those are the only
// URL attributes the policy lets through (sanitizer.go); one it lets through later must be
// read here too, or the new-member link limit would not see it.
func (r *Renderer) Links(h string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(h))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out // io.EOF: the html is stored output of ours, never cut short
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			var attr string
			switch string(name) {
			case "a":
				attr = "href"
			case "img":
				attr = "src"
			default:
				continue
			}
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				if string(k) == attr {
					out = append(out, string(v))
				}
			}
		}
	}
}

func (r *Renderer) render(md goldmark.Markdown, markdown string, body bool) (string, error) {
	source := []byte(cleanText(markdown))
	lim := &limits{}
	pc := parser.NewContext()
	pc.Set(limitsKey, lim)
	doc := md.Parser().Parse(text.NewReader(source), parser.WithContext(pc))
	if lim.err != nil {
		return "", lim.err
	}
	var h *highlighter
	var images *imageWriter // comments show images as text
	if body {
		h = newHighlighter(time.Now(), r.highlightTime)
		images = &imageWriter{proxy: r.imageProxy}
	}
	if err := prepare(doc, source, h, images); err != nil {
		return "", err
	}
	var out bytes.Buffer
	out.Grow(2 * len(source))
	if err := md.Renderer().Render(&out, source, doc); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	if out.Len() > maxHTMLBytes {
		return "", tooComplex("The text has too much formatting to show.")
	}
	return string(r.policy.SanitizeBytes(out.Bytes())), nil
}

// cleanText makes the text valid UTF-8 without NULs, as CommonMark asks, before anything
// looks at it.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// prepare finishes the parsed document before it is written: it refuses quotes and lists
// nested deeper than MaxNesting, sets rel on every link, marks task lists for the
// stylesheet, keeps folded sections (details.go), writes code blocks with h and off-site
// images with images (comments, which have neither, pass nil).
func prepare(doc ast.Node, source []byte, h *highlighter, images *imageWriter) error {
	var code, blocks []ast.Node
	var inline []*ast.RawHTML
	depth := 0
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Type() == ast.TypeBlock && n != doc {
			blocks = append(blocks, n) // for folded sections (details.go)
		}
		switch n.Kind() {
		case ast.KindRawHTML:
			if entering {
				inline = append(inline, n.(*ast.RawHTML))
			}
		case ast.KindBlockquote, ast.KindList:
			if !entering {
				depth--
				break
			}
			depth++
			if depth > MaxNesting {
				return ast.WalkStop, tooDeep()
			}
		case ast.KindLink, ast.KindAutoLink:
			if entering {
				n.SetAttributeString("rel", []byte(linkRel))
			}
		case east.KindTaskCheckBox:
			if item := n.Parent().Parent(); entering && item != nil && item.Kind() == ast.KindListItem {
				item.SetAttributeString("class", []byte("task-list-item"))
				item.Parent().SetAttributeString("class", []byte("contains-task-list"))
			}
		case east.KindTable:
			// Wide tables scroll sideways inside the post (the stylesheet makes them a
			// block); tabindex lets a keyboard reach and scroll them, as for code blocks.
			if entering {
				n.SetAttributeString("tabindex", []byte("0"))
			}
		case ast.KindFencedCodeBlock, ast.KindCodeBlock:
			if entering {
				code = append(code, n)
			}
			return ast.WalkSkipChildren, nil
		case ast.KindImage:
			if entering && images != nil {
				images.found = append(images.found, n.(*ast.Image))
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return err
	}
	images.write() // after the walk: it replaces nodes
	foldSections(blocks, inline, source)
	if h == nil {
		return nil
	}
	for _, n := range code {
		var lang string
		if f, ok := n.(*ast.FencedCodeBlock); ok {
			lang = string(f.Language(source))
		}
		var content bytes.Buffer
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			content.Write(seg.Value(source))
		}
		n.Parent().ReplaceChild(n.Parent(), n, &codeHTML{HTML: h.code(lang, content.Bytes())})
	}
	return nil
}

// commentParagraphParser is the paragraph parser, taking indented lines too: with no
// code block parser to take them, they would be lost.
type commentParagraphParser struct{ parser.BlockParser }

func (commentParagraphParser) CanAcceptIndentedLine() bool { return true }

// commentRenderer writes a comment's paragraphs as one run of inline content, and its
// images as the markdown they were written in.
type commentRenderer struct{}

func (commentRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindParagraph, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.PreviousSibling() != nil {
			_ = w.WriteByte(' ')
		}
		return ast.WalkContinue, nil
	})
	reg.Register(ast.KindImage, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString("![")
			return ast.WalkContinue, nil
		}
		_, _ = w.WriteString("](")
		_, _ = w.Write(util.EscapeHTML(n.(*ast.Image).Destination))
		_, _ = w.WriteString(")")
		return ast.WalkContinue, nil
	})
}

// tooComplex is the error for markdown the renderer refuses.
func tooComplex(format string, args ...any) error {
	return forum.Invalid("body", "markdown_too_complex", format, args...)
}

func tooDeep() error {
	return tooComplex("Quotes and lists are nested more than %d deep.", MaxNesting)
}
