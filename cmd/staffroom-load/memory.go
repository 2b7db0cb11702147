package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverProbe reads the server's resident memory and CPU time: from /proc when the
// server's pid is known (same machine), else from its Prometheus metrics.
type serverProbe struct {
	pid     int
	metrics string // the metrics URL
	token   string // its bearer token, if it needs one
	client  *http.Client
}

// sample is one reading of the server.
type sample struct {
	RSS        int64   // bytes
	HeapInuse  int64   // bytes, from /metrics; -1 when unknown
	StackInuse int64   // bytes, from /metrics; -1 when unknown
	Goroutines int64   // from /metrics; -1 when unknown
	CPUSeconds float64 // user+system; -1 when unknown
}

func (s serverProbe) source() string {
	if s.pid > 0 {
		return fmt.Sprintf("/proc/%d/status VmRSS", s.pid)
	}
	return s.metrics + " process_resident_memory_bytes"
}

func (s serverProbe) read(ctx context.Context) (sample, error) {
	out := sample{HeapInuse: -1, StackInuse: -1, Goroutines: -1, CPUSeconds: -1}
	m, merr := s.scrape(ctx)
	if merr == nil {
		if v, ok := m["go_memstats_heap_inuse_bytes"]; ok {
			out.HeapInuse = int64(v)
		}
		if v, ok := m["go_memstats_stack_inuse_bytes"]; ok {
			out.StackInuse = int64(v)
		}
		if v, ok := m["go_goroutines"]; ok {
			out.Goroutines = int64(v)
		}
		if v, ok := m["process_cpu_seconds_total"]; ok {
			out.CPUSeconds = v
		}
		out.RSS = int64(m["process_resident_memory_bytes"])
	}
	if s.pid <= 0 {
		if merr != nil {
			return out, merr
		}
		if out.RSS == 0 {
			return out, fmt.Errorf("%s has no process_resident_memory_bytes: pass --server-pid", s.metrics)
		}
		return out, nil
	}
	rss, err := procRSS(s.pid)
	if err != nil {
		return out, err
	}
	out.RSS = rss
	if cpu, err := procCPU(s.pid); err == nil {
		out.CPUSeconds = cpu
	}
	return out, nil
}

// scrape reads the gauges and counters without labels from the metrics URL.
func (s serverProbe) scrape(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", s.metrics, nil)
	if err != nil {
		return nil, err
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("GET %s: HTTP %d (a server with metrics on: STAFFROOM_METRICS_ADDR, or --metrics-token)", s.metrics, resp.StatusCode)
	}
	return parseMetrics(resp.Body), nil
}

func parseMetrics(r io.Reader) map[string]float64 {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.Contains(line, "{") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.Fields(val)[0], 64); err == nil {
			out[name] = v
		}
	}
	return out
}

func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmRSS", pid)
}

// procCPU is the process's user+system time in seconds, from /proc/<pid>/stat.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, nil // USER_HZ is 100 on Linux
}

// settledRSS samples the server every interval for the given time and returns the
// smallest reading (the server has no GC endpoint: garbage from the connection storm is
// returned to the OS over seconds, and the minimum is the closest to what stays).
func (s serverProbe) settledRSS(ctx context.Context, wait, interval time.Duration) (sample, error) {
	deadline := time.Now().Add(wait)
	var best sample
	have := false
	for {
		cur, err := s.read(ctx)
		if err == nil && (!have || cur.RSS < best.RSS) {
			best, have = cur, true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(interval)
	}
	if !have {
		return best, fmt.Errorf("no reading of the server's memory from %s", s.source())
	}
	return best, nil
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFileLimit lifts the soft open-file limit to the hard one and returns both.
func raiseFileLimit() (soft, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return lim.Cur, lim.Max, err
		}
	}
	return lim.Cur, lim.Max, nil
}

// openFiles counts this process's open file descriptors.
func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// loadAverage is the machine's 1-minute load, as uptime shows it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
