package assets

import (
	"regexp"
	"strings"
	"testing"
)

// TestStylesheetURLsAreHashed checks that every url(...) in a served stylesheet names a
// file that is served, by its hashed name: KaTeX's fonts load, and can be cached forever.
func TestStylesheetURLsAreHashed(t *testing.T) {
	s, err := LoadStatic()
	if err != nil {
		t.Fatal(err)
	}
	css, ok := s.Lookup(strings.TrimPrefix(s.Path("vendor/katex/katex.min.css"), "/static/"))
	if !ok {
		t.Fatal("the KaTeX stylesheet is not served")
	}
	urls := regexp.MustCompile(`url\(([^)]+)\)`).FindAllStringSubmatch(string(css.Body), -1)
	if len(urls) < 20 {
		t.Fatalf("want the 20 KaTeX fonts referenced, found %d urls", len(urls))
	}
	for _, u := range urls {
		if _, ok := s.Lookup(strings.TrimPrefix(u[1], "/static/")); !ok {
			t.Errorf("%s is referenced but not served", u[1])
		}
	}
}

// TestMissingStylesheetURLIsAnError: a stylesheet that names a file that is not embedded
// stops the start rather than serving a broken page.
func TestMissingStylesheetURLIsAnError(t *testing.T) {
	s := &Static{byHashed: map[string]*File{}, hashed: map[string]string{}}
	s.Add("fonts/a.woff2", []byte("font"))
	out, err := s.hashURLs("x.css", []byte(`@font-face{src:url(fonts/a.woff2)} a{background:url("data:image/png;base64,AA")}`))
	if err != nil || !strings.Contains(string(out), "url(/static/fonts/a.") || !strings.Contains(string(out), "data:image") {
		t.Fatalf("rewrite: %v %s", err, out)
	}
	if _, err := s.hashURLs("x.css", []byte(`a{background:url(img/none.png)}`)); err == nil {
		t.Fatal("a missing file was accepted")
	}
}
