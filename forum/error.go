// Package forum is Staffroom's domain: people, sessions, questions, answers, votes,
// collaboratives and the rules that govern them. It defines the types, the storage
// interfaces a backend implements (forum/sqlite today, PostgreSQL later) and the services
// that enforce the rules. It imports no web, realtime or moderation package: what it needs
// from them it names as small interfaces that cmd/staffroom plugs in.
package forum

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error by what the caller can do about it. forum/web maps each kind
// to exactly one HTTP status; nothing else in the code base chooses a status.
type Kind int

const (
	EInternal     Kind = iota // a fault of ours: logged, shown as "Internal error."
	EInvalid                  // the input is malformed or breaks a rule (400)
	EUnauthorized             // not signed in, or the credentials are wrong (401)
	EForbidden                // signed in but not allowed (403)
	ENotFound                 // missing, or invisible to the caller (404)
	EConflict                 // clashes with what is stored: duplicate, stale edit (409)
	ETooLarge                 // the body is over the limit (413)
	EUnsupported              // the wrong content type (415)
	ERateLimited              // too many attempts; RetryAfter says when to come back (429)
	EUnavailable              // the server is shutting down or the database is away (503)
	EGone                     // existed, but is used up or expired for good: a spent invitation (410)
)

// defaultCodes names each kind when an error does not carry a more specific code.
var defaultCodes = map[Kind]string{
	EInternal:     "internal",
	EInvalid:      "invalid",
	EUnauthorized: "unauthorized",
	EForbidden:    "forbidden",
	ENotFound:     "not_found",
	EConflict:     "conflict",
	ETooLarge:     "too_large",
	EUnsupported:  "unsupported_media_type",
	ERateLimited:  "rate_limited",
	EUnavailable:  "unavailable",
	EGone:         "gone",
}

// Error is the one error type the domain returns to its callers. Message is written for a
// person and is shown as it is; Code is the snake_case name clients switch on; Field names
// the input at fault for validation errors.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Field      string
	RetryAfter time.Duration // for ERateLimited
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Is lets errors.Is(err, forum.ErrNotFound) match any error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && (t.Code == "" || t.Code == e.Code)
}

// Sentinels for errors.Is; they match every error of their kind.
var (
	ErrNotFound     = &Error{Kind: ENotFound}
	ErrForbidden    = &Error{Kind: EForbidden}
	ErrConflict     = &Error{Kind: EConflict}
	ErrInvalid      = &Error{Kind: EInvalid}
	ErrUnauthorized = &Error{Kind: EUnauthorized}
	ErrRateLimited  = &Error{Kind: ERateLimited}
)

// Errorf returns an error of the given kind with the kind's default code.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: defaultCodes[kind], Message: fmt.Sprintf(format, args...)}
}

// Coded returns an error with a specific code, such as "username_taken".
func Coded(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error naming the field at fault.
func Invalid(field, code, format string, args ...any) *Error {
	return &Error{Kind: EInvalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// RateLimited returns a 429-kind error that tells the caller when to try again.
func RateLimited(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Kind: ERateLimited, Code: "rate_limited", RetryAfter: retryAfter, Message: fmt.Sprintf(format, args...)}
}

// AsError returns the *Error in err's chain, or nil when err is not a domain error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of err; anything that is not a domain error is EInternal.
func KindOf(err error) Kind {
	if e := AsError(err); e != nil {
		return e.Kind
	}
	return EInternal
}

// WithField returns a copy of e that names the input at fault.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// FieldErrors collects the validation errors of one input, one per field in the order the
// fields are checked, so that a form can show every field at fault at once instead of one
// per attempt. As an error it is its first field's: errors.As, AsError and KindOf find the
// first *Error (through Unwrap), and the web layer lists the rest beside it.
type FieldErrors []*Error

func (fe FieldErrors) Error() string {
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap lets errors.Is and errors.As see each field's error.
func (fe FieldErrors) Unwrap() []error {
	out := make([]error, len(fe))
	for i, e := range fe {
		out[i] = e
	}
	return out
}

// Add records err when it is a validation error naming a field (or a FieldErrors, whose
// fields it takes), keeping the first error of each field. It returns nil then, or when
// err is nil; any other error it returns as it is, for the caller to stop at.
func (fe *FieldErrors) Add(err error) error {
	if err == nil {
		return nil
	}
	var many FieldErrors
	if errors.As(err, &many) {
		for _, e := range many {
			fe.add(e)
		}
		return nil
	}
	e := AsError(err)
	if e == nil || e.Kind != EInvalid || e.Field == "" {
		return err
	}
	fe.add(e)
	return nil
}

func (fe *FieldErrors) add(e *Error) {
	for _, have := range *fe {
		if have.Field == e.Field {
			return
		}
	}
	*fe = append(*fe, e)
}

// Err returns nil when no field is at fault, the one error when one is, else fe itself.
func (fe FieldErrors) Err() error {
	switch len(fe) {
	case 0:
		return nil
	case 1:
		return fe[0]
	}
	return fe
}

// FieldErrorsOf lists every field error in err: those of a FieldErrors, or the one of an
// error naming a field (a conflict such as username_taken among them); nil otherwise.
func FieldErrorsOf(err error) FieldErrors {
	var many FieldErrors
	if errors.As(err, &many) {
		return many
	}
	if e := AsError(err); e != nil && e.Field != "" {
		return FieldErrors{e}
	}
	return nil
}
