package forum

import (
	"context"
	"sync"
	"time"
)

// View counting. A question page view is counted in memory and written in batches, so
// reading a page never waits on a write; the same person (account or address) counts once
// per viewWindow, as on Stack Overflow.
const (
	viewWindow = 15 * time.Minute
	// maxViewKeys bounds the memory of who viewed what; past it, old entries are swept.
	maxViewKeys = 100000
)

// ViewStore adds batched view counts.
type ViewStore interface {
	AddViews(ctx context.Context, views map[int64]int) error
}

// ViewCounter collects question views between flushes. Safe for concurrent use.
type ViewCounter struct {
	Store ViewStore

	mu      sync.Mutex
	pending map[int64]int
	seen    map[viewKey]time.Time
}

type viewKey struct {
	question int64
	who      string
}

// Record counts a view of a question by who (an account id or an address) at now, unless
// the same viewer saw it within the window.
func (c *ViewCounter) Record(questionID int64, who string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = map[int64]int{}
	}
	if c.seen == nil {
		c.seen = map[viewKey]time.Time{}
	}
	k := viewKey{questionID, who}
	if last, ok := c.seen[k]; ok && now.Sub(last) < viewWindow {
		return
	}
	if len(c.seen) >= maxViewKeys {
		for key, at := range c.seen {
			if now.Sub(at) >= viewWindow {
				delete(c.seen, key)
			}
		}
		if len(c.seen) >= maxViewKeys { // all recent: forget the lot rather than grow
			clear(c.seen)
		}
	}
	c.seen[k] = now
	c.pending[questionID]++
}

// Flush writes the views counted since the last flush. On failure they are kept for the
// next one.
func (c *ViewCounter) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := c.pending
	c.pending = map[int64]int{}
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := c.Store.AddViews(ctx, batch); err != nil {
		c.mu.Lock()
		for id, n := range batch {
			c.pending[id] += n
		}
		c.mu.Unlock()
		return err
	}
	return nil
}
