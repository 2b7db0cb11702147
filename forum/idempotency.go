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

// IdempotencyClaimTimeout is how long a claimed key may stay unanswered before it is taken
// to be lost (the server stopped mid-request) and a retry may claim it again.
const IdempotencyClaimTimeout = time.Minute

// StoredResponse is the first answer to a keyed request.
type StoredResponse struct {
	Status int
	Body   []byte
}

// IdempotencyStore remembers keyed requests per account.
type IdempotencyStore interface {
	// ClaimKey reserves key for the account. If the key was answered within
	// IdempotencyWindow, it returns the stored response and claimed false; while the first
	// request is still running (claimed less than IdempotencyClaimTimeout ago, unanswered)
	// it returns nil and claimed false. Keys are per account.
	ClaimKey(ctx context.Context, userID int64, key string, now time.Time) (stored *StoredResponse, claimed bool, err error)
	// CompleteKey stores the response of a claimed key.
	CompleteKey(ctx context.Context, userID int64, key string, status int, body []byte) error
	// ReleaseKey forgets a claimed key whose request failed, so a retry runs again; an
	// answered key stays.
	ReleaseKey(ctx context.Context, userID int64, key string) error
	// PruneIdempotencyKeys forgets keys claimed before before, and says how many.
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
}
