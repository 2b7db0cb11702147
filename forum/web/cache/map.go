// Package cache is the one cache the web layer keeps pages and their pieces in: a map that
// serves a value while it is fresh, keeps serving it for a while after (stale while one
// caller computes the next), holds no more bytes than its budget by dropping the least
// recently used values, reads the time from an injected clock, and counts what it does
// for the metrics.
//
// The map does not load values itself: pages are drawn by request handlers that must run
// on the request's own goroutine (Fiber's context cannot leave it). Get says what the
// caller is to do instead: serve the value, or compute it and Store it (Miss, Refresh).
// Of the callers that find a value past its freshness, exactly one is told to refresh it;
// the others are served the old value meanwhile, so a crowd never computes the same thing
// at once.
package cache

import (
	"sync"
	"time"
)

// nodeOverhead is what the map spends on a value beyond the value's own size: the node, its
// list links and the map's bucket slot. Counting it keeps a flood of tiny values bounded too.
const nodeOverhead = 128

// State is what Get found, and so what the caller is to do.
type State uint8

const (
	// Miss: nothing to serve (never stored, dropped, or past its stale time). The caller
	// computes the value and may Store it.
	Miss State = iota
	// Fresh: serve the value.
	Fresh
	// Stale: the value is past its freshness and another caller is refreshing it: serve it
	// meanwhile.
	Stale
	// Refresh: the value is past its freshness and this caller was chosen to refresh it. It
	// may serve the old value or not, and must Store the next one or Release the key, so
	// that another caller may try.
	Refresh
)

var stateNames = [...]string{Miss: "miss", Fresh: "fresh", Stale: "stale", Refresh: "refresh"}

func (s State) String() string { return stateNames[s] }

// Epoch counts the deletions from a map. A value computed from data read after Epoch returned
// e may show something deleted since; Store with Entry.Since set to e drops it then.
type Epoch uint64

// Options configure a Map.
type Options[K comparable, V any] struct {
	// Name labels the map's metrics ("anonymous_pages").
	Name string
	// MaxBytes is the budget: past it, the least recently used values go.
	MaxBytes int64
	// Size is how many bytes a value holds, its key included (the map adds its own
	// overhead). It is called once, in Store; a value that grows later says so with Grow.
	Size func(K, V) int
	// TTL is how long a stored value is fresh, unless Store says otherwise.
	TTL time.Duration
	// Stale is how long past its freshness a value is still served while one caller
	// refreshes it; 0: an expired value is a Miss for everyone.
	Stale time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Entry is how Store keeps a value.
type Entry[V any] struct {
	// Until is when the value stops being fresh; zero: TTL from now.
	Until time.Time
	// Since, when not zero, is the Epoch read before the value was computed: if anything
	// was deleted since, the value is dropped, since it may show what was deleted.
	Since Epoch
	// Replace, when set, decides whether v replaces the value stored under the key, if any
	// (e.g. only a newer version does). It runs under the map's lock: keep it short.
	Replace func(old V) bool
}

// Stats is a snapshot of a map's state and counts.
type Stats struct {
	Name            string
	Entries         int
	Bytes, MaxBytes int64
	// Evictions counts values dropped for the budget; Expired those dropped because they
	// were found past their stale time; Deleted those removed by Delete and DeleteFunc.
	Evictions, Expired, Deleted uint64
	// Lookups counts Get's answers by State.
	Lookups [len(stateNames)]uint64
}

type node[K comparable, V any] struct {
	key        K
	val        V
	size       int64
	until      time.Time
	refreshing bool
	prev, next *node[K, V]
}

// Map is a stale-while-revalidate map with a byte budget and LRU eviction. It is safe for
// concurrent use.
type Map[K comparable, V any] struct {
	opt Options[K, V]

	mu    sync.Mutex
	nodes map[K]*node[K, V]
	// lru is the list's sentinel: lru.next is the most recently used node, lru.prev the
	// least.
	lru   node[K, V]
	bytes int64
	epoch Epoch
	stats Stats
}

// New returns an empty map.
func New[K comparable, V any](o Options[K, V]) *Map[K, V] {
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Map[K, V]{opt: o, nodes: map[K]*node[K, V]{}, epoch: 1}
	m.lru.next, m.lru.prev = &m.lru, &m.lru
	return m
}

// Get returns the value stored under k, if it may be served, and what the caller is to do.
func (m *Map[K, V]) Get(k K) (v V, st State) {
	now := m.opt.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[k]
	switch {
	case n == nil:
		st = Miss
	case now.Before(n.until):
		st = Fresh
	case now.Before(n.until.Add(m.opt.Stale)):
		st = Stale
		if !n.refreshing {
			n.refreshing, st = true, Refresh
		}
	default:
		m.unlink(n)
		m.stats.Expired++
		st = Miss
	}
	m.stats.Lookups[st]++
	if st == Miss {
		return v, Miss
	}
	m.touch(n)
	return n.val, st
}

// Epoch returns the count of deletions so far, for Entry.Since.
func (m *Map[K, V]) Epoch() Epoch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.epoch
}

// Set stores v under k, fresh for the TTL.
func (m *Map[K, V]) Set(k K, v V) bool { return m.Store(k, v, Entry[V]{}) }

// Store keeps v under k as e says, and reports whether it did. A value larger than the
// whole budget is not kept (and the one it would have replaced goes: it is outdated).
func (m *Map[K, V]) Store(k K, v V, e Entry[V]) bool {
	size := int64(m.opt.Size(k, v)) + nodeOverhead
	until := e.Until
	if until.IsZero() {
		until = m.opt.Now().Add(m.opt.TTL)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.nodes[k]
	if e.Since != 0 && e.Since != m.epoch {
		if old != nil {
			old.refreshing = false // whoever comes next may try again
		}
		return false
	}
	if old != nil {
		if e.Replace != nil && !e.Replace(old.val) {
			return false
		}
		m.unlink(old)
	}
	if size > m.opt.MaxBytes {
		return false
	}
	n := &node[K, V]{key: k, val: v, size: size, until: until}
	m.nodes[k] = n
	m.bytes += size
	n.next, n.prev = m.lru.next, &m.lru
	n.next.prev, m.lru.next = n, n
	m.evict()
	return true
}

// Release gives up the refresh Get asked of the caller (Refresh), whose computation failed or
// gave nothing to keep: the next caller past the value's freshness refreshes it instead.
func (m *Map[K, V]) Release(k K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.nodes[k]; n != nil {
		n.refreshing = false
	}
}

// Grow counts n more bytes held by the value under k, if is says it is still the one that
// grew (a value replaced meanwhile has left the budget already), and drops the least
// recently used values past the budget.
func (m *Map[K, V]) Grow(k K, n int, is func(V) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if nd := m.nodes[k]; nd != nil && is(nd.val) {
		nd.size += int64(n)
		m.bytes += int64(n)
		m.evict()
	}
}

// Delete removes the value under k, and makes values computed before it unstorable (Epoch).
func (m *Map[K, V]) Delete(k K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.epoch++
	if n := m.nodes[k]; n != nil {
		m.unlink(n)
		m.stats.Deleted++
	}
}

// DeleteFunc removes every value for which del returns true, and makes values computed
// before it unstorable (Epoch); it returns how many went. del runs under the map's lock.
func (m *Map[K, V]) DeleteFunc(del func(K, V) bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.epoch++
	gone := 0
	for k, n := range m.nodes {
		if del(k, n.val) {
			m.unlink(n)
			gone++
		}
	}
	m.stats.Deleted += uint64(gone)
	return gone
}

// Len returns the number of values stored.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.nodes)
}

// Stats returns a snapshot of the map's state and counts.
func (m *Map[K, V]) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.Name, s.Entries, s.Bytes, s.MaxBytes = m.opt.Name, len(m.nodes), m.bytes, m.opt.MaxBytes
	return s
}

// touch moves n to the front of the list; m.mu is held.
func (m *Map[K, V]) touch(n *node[K, V]) {
	if m.lru.next == n {
		return
	}
	n.prev.next, n.next.prev = n.next, n.prev
	n.next, n.prev = m.lru.next, &m.lru
	n.next.prev, m.lru.next = n, n
}

// unlink removes n from the map and the list; m.mu is held.
func (m *Map[K, V]) unlink(n *node[K, V]) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
	delete(m.nodes, n.key)
	m.bytes -= n.size
}

// evict drops the least recently used values until the map fits its budget; m.mu is held.
func (m *Map[K, V]) evict() {
	for m.bytes > m.opt.MaxBytes && m.lru.prev != &m.lru {
		m.unlink(m.lru.prev)
		m.stats.Evictions++
	}
}
