package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// A secret is 32 random bytes (256 bits), shown to its holder once and stored only as a
// SHA-256 hash, so a copy of the database yields no usable session or token.
const secretBytes = 32

// TokenPrefix starts every API token so people and secret scanners can recognise one.
const TokenPrefix = "sr_"

// Session is a signed-in browser. Its id lives only in the cookie; the store keeps a hash.
type Session struct {
	ID         int64  // a public handle used to list and revoke sessions
	Hash       []byte // SHA-256 of the cookie value
	UserID     int64
	CSRFToken  string
	UserAgent  string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// APIToken is a named bearer token for API clients.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// SessionStore keeps browser sessions and API tokens.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns the session and its user; not_found when there is none.
	SessionByHash(ctx context.Context, hash []byte) (*Session, *User, error)
	// TouchSession records activity, which extends the idle expiry.
	TouchSession(ctx context.Context, id int64, now time.Time) error
	DeleteSessionByHash(ctx context.Context, hash []byte) error
	// DeleteSession removes one of the user's sessions; not_found when it is not theirs.
	DeleteSession(ctx context.Context, userID, id int64) error
	ListSessions(ctx context.Context, userID int64) ([]*Session, error)
	// DeleteIdleSessions removes sessions last seen before cutoff and reports how many.
	DeleteIdleSessions(ctx context.Context, cutoff time.Time) (int64, error)

	CreateToken(ctx context.Context, t *APIToken) error
	// TokenByHash returns the token and its user; not_found when there is none.
	TokenByHash(ctx context.Context, hash []byte) (*APIToken, *User, error)
	TouchToken(ctx context.Context, id int64, now time.Time) error
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// DeleteToken removes one of the user's tokens; not_found when it is not theirs.
	DeleteToken(ctx context.Context, userID, id int64) error
}

// newSecret returns a fresh random secret and its storage hash.
func newSecret(prefix string) (string, []byte) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		panic("forum: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return s, HashSecret(s)
}

// HashSecret is how a session id or token is looked up in storage.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// LooksLikeToken reports whether s has the shape of an API token, so that garbage is
// refused without a database query.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) == len(TokenPrefix)+base64.RawURLEncoding.EncodedLen(secretBytes)
}

// LooksLikeSessionID is LooksLikeToken for cookie values.
func LooksLikeSessionID(s string) bool {
	return len(s) == base64.RawURLEncoding.EncodedLen(secretBytes) && !strings.ContainsAny(s, "+/=")
}
