package forum

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Hasher turns passwords into stored hashes and checks them. PasswordHasher is the one the
// server uses; tests stand in their own to count or hold the checks.
type Hasher interface {
	// Hash returns the encoded hash of password.
	Hash(password string) string
	// Verify reports whether password matches encoded.
	Verify(password, encoded string) bool
}

// Limits on password hashing. Each argon2id hash holds its Memory (19 MiB) and one core
// for its duration, so how many run at once decides the server's peak memory and whether
// other requests still get a core under a flood of sign-ins.
const (
	// DefaultHashWait is how long a request waits for a hashing slot before it is refused
	// as busy: long enough to ride out a burst (a slot frees every ~50 ms per core), short
	// enough that a flood cannot pile up waiting requests and their memory.
	DefaultHashWait = 300 * time.Millisecond
	// busyRetryAfter is what a refused request is told: slots free within milliseconds.
	busyRetryAfter = time.Second
)

// hashGate bounds how many passwords are hashed at once: a counting semaphore whose size
// is fixed at first use.
type hashGate struct {
	once  sync.Once
	slots chan struct{}
}

// enter takes a slot, waiting at most wait; the returned function gives it back. Past the
// wait the answer is rate_limited with code "busy", so a flood is refused rather than
// queued without limit.
func (g *hashGate) enter(ctx context.Context, size int, wait time.Duration) (release func(), err error) {
	g.once.Do(func() {
		if size < 1 {
			size = runtime.GOMAXPROCS(0)
		}
		g.slots = make(chan struct{}, size)
	})
	release = func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		e := Coded(ERateLimited, "busy", "The server is busy checking other passwords; try again in a moment.")
		e.RetryAfter = busyRetryAfter
		return nil, e
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to check a password: %w", ctx.Err())
	}
}

// PasswordHasher hashes passwords with argon2id and encodes them in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so parameters can be raised later and old
// hashes still verify.
type PasswordHasher struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultPasswordHasher follows OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane):
// strong, yet 40 teachers signing up at once in a workshop need under 1 GiB.
var DefaultPasswordHasher = PasswordHasher{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hash returns the encoded hash of password.
func (h PasswordHasher) Hash(password string) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("forum: crypto/rand failed: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Memory, h.Time, h.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Verify reports whether password matches encoded. An empty or malformed hash never matches.
func (h PasswordHasher) Verify(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
