package realtime

import (
	"errors"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

// The send queue and the writer. Everything a connection does besides reading goes
// through its queue as an item: events from the hub, the client's frames, pings, closes.
// The queue is bounded (Config.SendQueue): a client that cannot keep up is dropped, never
// waited on. Its writer goroutine runs only while items wait.

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

func (c *conn) send(frame []byte) error { return c.gather(opText, frame) }

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
