package moderation

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Math is kept as TeX for a client-side renderer (KaTeX): the parsers below take it out of
// markdown's hands, so that `$a_1 * b_2$` is not emphasis, and the renderers write it
// escaped inside <span class="math math-inline">, <span class="math math-display"> ($$ in a
// line) or <div class="math math-display"> ($$ on lines of their own), without the dollars.
//
// Inline math follows pandoc's rule so that money stays money: the opening $ is followed
// by a non-space, the closing $ follows a non-space and is not followed by a digit. One
// more rule keeps it linear and keeps "$5 and $10, or $x$" sensible: inline math ends at
// the first unescaped $, and if that $ cannot close it, there is no math there.

var (
	kindMath      = ast.NewNodeKind("Math")
	kindMathBlock = ast.NewNodeKind("MathBlock")
)

// mathInline is TeX between $ (or $$) inside a line of text.
type mathInline struct {
	ast.BaseInline
	TeX     []byte
	Display bool // written as $$…$$
}

func (n *mathInline) Kind() ast.NodeKind { return kindMath }

func (n *mathInline) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": string(n.TeX)}, nil)
}

// mathBlock is TeX between lines of $$; its lines are the TeX.
type mathBlock struct {
	ast.BaseBlock
	closed bool // the closing $$ has been seen
}

func (n *mathBlock) Kind() ast.NodeKind { return kindMathBlock }

// IsRaw keeps inline parsers off the TeX.
func (n *mathBlock) IsRaw() bool { return true }

func (n *mathBlock) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

type mathInlineParser struct{}

func (mathInlineParser) Trigger() []byte { return []byte{'$'} }

func (mathInlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	open := 1
	if len(line) > 1 && line[1] == '$' {
		open = 2
	}
	if len(line) <= open || (open == 1 && isMathSpace(line[open])) {
		return nil
	}
	startLine, startPos := block.Position()
	block.Advance(open)
	var tex []byte
	for {
		line, _ := block.PeekLine()
		if line == nil {
			block.SetPosition(startLine, startPos)
			return nil
		}
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++ // an escaped character, \$ included, is TeX
			case '$':
				tex = append(tex, line[:i]...)
				if closesMath(line, i, open, tex) {
					block.Advance(i + open)
					return &mathInline{TeX: tex, Display: open == 2}
				}
				block.SetPosition(startLine, startPos)
				return nil
			}
		}
		tex = append(tex, line...)
		block.AdvanceLine()
	}
}

// closesMath reports whether the $ at line[i] closes math opened with open dollars; tex is
// the math so far.
func closesMath(line []byte, i, open int, tex []byte) bool {
	if len(bytes.TrimSpace(tex)) == 0 {
		return false
	}
	if open == 2 {
		return i+1 < len(line) && line[i+1] == '$'
	}
	if isMathSpace(tex[len(tex)-1]) {
		return false
	}
	return i+1 >= len(line) || line[i+1] < '0' || line[i+1] > '9'
}

func isMathSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// mathBlockParser opens on a line that is only $$ and runs to a line ending in $$ (or to the
// end of its container, as an unclosed code fence does); a line $$…$$ is a block by itself.
type mathBlockParser struct{}

func (mathBlockParser) Trigger() []byte { return []byte{'$'} }

func (mathBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, segment := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || !bytes.HasPrefix(line[pos:], []byte("$$")) {
		return nil, parser.NoChildren
	}
	rest := util.TrimRightSpace(line[pos+2:])
	node := &mathBlock{}
	switch {
	case len(bytes.TrimSpace(rest)) == 0:
	case len(rest) > 2 && bytes.HasSuffix(rest, []byte("$$")) && bytes.IndexByte(rest[:len(rest)-2], '$') < 0:
		start := segment.Start + pos + 2
		node.Lines().Append(text.NewSegment(start, start+len(rest)-2))
		node.closed = true
	default:
		return nil, parser.NoChildren // "$$x$$ and more" is inline math in a paragraph
	}
	reader.AdvanceToEOL()
	return node, parser.NoChildren
}

func (mathBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*mathBlock)
	if n.closed {
		return parser.Close
	}
	line, segment := reader.PeekLine()
	trimmed := util.TrimRightSpace(line)
	if bytes.HasSuffix(trimmed, []byte("$$")) {
		if len(trimmed) > 2 {
			n.Lines().Append(segment.WithStop(segment.Start + len(trimmed) - 2))
		}
		n.closed = true
		reader.AdvanceToEOL()
		return parser.Close
	}
	n.Lines().Append(segment)
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

func (mathBlockParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}

func (mathBlockParser) CanInterruptParagraph() bool { return true }

func (mathBlockParser) CanAcceptIndentedLine() bool { return false }

type mathRenderer struct{}

func (mathRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMath, renderMath)
	reg.Register(kindMathBlock, renderMathBlock)
}

func renderMath(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mathInline)
	if n.Display {
		_, _ = w.WriteString(`<span class="math math-display">`)
	} else {
		_, _ = w.WriteString(`<span class="math math-inline">`)
	}
	_, _ = w.Write(util.EscapeHTML(n.TeX))
	_, _ = w.WriteString(`</span>`)
	return ast.WalkSkipChildren, nil
}

func renderMathBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<div class="math math-display">`)
	lines := node.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		_, _ = w.Write(util.EscapeHTML(seg.Value(source)))
	}
	_, _ = w.WriteString("</div>\n")
	return ast.WalkContinue, nil
}

// mathExtension adds the math parsers and renderers; comments get inline math only.
type mathExtension struct{ blocks bool }

func (e mathExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(mathInlineParser{}, 50)))
	if e.blocks {
		// Before the paragraph parser (1000) and beside the code fence (700).
		m.Parser().AddOptions(parser.WithBlockParsers(util.Prioritized(mathBlockParser{}, 710)))
	}
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(mathRenderer{}, 500)))
}
