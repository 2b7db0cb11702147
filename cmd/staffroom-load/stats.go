package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram resolution: values are microseconds in log-linear buckets with histSubBits
// bits of precision (under 0.8% error), so that tens of millions of deliveries cost a few
// kilobytes instead of a slice of every sample.
const (
	histSubBits  = 8
	histSubCount = 1 << histSubBits
	histHalf     = histSubCount / 2
	histMaxShift = 40 // values up to 2^48 µs, far beyond any run
	histBuckets  = histSubCount + histMaxShift*histHalf
)

// Histogram records durations from many goroutines at once with atomic counters.
type Histogram struct {
	counts [histBuckets]atomic.Int64
	n      atomic.Int64
	max    atomic.Int64 // exact, in nanoseconds
	sum    atomic.Int64 // nanoseconds, for the mean
}

func bucketOf(us uint64) int {
	if us < histSubCount {
		return int(us)
	}
	shift := bits.Len64(us) - histSubBits
	if shift > histMaxShift {
		return histBuckets - 1
	}
	return histSubCount + (shift-1)*histHalf + int(us>>uint(shift)) - histHalf
}

// bucketHigh is the largest value (µs) that falls into bucket i.
func bucketHigh(i int) uint64 {
	if i < histSubCount {
		return uint64(i)
	}
	shift := uint((i-histSubCount)/histHalf + 1)
	mant := uint64((i-histSubCount)%histHalf + histHalf)
	return (mant+1)<<shift - 1
}

// Record adds one duration; negative ones count as zero.
func (h *Histogram) Record(d time.Duration) {
	ns := int64(d)
	if ns < 0 {
		ns = 0
	}
	h.counts[bucketOf(uint64(ns/1000))].Add(1)
	h.n.Add(1)
	h.sum.Add(ns)
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			break
		}
	}
}

// Count is how many durations were recorded.
func (h *Histogram) Count() int64 { return h.n.Load() }

// Max is the largest duration recorded, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Quantile is the nearest-rank q-quantile (0 < q <= 1): the smallest recorded value such
// that at least q of all values are at or below it, to the histogram's precision, and
// never above the exact maximum.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen int64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			d := time.Duration(bucketHigh(i)) * time.Microsecond
			return min(d, h.Max())
		}
	}
	return h.Max()
}

// Summary is what reports show of a histogram.
type Summary struct {
	Count int64   `json:"count"`
	P50ms float64 `json:"p50_ms"`
	P90ms float64 `json:"p90_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// Summarize reads the histogram's percentiles.
func (h *Histogram) Summarize() Summary {
	s := Summary{Count: h.Count(), P50ms: ms(h.Quantile(0.50)), P90ms: ms(h.Quantile(0.90)),
		P99ms: ms(h.Quantile(0.99)), MaxMs: ms(h.Max())}
	if s.Count > 0 {
		s.Mean = ms(time.Duration(h.sum.Load() / s.Count))
	}
	return s
}

// SeqTracker follows one subscription's seq numbers. The server numbers a topic's logged
// events one by one, so a subscriber that sees seq jump from 7 to 10 lost 8 and 9.
// Only the connection's reader goroutine writes it; others read it with atomics.
type SeqTracker struct {
	head      atomic.Int64 // seq the subscription started from (the subscribed frame's)
	last      atomic.Int64 // newest seq received
	started   atomic.Bool
	delivered atomic.Int64 // logged events received in order or after a gap
	missing   atomic.Int64 // seqs skipped over
	dups      atomic.Int64 // seqs at or below one already seen
	resets    atomic.Int64 // reset frames: the server said the client is too far behind
}

// Start records the subscribed frame's head seq.
func (t *SeqTracker) Start(head int64) {
	t.head.Store(head)
	t.last.Store(head)
	t.started.Store(true)
}

// Observe accounts for one logged event's seq and reports whether it is new.
func (t *SeqTracker) Observe(seq int64) bool {
	last := t.last.Load()
	switch {
	case seq <= last:
		t.dups.Add(1)
		return false
	case seq > last+1:
		t.missing.Add(seq - last - 1)
	}
	t.last.Store(seq)
	t.delivered.Add(1)
	return true
}

// Reset accounts for a reset frame: the client must reload and go on from seq.
func (t *SeqTracker) Reset(seq int64) {
	t.resets.Add(1)
	if last := t.last.Load(); seq > last {
		t.missing.Add(seq - last)
		t.last.Store(seq)
	}
}

// Expected is how many logged events the subscription should have received once the
// topic's head is final.
func (t *SeqTracker) Expected(final int64) int64 {
	if !t.started.Load() {
		return 0
	}
	return max(0, final-t.head.Load())
}

// DeliveredUpTo is how many of the expected events (seq <= final) arrived. Events past
// final (someone else wrote to the topic later) are not counted.
func (t *SeqTracker) DeliveredUpTo(final int64) int64 {
	d := t.delivered.Load()
	if over := t.last.Load() - final; over > 0 {
		d -= over // every seq past final arrived in order or was counted missing
	}
	return max(0, min(d, t.Expected(final)))
}
