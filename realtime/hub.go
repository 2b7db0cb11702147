package realtime

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Config tunes the hub. Zero values take the defaults.
type Config struct {
	// SendQueue is how many frames may wait for a slow client before it is dropped.
	SendQueue int
	// MaxSubscriptions bounds the topics one connection may follow.
	MaxSubscriptions int
	// ReadLimit bounds one incoming frame; a bigger one closes the connection with 1009.
	ReadLimit int64
	// PingInterval is how often the server pings each client; PongWait is how long a
	// client may stay silent (no pong, no frame) before it is taken for dead.
	PingInterval, PongWait time.Duration
	// WriteWait bounds one write to a client.
	WriteWait time.Duration
	// SubscribeBurst and SubscribeEvery limit subscribe frames per connection: a burst
	// (a page subscribing to its topics), then one per SubscribeEvery.
	SubscribeBurst int
	SubscribeEvery time.Duration
	// TypingEvery is the least time between two typing events of one person in one topic.
	TypingEvery time.Duration
	// PresenceEvery is how often a topic's changed presence goes out, at most.
	PresenceEvery time.Duration
	// Unlimited lifts the subscribe and typing rates (load tests).
	Unlimited bool
	// Presence reports whether a topic tracks who is there (question pages, channels).
	Presence func(topic string) bool
	// PresenceNames reports whether a topic's presence names the people there (channels,
	// whose members know one another) or only counts them (public question pages, where
	// anyone could otherwise learn who is reading what).
	PresenceNames func(topic string) bool
	// Typing reports whether a topic takes typing events (channels).
	Typing func(topic string) bool
	Logger *slog.Logger
}

func (c *Config) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.SendQueue, 256)
	def(&c.MaxSubscriptions, 200)
	def(&c.SubscribeBurst, 200)
	if c.ReadLimit <= 0 {
		c.ReadLimit = 64 << 10
	}
	defDur(&c.PingInterval, 25*time.Second)
	defDur(&c.PongWait, 60*time.Second)
	defDur(&c.WriteWait, 10*time.Second)
	defDur(&c.SubscribeEvery, 100*time.Millisecond)
	defDur(&c.TypingEvery, 2*time.Second)
	defDur(&c.PresenceEvery, time.Second)
	if c.Presence == nil {
		c.Presence = func(topic string) bool {
			return strings.HasPrefix(topic, "question:") || strings.HasPrefix(topic, "channel:")
		}
	}
	if c.PresenceNames == nil {
		c.PresenceNames = func(topic string) bool { return strings.HasPrefix(topic, "channel:") }
	}
	if c.Typing == nil {
		c.Typing = func(topic string) bool { return strings.HasPrefix(topic, "channel:") }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// replayPage is how many logged events one read of the history returns.
const replayPage = 500

// Hub routes events to the connections subscribed to their topics.
type Hub struct {
	cfg       Config
	broker    Broker
	history   History
	authorize Authorizer

	// Batches from the broker wait here for the dispatcher. Unbounded, so that whoever
	// publishes (the database's writer, after a commit) never waits on a busy fan-out.
	inMu       sync.Mutex
	in         [][]Event
	inWake     chan struct{}
	stopBroker func()

	mu      sync.RWMutex
	topics  map[string]*topicSubs
	conns   map[*conn]struct{}
	dirty   map[string]struct{} // topics whose presence changed since it last went out
	closing bool
	nextID  uint64

	ctx    context.Context // ends when the hub closes
	cancel context.CancelFunc
	done   chan struct{} // the dispatcher and ticker have stopped
	live   sync.WaitGroup

	stats Stats
}

// topicSubs is one topic's subscribers and, for presence, who they are.
type topicSubs struct {
	subs   map[*conn]*subscription
	people map[int64]personCount // signed-in viewers, by user id
	anon   int
}

type personCount struct {
	name string
	n    int
}

// Stats are the hub's counters, for metrics and the load tool.
type Stats struct {
	Connections   atomic.Int64
	Subscriptions atomic.Int64
	Delivered     atomic.Int64 // event frames written
	Dropped       atomic.Int64 // slow clients disconnected
	Backlog       atomic.Int64 // events published and not yet fanned out
}

// NewHub starts a hub fed by broker.
func NewHub(cfg Config, broker Broker, history History, authorize Authorizer) *Hub {
	cfg.defaults()
	h := &Hub{
		cfg: cfg, broker: broker, history: history, authorize: authorize,
		inWake: make(chan struct{}, 1),
		topics: map[string]*topicSubs{}, conns: map[*conn]struct{}{}, dirty: map[string]struct{}{},
		done: make(chan struct{}),
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.stopBroker = broker.Subscribe(h.receive)
	go h.run()
	return h
}

// Stats returns the hub's live counters.
func (h *Hub) Stats() *Stats { return &h.stats }

// Publish sends events through the broker to every node's subscribers.
func (h *Hub) Publish(ctx context.Context, events []Event) error {
	return h.broker.Publish(ctx, events)
}

// receive takes a batch from the broker without waiting.
func (h *Hub) receive(events []Event) {
	h.inMu.Lock()
	h.in = append(h.in, events)
	h.stats.Backlog.Add(int64(len(events)))
	h.inMu.Unlock()
	select {
	case h.inWake <- struct{}{}:
	default:
	}
}

// run dispatches events and keeps time: pings and presence.
func (h *Hub) run() {
	defer close(h.done)
	tick := time.NewTicker(h.cfg.PresenceEvery)
	defer tick.Stop()
	pingEvery := max(1, int(h.cfg.PingInterval/h.cfg.PresenceEvery))
	round := 0
	for {
		select {
		case <-h.inWake:
			h.inMu.Lock()
			batches := h.in
			h.in = nil
			h.inMu.Unlock()
			for _, events := range batches {
				for _, e := range events {
					h.fanout(e)
				}
				h.stats.Backlog.Add(-int64(len(events)))
			}
		case <-tick.C:
			h.sendPresence()
			h.pingRound(round%pingEvery, pingEvery)
			round++
		case <-h.ctx.Done():
			return
		}
	}
}

// fanout queues one event for every subscriber of its topic. The frame is encoded once.
func (h *Hub) fanout(e Event) {
	h.mu.RLock()
	t := h.topics[e.Topic]
	if t == nil || len(t.subs) == 0 {
		h.mu.RUnlock()
		return
	}
	out := &outgoing{event: e}
	out.prepare()
	for c, sub := range t.subs {
		c.enqueue(item{kind: itemEvent, sub: sub, out: out})
	}
	h.mu.RUnlock()
}

// pingRound pings the connections of one slice of all, so that pings spread over the
// interval instead of arriving at once.
func (h *Hub) pingRound(slice, slices int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.conns {
		if int(c.id%uint64(slices)) == slice {
			c.enqueue(item{kind: itemPing})
		}
	}
}

// register admits a new connection; false once the hub is closing.
func (h *Hub) register(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.nextID++
	c.id = h.nextID
	h.conns[c] = struct{}{}
	h.live.Add(1)
	h.stats.Connections.Add(1)
	return true
}

// unregister forgets a connection and all its subscriptions.
func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	for topic, sub := range c.subs {
		h.removeLocked(c, topic, sub)
	}
	delete(h.conns, c)
	h.mu.Unlock()
	h.stats.Connections.Add(-1)
	h.live.Done()
}

// add subscribes c to topic, replacing any earlier subscription of c to it; false when c
// follows as many topics as it may.
func (h *Hub) add(c *conn, sub *subscription) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := c.subs[sub.topic]; old != nil {
		h.removeLocked(c, sub.topic, old)
	} else if len(c.subs) >= h.cfg.MaxSubscriptions {
		return false
	}
	t := h.topics[sub.topic]
	if t == nil {
		t = &topicSubs{subs: map[*conn]*subscription{}}
		h.topics[sub.topic] = t
	}
	t.subs[c] = sub
	c.subs[sub.topic] = sub
	h.stats.Subscriptions.Add(1)
	if h.cfg.Presence(sub.topic) {
		if c.who.UserID == 0 {
			t.anon++
		} else {
			if t.people == nil {
				t.people = map[int64]personCount{}
			}
			p := t.people[c.who.UserID]
			t.people[c.who.UserID] = personCount{name: c.who.Name, n: p.n + 1}
		}
		h.dirty[sub.topic] = struct{}{}
	}
	return true
}

// removeSub ends sub, if it is still c's subscription to its topic.
func (h *Hub) removeSub(c *conn, sub *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.subs[sub.topic] == sub {
		h.removeLocked(c, sub.topic, sub)
	}
}

// remove unsubscribes c from topic; false if it was not subscribed.
func (h *Hub) remove(c *conn, topic string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	sub := c.subs[topic]
	if sub == nil {
		return false
	}
	h.removeLocked(c, topic, sub)
	return true
}

func (h *Hub) removeLocked(c *conn, topic string, sub *subscription) {
	sub.cancelled.Store(true)
	delete(c.subs, topic)
	h.stats.Subscriptions.Add(-1)
	t := h.topics[topic]
	if t == nil {
		return
	}
	delete(t.subs, c)
	if h.cfg.Presence(topic) {
		if c.who.UserID == 0 {
			t.anon--
		} else if p := t.people[c.who.UserID]; p.n <= 1 {
			delete(t.people, c.who.UserID)
		} else {
			t.people[c.who.UserID] = personCount{name: p.name, n: p.n - 1}
		}
		h.dirty[topic] = struct{}{}
	}
	if len(t.subs) == 0 {
		delete(h.topics, topic)
	}
}

// Close tells every client the server is going away (1001, so that it reconnects and
// resumes elsewhere), waits until they are gone or ctx ends, and stops the hub.
func (h *Hub) Close(ctx context.Context) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return
	}
	h.closing = true
	conns := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	h.stopBroker()
	for _, c := range conns {
		c.shut(websocket.CloseGoingAway, "The server is restarting; reconnect and resume.")
	}
	gone := make(chan struct{})
	go func() { h.live.Wait(); close(gone) }()
	select {
	case <-gone:
	case <-ctx.Done():
		for _, c := range conns {
			c.abort()
		}
	}
	h.cancel()
	<-h.done
}
