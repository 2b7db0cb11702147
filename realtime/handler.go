package realtime

import (
	"context"
	"io"
	"net"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// rawConn finds the socket under fasthttp's hijacked connection, which fasthttp recycles
// once the handler returns.
func rawConn(c net.Conn) net.Conn {
	if u, ok := c.(interface{ UnsafeConn() net.Conn }); ok {
		return u.UnsafeConn()
	}
	return c
}

// How long, and for how many bytes, a closing connection keeps reading so that the client
// gets the close frame before the socket goes.
const (
	lingerFor   = time.Second
	lingerBytes = 1 << 20
)

// localTicket carries the place Accept held, and the Identity in it, to the upgraded
// connection.
const localTicket = "realtime.ticket"

// Upgrader turns HTTP requests into hub connections.
type Upgrader struct {
	hub     *Hub
	upgrade fiber.Handler
}

// NewUpgrader makes the /ws handler for h. Origin and authentication are the caller's
// to check before Accept: the hub takes whoever it is handed.
func NewUpgrader(h *Hub) *Upgrader {
	u := &Upgrader{hub: h}
	u.upgrade = websocket.New(u.serve, websocket.Config{
		// Small buffers: frames here are small, and an idle connection should cost little.
		ReadBufferSize:  256, // fasthttp's own reader buffers below this one
		WriteBufferSize: 512,
		WriteBufferPool: writePool,
	})
	return u
}

// writePool lends write buffers to connections only while they write.
var writePool = &bufferPool{}

// IsUpgrade reports whether c asks for a websocket.
func IsUpgrade(c *fiber.Ctx) bool { return websocket.IsWebSocketUpgrade(c) }

// Accept upgrades c to a websocket held by who. Past a connection cap it answers
// ErrFull or ErrTooManyFromAddr and upgrades nothing; who.Addr must be the client's
// address.
func (u *Upgrader) Accept(c *fiber.Ctx, who Identity) error {
	t, err := u.hub.admit(who)
	if err != nil {
		return err
	}
	c.Locals(localTicket, t)
	c.Locals(localDetach, c.App().Server().KeepHijackedConns)
	if err := u.upgrade(c); err != nil {
		u.hub.cancelTicket(t)
		return err
	}
	return nil
}

// localDetach says whether the connection may outlive the upgrade handler.
const localDetach = "realtime.detach"

// serve runs on the goroutine fasthttp started for the upgraded connection. When the
// server keeps hijacked connections (KeepHijackedConns), the connection's reading moves
// to a goroutine of its own and this one returns, letting fasthttp recycle the request
// it still holds: several kilobytes per idle connection. Otherwise it reads here.
func (u *Upgrader) serve(ws *websocket.Conn) {
	t, _ := ws.Locals(localTicket).(*ticket)
	detach, _ := ws.Locals(localDetach).(bool)
	h := u.hub
	c := &conn{hub: h, ws: ws.Conn, raw: rawConn(ws.UnderlyingConn()), who: t.who, subs: map[string]*subscription{}}
	c.ctx, c.cancel = context.WithCancel(h.ctx)
	if !h.register(c, t) {
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "The server is restarting; reconnect and resume."),
			time.Now().Add(time.Second))
		c.cancel()
		c.raw.Close()
		return
	}
	if detach {
		go c.read()
		return
	}
	c.read()
}

// read reads frames until the connection ends, then cleans up after it.
func (c *conn) read() {
	h := c.hub
	defer func() {
		h.unregister(c)
		c.finish()
		if c.ctx.Err() == nil {
			// The client may still be sending (the rest of a frame that was too big):
			// closing over unread bytes would reset the connection before it reads our
			// close frame. Read what comes, briefly, first.
			c.raw.SetReadDeadline(time.Now().Add(lingerFor))
			io.Copy(io.Discard, io.LimitReader(c.raw, lingerBytes))
		}
		c.cancel()
		c.raw.Close()
	}()
	ws := c.ws
	ws.SetReadLimit(h.cfg.ReadLimit)
	ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
	// Each frame from the client extends its read deadline. abort sets a deadline in the
	// past after cancelling ctx, so checking ctx after extending tells whether an abort
	// came in between.
	extend := func() error {
		ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
		return c.ctx.Err()
	}
	ws.SetPongHandler(func(string) error { return extend() })
	// The writer alone writes to the socket, so control replies go through its queue.
	ws.SetPingHandler(func(data string) error {
		c.enqueue(item{kind: itemPong, frame: []byte(data)})
		return extend()
	})
	ws.SetCloseHandler(func(code int, _ string) error {
		if code == websocket.CloseNoStatusReceived {
			code = websocket.CloseNormalClosure
		}
		c.enqueue(item{kind: itemClose, frame: websocket.FormatCloseMessage(code, "")})
		return nil
	})
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil || extend() != nil {
			return
		}
		// Handled on the writer, in order with everything else: this goroutine, which
		// lives as long as the connection, only ever reads, and its stack stays small.
		c.enqueue(item{kind: itemIncoming, frame: msg})
	}
}
