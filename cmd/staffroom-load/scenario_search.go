package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// SearchReport is the search scenario's result.
type SearchReport struct {
	Endpoint     string   `json:"endpoint"`
	Workers      int      `json:"workers"`
	Distinct     int      `json:"distinct_queries"`
	DurationSecs float64  `json:"duration_seconds"`
	Sent         int64    `json:"sent"`
	Failed       int64    `json:"failed"`
	FailReasons  []Reason `json:"fail_reasons,omitempty"`
	Rate         float64  `json:"queries_per_second"`
	Latency      Summary  `json:"latency"`
	Examples     []string `json:"example_queries"`
}

// runSearch sends searches as fast as --workers clients can for --duration: 1 to 3 words
// drawn from the site's own question titles, each word as often as titles use it (so
// common words come up as often as people type them), and reports queries a second and
// latency. --query sends one query only (the worst common word, say); --similar asks
// GET /api/v1/questions/similar with whole titles instead.
func runSearch(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	o.register(fs, 0, 0)
	workers := fs.Int("workers", 16, "clients searching at once")
	duration := fs.Duration("duration", 20*time.Second, "how long to search")
	distinct := fs.Int("queries", 2000, "distinct queries to draw (a popular query repeats: the server caches a search for a second)")
	only := fs.String("query", "", "search this query only")
	similar := fs.Bool("similar", false, "ask for similar questions (by title) instead of searching")
	seed := fs.Uint64("seed", 1, "seed for drawing queries")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, _, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	titles, err := sampleTitles(ctx, a)
	if err != nil {
		return err
	}
	var queries []string
	switch {
	case *only != "":
		queries = []string{*only}
	case *similar:
		queries = titles
	default:
		queries = drawQueries(titles, *distinct, *seed)
	}
	endpoint, param := "/api/v1/search", "q"
	if *similar {
		endpoint, param = "/api/v1/questions/similar", "title"
	}
	sr := &SearchReport{Endpoint: endpoint, Workers: *workers, Distinct: len(queries)}
	sr.Examples = queries[:min(5, len(queries))]
	rep.Search = sr
	rep.logf("searching %s with %d workers for %s (%d distinct queries)", endpoint, *workers, *duration, len(queries))
	var hist Histogram
	var sent, failed atomic.Int64
	var mu sync.Mutex
	reasons := map[string]int{}
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(*seed, uint64(w)))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				q := queries[rng.IntN(len(queries))]
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "GET", a.base+endpoint+"?"+param+"="+url.QueryEscape(q), nil)
				resp, err := a.client.Do(req)
				sent.Add(1)
				if err != nil {
					failed.Add(1)
					mu.Lock()
					reasons[err.Error()]++
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				hist.Record(time.Since(t0))
				if resp.StatusCode != 200 {
					failed.Add(1)
					mu.Lock()
					reasons[resp.Status]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	sr.DurationSecs = time.Since(start).Seconds()
	sr.Sent, sr.Failed = sent.Load(), failed.Load()
	sr.Rate = float64(sr.Sent-sr.Failed) / sr.DurationSecs
	sr.Latency = hist.Summarize()
	for r, n := range reasons {
		sr.FailReasons = append(sr.FailReasons, Reason{Reason: r, Count: n})
	}
	sort.Slice(sr.FailReasons, func(i, j int) bool { return sr.FailReasons[i].Count > sr.FailReasons[j].Count })
	if sr.Failed > 0 {
		rep.problem("%d of %d searches failed", sr.Failed, sr.Sent)
	}
	return nil
}

// sampleTitles reads question titles from the newest pages of the list.
func sampleTitles(ctx context.Context, a *api) ([]string, error) {
	var titles []string
	for page := 1; page <= 10; page++ {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/questions?page_size=100&page=%d", a.base, page), nil)
		resp, err := a.client.Do(req)
		if err != nil {
			return nil, err
		}
		var list struct {
			Items []struct{ Title string } `json:"items"`
		}
		err = json.NewDecoder(resp.Body).Decode(&list)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("question list: %w", err)
		}
		for _, it := range list.Items {
			titles = append(titles, it.Title)
		}
		if len(list.Items) < 100 {
			break
		}
	}
	if len(titles) == 0 {
		return nil, fmt.Errorf("the site has no questions to draw search words from")
	}
	return titles, nil
}

// drawQueries makes n queries of 1 to 3 words, each word drawn as often as the titles use it.
func drawQueries(titles []string, n int, seed uint64) []string {
	var words []string
	for _, t := range titles {
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
			if len(w) > 3 { // what people type: not "how", "do", "you"
				words = append(words, w)
			}
		}
	}
	if len(words) == 0 {
		return titles
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	out := make([]string, n)
	for i := range out {
		k := 1 + rng.IntN(3)
		parts := make([]string, k)
		for j := range parts {
			parts[j] = words[rng.IntN(len(words))]
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}
