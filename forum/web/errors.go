package web

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// statusOf is the one table from domain error kinds to HTTP statuses.
var statusOf = map[forum.Kind]int{
	forum.EInternal:     fiber.StatusInternalServerError,
	forum.EInvalid:      fiber.StatusBadRequest,
	forum.EUnauthorized: fiber.StatusUnauthorized,
	forum.EForbidden:    fiber.StatusForbidden,
	forum.ENotFound:     fiber.StatusNotFound,
	forum.EConflict:     fiber.StatusConflict,
	forum.ETooLarge:     fiber.StatusRequestEntityTooLarge,
	forum.EUnsupported:  fiber.StatusUnsupportedMediaType,
	forum.ERateLimited:  fiber.StatusTooManyRequests,
	forum.EUnavailable:  fiber.StatusServiceUnavailable,
	forum.EGone:         fiber.StatusGone,
}

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Fields lists every field at fault, the first being the one code, message and field
	// name (forum.FieldErrors): a client shows them all at once. Absent when no field is.
	Fields []fieldErrorJSON `json:"fields,omitempty"`
}

// fieldErrorJSON is one field's error within an error response.
type fieldErrorJSON struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fromFiber turns errors raised by Fiber itself (no route, body too large, a malformed
// request) into domain errors.
func fromFiber(fe *fiber.Error) *forum.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return forum.Errorf(forum.ENotFound, "There is nothing here.")
	case fiber.StatusMethodNotAllowed:
		return forum.Coded(forum.EInvalid, "method_not_allowed", "This address does not take that method.")
	case fiber.StatusRequestEntityTooLarge:
		return forum.Errorf(forum.ETooLarge, "The request body is too large.")
	case fiber.StatusRequestTimeout:
		return forum.Coded(forum.EInvalid, "timeout", "The request took too long to arrive.")
	case fiber.StatusUnsupportedMediaType:
		return forum.Errorf(forum.EUnsupported, "%s", fe.Message)
	}
	if fe.Code >= 400 && fe.Code < 500 {
		return forum.Coded(forum.EInvalid, "bad_request", "The request is malformed: %s.", strings.ToLower(fe.Message))
	}
	return nil
}

// handleError is Fiber's error handler and the only place an error becomes a response:
// JSON under /api/, an HTML page elsewhere. Anything that is not a domain error is logged
// with the request id and shown as "Internal error.".
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	e := forum.AsError(err)
	var fe *fiber.Error
	if e == nil && errors.As(err, &fe) {
		e = fromFiber(fe)
	}
	if e == nil || e.Kind == forum.EInternal {
		s.log.ErrorContext(c.UserContext(), "internal error", "request_id", requestID(c), "method", c.Method(),
			"path", c.Path(), "err", err)
		e = forum.Errorf(forum.EInternal, "Internal error. If it persists, tell an administrator the request id %s.", requestID(c))
	}
	status := statusOf[e.Kind]
	s.setSecurityHeaders(c)
	if e.Kind == forum.ERateLimited && e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	if e.Code == "session_invalid" || e.Code == "session_expired" {
		s.clearSessionCookie(c)
	}
	if wantsJSON(c) {
		body := errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}}
		for _, f := range forum.FieldErrorsOf(err) {
			body.Error.Fields = append(body.Error.Fields, fieldErrorJSON{Field: f.Field, Code: f.Code, Message: f.Message})
		}
		if e.Kind == forum.EInternal {
			body.Error.RequestID = requestID(c)
		}
		return c.Status(status).JSON(body)
	}
	return s.renderError(c, status, e)
}

// wantsJSON reports whether a request is an API call.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || c.Path() == "/ws"
}
