package realtime

import (
	"context"
	"fmt"
	"log/slog"
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
	// MaxConns caps the connections held at once: past it an upgrade is refused with
	// ErrFull. MaxConnsPerAddr caps the signed-in connections from one address, and
	// MaxAnonConnsPerAddr the anonymous ones: past them, ErrTooManyFromAddr.
	MaxConns, MaxConnsPerAddr, MaxAnonConnsPerAddr int
	// IdleTimeout closes an anonymous connection that has followed no topic for this long:
	// it costs memory and serves nobody.
	IdleTimeout time.Duration
	// MaxReplayEvents and MaxReplayBytes bound one replay (a subscribe's since, a gap):
	// past either, the client is answered reset and reloads instead. ReplayBudget bounds
	// the bytes of event data replayed to one connection per minute, and
	// ReplayBudgetPerAddr to one address (reconnecting buys no fresh budget); past
	// either, reset too.
	MaxReplayEvents, MaxReplayBytes, ReplayBudget, ReplayBudgetPerAddr int
	// Recheck tells whether a signed-in connection's Identity still holds: nil, or
	// ErrSignedOut to close it (4401), or another error (logged; the connection stays).
	// It is asked about every RecheckEvery, on the ping rounds, and at once for a
	// person's connections on RecheckUser. Nil: identities are never checked again.
	Recheck      func(ctx context.Context, who Identity) error
	RecheckEvery time.Duration
	// Unlimited lifts the subscribe and typing rates, the per-address connection caps and
	// the replay budget (load tests). MaxConns and the replay bounds stay.
	Unlimited bool
	// HasPresence reports whether a topic tells its viewers how many are there, and
	// NamesPresence whether it also names the signed-in ones; AllowsTyping whether it
	// takes typing events. Topics are the wiring's, and so are these rules. Nil: no topic
	// does.
	HasPresence, NamesPresence, AllowsTyping func(topic string) bool
	Logger                                   *slog.Logger
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
	def(&c.MaxConns, DefaultMaxConns)
	def(&c.MaxConnsPerAddr, DefaultMaxConnsPerAddr)
	def(&c.MaxAnonConnsPerAddr, DefaultMaxAnonConnsPerAddr)
	def(&c.MaxReplayEvents, DefaultMaxReplayEvents)
	def(&c.MaxReplayBytes, DefaultMaxReplayBytes)
	def(&c.ReplayBudget, DefaultReplayBudget)
	def(&c.ReplayBudgetPerAddr, DefaultReplayBudgetPerAddr)
	c.ReplayBudget = max(c.ReplayBudget, c.MaxReplayBytes) // else a full replay could never pass
	c.ReplayBudgetPerAddr = max(c.ReplayBudgetPerAddr, c.ReplayBudget)
	defDur(&c.IdleTimeout, DefaultIdleTimeout)
	defDur(&c.RecheckEvery, DefaultRecheckEvery)
	if c.ReadLimit <= 0 {
		c.ReadLimit = 64 << 10
	}
	defDur(&c.PingInterval, 25*time.Second)
	defDur(&c.PongWait, 60*time.Second)
	defDur(&c.WriteWait, 10*time.Second)
	defDur(&c.SubscribeEvery, 100*time.Millisecond)
	defDur(&c.TypingEvery, 2*time.Second)
	defDur(&c.PresenceEvery, time.Second)
	no := func(string) bool { return false }
	for _, p := range []*func(string) bool{&c.HasPresence, &c.NamesPresence, &c.AllowsTyping} {
		if *p == nil {
			*p = no
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Default caps. The per-address ones are generous because a school's whole staff may
// share one address behind its NAT.
const (
	// DefaultMaxConns: the open-file limit here is 20,000 per process.
	DefaultMaxConns = 20000
	// DefaultMaxConnsPerAddr: a school of teachers, each with a few tabs.
	DefaultMaxConnsPerAddr = 200
	// DefaultMaxAnonConnsPerAddr: readers who have not signed in, from one address.
	DefaultMaxAnonConnsPerAddr = 50
	// DefaultIdleTimeout: a page subscribes as soon as it connects; a minute without a
	// topic is not a page.
	DefaultIdleTimeout = time.Minute
	// DefaultMaxReplayEvents: more missed events than this, and reloading the page is
	// cheaper for both sides than replaying them.
	DefaultMaxReplayEvents = 500
	// DefaultMaxReplayBytes: the same in bytes, as one event may carry a whole post.
	DefaultMaxReplayBytes = 1 << 20
	// DefaultReplayBudget: a page that reconnects replays a few topics; a connection that
	// asks for more than this a minute is fetching the log, not resuming.
	DefaultReplayBudget = 4 << 20
	// DefaultReplayBudgetPerAddr: a school's staff resuming at once after a restart
	// replays a few kilobytes each.
	DefaultReplayBudgetPerAddr = 32 << 20
	// DefaultRecheckEvery: how stale a connection's idea of its sign-in may be when it
	// was changed where the hub does not hear of it (another process, another node).
	DefaultRecheckEvery = time.Minute
)

// Close codes the hub sends besides the standard ones.
const (
	// CloseSignedOut ends a connection whose sign-in ended or changed: the client
	// reconnects as whoever it now is.
	CloseSignedOut  = 4401
	signedOutReason = "Your sign-in ended or changed; reconnect."
)

// ticketTTL is how long a place held at the upgrade's check waits for its connection to
// start; an upgrade whose answer never reached the client never starts.
const ticketTTL = 10 * time.Second

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

	// Places held, in all and by address: connections, and upgrades between their check
	// and their start (tickets). Guarded by mu.
	held    int
	addrs   map[string]*addrConns
	tickets map[*ticket]struct{}
	epoch   time.Time // clock() counts from here

	addrReplays addrReplays

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

// addrConns counts one address's places.
type addrConns struct{ anon, signed int }

// ticket holds a connection's place from the upgrade's check until the connection starts.
type ticket struct {
	who Identity
	at  time.Duration // clock()
}

// Stats are the hub's counters, for metrics and the load tool.
type Stats struct {
	Connections   atomic.Int64
	Subscriptions atomic.Int64
	Delivered     atomic.Int64 // event frames written
	Dropped       atomic.Int64 // slow clients disconnected
	Refused       atomic.Int64 // upgrades refused at a connection cap
	Backlog       atomic.Int64 // events published and not yet fanned out
}

// NewHub starts a hub fed by broker.
func NewHub(cfg Config, broker Broker, history History, authorize Authorizer) *Hub {
	cfg.defaults()
	h := &Hub{
		cfg: cfg, broker: broker, history: history, authorize: authorize,
		inWake: make(chan struct{}, 1),
		topics: map[string]*topicSubs{}, conns: map[*conn]struct{}{}, dirty: map[string]struct{}{},
		addrs: map[string]*addrConns{}, tickets: map[*ticket]struct{}{}, epoch: time.Now(),
		done: make(chan struct{}),
	}
	h.addrReplays.limit = cfg.ReplayBudgetPerAddr
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.stopBroker = broker.Subscribe(h.receive)
	go h.run()
	return h
}

// Stats returns the hub's live counters.
func (h *Hub) Stats() *Stats { return &h.stats }

// Publish sends events through the broker to every node's subscribers. An error is the
// broker's: the events did not leave this node.
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
			h.pingRound(round, pingEvery)
			h.expireTickets()
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

// clock is the time since the hub started: monotonic, and 8 bytes in a connection.
func (h *Hub) clock() time.Duration { return time.Since(h.epoch) }

// pingRound visits the connections of one slice of all, so that the work spreads over the
// ping interval instead of arriving at once: it pings each, closes anonymous ones that
// follow nothing, and every few rounds has signed-in ones check their sign-in again. Each
// connection is visited once per PingInterval; this sweep is all the timing a connection
// gets, so that an idle one holds no timer and no goroutine of its own.
func (h *Hub) pingRound(round, slices int) {
	slice := round % slices
	now := h.clock()
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.conns {
		if int(c.id%uint64(slices)) != slice {
			continue
		}
		switch {
		case c.who.UserID == 0:
			if len(c.subs) == 0 && now-c.idleSince >= h.cfg.IdleTimeout {
				c.shut(websocket.ClosePolicyViolation, fmt.Sprintf("No topic followed for %s.", h.cfg.IdleTimeout))
				continue
			}
		case h.cfg.Recheck != nil && now-c.checkedAt >= h.cfg.RecheckEvery:
			c.checkedAt = now // the hub's goroutine alone reads and writes it after register
			c.enqueue(item{kind: itemRecheck})
		}
		c.enqueue(item{kind: itemPing})
	}
}

// admit holds a place for a connection about to be upgraded, or refuses it at a cap.
func (h *Hub) admit(who Identity) (*ticket, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held >= h.cfg.MaxConns {
		h.stats.Refused.Add(1)
		return nil, ErrFull
	}
	if a := h.addrs[who.Addr]; a != nil && !h.cfg.Unlimited {
		if who.UserID == 0 && a.anon >= h.cfg.MaxAnonConnsPerAddr || who.UserID != 0 && a.signed >= h.cfg.MaxConnsPerAddr {
			h.stats.Refused.Add(1)
			return nil, ErrTooManyFromAddr
		}
	}
	h.holdLocked(who)
	t := &ticket{who: who, at: h.clock()}
	h.tickets[t] = struct{}{}
	return t, nil
}

func (h *Hub) holdLocked(who Identity) {
	h.held++
	a := h.addrs[who.Addr]
	if a == nil {
		a = &addrConns{}
		h.addrs[who.Addr] = a
	}
	if who.UserID == 0 {
		a.anon++
	} else {
		a.signed++
	}
}

func (h *Hub) releaseLocked(who Identity) {
	h.held--
	a := h.addrs[who.Addr]
	if a == nil {
		return
	}
	if who.UserID == 0 {
		a.anon--
	} else {
		a.signed--
	}
	if a.anon <= 0 && a.signed <= 0 {
		delete(h.addrs, who.Addr)
	}
}

// cancelTicket gives back the place of an upgrade that failed.
func (h *Hub) cancelTicket(t *ticket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.tickets[t]; ok {
		delete(h.tickets, t)
		h.releaseLocked(t.who)
	}
}

// expireTickets gives back the places of upgrades that never started.
func (h *Hub) expireTickets() {
	now := h.clock()
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range h.tickets {
		if now-t.at > ticketTTL {
			delete(h.tickets, t)
			h.releaseLocked(t.who)
		}
	}
}

// register admits a new connection into the place its ticket held; false once the hub
// is closing.
func (h *Hub) register(c *conn, t *ticket) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.tickets[t]; ok {
		delete(h.tickets, t)
	} else {
		h.holdLocked(c.who) // the ticket expired first: the place is taken again
	}
	if h.closing {
		h.releaseLocked(c.who)
		return false
	}
	h.nextID++
	c.id = h.nextID
	c.idleSince = h.clock()
	c.checkedAt = c.idleSince // its sign-in was checked at the upgrade
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
	h.releaseLocked(c.who)
	h.mu.Unlock()
	h.stats.Connections.Add(-1)
	h.live.Done()
}

// CloseIdentity closes at once the connections of userID that the credential named key
// authenticated (its Identity.Key): that sign-in has ended. It returns how many. Nothing
// more reaches them: their subscriptions end before the close frame is queued.
func (h *Hub) CloseIdentity(userID int64, key string) int {
	h.mu.Lock()
	var ended []*conn
	for c := range h.conns {
		if c.who.UserID == userID && c.who.Key == key {
			h.endLocked(c)
			ended = append(ended, c)
		}
	}
	h.mu.Unlock()
	for _, c := range ended {
		c.signOut()
	}
	return len(ended)
}

// RecheckUser has every connection of userID ask Config.Recheck at once whether its
// sign-in still holds: some of the person's sessions or tokens ended, or their role
// changed. Those that no longer hold are closed.
func (h *Hub) RecheckUser(userID int64) {
	if h.cfg.Recheck == nil || userID == 0 {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.conns {
		if c.who.UserID == userID {
			c.enqueue(item{kind: itemRecheck})
		}
	}
}

// endLocked ends every subscription of a connection whose sign-in ended, and keeps it
// from subscribing again while its close goes out.
func (h *Hub) endLocked(c *conn) {
	c.ended = true
	for topic, sub := range c.subs {
		h.removeLocked(c, topic, sub)
	}
}

// Outcomes of add.
const (
	added = iota
	addFull
	addEnded
)

// add subscribes c to topic, replacing any earlier subscription of c to it. It refuses
// (addFull) when c follows as many topics as it may, and (addEnded) when c's sign-in has
// ended.
func (h *Hub) add(c *conn, sub *subscription) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.ended {
		return addEnded
	}
	if old := c.subs[sub.topic]; old != nil {
		h.removeLocked(c, sub.topic, old)
	} else if len(c.subs) >= h.cfg.MaxSubscriptions {
		return addFull
	}
	t := h.topics[sub.topic]
	if t == nil {
		t = &topicSubs{subs: map[*conn]*subscription{}}
		h.topics[sub.topic] = t
	}
	t.subs[c] = sub
	c.subs[sub.topic] = sub
	h.stats.Subscriptions.Add(1)
	if h.cfg.HasPresence(sub.topic) {
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
	return added
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
	if len(c.subs) == 0 {
		c.idleSince = h.clock()
	}
	h.stats.Subscriptions.Add(-1)
	t := h.topics[topic]
	if t == nil {
		return
	}
	delete(t.subs, c)
	if h.cfg.HasPresence(topic) {
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
