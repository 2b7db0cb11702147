package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// Scoped questions on the web side (forum/scope.go has the rules): how a post names its
// collaborative, and what the ask page offers. Every privacy decision is forum's: the
// handlers call QA, which refuses what the reader may not see as a missing id.

// scopeJSON names the collaborative a post belongs to.
type scopeJSON struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	Visibility string `json:"visibility"`
	URL        string `json:"url"`
}

func presentScope(c *forum.PostCollaborative) *scopeJSON {
	if c == nil {
		return nil
	}
	return &scopeJSON{Slug: c.Slug, Name: c.Name, Visibility: string(c.Visibility), URL: scopePath(c.Slug)}
}

// scopePath is a collaborative's page (DESIGN.md's /c/{slug}).
func scopePath(slug string) string { return "/c/" + slug }

// postTagPath is where a tag on post p leads: the tag's page for the site's own
// questions; for a collaborative's, a search of that tag within the collaborative (the
// site's tag pages list the site's own questions, and a tag only a private collaborative
// uses has no page at all).
func postTagPath(p *forum.Post, tag string) string {
	if p.Collaborative == nil {
		return tagPath(tag)
	}
	return "/search?" + url.Values{"q": {"[" + tag + "] collaborative:" + p.Collaborative.Slug}}.Encode()
}

// askChoice is one collaborative on the ask page's choice.
type askChoice struct {
	Slug, Name string
	Private    bool
	Selected   bool
}

// askView is the ask page's data: the collaboratives the asker may ask into, the one
// chosen (from the failed form, else ?collaborative=) selected.
type askView struct {
	Collaboratives []askChoice
}

func (s *Server) askView(c *fiber.Ctx, u *forum.User, chosen string) (*askView, error) {
	groups, err := s.qa.AskCollaboratives(c.UserContext(), u)
	if err != nil {
		return nil, err
	}
	v := &askView{}
	for _, g := range groups {
		v.Collaboratives = append(v.Collaboratives, askChoice{Slug: g.Slug, Name: g.Name, Private: g.Private(), Selected: g.Slug == chosen})
	}
	return v, nil
}
