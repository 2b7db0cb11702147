// Package assets embeds Staffroom's HTML templates, CSS and JavaScript. Static files are
// served under content-hashed names (css/site.3f2a1b9c.css), so browsers may cache them
// forever and a new release is fetched at once.
//
// Third-party files live under static/vendor/NAME with their licence. KaTeX (math in
// posts, loaded only by pages that show math) is the npm package's dist/katex.min.js,
// dist/fonts/*.woff2 and LICENSE, with katex.min.css's font sources cut to the woff2 files.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// hashLen is how many hex digits of the SHA-256 go into a file name: 8 digits make an
// accidental clash between two releases of one file practically impossible.
const hashLen = 8

// File is one static file, ready to serve.
type File struct {
	Name        string // hashed name, e.g. "css/site.3f2a1b9c.css"
	ContentType string
	Body        []byte
	ETag        string
}

// Static holds the embedded static files by their hashed names.
type Static struct {
	byHashed map[string]*File
	hashed   map[string]string // plain name -> hashed name
}

// LoadStatic reads and hashes the embedded static files. Stylesheets come last: the
// relative url(...) references in them are rewritten to the hashed names of the files they
// point at (fonts, images), so that those too can be cached forever.
func LoadStatic() (*Static, error) {
	s := &Static{byHashed: map[string]*File{}, hashed: map[string]string{}}
	var sheets []string
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if path.Ext(p) == ".css" {
			sheets = append(sheets, p)
			return nil
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		s.Add(strings.TrimPrefix(p, "static/"), body)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range sheets {
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(p, "static/")
		body, err = s.hashURLs(name, body)
		if err != nil {
			return nil, err
		}
		s.Add(name, body)
	}
	return s, nil
}

// cssURL finds url(...) references in a stylesheet, quoted or not.
var cssURL = regexp.MustCompile(`url\(\s*['"]?([^'")\s]+)['"]?\s*\)`)

// hashURLs rewrites the relative URLs in the stylesheet name to the hashed paths of the
// files they name. A relative URL that names no embedded file is an error: it would be a
// broken font or image in front of every reader.
func (s *Static) hashURLs(name string, css []byte) ([]byte, error) {
	var missing string
	out := cssURL.ReplaceAllFunc(css, func(m []byte) []byte {
		ref := string(cssURL.FindSubmatch(m)[1])
		if strings.Contains(ref, ":") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "#") {
			return m // absolute, data: or a fragment: not ours to rewrite
		}
		target := path.Join(path.Dir(name), ref)
		h, ok := s.hashed[target]
		if !ok {
			missing = ref
			return m
		}
		return []byte("url(/static/" + h + ")")
	})
	if missing != "" {
		return nil, fmt.Errorf("assets: %s refers to %s, which is not embedded", name, missing)
	}
	return out, nil
}

// Add serves body under a hashed form of name, beside the embedded files: for stylesheets
// generated at start, such as the code highlighting colours.
func (s *Static) Add(name string, body []byte) {
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])[:hashLen]
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + digest + ext
	ctype := mime.TypeByExtension(ext)
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	s.byHashed[hashed] = &File{Name: hashed, ContentType: ctype, Body: body, ETag: `"` + digest + `"`}
	s.hashed[name] = hashed
}

// Path returns the URL path of a static file by its plain name ("css/site.css").
// It panics on an unknown name: templates are checked at start, never in front of a user.
func (s *Static) Path(name string) string {
	h, ok := s.hashed[name]
	if !ok {
		panic(fmt.Sprintf("assets: no static file %q", name))
	}
	return "/static/" + h
}

// Lookup returns the file with the given hashed name.
func (s *Static) Lookup(hashed string) (*File, bool) {
	f, ok := s.byHashed[hashed]
	return f, ok
}

// ParsePages parses every page template together with the layout and partials. Files
// named _*.html are the shared parts; every other file is one page, returned by its name
// without ".html". funcs are added to the assets' own ("asset").
func ParsePages(static *Static, funcs template.FuncMap) (map[string]*template.Template, error) {
	all := template.FuncMap{"asset": static.Path}
	for k, v := range funcs {
		all[k] = v
	}
	base, err := template.New("").Funcs(all).ParseFS(templateFiles, "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFiles, "templates/"+e.Name()); err != nil {
			return nil, fmt.Errorf("parse %s: %w", e.Name(), err)
		}
		pages[strings.TrimSuffix(e.Name(), ".html")] = t
	}
	return pages, nil
}
