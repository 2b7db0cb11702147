package web

import "github.com/gofiber/fiber/v2"

// proxiedImage answers GET /img/{sig}/{url}: an image in a post, fetched and cached by the
// image proxy. Its headers (a CSP that allows nothing, nosniff, caching) replace the
// page headers; failures are a bare status, with no error body: an <img> shows none.
func (s *Server) proxiedImage(c *fiber.Ctx) error {
	res := s.images.Serve(c.UserContext(), c.Params("sig"), c.Params("url"), c.Get(fiber.HeaderIfNoneMatch))
	for k, v := range res.Header {
		c.Set(k, v[0])
	}
	c.Status(res.Status)
	return c.Send(res.Body)
}
