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
// per request. Keys are the stored hashes, never the secrets. Entries are also indexed by
// person, so that forgetting one person (their reputation changed with every vote on their
// posts) costs their few entries, not a walk of the cache.
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
	byUser  map[int64]map[string]struct{}
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
		c.byUser = make(map[int64]map[string]struct{})
	}
	if len(c.entries) >= authCacheSize {
		for k := range c.entries {
			c.drop(k)
			break
		}
	}
	k := string(key)
	c.drop(k) // a key put again leaves its old place in the index
	c.entries[k] = authEntry{viewer: *v, expires: now.Add(authCacheTTL)}
	keys := c.byUser[v.User.ID]
	if keys == nil {
		keys = map[string]struct{}{}
		c.byUser[v.User.ID] = keys
	}
	keys[k] = struct{}{}
}

// drop removes one entry and its place in the index; c.mu is held.
func (c *authCache) drop(k string) {
	e, ok := c.entries[k]
	if !ok {
		return
	}
	delete(c.entries, k)
	if keys := c.byUser[e.viewer.User.ID]; keys != nil {
		delete(keys, k)
		if len(keys) == 0 {
			delete(c.byUser, e.viewer.User.ID)
		}
	}
}

// forget drops one session or token.
func (c *authCache) forget(key []byte) {
	c.mu.Lock()
	c.drop(string(key))
	c.mu.Unlock()
}

// forgetUser drops every entry of a person whose account changed.
func (c *authCache) forgetUser(userID int64) {
	c.mu.Lock()
	for k := range c.byUser[userID] {
		c.drop(k)
	}
	c.mu.Unlock()
}
