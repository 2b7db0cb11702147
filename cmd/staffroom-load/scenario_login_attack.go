package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Targets of the login-attack scenario: a password-guessing flood must neither exhaust the
// server's memory (each argon2id check holds 19 MiB) nor starve everyone else.
const (
	attackMaxRSS   = 300 << 20
	attackMaxP99   = 50 * time.Millisecond
	probeEvery     = 10 * time.Millisecond
	rssSampleEvery = 50 * time.Millisecond
)

// AttackReport is what a password-guessing flood did to the server.
type AttackReport struct {
	Attackers    int              `json:"attackers"`
	Target       string           `json:"target"`
	DurationSecs float64          `json:"duration_seconds"`
	Attempts     int64            `json:"attempts"`
	Answers      []Reason         `json:"answers"` // "401 invalid_credentials", "429 busy", ...
	Statuses     map[string]int64 `json:"statuses"`
	Attempt      Summary          `json:"attempt_latency"`
	Baseline     []ProbeReport    `json:"baseline_probes"`
	Probes       []ProbeReport    `json:"probes"` // during the attack
	RSSBefore    int64            `json:"rss_before_bytes"`
	RSSMax       int64            `json:"rss_max_sampled_bytes"`
	PeakRSS      int64            `json:"peak_rss_bytes,omitempty"` // VmHWM: the kernel's high-water mark since the server started
	PeakSource   string           `json:"peak_source"`
	MaxRSS       int64            `json:"target_max_rss_bytes"`
	MaxP99ms     float64          `json:"target_max_p99_ms"`
}

// ProbeReport is the latency of one ordinary request while (or before) the flood runs.
type ProbeReport struct {
	Path    string  `json:"path"`
	Latency Summary `json:"latency"`
	Errors  int64   `json:"errors"`
}

// runLoginAttack floods the sign-in endpoint with wrong passwords from many parallel loops,
// as a guessing script would, while a prober times ordinary requests and the server's
// memory is sampled. With rate limits on (the default), the server must check at most what
// its limits allow, hash at most one password per core at a time, and keep answering
// everyone else.
func runLoginAttack(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base URL")
	fs.IntVar(&o.serverPID, "server-pid", 0, "the server's pid: its peak memory is read from /proc/<pid>/status VmHWM (default: sample its /metrics)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines on stderr")
	attackers := fs.Int("attackers", 200, "parallel sign-in loops, each sending its next guess as soon as the last is answered")
	duration := fs.Duration("duration", 20*time.Second, "how long the flood runs")
	baseline := fs.Duration("baseline", 2*time.Second, "how long to time the probes before the flood")
	target := fs.String("target", "", "username or email to guess at (default: a new unknown name for every guess, so that each one costs a check until the address's limit)")
	probePaths := fs.String("probe", "/healthz,/api/v1/questions", "comma-separated paths the prober GETs in turn, every 10 ms")
	maxRSS := fs.Int64("max-rss-mb", attackMaxRSS>>20, "target: the server's peak RSS stays under this many MiB")
	maxP99 := fs.Duration("max-p99", attackMaxP99, "target: the probes' p99 during the flood stays under this")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *attackers < 1 || *duration <= 0 {
		return fmt.Errorf("--attackers and --duration must be positive")
	}
	paths := strings.Split(*probePaths, ",")
	_, probe, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	ar := &AttackReport{Attackers: *attackers, Target: *target, MaxRSS: *maxRSS << 20, MaxP99ms: ms(*maxP99), Statuses: map[string]int64{}}
	if ar.Target == "" {
		ar.Target = "(a new unknown name per guess)"
	}
	rep.Attack = ar
	before, err := probe.read(ctx)
	if err == nil {
		ar.RSSBefore = before.RSS
	}

	// The prober has its own connection, so that it waits on the server, not on the
	// attackers' connection pool.
	prober := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	rep.logf("timing %v for %s before the flood", paths, *baseline)
	ar.Baseline = runProbes(ctx, prober, o.url, paths, *baseline)

	rep.logf("%d parallel sign-in loops for %s against %s", *attackers, *duration, o.url)
	actx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var (
		mu       sync.Mutex
		answers  = map[string]int64{}
		attempts atomic.Int64
		lat      Histogram
		rssMax   atomic.Int64
		wg       sync.WaitGroup
	)
	go func() { // the server's memory, sampled through the flood
		t := time.NewTicker(rssSampleEvery)
		defer t.Stop()
		for {
			if s, err := probe.read(actx); err == nil && s.RSS > rssMax.Load() {
				rssMax.Store(s.RSS)
			}
			select {
			case <-actx.Done():
				return
			case <-t.C:
			}
		}
	}()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: *attackers, MaxIdleConnsPerHost: *attackers}}
	run := runID()
	start := time.Now()
	for i := range *attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; actx.Err() == nil; n++ {
				login := *target
				if login == "" {
					login = fmt.Sprintf("nobody-%s-%d-%d", run, i, n)
				}
				t0 := time.Now()
				answer := guess(actx, client, o.url, login, fmt.Sprintf("wrong guess %d-%d", i, n))
				if actx.Err() != nil {
					return // cut off by the end of the run, not answered
				}
				lat.Record(time.Since(t0))
				attempts.Add(1)
				mu.Lock()
				answers[answer]++
				mu.Unlock()
			}
		}()
	}
	var probes []ProbeReport
	var pwg sync.WaitGroup
	pwg.Add(1)
	go func() { defer pwg.Done(); probes = runProbes(actx, prober, o.url, paths, *duration) }()
	wg.Wait()
	pwg.Wait()
	ar.DurationSecs = time.Since(start).Seconds()
	ar.Attempts = attempts.Load()
	ar.Attempt = lat.Summarize()
	ar.Probes = probes
	ar.RSSMax = rssMax.Load()
	if after, err := probe.read(ctx); err == nil && before.CPUSeconds >= 0 && after.CPUSeconds >= 0 {
		rep.ServerCPU = after.CPUSeconds - before.CPUSeconds
	}
	for k, v := range answers {
		ar.Answers = append(ar.Answers, Reason{Reason: k, Count: int(v)})
		ar.Statuses[strings.Fields(k)[0]] += v
	}
	sort.Slice(ar.Answers, func(i, j int) bool { return ar.Answers[i].Count > ar.Answers[j].Count })

	ar.PeakSource = "the largest of the RSS samples (" + probe.source() + ")"
	peak := ar.RSSMax
	if o.serverPID > 0 {
		if hwm, err := procHWM(o.serverPID); err == nil {
			ar.PeakRSS, peak = hwm, hwm
			ar.PeakSource = fmt.Sprintf("/proc/%d/status VmHWM", o.serverPID)
		}
	}
	if peak > ar.MaxRSS {
		rep.problem("the server's peak RSS was %s, over the %s target", kib(peak), kib(ar.MaxRSS))
	}
	for _, p := range ar.Probes {
		if p.Latency.P99ms > ar.MaxP99ms {
			rep.problem("GET %s took %.1f ms at p99 during the flood, over the %.0f ms target", p.Path, p.Latency.P99ms, ar.MaxP99ms)
		}
		if p.Errors > 0 {
			rep.problem("GET %s failed %d times during the flood", p.Path, p.Errors)
		}
	}
	if ar.Statuses["500"] > 0 || ar.Statuses["error"] > 0 {
		rep.problem("%d sign-ins answered 500 and %d failed outright", ar.Statuses["500"], ar.Statuses["error"])
	}
	return nil
}

// guess sends one wrong password and names the answer: "401 invalid_credentials",
// "429 busy", "429 rate_limited", or "error" when none came.
func guess(ctx context.Context, client *http.Client, base, login, password string) string {
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "error"
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "error"
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(b, &e)
	return strings.TrimSpace(strconv.Itoa(resp.StatusCode) + " " + e.Error.Code)
}

// runProbes GETs the paths in turn every probeEvery until ctx ends or d has passed, and
// times each.
func runProbes(ctx context.Context, client *http.Client, base string, paths []string, d time.Duration) []ProbeReport {
	hists := make([]Histogram, len(paths))
	errs := make([]int64, len(paths))
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for i := 0; ; i++ {
		k := i % len(paths)
		req, _ := http.NewRequestWithContext(ctx, "GET", base+paths[k], nil)
		t0 := time.Now()
		resp, err := client.Do(req)
		if ctx.Err() != nil {
			break // the window closed while this one was in flight: not a sample
		}
		if err != nil {
			errs[k]++
		} else {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs[k]++
			} else {
				hists[k].Record(time.Since(t0))
			}
		}
		select {
		case <-ctx.Done():
		case <-t.C:
			continue
		}
		break
	}
	out := make([]ProbeReport, len(paths))
	for k, p := range paths {
		out[k] = ProbeReport{Path: p, Latency: hists[k].Summarize(), Errors: errs[k]}
	}
	return out
}

// procHWM is the process's peak resident memory since it started (VmHWM), in bytes.
func procHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if f := strings.Fields(rest); len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}

func (ar *AttackReport) writeText(p func(format string, a ...any), source string) {
	p("")
	p("Login attack: %d parallel loops of wrong passwords for %.1fs, guessing at %s", ar.Attackers, ar.DurationSecs, ar.Target)
	p("  %d sign-ins answered; latency %s", ar.Attempts, lat(ar.Attempt))
	for _, x := range ar.Answers {
		p("    %7d  %s", x.Count, x.Reason)
	}
	p("  server memory: %s before; %s at most among samples (%s)", kib(ar.RSSBefore), kib(ar.RSSMax), source)
	if ar.PeakRSS > 0 {
		p("  peak RSS since the server started (%s): %s; target under %s", ar.PeakSource, kib(ar.PeakRSS), kib(ar.MaxRSS))
	}
	for _, b := range ar.Baseline {
		p("  before the flood, GET %-20s %s; errors %d", b.Path, lat(b.Latency), b.Errors)
	}
	for _, x := range ar.Probes {
		p("  during the flood, GET %-20s %s; errors %d (target p99 under %.0f ms)", x.Path, lat(x.Latency), x.Errors, ar.MaxP99ms)
	}
}
