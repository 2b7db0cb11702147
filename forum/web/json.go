package web

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// decodeJSON reads a JSON request body into v. It refuses another content type (415),
// an empty body, invalid UTF-8 and malformed JSON (400 bad_json), and a value of the wrong
// type (400 bad_json naming the field). Unknown fields are ignored.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON {
		return forum.Errorf(forum.EUnsupported, "Send the body as JSON with Content-Type: application/json.")
	}
	body := c.Body()
	if len(body) == 0 {
		return forum.Coded(forum.EInvalid, "bad_json", "The request needs a JSON body.")
	}
	if !utf8.Valid(body) {
		return forum.Coded(forum.EInvalid, "bad_json", "The body is not valid UTF-8.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			field := typ.Field
			if field == "" {
				return forum.Coded(forum.EInvalid, "bad_json", "The body must be a JSON object.")
			}
			return forum.Invalid(field, "bad_json", "%s must be %s, not %s.", field, jsonKind(typ.Type.Kind().String()), typ.Value)
		case errors.As(err, &syn):
			return forum.Coded(forum.EInvalid, "bad_json", "The body is not valid JSON (error at byte %d).", syn.Offset)
		default:
			return forum.Coded(forum.EInvalid, "bad_json", "The body is not valid JSON.")
		}
	}
	return nil
}

// jsonKind names a Go kind the way a JSON author would.
func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "slice":
		return "an array"
	}
	return "an object"
}
