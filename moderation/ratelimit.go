package moderation

import (
	"sync"
	"time"
)

// sweepEvery bounds the memory of a limiter under a flood of distinct keys: every this many
// new keys, entries that have refilled completely are dropped (they are indistinguishable
// from new ones).
const sweepEvery = 1024

// Limiter allows Burst attempts per key at once, refilled evenly over Per: "10 per 15
// minutes" is Limiter{Burst: 10, Per: 15 * time.Minute}. It is a token bucket per key,
// kept in memory; several nodes will want a shared store later. The time is always passed
// in, so tests drive it with their own clock.
//
// A taken attempt can be given back (Refund): callers take one before the costly check
// they meter, so that parallel attempts cannot all pass a limit that is only counted
// afterwards, and return it when the attempt turns out not to count.
type Limiter struct {
	burst    int
	interval time.Duration // one attempt comes back every interval

	mu      sync.Mutex
	buckets map[string]*bucket
	added   int
}

// bucket holds the attempts left for one key as of at.
type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter of burst attempts per key, refilled over per.
func NewLimiter(burst int, per time.Duration) *Limiter {
	return &Limiter{burst: burst, interval: per / time.Duration(burst), buckets: make(map[string]*bucket)}
}

// tokensAt is what b holds at now. Time never runs backwards for a bucket: a caller whose
// clock reading is older than the bucket's sees the bucket as it is.
func (l *Limiter) tokensAt(b *bucket, now time.Time) float64 {
	if !now.After(b.at) {
		return b.tokens
	}
	return min(float64(l.burst), b.tokens+float64(now.Sub(b.at))/float64(l.interval))
}

// fill brings b up to now.
func (l *Limiter) fill(b *bucket, now time.Time) {
	b.tokens = l.tokensAt(b, now)
	if now.After(b.at) {
		b.at = now
	}
}

func (l *Limiter) bucket(key string, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		l.added++
		if l.added%sweepEvery == 0 {
			l.sweep(now)
		}
		b = &bucket{tokens: float64(l.burst), at: now}
		l.buckets[key] = b
	}
	l.fill(b, now)
	return b
}

func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if l.tokensAt(b, now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// wait is how long until a bucket holding tokens has one whole attempt.
func (l *Limiter) wait(tokens float64) time.Duration {
	return time.Duration((1 - tokens) * float64(l.interval))
}

// Allow takes one attempt for key, or reports how long until one is free.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, now)
	if b.tokens < 1 {
		return false, l.wait(b.tokens)
	}
	b.tokens--
	return true, 0
}

// Refund gives back one attempt taken by Allow; a bucket never holds more than the burst.
func (l *Limiter) Refund(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return // swept: it is full already
	}
	l.fill(b, now)
	b.tokens = min(float64(l.burst), b.tokens+1)
}

// Peek reports whether Allow would succeed, without taking anything. It is for showing a
// state, never for deciding: between a Peek and the act, others may take the attempt.
func (l *Limiter) Peek(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return true, 0
	}
	if tokens := l.tokensAt(b, now); tokens < 1 {
		return false, l.wait(tokens)
	}
	return true, 0
}

// Unlimited allows everything; it stands in for every limiter when rate limits are off.
type Unlimited struct{}

// Allow always allows.
func (Unlimited) Allow(string, time.Time) (bool, time.Duration) { return true, 0 }

// Refund has nothing to give back.
func (Unlimited) Refund(string, time.Time) {}

// Peek always allows.
func (Unlimited) Peek(string, time.Time) (bool, time.Duration) { return true, 0 }
