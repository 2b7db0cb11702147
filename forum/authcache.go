package forum

import (
	"sync"
	"time"
)

// Authentication cache limits.
const (
	// authCacheTTL bounds how long a cached sign-in is believed without asking the store.
	// Changes made through this process (sign-out, revocation, a new password or role) drop
	// the entries at once; the TTL only bounds what another process changed (the command
	// line, later another node).
	authCacheTTL = 2 * time.Second
	// authCacheSize bounds the memory: beyond it, an arbitrary entry makes room.
	authCacheSize = 10000
)

// authCache remembers recent session and token lookups, so a busy client costs no query
// per request. Keys are the stored hashes, never the secrets.
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	viewer  Viewer
	expires time.Time
}

func (c *authCache) get(key []byte, now time.Time) (*Viewer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(key)]
	if !ok || now.After(e.expires) {
		return nil, false
	}
	v := e.viewer // a copy: callers may not change what the cache holds
	return &v, true
}

func (c *authCache) put(key []byte, v *Viewer, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]authEntry)
	}
	if len(c.entries) >= authCacheSize {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[string(key)] = authEntry{viewer: *v, expires: now.Add(authCacheTTL)}
}

// forget drops one session or token.
func (c *authCache) forget(key []byte) {
	c.mu.Lock()
	delete(c.entries, string(key))
	c.mu.Unlock()
}

// forgetUser drops every entry of a person whose account changed. It walks the whole
// cache, which is fine: such changes are rare next to reads.
func (c *authCache) forgetUser(userID int64) {
	c.mu.Lock()
	for k, e := range c.entries {
		if e.viewer.User.ID == userID {
			delete(c.entries, k)
		}
	}
	c.mu.Unlock()
}
