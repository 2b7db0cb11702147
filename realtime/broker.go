package realtime

import (
	"context"
	"sync"
)

// Local is the in-process broker: what one node publishes, its own hub delivers.
type Local struct {
	mu   sync.RWMutex
	subs map[int]func([]Event)
	next int
}

// NewLocal returns an in-process broker.
func NewLocal() *Local { return &Local{subs: map[int]func([]Event){}} }

// Publish implements Broker. Subscribers are called in turn on the publisher's goroutine,
// which keeps the publisher's order.
func (b *Local) Publish(_ context.Context, events []Event) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, deliver := range b.subs {
		deliver(events)
	}
	return nil
}

// Subscribe implements Broker.
func (b *Local) Subscribe(deliver func([]Event)) (stop func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.subs[id] = deliver
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}
