package realtime

import (
	"context"
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

// localIdentity carries the Identity from Accept to the upgraded connection.
const localIdentity = "realtime.identity"

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
		ReadBufferSize:  512,
		WriteBufferSize: 512,
		WriteBufferPool: writePool,
	})
	return u
}

// writePool lends write buffers to connections only while they write.
var writePool = &bufferPool{}

// IsUpgrade reports whether c asks for a websocket.
func IsUpgrade(c *fiber.Ctx) bool { return websocket.IsWebSocketUpgrade(c) }

// Accept upgrades c to a websocket held by who.
func (u *Upgrader) Accept(c *fiber.Ctx, who Identity) error {
	c.Locals(localIdentity, who)
	return u.upgrade(c)
}

func (u *Upgrader) serve(ws *websocket.Conn) {
	who, _ := ws.Locals(localIdentity).(Identity)
	h := u.hub
	c := &conn{hub: h, ws: ws.Conn, raw: rawConn(ws.UnderlyingConn()), who: who, subs: map[string]*subscription{}}
	c.ctx, c.cancel = context.WithCancel(h.ctx)
	defer c.cancel()
	if !h.register(c) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "The server is restarting; reconnect and resume."),
			time.Now().Add(time.Second))
		return
	}
	defer func() {
		h.unregister(c)
		c.finish()
	}()
	ws.SetReadLimit(h.cfg.ReadLimit)
	ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait)) })
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		ws.SetReadDeadline(time.Now().Add(h.cfg.PongWait))
		c.handle(msg)
	}
}
