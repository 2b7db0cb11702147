package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// Keys of the values middleware leaves on a request.
const (
	localRequestID    = "staffroom.request_id"
	localViewer       = "staffroom.viewer"
	localSessionEnded = "staffroom.session_ended" // the *forum.Error a stale cookie earned
)

// Names and headers of the session protocol.
const (
	sessionCookie = "staffroom_session"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "_csrf"
	// maxRequestIDLen bounds a client-supplied X-Request-ID before it reaches the logs.
	maxRequestIDLen = 64
)

// contentSecurityPolicy allows only this site's own scripts and styles: no inline script
// ever runs, so injected markup cannot execute. Images too are the site's own: those in
// posts come through the image proxy (/img/), so no page makes a reader's browser fetch
// from another host.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// viewer returns the signed-in person, or nil.
func viewer(c *fiber.Ctx) *forum.Viewer {
	v, _ := c.Locals(localViewer).(*forum.Viewer)
	return v
}

// requireViewer returns the signed-in person or the 401 to answer with.
func requireViewer(c *fiber.Ctx) (*forum.Viewer, error) {
	if v := viewer(c); v != nil {
		return v, nil
	}
	if e, ok := c.Locals(localSessionEnded).(*forum.Error); ok {
		return nil, e
	}
	return nil, forum.Errorf(forum.EUnauthorized, "Sign in first.")
}

// observe gives each request an id, turns errors into responses, and logs and counts
// every request once.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	id := c.Get(fiber.HeaderXRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	} else {
		id = strings.Clone(id)
	}
	c.Locals(localRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)

	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	route := c.Route().Path
	s.metrics.observe(c.Method(), route, status, elapsed)
	level := slog.LevelInfo
	if route == "/healthz" || route == "/readyz" || route == "/metrics" {
		level = slog.LevelDebug
	}
	if s.log.Enabled(c.UserContext(), level) {
		s.log.LogAttrs(c.UserContext(), level, "request",
			slog.String("request_id", id), slog.String("method", c.Method()), slog.String("path", c.Path()),
			slog.Int("status", status), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000), slog.String("ip", s.clientIP(c)))
	}
	return nil
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// logPanic logs a recovered panic with its stack; the recover middleware then returns an
// error that becomes a 500 "internal" answer.
func (s *Server) logPanic(c *fiber.Ctx, p any) {
	s.log.Error("panic", "request_id", requestID(c), "method", c.Method(), "path", c.Path(),
		"panic", p, "stack", string(debug.Stack()))
}

// securityHeaders adds the headers every response carries.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders is also called by the error handler, which answers requests that
// never reached the middleware (a body over the limit, a malformed request line).
func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.secure {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
}

// refuseEncodedBodies answers 415 to any request that declares a Content-Encoding other
// than identity, before anything reads the body. Fiber inflates gzip, deflate and brotli
// bodies when they are read, with no bound on the inflated size: 260 KB of gzip became
// 256 MiB in memory. No browser compresses what it sends, so refusing is simpler and safer
// than inflating under the body limit. It runs on every route, the websocket's included.
func refuseEncodedBodies(c *fiber.Ctx) error {
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderContentEncoding) {
		for coding := range strings.SplitSeq(string(v), ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				return forum.Coded(forum.EUnsupported, "unsupported_content_encoding",
					"This server does not accept compressed requests (Content-Encoding: %.20s); send the body uncompressed.", coding)
			}
		}
	}
	return c.Next()
}

// authenticate finds the person behind a request: a bearer token (which must be valid),
// or else the session cookie. A stale or forged cookie is cleared and the request goes on
// anonymously; endpoints that need a person then answer 401 saying the session ended.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		scheme, token, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return forum.Coded(forum.EUnauthorized, "token_invalid", "Send the API token as Authorization: Bearer <token>.")
		}
		v, err := s.accounts.AuthenticateToken(c.UserContext(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		c.Locals(localViewer, v)
		return c.Next()
	}
	if cookie := c.Cookies(sessionCookie); cookie != "" {
		v, err := s.accounts.AuthenticateSession(c.UserContext(), cookie)
		switch {
		case err == nil:
			c.Locals(localViewer, v)
		case forum.KindOf(err) == forum.EUnauthorized:
			s.clearSessionCookie(c)
			c.Locals(localSessionEnded, forum.AsError(err))
		default:
			return err
		}
	}
	return c.Next()
}

// secretRoutes answer anonymous requests with credentials (a new token, a session) or
// with what the person typed (an email address): never stored by a cache either.
var secretRoutes = map[string]bool{
	"/api/v1/auth/signup": true, "/api/v1/auth/login": true, "/signup": true, "/login": true,
}

// noStore keeps every answer to a signed-in person, and the sign-up and sign-in answers,
// out of every cache (Cache-Control: no-store): they carry API tokens, CSRF tokens and
// email addresses. It runs after the handler, so it overrides the revalidation headers
// the page caches set; anonymous readers keep theirs. Error pages choose the same in
// render.
func (s *Server) noStore(c *fiber.Ctx) error {
	err := c.Next()
	if viewer(c) != nil || secretRoutes[c.Route().Path] {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}

// checkCSRF requires the session's token on every unsafe request authenticated by the
// cookie. Bearer requests need none: browsers never attach those on their own. Anonymous
// unsafe requests (the sign-in and sign-up forms) must not come from another origin.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	if isSafeMethod(c.Method()) {
		return c.Next()
	}
	v := viewer(c)
	switch {
	case v != nil && v.Session != nil:
		token := c.Get(csrfHeader)
		if token == "" {
			token = c.FormValue(csrfField)
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(v.Session.CSRFToken)) != 1 {
			return forum.Coded(forum.EForbidden, "csrf_failed", "The form or request is missing its security token, or it is out of date; reload the page and try again.")
		}
	case v == nil:
		if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.sameOrigin(c, origin) {
			return forum.Coded(forum.EForbidden, "csrf_failed", "Requests from other sites are refused.")
		}
	}
	return c.Next()
}

// sameOrigin reports whether an Origin header names this site: the configured base URL,
// or the host the request was sent to (so a site reached as localhost still works).
func (s *Server) sameOrigin(c *fiber.Ctx, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if s.cfg.BaseURL != nil && strings.EqualFold(u.Scheme, s.cfg.BaseURL.Scheme) && strings.EqualFold(u.Host, s.cfg.BaseURL.Host) {
		return true
	}
	return strings.EqualFold(u.Host, c.Hostname()) && strings.EqualFold(u.Scheme, c.Protocol())
}

// refuseSuspendedWrites answers every write of a suspended person with 403 naming when
// the suspension ends. Signing out stays possible.
func (s *Server) refuseSuspendedWrites(c *fiber.Ctx) error {
	v := viewer(c)
	if v == nil || isSafeMethod(c.Method()) || c.Path() == "/logout" || c.Path() == "/api/v1/auth/logout" {
		return c.Next()
	}
	if err := v.User.CheckCanWrite(s.now()); err != nil {
		return err
	}
	return c.Next()
}

func (s *Server) now() time.Time { return s.accounts.Now().UTC() }

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// setSessionCookie hands the browser its session id.
func (s *Server) setSessionCookie(c *fiber.Ctx, id string) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: s.now().Add(s.sessionIdle()),
	})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Unix(0, 0), MaxAge: -1,
	})
}

func (s *Server) sessionIdle() time.Duration {
	if s.accounts.SessionIdle > 0 {
		return s.accounts.SessionIdle
	}
	return forum.DefaultSessionIdle
}
