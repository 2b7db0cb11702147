package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"staffroom/forum"
)

// Atom 1.0 feeds of new questions: the whole site's, one tag's, one public collaborative's.
// They are read as nobody (a feed reader signs in to nothing), so they carry public content
// only: what an anonymous visitor sees, through the same services as the pages.

// feedSize is how many newest questions a feed carries.
const feedSize = 30

func (s *Server) feedRoutes(app fiber.Router) {
	app.Get("/feeds/questions.atom", s.questionsFeed)
	app.Get("/feeds/tags/:file", s.tagFeed)
	app.Get("/feeds/c/:file", s.collaborativeFeed)
}

func (s *Server) questionsFeed(c *fiber.Ctx) error {
	return s.writeFeed(c, "New questions", "/", nil)
}

func (s *Server) tagFeed(c *fiber.Ctx) error {
	name, ok := strings.CutSuffix(pathParam(c, "file"), ".atom")
	if !ok {
		return forum.Errorf(forum.ENotFound, "There is no feed at %s.", c.Path())
	}
	tag, err := s.qa.Tag(c.UserContext(), name)
	if err != nil {
		return err
	}
	return s.writeFeed(c, "New questions tagged "+tag.Name, tagPath(tag.Name), &tag.Name)
}

// collaborativeFeed is a public collaborative's new questions; a private or missing one is
// not found, alike.
func (s *Server) collaborativeFeed(c *fiber.Ctx) error {
	slug, ok := strings.CutSuffix(pathParam(c, "file"), ".atom")
	if !ok || s.feedCollaboratives == nil {
		return forum.Errorf(forum.ENotFound, "There is no feed at %s.", c.Path())
	}
	a, err := s.feedCollaboratives.CollaborativeAccess(c.UserContext(), slug, nil)
	if err != nil {
		return err
	}
	if a.Collaborative.Private() {
		return forum.NotFoundCollaborative(slug)
	}
	// Questions scoped to a collaborative arrive with that feature (QuestionFilter gains
	// the collaborative then); until they do, a public collaborative has none of its own.
	return s.renderFeed(c, "New questions in "+a.Collaborative.Name, "/c/"+slug, nil)
}

// writeFeed draws the feed of the newest questions (under tag, if set).
func (s *Server) writeFeed(c *fiber.Ctx, title, path string, tag *string) error {
	page, err := s.qa.Questions(c.UserContext(), nil, forum.QuestionFilter{Sort: forum.SortNewest, Tag: tag, Page: 1, PageSize: feedSize})
	if err != nil {
		return err
	}
	return s.renderFeed(c, title, path, page.Items)
}

func (s *Server) renderFeed(c *fiber.Ctx, title, path string, questions []*forum.Post) error {
	base := s.baseURL()
	f := &feeds.Feed{Title: s.site().SiteName + ": " + title, Link: &feeds.Link{Href: base + path},
		Id: base + c.Path(), Description: title}
	for _, q := range questions {
		full, err := s.qa.Post(c.UserContext(), nil, q.ID)
		if forum.IsKind(err, forum.ENotFound) {
			continue // gone since the list was read
		} else if err != nil {
			return err
		}
		link := base + questionPath(full)
		item := &feeds.Item{Title: full.Title, Link: &feeds.Link{Href: link}, Id: base + "/questions/" + strconv.FormatInt(full.ID, 10),
			Created: full.CreatedAt, Updated: full.ActivityAt, Content: string(full.BodyHTML), Description: forum.Excerpt(full.Body)}
		if full.Author != nil {
			item.Author = &feeds.Author{Name: full.Author.DisplayName}
		}
		f.Add(item)
		if full.ActivityAt.After(f.Updated) {
			f.Updated = full.ActivityAt
		}
	}
	if f.Updated.IsZero() {
		f.Updated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // a fixed time: an empty feed never changes
	}
	atom := (&feeds.Atom{Feed: f}).AtomFeed()
	atom.Link = &feeds.AtomLink{Href: base + path, Rel: "alternate", Type: "text/html"}
	body, err := feeds.ToXML(atom)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.SendString(body)
}
