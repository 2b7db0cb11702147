package moderation

import (
	"net/url"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// Option configures a Renderer.
type Option func(*Renderer)

// WithImageProxy has the renderer write each off-site (http or https) image of a body
// through proxy, which returns the site-relative URL that serves it (the site's image
// proxy, forum/web/imageproxy) or "" for an image it would not serve; that one is written
// as a link, as it would be without the option.
//
// Without a proxy, a body's images are links to them, labelled with their alt text: the
// site's pages never make a reader's browser fetch from a third party (which would learn
// who reads what, and from where). Comments show images as the markdown they were written
// in either way.
func WithImageProxy(proxy func(src string) string) Option {
	return func(r *Renderer) { r.imageProxy = proxy }
}

// imageWriter collects a body's images while prepare walks it, and then writes each
// off-site one through the proxy or as a link.
type imageWriter struct {
	proxy func(src string) string
	found []*ast.Image
}

// write rewrites the images found. Images that are not off-site (relative, data:,
// javascript:) are left to the sanitizer, which drops every src but the proxy's.
func (w *imageWriter) write() {
	if w == nil {
		return
	}
	for _, img := range w.found {
		src := string(util.URLEscape(img.Destination, true)) // as the renderer would write it
		if u, err := url.Parse(src); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if w.proxy != nil {
			if proxied := w.proxy(src); proxied != "" {
				img.Destination = []byte(proxied)
				continue
			}
		}
		imageAsLink(img)
	}
}

// imageAsLink replaces an image with a link to it, labelled with its alt text (or its
// URL, when it has none). Inside a link, which cannot hold another, the label alone stays.
func imageAsLink(img *ast.Image) {
	parent := img.Parent()
	if parent == nil {
		return
	}
	if !img.HasChildren() {
		img.AppendChild(img, ast.NewString(img.Destination))
	}
	if insideLink(img) {
		for c := img.FirstChild(); c != nil; c = img.FirstChild() {
			parent.InsertBefore(parent, img, c)
		}
		parent.RemoveChild(parent, img)
		return
	}
	link := ast.NewLink()
	link.Destination, link.Title = img.Destination, img.Title
	link.SetAttributeString("rel", []byte(linkRel))
	for c := img.FirstChild(); c != nil; c = img.FirstChild() {
		link.AppendChild(link, c)
	}
	parent.ReplaceChild(parent, img, link)
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindLink || p.Kind() == ast.KindAutoLink {
			return true
		}
	}
	return false
}
