package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Report is everything a run found; --json prints it as is.
type Report struct {
	Scenario       string    `json:"scenario"`
	URL            string    `json:"url"`
	Started        time.Time `json:"started"`
	Seconds        float64   `json:"seconds"`
	CPUs           int       `json:"cpus"`
	LoadBefore     string    `json:"load_before"`
	LoadAfter      string    `json:"load_after"`
	FileLimit      FileLimit `json:"file_limit"`
	Accounts       int       `json:"accounts"`
	MemorySource   string    `json:"memory_source,omitempty"`
	ToolCPUSeconds float64   `json:"tool_cpu_seconds"`
	ServerCPU      float64   `json:"server_cpu_seconds,omitempty"`

	Conns    ConnReport      `json:"connections"`
	Memory   *MemoryReport   `json:"memory,omitempty"`
	Fanout   *FanoutReport   `json:"fanout,omitempty"`
	Sustain  *SustainReport  `json:"sustained,omitempty"`
	Delivery *DeliveryReport `json:"delivery,omitempty"`
	Floor    *floorResult    `json:"tcp_floor,omitempty"`
	Attack   *AttackReport   `json:"login_attack,omitempty"`
	Search   *SearchReport   `json:"search,omitempty"`
	Channel  *ChannelReport  `json:"channel,omitempty"`

	Notes      []string `json:"notes,omitempty"`
	Problems   []string `json:"problems,omitempty"`
	SetupError string   `json:"setup_error,omitempty"`
	OK         bool     `json:"ok"`

	logf func(format string, a ...any)
}

// FileLimit is the process's open-file limit after raising the soft one to the hard one.
type FileLimit struct {
	Soft uint64 `json:"soft"`
	Hard uint64 `json:"hard"`
}

// ConnReport is how opening and holding the connections went.
type ConnReport struct {
	Requested        int      `json:"requested"`
	Connected        int      `json:"connected"`
	Subscribed       int      `json:"subscribed"`
	Topic            string   `json:"topic,omitempty"`
	DialSeconds      float64  `json:"dial_seconds"`
	SubscribeSeconds float64  `json:"subscribe_seconds"`
	OpenFiles        int      `json:"tool_open_files"`
	Disconnected     int      `json:"disconnected"`
	EphemeralFrames  int64    `json:"ephemeral_frames"`
	DialErrors       []Reason `json:"dial_errors,omitempty"`
	Disconnects      []Reason `json:"disconnects,omitempty"`
	ErrorFrames      []Reason `json:"error_frames,omitempty"`
}

// MemoryReport is the server's memory before and after the connections.
type MemoryReport struct {
	BeforeRSS        int64   `json:"before_rss_bytes"`
	AfterRSS         int64   `json:"after_rss_bytes"`
	SettledRSS       int64   `json:"settled_rss_bytes"`
	PerConnKiB       float64 `json:"per_conn_kib"`         // (after - before) / conns
	SettledPerConnKi float64 `json:"settled_per_conn_kib"` // (settled - before) / conns
	HeapPerConnKiB   float64 `json:"heap_inuse_per_conn_kib,omitempty"`
	InUsePerConnKiB  float64 `json:"heap_and_stack_inuse_per_conn_kib,omitempty"` // unaffected by freed memory the runtime keeps
	BeforeUnusedRSS  int64   `json:"before_rss_not_in_use_bytes,omitempty"`       // RSS beyond heap+stack in use, before
	GoroutinesBefore int64   `json:"goroutines_before,omitempty"`
	GoroutinesAfter  int64   `json:"goroutines_after,omitempty"`
	TargetKiB        float64 `json:"target_kib"`
	Conns            int     `json:"conns"`
}

// DeliveryReport counts events by seq: what each subscriber should have had from its
// subscription's head to the topic's final head, and what arrived.
type DeliveryReport struct {
	seqTotals
	FinalSeq   int64   `json:"final_seq"`
	Matched    int64   `json:"matched"` // deliveries matched to a request of this run (these have latencies)
	Unmatched  int64   `json:"unmatched"`
	Latency    Summary `json:"latency"`
	DrainSecs  float64 `json:"drain_seconds"`
	CaughtUp   int     `json:"caught_up_subscribers"`
	Requests   int64   `json:"requests_ok"`
	ExpectedRq int64   `json:"expected_from_requests"` // requests_ok x subscribers
}

// FanoutReport is the answers posted to the viewers.
type FanoutReport struct {
	Question   int64   `json:"question_id"`
	Answers    int     `json:"answers"`
	FrameBytes int     `json:"event_frame_bytes"`
	POST       Summary `json:"post_latency"`
	AllReached Summary `json:"all_reached"` // per answer: until the last viewer had it
}

// SustainReport is the paced event stream.
type SustainReport struct {
	Question     int64    `json:"question_id"`
	Event        string   `json:"event"`
	Posts        int      `json:"posts"`
	Voters       int      `json:"voters,omitempty"`
	TargetRate   float64  `json:"target_rate"`
	AchievedRate float64  `json:"achieved_rate"`
	DurationSecs float64  `json:"duration_seconds"`
	Sent         int64    `json:"sent"`
	Failed       int64    `json:"failed"`
	FailReasons  []Reason `json:"fail_reasons,omitempty"`
	POST         Summary  `json:"post_latency"`
	PacerLag     Summary  `json:"pacer_lag"` // how late requests left against the schedule
}

func (r *Report) problem(format string, a ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
}

func (r *Report) writeJSON(w io.Writer) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(r)
}

func kib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func lat(s Summary) string {
	if s.Count == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  (n=%d)", s.P50ms, s.P90ms, s.P99ms, s.MaxMs, s.Count)
}

func (r *Report) writeText(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("staffroom-load %s against %s", r.Scenario, r.URL)
	p("  machine: %d CPUs, load average %s before, %s after; open-file limit %d (hard %d)", r.CPUs, r.LoadBefore, r.LoadAfter, r.FileLimit.Soft, r.FileLimit.Hard)
	p("  ran %.1fs; the tool used %.1f CPU-seconds%s", r.Seconds, r.ToolCPUSeconds, func() string {
		if r.ServerCPU > 0 {
			return fmt.Sprintf(", the server %.1f", r.ServerCPU)
		}
		return ""
	}())
	if r.SetupError != "" {
		p("")
		p("SETUP FAILED: %s", r.SetupError)
	}
	c := r.Conns
	if c.Requested > 0 {
		p("")
		p("Connections: %d of %d open, %d subscribed to %q (dialed in %.1fs, subscribed by %.1fs); tool holds %d files",
			c.Connected, c.Requested, c.Subscribed, c.Topic, c.DialSeconds, c.SubscribeSeconds, c.OpenFiles)
		p("  disconnected during the run: %d; presence/typing frames received: %d", c.Disconnected, c.EphemeralFrames)
		reasons := func(title string, rs []Reason) {
			for i, x := range rs {
				if i == 0 {
					p("  %s:", title)
				}
				if i == 8 {
					p("    ... %d more kinds", len(rs)-8)
					break
				}
				p("    %6d  %s", x.Count, x.Reason)
			}
		}
		reasons("dial failures", c.DialErrors)
		reasons("disconnect reasons", c.Disconnects)
		reasons("error frames", c.ErrorFrames)
	}
	if m := r.Memory; m != nil {
		p("")
		p("Server memory (%s), %d connections:", r.MemorySource, m.Conns)
		p("  before %s, after %s, settled (min of samples) %s", kib(m.BeforeRSS), kib(m.AfterRSS), kib(m.SettledRSS))
		verdict := "meets"
		if m.SettledPerConnKi > m.TargetKiB {
			verdict = "MISSES"
		}
		p("  per connection: %.1f KiB right after, %.1f KiB settled: %s the %.0f KiB target", m.PerConnKiB, m.SettledPerConnKi, verdict, m.TargetKiB)
		if m.HeapPerConnKiB != 0 {
			p("  Go heap in use per connection: %.1f KiB; heap + goroutine stacks in use: %.1f KiB; goroutines %d -> %d",
				m.HeapPerConnKiB, m.InUsePerConnKiB, m.GoroutinesBefore, m.GoroutinesAfter)
		}
	}
	if f := r.Fanout; f != nil {
		p("")
		p("Fan-out: %d answers to question %d, event frames of ~%d bytes", f.Answers, f.Question, f.FrameBytes)
		p("  POST /answers:          %s", lat(f.POST))
		p("  answer to last viewer:  %s", lat(f.AllReached))
	}
	if s := r.Sustain; s != nil {
		p("")
		p("Sustained: %s events on question %d (%d posts%s), target %.0f/s for %.0fs", s.Event, s.Question, s.Posts,
			func() string {
				if s.Voters > 0 {
					return fmt.Sprintf(", %d voters", s.Voters)
				}
				return ""
			}(), s.TargetRate, s.DurationSecs)
		p("  sent %d requests, %d failed; achieved %.0f events/s", s.Sent, s.Failed, s.AchievedRate)
		for i, x := range s.FailReasons {
			if i == 8 {
				break
			}
			p("    %6d  %s", x.Count, x.Reason)
		}
		p("  POST latency:  %s", lat(s.POST))
		p("  pacer lag:     %s", lat(s.PacerLag))
	}
	if d := r.Delivery; d != nil {
		p("")
		p("Delivery (by seq, topic head %d): %d of %d expected events delivered to %d subscribers (%d caught up)",
			d.FinalSeq, d.Delivered, d.Expected, d.Subscribers, d.CaughtUp)
		p("  missing %d, seqs skipped over %d, duplicates %d, resets %d, incomplete subscribers %d",
			d.Missing, d.GapsSeen, d.Duplicates, d.Resets, d.Incomplete)
		p("  requests that succeeded x subscribers: %d; deliveries matched to them: %d (unmatched %d)", d.ExpectedRq, d.Matched, d.Unmatched)
		p("  latency from just before the POST to the frame: %s", lat(d.Latency))
	}
	if f := r.Floor; f != nil {
		p("")
		where := "after the websockets closed"
		if f.Concurrent {
			where = "while the websockets stayed open"
		}
		p("Bare TCP floor: one %d-byte write to each of %d sockets of the tool's own listener, %d rounds, %s", f.Bytes, f.Sockets, f.Rounds, where)
		p("  write to read:  %s", lat(f.Latency))
		p("  write loop:     %s", lat(f.WriteLoop))
		p("  delivered %d of %d", f.Delivered, f.Expected)
	}
	if r.Attack != nil {
		r.Attack.writeText(p, r.MemorySource)
	}
	if s := r.Search; s != nil {
		p("")
		p("Search: %s from %d clients for %.0fs, %d distinct queries (e.g. %q)", s.Endpoint, s.Workers, s.DurationSecs, s.Distinct, s.Examples)
		p("  %d sent, %d failed: %.0f queries/s", s.Sent, s.Failed, s.Rate)
		p("  latency:  %s", lat(s.Latency))
	}
	if len(r.Notes) > 0 {
		p("")
		p("Notes:")
		for _, n := range r.Notes {
			p("  - %s", n)
		}
	}
	p("")
	if r.OK && r.Attack != nil {
		p("RESULT: within the targets")
	} else if r.OK {
		p("RESULT: complete delivery")
	} else if r.SetupError == "" {
		p("RESULT: INCOMPLETE")
		for _, x := range r.Problems {
			p("  - %s", x)
		}
	}
}
