package moderation

import (
	"slices"
	"testing"
)

// The new-member link limit counts what Links finds in the stored HTML: every way of
// writing a link must show up there, whatever the markdown looked like.
func TestLinksReadsRenderedHTML(t *testing.T) {
	r := newTestRenderer()
	for _, tc := range []struct {
		name, markdown string
		comment        bool
		want           []string
	}{
		{"inline link", "[a](https://a.example/x?y=1&z=2)", false, []string{"https://a.example/x?y=1&z=2"}},
		{"protocol-relative link", "[a](//evil.example)", false, []string{"//evil.example"}},
		{"reference link", "[a][r]\n\n[r]: https://ref.example", false, []string{"https://ref.example"}},
		{"autolink", "<https://auto.example>", false, []string{"https://auto.example"}},
		{"bare address", "see www.bare.example today", false, []string{"http://www.bare.example"}},
		{"image", "![x](https://img.example/p.png)", false, []string{"https://img.example/p.png"}},
		{"raw HTML dropped", `<a href="https://raw.example">x</a>`, false, nil},
		{"relative link", "[q](/questions/12)", false, []string{"/questions/12"}},
		{"comment links", "[a](//a.example) <https://b.example> www.c.example", true,
			[]string{"//a.example", "https://b.example", "http://www.c.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html, err := r.Body(tc.markdown)
			if tc.comment {
				html, err = r.Comment(tc.markdown)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Links(html); !slices.Equal(got, tc.want) {
				t.Fatalf("Links(%s) = %q, want %q", html, got, tc.want)
			}
		})
	}
}
