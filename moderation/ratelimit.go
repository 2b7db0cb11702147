package moderation

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// sweepEvery bounds the memory of a limiter under a flood of distinct keys: every this many
// new keys, entries that have refilled completely are dropped (they are indistinguishable
// from new ones).
const sweepEvery = 1024

// Limiter allows Burst attempts per key at once, refilled evenly over Per: "10 per 15
// minutes" is Limiter{Burst: 10, Per: 15 * time.Minute}. It is a token bucket per key
// (golang.org/x/time/rate), keyed in memory; several nodes will want a shared store later.
// The time is always passed in, so tests drive it with their own clock.
type Limiter struct {
	burst int
	per   time.Duration

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	added   int
}

// NewLimiter returns a limiter of burst attempts per key, refilled over per.
func NewLimiter(burst int, per time.Duration) *Limiter {
	return &Limiter{burst: burst, per: per, buckets: make(map[string]*rate.Limiter)}
}

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	b, ok := l.buckets[key]
	if !ok {
		l.added++
		if l.added%sweepEvery == 0 {
			l.sweep(now)
		}
		b = rate.NewLimiter(rate.Every(l.per/time.Duration(l.burst)), l.burst)
		l.buckets[key] = b
	}
	return b
}

func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// Allow takes one attempt for key, or reports how long until one is free.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.bucket(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Peek reports whether Allow would succeed, without taking anything.
func (l *Limiter) Peek(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return true, 0
	}
	if tokens := b.TokensAt(now); tokens < 1 {
		return false, time.Duration((1 - tokens) * float64(l.per) / float64(l.burst))
	}
	return true, 0
}

// Unlimited allows everything; it stands in for every limiter when rate limits are off.
type Unlimited struct{}

// Allow always allows.
func (Unlimited) Allow(string, time.Time) (bool, time.Duration) { return true, 0 }

// Peek always allows.
func (Unlimited) Peek(string, time.Time) (bool, time.Duration) { return true, 0 }
