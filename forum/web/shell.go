package web

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/valyala/fasthttp"
)

// A page shell is a page's layout with its content left out, so that content drawn once
// and kept can be put inside a layout drawn for each reader. The question page cache and
// the list cache share it.

// withSlot clones page with the template named block replaced by slot; page must not have
// been executed yet.
func withSlot(page *template.Template, block, slot string) (*template.Template, error) {
	t, err := page.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := t.Parse(`{{define "` + block + `"}}` + slot + `{{end}}`); err != nil {
		return nil, err
	}
	return t, nil
}

// drawShell draws the layout of shell (a page whose content is slot) for p and cuts it
// where the content goes.
func drawShell(shell *template.Template, slot string, p *Page) (before, after []byte, err error) {
	var buf bytes.Buffer
	if err := shell.ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, nil, fmt.Errorf("render page shell: %w", err)
	}
	before, after, found := bytes.Cut(buf.Bytes(), []byte(slot))
	if !found {
		return nil, nil, fmt.Errorf("page shell has no content slot")
	}
	return before, after, nil
}

// appendSegments writes kept HTML cut at its CSRF markers, with the reader's token in
// their places.
func appendSegments(res *fasthttp.Response, sg segments, csrf string) {
	for i, part := range sg {
		if i > 0 {
			res.AppendBodyString(csrf)
		}
		res.AppendBody(part)
	}
}
