package forum

import (
	"context"
	"time"
)

// IdempotencyWindow is how long a retried create with the same Idempotency-Key gets the
// first answer back instead of creating again.
const IdempotencyWindow = 24 * time.Hour

// MaxIdempotencyKeyLen bounds the key clients send (a UUID is 36).
const MaxIdempotencyKeyLen = 255

// StoredResponse is the first answer to a keyed request.
type StoredResponse struct {
	Status int
	Body   []byte
}

// IdempotencyStore remembers keyed requests per account.
type IdempotencyStore interface {
	// ClaimKey reserves key for the account. If the key was used within the window, it
	// returns the stored response (nil while the first request is still running) and
	// claimed false.
	ClaimKey(ctx context.Context, userID int64, key string, now time.Time) (stored *StoredResponse, claimed bool, err error)
	// CompleteKey stores the response of a claimed key.
	CompleteKey(ctx context.Context, userID int64, key string, status int, body []byte) error
	// ReleaseKey forgets a claimed key whose request failed, so a retry runs again.
	ReleaseKey(ctx context.Context, userID int64, key string) error
}
