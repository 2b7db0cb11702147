package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// signIn checks credentials for the sign-in API and form. A sign-in refused by the
// guessing limits (rate_limited, not the "busy" of a full hashing queue) is answered only
// after Config.SignInRefusalPause: a script that keeps guessing past its limit then gets
// one refusal per connection per pause instead of thousands a second, and the CPU stays
// with everyone else. A person who mistyped ten times loses a second, once. Waiting holds
// a goroutine and a connection, both bounded by the per-address connection cap.
func (s *Server) signIn(c *fiber.Ctx, login, password string) (*forum.Grant, error) {
	g, err := s.accounts.Login(c.UserContext(), login, password, s.client(c))
	if e := forum.AsError(err); e != nil && e.Kind == forum.ERateLimited && e.Code != "busy" && s.cfg.SignInRefusalPause > 0 {
		s.pause(c.UserContext(), s.cfg.SignInRefusalPause)
	}
	return g, err
}

// sleep waits for d or until ctx ends: the server's pause unless a test replaces it.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
