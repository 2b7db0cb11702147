package realtime

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"golang.org/x/time/rate"
)

// A connection. Its goroutines: the reader (handler.go), which lives as long as the
// connection and only reads, queueing what it reads; and a writer (writer.go), which
// exists only while items wait in the queue and does everything else, one item at a time:
// it handles the client's frames, starts subscriptions (subscription.go), delivers events
// and writes to the socket. An idle connection so costs no goroutine beyond its reader,
// and no timer: the hub's rounds ping it (hub.go).

// conn is one client.
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

	subscribeRate *rate.Limiter        // the writer's
	replayed      *replayBudget        // the writer's; nil until the first replay
	typedAt       map[string]time.Time // the writer's: when this person last typed, by topic

	ctx    context.Context
	cancel context.CancelFunc
}

// handle answers one frame from the client. It runs on the writer: the reader queues
// what it reads (itemIncoming), so that its own stack stays small.
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

// abort ends the connection now, from any goroutine. Closing a hijacked fasthttp
// connection from another goroutine does not wake its blocked read, but a deadline in the
// past does: the reader returns and closes the socket on its way out (read).
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
