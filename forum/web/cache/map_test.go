package cache_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"staffroom/forum/web/cache"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// overhead is what the map adds to each value's own size (nodeOverhead).
const overhead = 128

// newMap is a map of strings sized by their length, fresh for a second and served stale for
// ten more, within budget bytes.
func newMap(budget int64) (*cache.Map[string, string], *clock) {
	c := &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	return cache.New(cache.Options[string, string]{Name: "test", MaxBytes: budget, TTL: time.Second, Stale: 10 * time.Second,
		Now: c.Now, Size: func(k, v string) int { return len(k) + len(v) }}), c
}

func mustGet(t *testing.T, m *cache.Map[string, string], k string, want cache.State) string {
	t.Helper()
	v, st := m.Get(k)
	if st != want {
		t.Fatalf("Get(%q): %s, want %s", k, st, want)
	}
	return v
}

func TestByteBudgetEvictsTheLeastRecentlyUsed(t *testing.T) {
	value := strings.Repeat("x", 1000-1-overhead) // with a 1-byte key: 1000 bytes a value
	m, _ := newMap(3000)
	for _, k := range []string{"a", "b", "c"} {
		m.Set(k, value)
	}
	if s := m.Stats(); s.Bytes != 3000 || s.Entries != 3 || s.Evictions != 0 {
		t.Fatalf("three values at the budget: %+v", s)
	}
	mustGet(t, m, "a", cache.Fresh) // a is now the most recently used; b the least
	m.Set("d", value)
	mustGet(t, m, "b", cache.Miss)
	for _, k := range []string{"a", "c", "d"} {
		mustGet(t, m, k, cache.Fresh)
	}
	if s := m.Stats(); s.Bytes != 3000 || s.Entries != 3 || s.Evictions != 1 {
		t.Fatalf("after one eviction: %+v", s)
	}

	t.Run("a value that grows past the budget pushes out the oldest", func(t *testing.T) {
		mustGet(t, m, "c", cache.Fresh) // order, most recent first: c d a
		m.Grow("c", 1500, func(v string) bool { return v == value })
		mustGet(t, m, "a", cache.Miss)
		mustGet(t, m, "d", cache.Miss)
		if s := m.Stats(); s.Bytes != 2500 || s.Entries != 1 || s.Evictions != 3 {
			t.Fatalf("after c grew: %+v", s)
		}
	})
	t.Run("growth of a replaced value is not counted", func(t *testing.T) {
		m.Set("c", "new")
		m.Grow("c", 1500, func(v string) bool { return v == value })
		if s := m.Stats(); s.Bytes != int64(overhead+len("c")+len("new")) {
			t.Fatalf("bytes %d after a stale Grow", s.Bytes)
		}
	})
	t.Run("a value larger than the budget is not kept", func(t *testing.T) {
		if m.Set("huge", strings.Repeat("x", 3000)) {
			t.Fatal("a value over the whole budget was kept")
		}
		mustGet(t, m, "huge", cache.Miss)
		mustGet(t, m, "c", cache.Fresh)
	})
}

func TestStaleWhileOneRefreshes(t *testing.T) {
	m, clk := newMap(1 << 20)
	mustGet(t, m, "page", cache.Miss)
	m.Set("page", "v1")
	mustGet(t, m, "page", cache.Fresh)

	clk.Add(1500 * time.Millisecond)
	if v := mustGet(t, m, "page", cache.Refresh); v != "v1" {
		t.Fatalf("the refresher got %q, want the old value", v)
	}
	for range 3 { // while it refreshes, everyone else is served the old copy
		if v := mustGet(t, m, "page", cache.Stale); v != "v1" {
			t.Fatalf("stale read got %q", v)
		}
	}
	m.Release("page") // the refresh failed: the next one tries
	mustGet(t, m, "page", cache.Refresh)
	m.Set("page", "v2")
	if v := mustGet(t, m, "page", cache.Fresh); v != "v2" {
		t.Fatalf("after the refresh: %q", v)
	}

	clk.Add(12 * time.Second) // past the stale time: nobody is served it
	mustGet(t, m, "page", cache.Miss)
	if s := m.Stats(); s.Entries != 0 || s.Expired != 1 || s.Lookups[cache.Stale] != 3 || s.Lookups[cache.Refresh] != 2 {
		t.Fatalf("stats: %+v", s)
	}

	t.Run("only one of many concurrent readers refreshes", func(t *testing.T) {
		m.Set("page", "v3")
		clk.Add(2 * time.Second)
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[cache.State]int{}
		for range 50 {
			wg.Go(func() {
				_, st := m.Get("page")
				mu.Lock()
				got[st]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if got[cache.Refresh] != 1 || got[cache.Stale] != 49 {
			t.Fatalf("answers: %v", got)
		}
	})
}

func TestWithoutStaleTimeAnExpiredValueIsAMiss(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	m := cache.New(cache.Options[int, int]{MaxBytes: 1 << 10, TTL: 5 * time.Second, Now: c.Now, Size: func(int, int) int { return 8 }})
	m.Set(1, 1)
	c.Add(5 * time.Second)
	if _, st := m.Get(1); st != cache.Miss {
		t.Fatalf("at its TTL: %s", st)
	}
}

func TestDeleteDropsValuesComputedBefore(t *testing.T) {
	m, _ := newMap(1 << 20)
	m.Set("q1", "question 1")
	m.Set("q2", "question 2")
	m.Set("list", "q1 q2")

	before := m.Epoch() // a page is drawn from data read now...
	if n := m.DeleteFunc(func(k, v string) bool { return strings.Contains(v, "1") }); n != 2 {
		t.Fatalf("DeleteFunc removed %d, want 2", n)
	}
	// ... and stored after question 1 was deleted: it may show it, so it is not kept.
	if m.Store("list", "q1 q2", cache.Entry[string]{Since: before}) {
		t.Fatal("a value computed before a deletion was kept")
	}
	mustGet(t, m, "list", cache.Miss)
	if !m.Store("list", "q2", cache.Entry[string]{Since: m.Epoch()}) {
		t.Fatal("a value computed after the deletion was refused")
	}
	m.Delete("q2")
	mustGet(t, m, "q2", cache.Miss)
	if s := m.Stats(); s.Deleted != 3 || s.Entries != 1 {
		t.Fatalf("stats: %+v", s)
	}
}

func TestReplaceKeepsTheNewerValue(t *testing.T) {
	m, clk := newMap(1 << 20)
	newer := func(v string) cache.Entry[string] {
		return cache.Entry[string]{Until: clk.Now().Add(time.Minute), Replace: func(old string) bool { return old <= v }}
	}
	m.Store("thread", "v2", newer("v2"))
	if m.Store("thread", "v1", newer("v1")) {
		t.Fatal("an older version replaced a newer one")
	}
	clk.Add(30 * time.Second) // Until, not the TTL, says how long it is fresh
	if v := mustGet(t, m, "thread", cache.Fresh); v != "v2" {
		t.Fatalf("got %q", v)
	}
}

func TestCollectorExportsEachCacheByName(t *testing.T) {
	a, _ := newMap(1 << 20)
	b := cache.New(cache.Options[string, string]{Name: "b", MaxBytes: 2 << 20, Size: func(k, v string) int { return len(v) }})
	a.Set("k", "value")
	a.Get("k")
	a.Get("nothing")
	reg := prometheus.NewRegistry()
	reg.MustRegister(cache.NewCollector(a, b))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += fmt.Sprintf(",%s=%s", l.GetName(), l.GetValue())
			}
			if g := m.GetGauge(); g != nil {
				got[name] = g.GetValue()
			} else {
				got[name] = m.GetCounter().GetValue()
			}
		}
	}
	for name, want := range map[string]float64{
		"staffroom_cache_bytes,cache=test":                      overhead + 6,
		"staffroom_cache_entries,cache=test":                    1,
		"staffroom_cache_max_bytes,cache=b":                     2 << 20,
		"staffroom_cache_lookups_total,cache=test,result=fresh": 1,
		"staffroom_cache_lookups_total,cache=test,result=miss":  1,
		"staffroom_cache_evictions_total,cache=b":               0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
}
