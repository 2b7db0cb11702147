package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Client-side buffers are small: a connection's frames here are events of a few hundred
// bytes, and 19,900 of them must fit in one process beside the server.
const (
	clientReadBuffer  = 1024
	clientWriteBuffer = 512
	handshakeTimeout  = 30 * time.Second
	subscribeTimeout  = 60 * time.Second
)

// eventFunc is called on a connection's reader goroutine for each new logged event.
type eventFunc func(c *client, f *frame, recv time.Time)

// client is one websocket connection of the load tool, following at most one topic.
type client struct {
	idx  int
	ws   *websocket.Conn
	pool *pool
	seq  SeqTracker
	buf  []byte

	// counts is the scenario's per-post tally of this subscriber's events (reader only).
	counts []int32
}

// pool is the load tool's connections and what they have seen.
type pool struct {
	wsURL   string
	origin  string // sent when not empty
	onEvent eventFunc

	clients []*client
	mu      sync.Mutex // guards clients and the reason maps

	connected  atomic.Int64
	subscribed atomic.Int64
	ephemeral  atomic.Int64 // presence and typing frames (never seq-checked)
	logged     atomic.Int64 // logged event frames received
	stopping   atomic.Bool

	dialErrors   map[string]int
	disconnects  map[string]int
	errorFrames  map[string]int
	disconnected atomic.Int64
}

func newPool(base, origin string, onEvent eventFunc) (*pool, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("--url must be http:// or https://, not %q", base)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/ws"
	return &pool{wsURL: u.String(), origin: origin, onEvent: onEvent,
		dialErrors: map[string]int{}, disconnects: map[string]int{}, errorFrames: map[string]int{}}, nil
}

// open dials n connections, concurrency at a time, connection i with tokens[i%len] (no
// token: anonymous, which needs origin), and subscribes each to topic when it is not
// empty. It returns once all are dialed; subscriptions are confirmed by waitSubscribed.
func (p *pool) open(ctx context.Context, n int, tokens []string, topic string, concurrency int, progress func(done int)) {
	dialer := &websocket.Dialer{
		ReadBufferSize: clientReadBuffer, WriteBufferSize: clientWriteBuffer,
		HandshakeTimeout: handshakeTimeout,
		NetDialContext:   (&net.Dialer{Timeout: handshakeTimeout}).DialContext,
	}
	var sub []byte
	if topic != "" {
		sub = fmt.Appendf(nil, `{"type":"subscribe","topic":%q}`, topic)
	}
	next := make(chan int)
	var done atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(concurrency, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				h := http.Header{}
				if len(tokens) > 0 && tokens[i%len(tokens)] != "" {
					h.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
				}
				if p.origin != "" {
					h.Set("Origin", p.origin)
				}
				ws, resp, err := dialer.DialContext(ctx, p.wsURL, h)
				if err != nil {
					reason := err.Error()
					if resp != nil {
						reason = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, reason)
					}
					p.count(p.dialErrors, shortReason(reason))
				} else {
					c := &client{idx: i, ws: ws, pool: p}
					p.mu.Lock()
					p.clients = append(p.clients, c)
					p.mu.Unlock()
					p.connected.Add(1)
					go c.read()
					if sub != nil {
						if err := ws.WriteMessage(websocket.TextMessage, sub); err != nil {
							p.count(p.dialErrors, "subscribe write: "+shortReason(err.Error()))
						}
					}
				}
				if d := done.Add(1); progress != nil && d%1000 == 0 {
					progress(int(d))
				}
			}
		}()
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
}

// waitSubscribed waits until every open connection has its subscribed frame, or timeout.
func (p *pool) waitSubscribed(ctx context.Context, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if p.subscribed.Load()+p.disconnected.Load()+int64(p.errorFrameCount()) >= p.connected.Load() {
			return p.subscribed.Load() == p.connected.Load()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func (p *pool) errorFrameCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, v := range p.errorFrames {
		n += v
	}
	return n
}

func (p *pool) count(m map[string]int, reason string) {
	p.mu.Lock()
	m[reason]++
	p.mu.Unlock()
}

// reasons lists a reason map, most frequent first.
func (p *pool) reasons(m map[string]int) []Reason {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Reason, 0, len(m))
	for k, v := range m {
		out = append(out, Reason{Reason: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Count > out[j].Count || out[i].Count == out[j].Count && out[i].Reason < out[j].Reason
	})
	return out
}

// Reason is one kind of failure and how often it happened.
type Reason struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// shortReason keeps failure reasons groupable: addresses and ports vary per connection.
func shortReason(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.Contains(s, "->") {
		s = s[i+2:]
	}
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

// closeAll ends every connection; what happens to them from now on is not a failure.
func (p *pool) closeAll() {
	p.stopping.Store(true)
	p.mu.Lock()
	cs := p.clients
	p.mu.Unlock()
	for _, c := range cs {
		c.ws.Close()
	}
}

// read is the connection's reader: it answers pings (the library's default handler) and
// accounts for every frame.
func (c *client) read() {
	p := c.pool
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			if !p.stopping.Load() {
				p.disconnected.Add(1)
				reason := err.Error()
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					reason = fmt.Sprintf("close %d %s", ce.Code, ce.Text)
				}
				p.count(p.disconnects, shortReason(reason))
			}
			return
		}
		recv := time.Now()
		c.buf, err = readInto(c.buf[:0], r)
		if err != nil {
			continue // the next NextReader reports the broken connection
		}
		f, ok := parseFrame(c.buf)
		if !ok {
			p.count(p.errorFrames, "unparseable frame: "+string(c.buf[:min(len(c.buf), 80)]))
			continue
		}
		switch f.Type {
		case "subscribed":
			c.seq.Start(f.Seq)
			p.subscribed.Add(1)
		case "event":
			if f.Ephemeral || !f.HasSeq {
				p.ephemeral.Add(1)
				continue
			}
			p.logged.Add(1)
			if c.seq.Observe(f.Seq) && p.onEvent != nil {
				p.onEvent(c, &f, recv)
			}
		case "reset":
			c.seq.Reset(f.Seq)
		case "error":
			p.count(p.errorFrames, f.Code+": "+f.Message)
		}
	}
}

func readInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// seqTotals sums the subscriptions' seq accounting against the topic's final head.
type seqTotals struct {
	Subscribers int64 `json:"subscribers"`
	Expected    int64 `json:"expected"`
	Delivered   int64 `json:"delivered"`
	Missing     int64 `json:"missing"`
	GapsSeen    int64 `json:"gap_seqs_seen"`
	Duplicates  int64 `json:"duplicates"`
	Resets      int64 `json:"resets"`
	Incomplete  int64 `json:"incomplete_subscribers"`
}

func (p *pool) seqTotals(final int64) seqTotals {
	p.mu.Lock()
	cs := p.clients
	p.mu.Unlock()
	var t seqTotals
	for _, c := range cs {
		if !c.seq.started.Load() {
			continue
		}
		t.Subscribers++
		e, d := c.seq.Expected(final), c.seq.DeliveredUpTo(final)
		t.Expected += e
		t.Delivered += d
		if d < e {
			t.Incomplete++
		}
		t.GapsSeen += c.seq.missing.Load()
		t.Duplicates += c.seq.dups.Load()
		t.Resets += c.seq.resets.Load()
	}
	t.Missing = t.Expected - t.Delivered
	return t
}

// caughtUp reports how many subscribers have seen final.
func (p *pool) caughtUp(final int64) (done, total int) {
	p.mu.Lock()
	cs := p.clients
	p.mu.Unlock()
	for _, c := range cs {
		if !c.seq.started.Load() {
			continue
		}
		total++
		if c.seq.last.Load() >= final {
			done++
		}
	}
	return done, total
}

// topicHead asks the server for a topic's head seq by subscribing one more connection.
func topicHead(ctx context.Context, wsURL, origin, token, topic string) (int64, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := &websocket.Dialer{HandshakeTimeout: handshakeTimeout}
	ws, _, err := d.DialContext(ctx, wsURL, h)
	if err != nil {
		return 0, err
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"subscribe","topic":%q}`, topic)); err != nil {
		return 0, err
	}
	ws.SetReadDeadline(time.Now().Add(subscribeTimeout))
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return 0, err
		}
		f, ok := parseFrame(b)
		if !ok {
			continue
		}
		switch f.Type {
		case "subscribed":
			return f.Seq, nil
		case "error":
			return 0, fmt.Errorf("subscribe %s: %s: %s", topic, f.Code, f.Message)
		}
	}
}
