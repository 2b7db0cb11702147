package moderation

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	l := NewLimiter(10, 15*time.Minute)

	t.Run("burst then refused with the wait", func(t *testing.T) {
		for i := range 10 {
			if ok, _ := l.Allow("a", now); !ok {
				t.Fatalf("attempt %d refused within the burst", i+1)
			}
		}
		ok, wait := l.Allow("a", now)
		if ok || wait <= 0 || wait > 90*time.Second {
			t.Fatalf("11th attempt: ok=%v wait=%v; want refused, about 90s", ok, wait)
		}
		if ok, w := l.Peek("a", now); ok || w != wait {
			t.Fatalf("peek = %v %v; want refused with the same wait %v", ok, w, wait)
		}
	})
	t.Run("keys are independent", func(t *testing.T) {
		if ok, _ := l.Allow("b", now); !ok {
			t.Fatal("another key is refused")
		}
	})
	t.Run("refills over time", func(t *testing.T) {
		if ok, _ := l.Allow("a", now.Add(90*time.Second)); !ok {
			t.Fatal("refused after one interval")
		}
		if ok, _ := l.Allow("a", now.Add(90*time.Second)); ok {
			t.Fatal("allowed twice after one interval")
		}
	})
	t.Run("peek takes nothing", func(t *testing.T) {
		for range 100 {
			l.Peek("c", now)
		}
		for i := range 10 {
			if ok, _ := l.Allow("c", now); !ok {
				t.Fatalf("attempt %d refused after peeks", i+1)
			}
		}
	})
	t.Run("a refund gives back one attempt, never beyond the burst", func(t *testing.T) {
		l := NewLimiter(3, 3*time.Minute)
		for range 3 {
			l.Allow("d", now)
		}
		if ok, _ := l.Allow("d", now); ok {
			t.Fatal("allowed past the burst")
		}
		l.Refund("d", now)
		if ok, _ := l.Allow("d", now); !ok {
			t.Fatal("refused after a refund")
		}
		l.Refund("e", now) // a key never taken
		for range 5 {
			l.Refund("d", now.Add(time.Hour))
		}
		for i := range 3 {
			if ok, _ := l.Allow("d", now.Add(time.Hour)); !ok {
				t.Fatalf("attempt %d refused on a full bucket", i+1)
			}
		}
		if ok, _ := l.Allow("d", now.Add(time.Hour)); ok {
			t.Fatal("refunds raised the bucket beyond its burst")
		}
	})
	t.Run("parallel attempts take exactly the burst", func(t *testing.T) {
		l := NewLimiter(10, 15*time.Minute)
		var wg sync.WaitGroup
		var allowed atomic.Int32
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, _ := l.Allow("f", now); ok {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n != 10 {
			t.Fatalf("%d of 100 parallel attempts allowed, want 10", n)
		}
	})
	t.Run("full buckets are swept", func(t *testing.T) {
		l := NewLimiter(2, time.Minute)
		for i := range 3 * sweepEvery {
			l.Allow(fmt.Sprint(i), now.Add(time.Duration(i)*time.Hour))
		}
		if n := len(l.buckets); n > sweepEvery {
			t.Fatalf("%d buckets kept; idle ones should be swept", n)
		}
	})
}
