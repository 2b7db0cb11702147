package moderation

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// linkRel is on every link in user content: no ranking credit (nofollow, ugc) and no
// window.opener for the page it opens (noopener).
const linkRel = "nofollow ugc noopener"

// newPolicy is the site's sanitizer policy, written from scratch rather than from
// bluemonday's UGCPolicy so that it allows exactly the markup the renderer writes: text
// structure, folded sections, tables, links, images, code, math and task-list checkboxes. It allows no
// script, style element or attribute, iframe, form, event attribute, id (no DOM
// clobbering) or data: URL; links are http, https, mailto or relative; images only the
// site's image proxy's paths (the renderer writes every other image as a link), so no
// page makes a browser fetch from a third party; classes only the renderer's own.
//
// The renderer never passes a person's raw HTML through (goldmark drops it), so this is
// the second line of defence, and the one the attack table in markdown_test.go holds to.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
		"ul", "ol", "li", "em", "strong", "del", "code", "pre",
		"table", "thead", "tbody", "tr", "th", "td", "span", "div",
		"details", "summary") // folded sections, bare of attributes (details.go)
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")

	// URLs must parse, and their scheme must be one of these; no scheme is a relative or
	// fragment link. url.Parse lowercases the scheme, so JaVaScRiPt: is javascript:.
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)

	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("rel").Matching(exactly(linkRel)).OnElements("a")
	// A backstop: the renderer sets rel on every link; were one to arrive without it,
	// bluemonday adds nofollow.
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)

	// Images come from this site's image proxy only (forum/web/imageproxy's
	// /img/{hex HMAC-SHA256}/{hex URL}): not from another host, not data:, not any other
	// path of this site.
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^/img/[0-9a-f]{64}/(?:[0-9a-f]{2})+$`)).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")

	// The one input: a task list's checkbox, disabled.
	p.AllowAttrs("type").Matching(exactly("checkbox")).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(exactly("")).OnElements("input")

	// Classes: highlighted code, math, task lists, and the code block's language.
	p.AllowAttrs("class").Matching(exactly(codeClasses()...)).OnElements("span")
	p.AllowAttrs("class").Matching(exactly("math math-inline", "math math-display")).OnElements("span")
	p.AllowAttrs("class").Matching(exactly("math math-display")).OnElements("div")
	p.AllowAttrs("class").Matching(exactly("chroma")).OnElements("pre")
	p.AllowAttrs("tabindex").Matching(exactly("0")).OnElements("pre", "table") // scrollable by keyboard
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,32}$`)).OnElements("code")
	p.AllowAttrs("class").Matching(exactly("contains-task-list")).OnElements("ul", "ol")
	p.AllowAttrs("class").Matching(exactly("task-list-item")).OnElements("li")
	return p
}

// exactly matches an attribute value that is one of values, whole.
func exactly(values ...string) *regexp.Regexp {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return regexp.MustCompile(`^(?:` + strings.Join(quoted, "|") + `)$`)
}
