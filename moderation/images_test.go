package moderation

import (
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"staffroom/forum/web/imageproxy"
)

// proxiedRenderer renders through the site's real image proxy signer, so that what the
// sanitizer lets through is checked against the paths the proxy really writes.
func proxiedRenderer(t *testing.T) (*Renderer, *imageproxy.Proxy) {
	t.Helper()
	p, err := imageproxy.New(imageproxy.Config{Key: []byte("a test key of thirty-two bytes..")})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRenderer(WithImageProxy(p.URL))
	r.highlightTime = newTestRenderer().highlightTime
	return r, p
}

var imgSrc = regexp.MustCompile(`src="([^"]*)"`)

// proxyPath is every image src assertSafe allows: the image proxy's paths.
var proxyPath = regexp.MustCompile(`^/img/[0-9a-f]{64}/(?:[0-9a-f]{2})+$`)

func TestImagesThroughTheProxy(t *testing.T) {
	r, p := proxiedRenderer(t)
	src := "https://img.example.test/a.png"
	tests := []struct {
		name, input string
		want        []string
		absent      []string
	}{
		{"off-site image proxied", "![a chart](" + src + ` "Chart")`,
			[]string{`<img src="` + p.URL(src) + `" alt="a chart" title="Chart">`}, []string{"img.example.test"}},
		{"http too", "![x](http://img.example.test/a.png)", []string{`<img src="` + p.URL("http://img.example.test/a.png") + `"`}, nil},
		{"escaped characters signed as the browser would ask", "![x](<https://img.example.test/é.png>)",
			[]string{`<img src="` + p.URL("https://img.example.test/%C3%A9.png") + `"`}, nil},
		{"inside a link", "[![badge](" + src + ")](https://ci.example.test)",
			[]string{`<a href="https://ci.example.test" rel="nofollow ugc noopener"><img src="` + p.URL(src) + `" alt="badge"></a>`}, nil},
		{"a URL the proxy refuses is a link", "![x](https://img.example.test:8443/a.png)",
			[]string{`<a href="https://img.example.test:8443/a.png" rel="nofollow ugc noopener">x</a>`}, []string{"<img"}},
		{"credentials in the URL: a link", "![x](https://u:p@img.example.test/a.png)", []string{`<a href="https://u:p@img.example.test/a.png"`}, []string{"<img"}},
		{"relative image dropped", "![x](/logout)", nil, []string{"src="}},
		{"protocol-relative image dropped", "![x](//img.example.test/a.png)", nil, []string{"src="}},
		{"data image dropped", "![x](data:image/png;base64,iVBORw0KGgo=)", nil, []string{"src="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, r, tt.input)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("Body(%q) = %q, want it to contain %q", tt.input, out, w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(out, a) {
					t.Errorf("Body(%q) = %q, want no %q", tt.input, out, a)
				}
			}
			assertOnlyProxiedImages(t, out)
		})
	}
	t.Run("comments keep images as text", func(t *testing.T) {
		out, err := r.Comment("![chart](" + src + ")")
		if err != nil || out != "![chart]("+src+")" {
			t.Fatalf("%q, %v", out, err)
		}
	})
}

func TestImagesAsLinks(t *testing.T) {
	r := newTestRenderer()
	tests := []struct{ name, input, want string }{
		{"alt text labels the link", `![a *bold* chart](https://img.example.test/a.png "Chart")`,
			`<p><a href="https://img.example.test/a.png" title="Chart" rel="nofollow ugc noopener">a <em>bold</em> chart</a></p>`},
		{"no alt text: the URL", "![](https://img.example.test/a.png)",
			`<p><a href="https://img.example.test/a.png" rel="nofollow ugc noopener">https://img.example.test/a.png</a></p>`},
		{"inside a link: its alt text", "[![badge](https://img.example.test/b.svg)](https://ci.example.test)",
			`<p><a href="https://ci.example.test" rel="nofollow ugc noopener">badge</a></p>`},
		{"an image in an image's alt text", "![a ![b](https://img.example.test/b.png)](https://img.example.test/a.png)",
			`<p><a href="https://img.example.test/a.png" rel="nofollow ugc noopener">a b</a></p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := render(t, r, tt.input); strings.TrimSpace(out) != tt.want {
				t.Fatalf("Body(%q) =\n%q, want\n%q", tt.input, out, tt.want)
			}
		})
	}
}

// TestProxiedBodyAttacks runs the attack table through a renderer with the proxy: the
// attacks still fail, and the only images are the proxy's.
func TestProxiedBodyAttacks(t *testing.T) {
	r, _ := proxiedRenderer(t)
	for _, tt := range attacks {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, r, tt.input)
			for _, a := range tt.absent {
				if strings.Contains(strings.ToLower(out), strings.ToLower(a)) && !(a == "src=" && onlyProxied(out)) {
					t.Errorf("Body(%q) = %q, want no %q", tt.input, out, a)
				}
			}
			assertOnlyProxiedImages(t, out)
		})
	}
}

// assertOnlyProxiedImages fails on any src that is not a proxy path whose URL is http or https.
func assertOnlyProxiedImages(t *testing.T, out string) {
	t.Helper()
	if !onlyProxied(out) {
		t.Fatalf("an image not served by the proxy in %q", out)
	}
}

func onlyProxied(out string) bool {
	for _, m := range imgSrc.FindAllStringSubmatch(out, -1) {
		rest, ok := strings.CutPrefix(m[1], imageproxy.Prefix)
		_, enc, _ := strings.Cut(rest, "/")
		raw, err := hex.DecodeString(enc)
		if !ok || err != nil || !(strings.HasPrefix(strings.ToLower(string(raw)), "http://") || strings.HasPrefix(strings.ToLower(string(raw)), "https://")) {
			return false
		}
	}
	return true
}
