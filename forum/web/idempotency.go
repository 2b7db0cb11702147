package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

const idempotencyHeader = "Idempotency-Key"

// idempotent makes a create endpoint safe to retry: the same Idempotency-Key from the same
// account within 24 hours gets the first response back and creates nothing new. Requests
// without the header, or not signed in, run as usual.
func (s *Server) idempotent(c *fiber.Ctx) error {
	key := c.Get(idempotencyHeader)
	v := viewer(c)
	if key == "" || v == nil || s.idem == nil {
		return c.Next()
	}
	if len(key) > forum.MaxIdempotencyKeyLen || !printableASCII(key) {
		return forum.Invalid("Idempotency-Key", "bad_idempotency_key", "The Idempotency-Key header must be 1 to %d printable characters, such as a UUID.", forum.MaxIdempotencyKeyLen)
	}
	key = idempotencyScope(c) + " " + key // one key per endpoint and thing: reuse elsewhere is a new request
	stored, claimed, err := s.idem.ClaimKey(c.UserContext(), v.User.ID, key, s.now())
	if err != nil {
		return err
	}
	if !claimed {
		if stored == nil {
			return forum.Coded(forum.EConflict, "idempotency_in_progress", "A request with this Idempotency-Key is still running; wait for it, then retry.")
		}
		c.Set("Idempotent-Replayed", "true")
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Status(stored.Status).Send(stored.Body)
	}
	err = c.Next()
	status := c.Response().StatusCode()
	if err != nil || status < 200 || status >= 300 {
		// Failures are not remembered: fixing the request and retrying must work.
		if rerr := s.idem.ReleaseKey(c.UserContext(), v.User.ID, key); rerr != nil {
			s.log.Warn("releasing an idempotency key", "err", rerr)
		}
		return err
	}
	return s.idem.CompleteKey(c.UserContext(), v.User.ID, key, status, c.Response().Body())
}

// idempotencyScope names the request a key is for: the method, the route's pattern and
// its parameters, ids in their canonical form. Not the raw path: "/comments",
// "/comments/", "/API/..." and "/posts/042" all reach the same handler for the same post,
// and a key must not be able to create one thing per spelling.
func idempotencyScope(c *fiber.Ctx) string {
	r := c.Route()
	var b strings.Builder
	b.WriteString(methodLabel(c.Method()))
	b.WriteByte(' ')
	b.WriteString(r.Path)
	for _, name := range r.Params {
		v := c.Params(name)
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			v = strconv.FormatInt(n, 10)
		}
		b.WriteByte(' ')
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}
