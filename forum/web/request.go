package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// What handlers, API and pages alike, read from a request: who asks, the id in the path,
// and numbers and names from the query and the path.

// pathParam is a path parameter with its %-escapes decoded (tags may hold # and +).
func pathParam(c *fiber.Ctx, name string) string {
	raw := c.Params(name)
	if v, err := url.PathUnescape(raw); err == nil {
		return v
	}
	return raw
}

// viewerUser is the signed-in person, or nil.
func viewerUser(c *fiber.Ctx) *forum.User {
	if v := viewer(c); v != nil {
		return v.User
	}
	return nil
}

// viewerAndID is the signed-in person and the :id of the path, the start of every API
// action on one thing.
func viewerAndID(c *fiber.Ctx) (*forum.Viewer, int64, error) {
	v, err := requireViewer(c)
	if err != nil {
		return nil, 0, err
	}
	id, err := paramID(c, "id")
	return v, id, err
}

// pageViewerAndID is viewerAndID for pages: an anonymous visitor is sent to sign in, and
// both results are nil.
func pageViewerAndID(c *fiber.Ctx) (*forum.Viewer, int64, error) {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil, 0, nil
	}
	id, err := paramID(c, "id")
	if err != nil {
		return nil, 0, err
	}
	return v, id, nil
}

// paramID parses a positive integer id from the path; anything else is not found, as no
// such thing can exist.
func paramID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, forum.Errorf(forum.ENotFound, "There is nothing at %s.", c.Path())
	}
	return id, nil
}

// queryInt reads an optional positive integer query parameter.
func queryInt(c *fiber.Ctx, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, forum.Invalid(name, "invalid_"+name, "%s must be a whole number of 1 or more.", name)
	}
	return n, nil
}

// maxPage bounds page numbers: a million pages is deeper than any list goes, and small
// enough that page × page size can overflow neither an offset nor the next page's link.
const maxPage = 1_000_000

// queryPage reads the optional page number (0 when absent).
func queryPage(c *fiber.Ctx) (int, error) {
	v := c.Query("page")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		return 0, forum.Invalid("page", "invalid_page", "page must be a whole number from 1 to %d.", maxPage)
	}
	return n, nil
}
