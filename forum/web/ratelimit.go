package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/moderation"
)

// meter rate-limits a route by its action, per person and per address (Config.ActionLimits):
// past either limit it answers 429 with Retry-After and the wait in words. An attempt
// that fails for another reason (bad input, not found, forbidden) is given back, so that
// a person correcting a form is not also slowed down. Anonymous writes pass through to
// the handler's 401 unmetered; anonymous reads (search) are metered by address alone.
//
// Routes added by other features meter themselves the same way:
// api.Post("/posts/:id/flags", s.meter(moderation.ActionFlag), s.apiFlag).
func (s *Server) meter(action moderation.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.cfg.ActionLimits == nil {
			return c.Next()
		}
		var userID int64
		if v := viewer(c); v != nil {
			userID = v.User.ID
		} else if !isSafeMethod(c.Method()) {
			return c.Next()
		}
		taken, err := s.cfg.ActionLimits.Take(action, userID, s.clientIP(c), s.now())
		if err != nil {
			return err
		}
		err = c.Next()
		// A failed form answers with a redirect to its page showing the failure (?form=).
		failedForm := strings.Contains(string(c.Response().Header.Peek(fiber.HeaderLocation)), "?form=")
		if err != nil || c.Response().StatusCode() >= fiber.StatusBadRequest || failedForm {
			taken.Refund(s.now())
		}
		return err
	}
}
