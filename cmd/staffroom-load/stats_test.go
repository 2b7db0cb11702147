package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		var h Histogram
		if q := h.Quantile(0.99); q != 0 {
			t.Fatalf("p99 of nothing = %v, want 0", q)
		}
		if s := h.Summarize(); s.Count != 0 || s.MaxMs != 0 {
			t.Fatalf("summary of nothing = %+v", s)
		}
	})
	t.Run("one to a hundred ms: nearest rank", func(t *testing.T) {
		var h Histogram
		for i := 100; i >= 1; i-- {
			h.Record(time.Duration(i) * time.Millisecond)
		}
		for _, c := range []struct {
			q    float64
			want time.Duration
		}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
			got := h.Quantile(c.q)
			if !near(got, c.want) {
				t.Errorf("q%.3f = %v, want %v within 1%%", c.q, got, c.want)
			}
		}
		if h.Max() != 100*time.Millisecond {
			t.Errorf("max = %v, want exactly 100ms", h.Max())
		}
	})
	t.Run("random samples agree with sorting", func(t *testing.T) {
		var h Histogram
		r := rand.New(rand.NewPCG(1, 2))
		var all []time.Duration
		for range 100000 {
			d := time.Duration(r.ExpFloat64() * float64(20*time.Millisecond))
			all = append(all, d)
			h.Record(d)
		}
		slices.Sort(all)
		for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
			want := all[int(math.Ceil(q*float64(len(all))))-1]
			if got := h.Quantile(q); !near(got, want) {
				t.Errorf("q%v = %v, exact %v", q, got, want)
			}
		}
	})
	t.Run("never above the max, negative as zero", func(t *testing.T) {
		var h Histogram
		h.Record(-time.Second)
		h.Record(1234567 * time.Nanosecond)
		if got := h.Quantile(1); got != 1234567*time.Nanosecond {
			t.Errorf("p100 = %v, want the exact max", got)
		}
		if got := h.Quantile(0.5); got != 0 {
			t.Errorf("p50 = %v, want 0", got)
		}
	})
}

// near allows the histogram's precision: under 1% (plus the microsecond it rounds to).
func near(got, want time.Duration) bool {
	diff := math.Abs(float64(got - want))
	return diff <= float64(want)/100+float64(time.Microsecond)
}

func TestBuckets(t *testing.T) {
	prev := -1
	for us := uint64(0); us < 1<<22; us += 1 + us/1000 {
		b := bucketOf(us)
		if b < prev {
			t.Fatalf("bucketOf(%d) = %d, below the previous %d", us, b, prev)
		}
		if hi := bucketHigh(b); hi < us || (b > 0 && bucketHigh(b-1) >= us) {
			t.Fatalf("value %d in bucket %d whose range ends at %d (previous ends %d)", us, b, hi, bucketHigh(b-1))
		}
		prev = b
	}
}

func TestSeqTracker(t *testing.T) {
	cases := []struct {
		name                   string
		head                   int64
		seqs                   []int64
		final                  int64
		delivered, missing     int64
		dups, expected, caught int64
	}{
		{name: "in order", head: 10, seqs: []int64{11, 12, 13}, final: 13, delivered: 3, expected: 3},
		{name: "a gap is missing events", head: 0, seqs: []int64{1, 2, 5, 6}, final: 6, delivered: 4, missing: 2, expected: 6},
		{name: "lost tail", head: 5, seqs: []int64{6}, final: 9, delivered: 1, expected: 4},
		{name: "duplicates are not delivered twice", head: 0, seqs: []int64{1, 2, 2, 1, 3}, final: 3, delivered: 3, dups: 2, expected: 3},
		{name: "events past the final head are not counted", head: 0, seqs: []int64{1, 2, 3, 4}, final: 2, delivered: 2, expected: 2},
		{name: "nothing happened", head: 7, final: 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tr SeqTracker
			tr.Start(c.head)
			for _, s := range c.seqs {
				tr.Observe(s)
			}
			if got := tr.DeliveredUpTo(c.final); got != c.delivered {
				t.Errorf("delivered = %d, want %d", got, c.delivered)
			}
			if got := tr.Expected(c.final); got != c.expected {
				t.Errorf("expected = %d, want %d", got, c.expected)
			}
			if got := tr.missing.Load(); got != c.missing {
				t.Errorf("seqs skipped = %d, want %d", got, c.missing)
			}
			if got := tr.dups.Load(); got != c.dups {
				t.Errorf("duplicates = %d, want %d", got, c.dups)
			}
		})
	}
	t.Run("reset counts what was skipped", func(t *testing.T) {
		var tr SeqTracker
		tr.Start(3)
		tr.Observe(4)
		tr.Reset(10)
		tr.Observe(11)
		if tr.missing.Load() != 6 || tr.resets.Load() != 1 || tr.DeliveredUpTo(11) != 2 || tr.Expected(11) != 8 {
			t.Errorf("missing %d resets %d delivered %d expected %d", tr.missing.Load(), tr.resets.Load(), tr.DeliveredUpTo(11), tr.Expected(11))
		}
	})
	t.Run("not subscribed expects nothing", func(t *testing.T) {
		var tr SeqTracker
		if tr.Expected(100) != 0 {
			t.Error("a subscription that never started expects events")
		}
	})
}

func TestParseFrame(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want frame
		ok   bool
	}{
		{"subscribed", `{"type":"subscribed","topic":"question:42","seq":17}`, frame{Type: "subscribed", Topic: "question:42", Seq: 17, HasSeq: true}, true},
		{"event", `{"type":"event","topic":"question:4","seq":5,"event":"vote.changed","data":{"post_id":9,"score":-2}}`,
			frame{Type: "event", Topic: "question:4", Seq: 5, HasSeq: true, Event: "vote.changed", Data: []byte(`{"post_id":9,"score":-2}`)}, true},
		{"ephemeral", `{"type":"event","topic":"question:4","event":"presence.changed","ephemeral":true,"data":{"count":3,"users":[{"id":1,"name":"A \"q\" }"}]}}`,
			frame{Type: "event", Topic: "question:4", Event: "presence.changed", Ephemeral: true, Data: []byte(`{"count":3,"users":[{"id":1,"name":"A \"q\" }"}]}`)}, true},
		{"error", `{"type":"error","topic":"question:1","code":"not_found","message":"No \u00e9 such topic."}`,
			frame{Type: "error", Topic: "question:1", Code: "not_found", Message: "No é such topic."}, true},
		{"spaces and key order", " { \"seq\" : 3 , \"type\" : \"event\" } ", frame{Type: "event", Seq: 3, HasSeq: true}, true},
		{"not an object", `[1,2]`, frame{}, false},
		{"truncated", `{"type":"event","data":{"a":1}`, frame{}, false},
		{"no type", `{"topic":"x"}`, frame{Topic: "x"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := parseFrame([]byte(c.in))
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			gd, wd := string(got.Data), string(c.want.Data)
			got.Data, c.want.Data = nil, nil
			if fmt.Sprint(got) != fmt.Sprint(c.want) || gd != wd {
				t.Errorf("got %+v data %s\nwant %+v data %s", got, gd, c.want, wd)
			}
		})
	}
}

func TestParseFrameAgreesWithEncodingJSON(t *testing.T) {
	// Frames as the server encodes them, with awkward user content in data.
	bodies := []string{"plain", `quotes " and \ backslashes`, "{braces} [brackets] ,commas:", "unicode é 漢字 \u2028", "lt1a2b3ck17. marker"}
	for i, body := range bodies {
		data, _ := json.Marshal(map[string]any{"id": 100 + i, "question_id": 7, "body": body, "body_html": "<p>" + body + "</p>", "nested": map[string]any{"seq": 999, "a": []any{1, "}", nil, true}}})
		seq := int64(i + 1)
		b, _ := json.Marshal(struct {
			Type  string          `json:"type"`
			Topic string          `json:"topic"`
			Seq   int64           `json:"seq"`
			Event string          `json:"event"`
			Data  json.RawMessage `json:"data"`
		}{"event", "question:7", seq, "answer.created", data})
		f, ok := parseFrame(b)
		if !ok || f.Seq != seq || f.Event != "answer.created" || string(f.Data) != string(data) {
			t.Errorf("frame %d: ok=%v %+v", i, ok, f)
		}
		if id, ok := dataInt(f.Data, "id"); !ok || id != int64(100+i) {
			t.Errorf("frame %d: data.id = %d, %v", i, id, ok)
		}
	}
}

func TestMarkerIndex(t *testing.T) {
	prefix := []byte("ltabc123a")
	cases := []struct {
		in   string
		n    int
		want bool
	}{
		{`"body":"Load answer ltabc123a17. Posted"`, 17, true},
		{`"body_html":"<p>Load answer ltabc123a0.</p>"`, 0, true},
		{`ltabc123a17 no dot`, 0, false},
		{`ltabc123a. no digits`, 0, false},
		{`ltzzz123a5. another run`, 0, false},
	}
	for _, c := range cases {
		n, ok := markerIndex([]byte(c.in), prefix)
		if ok != c.want || (ok && n != c.n) {
			t.Errorf("markerIndex(%q) = %d, %v; want %d, %v", c.in, n, ok, c.n, c.want)
		}
	}
}

func TestParseMetrics(t *testing.T) {
	in := "# HELP x\nprocess_resident_memory_bytes 5.4730752e+07\ngo_goroutines 17\nhttp_requests_total{route=\"/\"} 4\n"
	m := parseMetrics(strings.NewReader(in))
	if m["process_resident_memory_bytes"] != 54730752 || m["go_goroutines"] != 17 || len(m) != 2 {
		t.Errorf("parseMetrics = %v", m)
	}
}
