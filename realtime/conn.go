package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"golang.org/x/time/rate"
)

// conn is one client. Its reader runs on the goroutine the upgrade handed over; a writer
// goroutine exists only while frames wait, so an idle connection costs no goroutine of
// its own beyond the reader.
type conn struct {
	hub *Hub
	ws  *websocket.Conn
	raw net.Conn // the socket itself, for deadlines from any goroutine
	who Identity
	id  uint64

	// subs, ended and idleSince are guarded by hub.mu.
	subs      map[string]*subscription
	ended     bool          // the sign-in ended: closing, no more subscriptions
	idleSince time.Duration // hub.clock() when subs last became empty
	checkedAt time.Duration // hub.clock() at the last check of the sign-in: the hub goroutine's

	mu      sync.Mutex
	queue   []item
	writing bool
	closed  bool
	writers sync.WaitGroup // the writer goroutine, while it runs
	out     []byte         // frames gathered for one write; the writer's alone

	subscribeRate *rate.Limiter // the writer's
	replayed      *replayBudget // the writer's; nil until the first replay
	typedMu       sync.Mutex
	typedAt       map[string]time.Time // when this person last typed, by topic

	ctx    context.Context
	cancel context.CancelFunc
}

// subscription is one topic followed by one connection. last and ready belong to the
// connection's writer: events arrive in the queue in order and the writer alone decides,
// by seq, which are new.
type subscription struct {
	topic     string
	since     int64
	hasSince  bool
	cancelled atomic.Bool

	ready bool
	last  int64
}

type itemKind uint8

const (
	itemEvent itemKind = iota
	itemSubscribe
	itemUnsubscribe
	itemFrame    // a prepared reply to this client
	itemIncoming // a frame from the client, to be handled
	itemPing
	itemPong
	itemClose
	itemRecheck // ask Config.Recheck whether the sign-in still holds
)

type item struct {
	kind  itemKind
	sub   *subscription // events; and the subscription a subscribe asks for
	out   *outgoing
	frame []byte
	code  int
	topic string // unsubscribe
}

// outgoing is one event as every subscriber receives it, encoded and framed once.
type outgoing struct {
	event Event
	frame []byte // the whole websocket frame, header included
}

func (o *outgoing) prepare() { o.frame = appendFrame(nil, opText, eventFrame(o.event)) }

// enqueue queues an item for the writer, starting it if it is not running. A client whose
// queue is full is too slow to keep up: it is dropped, and resumes when it reconnects.
func (c *conn) enqueue(it item) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= c.hub.cfg.SendQueue && it.kind != itemClose {
		// Its writer is stuck on a full socket: end the connection now rather than wait
		// out the write deadline. The client reconnects and resumes with since.
		c.closed = true
		c.queue = nil
		c.mu.Unlock()
		c.hub.stats.Dropped.Add(1)
		c.hub.cfg.Logger.Info("websocket client too slow: dropped", "user", c.who.UserID, "queue", c.hub.cfg.SendQueue)
		c.abort()
		return
	}
	c.queue = append(c.queue, it)
	if !c.writing {
		c.writing = true
		c.writers.Add(1)
		go c.write()
	}
	c.mu.Unlock()
}

// reply queues a frame for this client alone.
func (c *conn) reply(frame []byte) { c.enqueue(item{kind: itemFrame, frame: frame}) }

// shut queues a close frame behind what is already queued.
func (c *conn) shut(code int, text string) {
	c.enqueue(item{kind: itemClose, code: code, frame: websocket.FormatCloseMessage(code, text)})
}

// Writing. The writer frames whatever is queued into one buffer and hands it to the socket
// in one write: a client that receives ten events in a burst costs one system call, not
// ten, which is what lets one busy topic feed hundreds of clients. (The websocket library
// writes one message per call; its framing of a server's frame is a few bytes of header,
// done here by appendFrame. Reading stays with the library.)

// maxBuffered is how much the writer gathers before it writes.
const maxBuffered = 64 << 10

var outBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// flush writes the gathered frames.
func (c *conn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	c.raw.SetWriteDeadline(time.Now().Add(c.hub.cfg.WriteWait))
	_, err := c.raw.Write(c.out)
	c.out = c.out[:0]
	return err
}

// gather adds a frame, writing first if the buffer is full.
func (c *conn) gather(op byte, payload []byte) error {
	if len(c.out) > maxBuffered {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.out = appendFrame(c.out, op, payload)
	return nil
}

// write drains the queue and exits when it is empty. Everything a subscription does that
// touches the database (authorizing it, reading its head, replaying) happens here too, on
// a goroutine that ends when the queue is empty: the reader's stack stays shallow, and a
// deep one is not kept for the life of an idle connection.
func (c *conn) write() {
	defer c.writers.Done()
	buf := outBuffers.Get().(*[]byte)
	c.out = (*buf)[:0]
	// done gives the buffer back; it runs before writing turns false, as the next writer
	// may start at once after.
	done := func() {
		if cap(c.out) <= 4*maxBuffered { // a huge replay's buffer is not kept
			*buf = c.out[:0]
			outBuffers.Put(buf)
		}
		c.out = nil
	}
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			done()
			c.writing = false
			c.mu.Unlock()
			return
		}
		// The queue's array goes with the batch: an idle connection keeps none.
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		for i := range batch {
			if c.ctx.Err() != nil { // aborted: leave the rest, the connection is ending
				c.mu.Lock()
				done()
				c.writing = false
				c.mu.Unlock()
				return
			}
			err := c.process(&batch[i])
			if err == nil && i == len(batch)-1 {
				err = c.flush()
			}
			if err != nil {
				c.mu.Lock()
				done()
				c.closed, c.queue, c.writing = true, nil, false
				c.mu.Unlock()
				c.abort()
				return
			}
		}
	}
}

// errClosing ends the writer after a close frame.
var errClosing = errors.New("realtime: connection closing")

func (c *conn) process(it *item) error {
	switch it.kind {
	case itemFrame:
		return c.send(it.frame)
	case itemIncoming:
		c.handle(it.frame)
		return nil
	case itemPing:
		return c.gather(opPing, nil)
	case itemPong:
		return c.gather(opPong, it.frame)
	case itemClose:
		if err := c.gather(opClose, it.frame); err == nil {
			c.flush()
		}
		return errClosing
	case itemSubscribe:
		return c.start(it.sub)
	case itemUnsubscribe:
		if !c.hub.remove(c, it.topic) {
			return c.send(errorFrame(it.topic, CodeBadRequest, "You are not subscribed to this topic."))
		}
		c.forgetTyping(it.topic)
		return c.send(encodeFrame(serverFrame{Type: typeUnsubscribed, Topic: it.topic}))
	case itemEvent:
		return c.deliver(it.sub, it.out)
	case itemRecheck:
		return c.recheck()
	}
	return nil
}

// recheck asks the wiring whether the connection's sign-in still holds, and closes it
// with CloseSignedOut when not: the close goes out ahead of anything still queued.
func (c *conn) recheck() error {
	h := c.hub
	err := h.cfg.Recheck(c.ctx, c.who)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrSignedOut):
		h.mu.Lock()
		h.endLocked(c)
		h.mu.Unlock()
		if err := c.gather(opClose, websocket.FormatCloseMessage(CloseSignedOut, signedOutReason)); err == nil {
			c.flush()
		}
		return errClosing
	default:
		if c.ctx.Err() == nil {
			h.cfg.Logger.Error("websocket recheck", "user", c.who.UserID, "err", err)
		}
		return nil // the store is away: keep the connection, ask again next round
	}
}

// signOut closes the connection from any goroutine, dropping what it had queued: that
// was for a sign-in that has ended. The hub has already ended its subscriptions.
func (c *conn) signOut() {
	c.mu.Lock()
	c.queue = nil
	c.mu.Unlock()
	c.shut(CloseSignedOut, signedOutReason)
}

func (c *conn) send(frame []byte) error { return c.gather(opText, frame) }

// deliver writes one event to one subscription: only if it is the next the client needs.
// An event already replayed is skipped; a gap (events still on their way from another
// node, say) is filled from the log first.
func (c *conn) deliver(sub *subscription, out *outgoing) error {
	if sub.cancelled.Load() {
		return nil
	}
	e := out.event
	if e.Ephemeral() {
		return c.writeEvent(out)
	}
	if !sub.ready || e.Seq <= sub.last {
		// Not ready: the subscription's start reads the head after this event was
		// committed, so the event is counted there (or replayed).
		return nil
	}
	if e.Seq > sub.last+1 {
		if err := c.replay(sub, e.Seq-1); err != nil {
			return err
		}
		if e.Seq <= sub.last {
			return nil
		}
	}
	sub.last = e.Seq
	return c.writeEvent(out)
}

func (c *conn) writeEvent(out *outgoing) error {
	if len(c.out) > maxBuffered {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.out = append(c.out, out.frame...)
	c.hub.stats.Delivered.Add(1)
	return nil
}

// start answers a subscribe: the topic's head, then (with since) every event the client
// missed, then live events from the queue.
func (c *conn) start(sub *subscription) error {
	h := c.hub
	if err := h.authorize(c.ctx, c.who, sub.topic); err != nil {
		return c.send(authorizeError(sub.topic, err, h))
	}
	// Subscribe before reading the head: events committed from now on are queued behind
	// this item, and the head covers everything before.
	switch h.add(c, sub) {
	case addFull:
		return c.send(errorFrame(sub.topic, CodeBadRequest, fmt.Sprintf("A connection follows at most %d topics; unsubscribe from some first.", h.cfg.MaxSubscriptions)))
	case addEnded:
		return nil // its close is on the way
	}
	head, err := h.history.Head(c.ctx, sub.topic)
	if err != nil {
		h.removeSub(c, sub)
		h.cfg.Logger.Error("websocket subscribe: read head", "topic", sub.topic, "err", err)
		return c.send(errorFrame(sub.topic, CodeUnavailable, "The server could not read this topic; subscribe again."))
	}
	if sub.hasSince && sub.since > head {
		h.removeSub(c, sub)
		return c.send(errorFrame(sub.topic, CodeBadRequest,
			fmt.Sprintf("\"since\" is %d but the topic's newest event is %d: send the seq of the last event you received, or reload. You are not subscribed to this topic now.", sub.since, head)))
	}
	if err := c.send(seqFrame(typeSubscribed, sub.topic, head)); err != nil {
		return err
	}
	sub.last = head
	if sub.hasSince {
		sub.last = sub.since
		if err := c.replay(sub, head); err != nil {
			return err
		}
	}
	sub.ready = true
	return nil
}

// abort ends the connection now, from any goroutine. Closing a hijacked fasthttp
// connection from another goroutine does not wake its blocked read, but a deadline in the
// past does: the reader returns and the upgrade handler closes the socket.
func (c *conn) abort() {
	c.cancel()
	c.raw.SetDeadline(time.Unix(1, 0))
}

// finish waits for the writer once the reader is done, giving it a moment to send what
// it holds (the echo of a client's close frame, say), then cutting it off.
func (c *conn) finish() {
	c.mu.Lock()
	c.closed = true
	writing := c.writing
	c.mu.Unlock()
	if writing {
		done := make(chan struct{})
		go func() { c.writers.Wait(); close(done) }()
		select {
		case <-done:
			return
		case <-time.After(time.Second):
		}
		c.cancel()
		c.raw.SetWriteDeadline(time.Unix(1, 0))
	}
	c.writers.Wait()
}

// handle answers one frame from the client, on the reader goroutine.
func (c *conn) handle(msg []byte) {
	f, problem := parseClientFrame(msg)
	if problem != "" {
		c.reply(errorFrame(f.Topic, CodeBadRequest, problem))
		return
	}
	switch f.Type {
	case typePing:
		c.reply([]byte(`{"type":"pong"}`))
	case typeSubscribe:
		c.subscribe(f)
	case typeUnsubscribe:
		// In the queue, behind any subscribe to the same topic sent before it.
		c.enqueue(item{kind: itemUnsubscribe, topic: f.Topic})
	case typeTyping:
		c.typing(f.Topic)
	}
}

func (c *conn) subscribe(f clientFrame) {
	h := c.hub
	if !h.cfg.Unlimited {
		if c.subscribeRate == nil {
			c.subscribeRate = rate.NewLimiter(rate.Every(h.cfg.SubscribeEvery), h.cfg.SubscribeBurst)
		}
		if !c.subscribeRate.Allow() {
			c.reply(errorFrame(f.Topic, CodeRateLimited, "Too many subscribe frames; slow down and try again in a moment."))
			return
		}
	}
	sub := &subscription{topic: f.Topic}
	if f.Since != nil {
		sub.since, sub.hasSince = *f.Since, true
	}
	c.enqueue(item{kind: itemSubscribe, sub: sub})
}

func authorizeError(topic string, err error, h *Hub) []byte {
	switch {
	case errors.Is(err, ErrNotFound):
		return errorFrame(topic, CodeNotFound, "There is no such topic, or you may not see it.")
	case errors.Is(err, ErrForbidden):
		return errorFrame(topic, CodeForbidden, "This topic is someone else's.")
	case errors.Is(err, ErrBadTopic):
		return errorFrame(topic, CodeBadRequest, "Unknown topic: use questions, question:{id}, tag:{name}, channel:{id}, collaborative:{slug} or user:{id}.")
	default:
		h.cfg.Logger.Error("websocket authorize", "topic", topic, "err", err)
		return errorFrame(topic, CodeUnavailable, "The server could not check this topic; try again.")
	}
}

// typing tells a topic's other viewers that this person is typing, at most once per
// TypingEvery; extra frames are dropped, as a typing indicator is best effort.
func (c *conn) typing(topic string) {
	h := c.hub
	if !h.cfg.Typing(topic) {
		c.reply(errorFrame(topic, CodeBadRequest, "This topic does not take typing events; channels do."))
		return
	}
	if c.who.UserID == 0 {
		c.reply(errorFrame(topic, CodeForbidden, "Sign in to type here."))
		return
	}
	h.mu.RLock()
	_, subscribed := c.subs[topic]
	h.mu.RUnlock()
	if !subscribed {
		c.reply(errorFrame(topic, CodeBadRequest, "Subscribe to the topic before sending typing."))
		return
	}
	now := time.Now()
	c.typedMu.Lock()
	if !h.cfg.Unlimited && now.Sub(c.typedAt[topic]) < h.cfg.TypingEvery {
		c.typedMu.Unlock()
		return
	}
	if c.typedAt == nil {
		c.typedAt = map[string]time.Time{}
	}
	c.typedAt[topic] = now
	c.typedMu.Unlock()
	data, _ := json.Marshal(typingData{Topic: topic, User: presenceperson{ID: c.who.UserID, Name: c.who.Name}, ExpiresMS: typingShownFor})
	if err := h.broker.Publish(c.ctx, []Event{{Topic: topic, Name: EventTyping, Data: data}}); err != nil {
		h.cfg.Logger.Error("websocket typing", "topic", topic, "err", err)
	}
}

// forgetTyping drops the typing clock of a topic left.
func (c *conn) forgetTyping(topic string) {
	c.typedMu.Lock()
	delete(c.typedAt, topic)
	c.typedMu.Unlock()
}

// Websocket opcodes of the frames the server writes.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// appendFrame appends one final, unmasked frame (a server's frames are never masked).
func appendFrame(b []byte, op byte, payload []byte) []byte {
	n := len(payload)
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, payload...)
}
