package moderation

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The limits of markdown.go enforced while goldmark parses: a paragraph transformer that
// refuses huge tables before the table extension builds them, and an inline parser that
// meters the inline work of each block before goldmark's own parsers start on it. Both
// keep their count in the parse's context, so one goldmark instance serves concurrent
// renders. Once a document is refused, what is left of it is read as plain text: cheap,
// and thrown away.

// limitsKey holds the *limits of one parse in its parser.Context.
var limitsKey = parser.NewContextKey()

// limits is one parse's account.
type limits struct {
	inlineWork int
	block      ast.Node // the block whose inline work was counted last
	err        error    // the first refusal
}

func limitsOf(pc parser.Context) *limits {
	l, _ := pc.Get(limitsKey).(*limits)
	return l
}

// limitsExtension installs the guards; tables only where the table extension is.
type limitsExtension struct{ tables bool }

func (e limitsExtension) Extend(m goldmark.Markdown) {
	// First at each of its characters, before every other inline parser.
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(inlineGuard{}, -100)))
	if e.tables {
		// After link reference definitions (100), before the table extension (200).
		m.Parser().AddOptions(parser.WithParagraphTransformers(util.Prioritized(tableGuard{}, 150)))
	}
}

// inlineDelimiters are the characters whose parsers match openers with closers.
const inlineDelimiters = "*_~[]`<$"

// inlineGuard charges each block's inline work (bytes × delimiters) when goldmark starts
// on the block's first delimiter, and reads the rest of the block as text once the
// document is over maxInlineWork. It never parses anything itself.
type inlineGuard struct{}

func (inlineGuard) Trigger() []byte { return []byte(inlineDelimiters) }

func (inlineGuard) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	l := limitsOf(pc)
	if l == nil {
		return nil
	}
	if l.block != parent {
		l.block = parent
		size, delims := 0, 0
		lines := parent.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			v := seg.Value(block.Source())
			size += len(v)
			for _, c := range v {
				if strings.IndexByte(inlineDelimiters, c) >= 0 {
					delims++
				}
			}
		}
		l.inlineWork += size * delims
		if l.inlineWork > maxInlineWork && l.err == nil {
			l.err = tooComplex("The text has too much formatting in one paragraph to show: split it, or put code in a code block.")
		}
	}
	if l.err == nil {
		return nil
	}
	// Refused: swallow the rest of the block.
	_, seg := block.PeekLine()
	for line, _ := block.PeekLine(); line != nil; line, _ = block.PeekLine() {
		block.AdvanceLine()
	}
	return ast.NewTextSegment(seg)
}

// tableGuard refuses a paragraph that would become a table of more than MaxTableCells
// cells, counting as the table extension will: the columns of its first delimiter row
// times the rows from the header down to the end of the paragraph.
type tableGuard struct{}

func (tableGuard) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	l := limitsOf(pc)
	if l == nil {
		return
	}
	if l.err != nil {
		node.Parent().RemoveChild(node.Parent(), node) // refused already: skip the work
		return
	}
	lines := node.Lines()
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		cols := delimiterColumns(seg.Value(reader.Source()))
		if cols == 0 {
			continue
		}
		if rows := lines.Len() - i; cols*rows > MaxTableCells {
			l.err = tooComplex("A table has more than %d cells.", MaxTableCells)
			node.Parent().RemoveChild(node.Parent(), node)
		}
		return
	}
}

// delimiterColumns returns the number of columns of a table's delimiter row ("|---|:-:|"),
// or 0 when the line is not one.
func delimiterColumns(line []byte) int {
	line = bytes.TrimSpace(line)
	if bytes.IndexByte(line, '-') < 0 {
		return 0
	}
	for _, c := range line {
		if c != '|' && c != '-' && c != ':' && c != ' ' && c != '\t' {
			return 0
		}
	}
	line = bytes.TrimPrefix(line, []byte("|"))
	line = bytes.TrimSuffix(line, []byte("|"))
	return bytes.Count(line, []byte("|")) + 1
}

// checkNestingLines refuses, before goldmark sees it, a line that could open more than
// 2×MaxNesting quotes and lists: there goldmark's cost grows fast with the nesting. A line
// opens at most one level per marker ("> - 1. ") and one per two columns of indentation
// before its last marker (a nested list item is indented past its parent's marker), so
// counting both bounds the depth any line reaches while parsing; prepare checks the exact
// depth against MaxNesting after. A thematic break ("- - - -") is not nesting; a line in
// a code block is refused only if it has that many markers or an indented marker past 128
// columns.
func checkNestingLines(markdown string) error {
	for len(markdown) > 0 {
		line := markdown
		if i := strings.IndexByte(markdown, '\n'); i >= 0 {
			line, markdown = markdown[:i], markdown[i+1:]
		} else {
			markdown = ""
		}
		if lineDepth(line) > 2*MaxNesting && !isThematicBreak(line) {
			return tooDeep()
		}
	}
	return nil
}

// lineDepth bounds the containers line can open: its block quote and list markers, plus
// half the columns of white space before the last of them (a tab counts 4).
func lineDepth(line string) int {
	markers, cols, colsBeforeLast, i := 0, 0, 0, 0
	for {
		for ; i < len(line) && (line[i] == ' ' || line[i] == '\t'); i++ {
			if line[i] == '\t' {
				cols += 4
			} else {
				cols++
			}
		}
		if i >= len(line) {
			break
		}
		switch c := line[i]; {
		case c == '>':
			i++
		case (c == '-' || c == '+' || c == '*') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 >= len(line) || (line[j] != '.' && line[j] != ')') || (line[j+1] != ' ' && line[j+1] != '\t') {
				return markers + colsBeforeLast/2
			}
			i = j + 1
		default:
			return markers + colsBeforeLast/2
		}
		markers++
		colsBeforeLast = cols
	}
	return markers + colsBeforeLast/2
}

// isThematicBreak reports whether line is a run of one of - * _ with spaces between.
func isThematicBreak(line string) bool {
	line = strings.TrimSpace(line)
	if line == "" {
		return false
	}
	c := line[0]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	return strings.Trim(line, string(c)+" \t") == ""
}
