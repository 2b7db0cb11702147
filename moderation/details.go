package moderation

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/net/html"
)

// Folded sections. <details> with its <summary> is the one piece of raw HTML a post may
// use: teachers fold long rubrics and lesson plans that way, and GitHub's markdown allows
// it. goldmark drops raw HTML (a person's HTML never passes through), which used to leave
// the summary glued to the text after it ("RubricGrade it"). So:
//
//   - an HTML block that starts with a details or summary tag is written again from its
//     tokens: details and summary tags stay, bare of any attribute, summary only first
//     inside a details; text stays, escaped; any other tag goes, leaving a space, and the
//     text inside script, style and the like goes with it. The markdown between such
//     blocks (the folded part) renders as usual, inside the details;
//   - tags are balanced within the block's container (the document, a list item, a
//     quote): a close tag with nothing to close goes, and what is left open is closed at
//     the container's end, so a post cannot fold the page around it;
//   - inline, in a paragraph, where a details cannot stand, each such tag becomes a space.
//
// The sanitizer (sanitizer.go) then allows details and summary without attributes: it
// stays the last word on what reaches a page.

// foldTags are the tags a post may write in raw HTML.
var foldTags = map[string]bool{"details": true, "summary": true}

// foldOpen is what is open in one container: a stack of tag names, and whether anything
// was written since the innermost details opened (a summary must come first).
type foldOpen struct {
	stack   []string
	written bool
}

// folds rewrites a document's folded sections; one per render.
type folds struct {
	open  map[ast.Node]*foldOpen
	order []ast.Node // containers in the order first met, for closing
}

// firstTag returns the name of the first tag in raw HTML, and whether it is a start tag.
func firstTag(raw []byte) (string, bool) {
	z := html.NewTokenizer(bytes.NewReader(raw))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", false
		case html.StartTagToken:
			name, _ := z.TagName()
			return string(name), true
		case html.EndTagToken:
			name, _ := z.TagName()
			return string(name), false
		case html.SelfClosingTagToken, html.CommentToken, html.DoctypeToken:
			return "", false
		}
	}
}

// block rewrites one HTML block of container parent; ok is false for a block that is not
// a folded section's (it stays dropped).
func (f *folds) block(parent ast.Node, raw []byte) (out []byte, ok bool) {
	if name, _ := firstTag(raw); !foldTags[name] {
		return nil, false
	}
	if f.open == nil {
		f.open = map[ast.Node]*foldOpen{}
	}
	st := f.open[parent]
	if st == nil {
		st = &foldOpen{}
		f.open[parent] = st
		f.order = append(f.order, parent)
	}
	var b bytes.Buffer
	z := html.NewTokenizer(bytes.NewReader(raw))
	skip := "" // inside a raw text element (script, style, textarea, title): its text goes
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.Bytes(), true
		}
		name, _ := z.TagName()
		tag := string(name)
		switch {
		case skip != "":
			if tt == html.EndTagToken && tag == skip {
				skip = ""
			}
		case tt == html.TextToken:
			text := z.Text()
			if len(bytes.TrimSpace(text)) > 0 {
				st.written = true
			}
			b.WriteString(html.EscapeString(string(text)))
		case tt == html.StartTagToken && tag == "details":
			b.WriteString("<details>")
			st.stack, st.written = append(st.stack, tag), false
		case tt == html.StartTagToken && tag == "summary" && !st.written && len(st.stack) > 0 && st.stack[len(st.stack)-1] == "details":
			b.WriteString("<summary>")
			st.stack = append(st.stack, tag)
		case tt == html.EndTagToken && foldTags[tag]:
			for i := len(st.stack) - 1; i >= 0; i-- {
				if st.stack[i] == tag {
					for j := len(st.stack) - 1; j >= i; j-- {
						b.WriteString("</" + st.stack[j] + ">")
					}
					st.stack = st.stack[:i]
					st.written = true // after a summary or a whole details: content
					break
				}
			}
		case tt == html.StartTagToken && (tag == "script" || tag == "style" || tag == "textarea" || tag == "title" ||
			tag == "xmp" || tag == "iframe" || tag == "noembed" || tag == "noframes" || tag == "noscript" || tag == "plaintext"):
			skip = tag
			b.WriteByte(' ')
		case tt == html.StartTagToken || tt == html.EndTagToken || tt == html.SelfClosingTagToken:
			b.WriteByte(' ') // another tag: dropped, words on either side stay apart
		}
	}
}

// noteContent records that a container wrote markdown content (after a summary, the
// details' body).
func (f *folds) noteContent(parent ast.Node) {
	if st := f.open[parent]; st != nil {
		st.written = true
	}
}

// closeAll appends to each container the closing tags of what it left open.
func (f *folds) closeAll() {
	for _, parent := range f.order {
		st := f.open[parent]
		if len(st.stack) == 0 {
			continue
		}
		var b bytes.Buffer
		for j := len(st.stack) - 1; j >= 0; j-- {
			b.WriteString("</" + st.stack[j] + ">")
		}
		parent.AppendChild(parent, &codeHTML{HTML: b.Bytes()})
	}
}

// inlineFold reports whether inline raw HTML is a details or summary tag.
func inlineFold(raw []byte) bool {
	name, _ := firstTag(raw)
	return foldTags[name]
}

// rawBlock is an HTML block's text as written.
func rawBlock(n *ast.HTMLBlock, source []byte) []byte {
	var b bytes.Buffer
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(source))
	}
	return b.Bytes()
}

// rawInline is inline raw HTML's text as written.
func rawInline(n *ast.RawHTML, source []byte) []byte {
	var b bytes.Buffer
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(source))
	}
	return b.Bytes()
}

// foldSections rewrites the HTML blocks and inline raw HTML that prepare collected, in
// document order.
func foldSections(blocks []ast.Node, inline []*ast.RawHTML, source []byte) {
	var f folds
	for _, n := range blocks {
		parent := n.Parent()
		if hb, ok := n.(*ast.HTMLBlock); ok {
			if out, ok := f.block(parent, rawBlock(hb, source)); ok {
				parent.ReplaceChild(parent, n, &codeHTML{HTML: out})
			}
			continue
		}
		f.noteContent(parent)
	}
	f.closeAll()
	for _, n := range inline {
		if inlineFold(rawInline(n, source)) {
			n.Parent().ReplaceChild(n.Parent(), n, ast.NewString([]byte(" ")))
		}
	}
}
