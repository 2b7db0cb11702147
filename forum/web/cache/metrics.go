package cache

import "github.com/prometheus/client_golang/prometheus"

// Reporter is a cache the metrics can read: every Map is one.
type Reporter interface {
	Stats() Stats
}

var (
	descBytes = prometheus.NewDesc("staffroom_cache_bytes",
		"Bytes held by the cache, by the sizes its values report plus the cache's own overhead.", []string{"cache"}, nil)
	descMaxBytes = prometheus.NewDesc("staffroom_cache_max_bytes",
		"The cache's byte budget: past it, the least recently used values go.", []string{"cache"}, nil)
	descEntries = prometheus.NewDesc("staffroom_cache_entries",
		"Values held by the cache.", []string{"cache"}, nil)
	descEvictions = prometheus.NewDesc("staffroom_cache_evictions_total",
		"Values dropped to keep the cache within its byte budget.", []string{"cache"}, nil)
	descExpired = prometheus.NewDesc("staffroom_cache_expired_total",
		"Values dropped because they were found past the time they may be served.", []string{"cache"}, nil)
	descDeleted = prometheus.NewDesc("staffroom_cache_deleted_total",
		"Values removed because what they show changed (a deleted post).", []string{"cache"}, nil)
	descLookups = prometheus.NewDesc("staffroom_cache_lookups_total",
		"Lookups by result: fresh and stale are served from the cache, refresh and miss computed again.", []string{"cache", "result"}, nil)
)

// Collector exports caches' Stats as Prometheus metrics labelled by cache name, read at
// each scrape: the caches keep plain counters and pay nothing per request for this.
type Collector struct {
	caches []Reporter
}

// NewCollector returns a collector of the given caches.
func NewCollector(caches ...Reporter) *Collector { return &Collector{caches: caches} }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBytes, descMaxBytes, descEntries, descEvictions, descExpired, descDeleted, descLookups} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.caches {
		s := r.Stats()
		ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(s.Bytes), s.Name)
		ch <- prometheus.MustNewConstMetric(descMaxBytes, prometheus.GaugeValue, float64(s.MaxBytes), s.Name)
		ch <- prometheus.MustNewConstMetric(descEntries, prometheus.GaugeValue, float64(s.Entries), s.Name)
		ch <- prometheus.MustNewConstMetric(descEvictions, prometheus.CounterValue, float64(s.Evictions), s.Name)
		ch <- prometheus.MustNewConstMetric(descExpired, prometheus.CounterValue, float64(s.Expired), s.Name)
		ch <- prometheus.MustNewConstMetric(descDeleted, prometheus.CounterValue, float64(s.Deleted), s.Name)
		for st, n := range s.Lookups {
			ch <- prometheus.MustNewConstMetric(descLookups, prometheus.CounterValue, float64(n), s.Name, State(st).String())
		}
	}
}
