package forum

import "context"

// SiteSecretLen is the length in bytes of a generated site secret: 256 bits, the size of
// an HMAC-SHA256 key.
const SiteSecretLen = 32

// SecretStore keeps the site's own secrets: random keys the server makes once and keeps, so
// that what it signed before a restart (URLs in stored HTML) still verifies after it.
type SecretStore interface {
	// SiteSecret returns the secret called name, creating a random one of SiteSecretLen
	// bytes the first time it is asked for. Callers that ask at once get the same secret.
	// Only the server itself calls it; secrets are never shown to anyone.
	SiteSecret(ctx context.Context, name string) ([]byte, error)
}
