// Package wstest is a websocket client for tests: it speaks the hub's protocol (DESIGN.md,
// "Websocket protocol") to a real server on 127.0.0.1, and fails the test when the
// server does not answer as it should. Tests of realtime, forum/web and cmd/staffroom
// use it; nothing else should.
package wstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// readWait bounds every read: a frame that does not come fails the test, not the run.
const readWait = 5 * time.Second

// presence is the one event that comes at its own pace, whatever a test does.
const presence = "presence.changed"

// Frame is a frame the server sends.
type Frame struct {
	Type      string          `json:"type"`
	Topic     string          `json:"topic"`
	Seq       *int64          `json:"seq"`
	Event     string          `json:"event"`
	Ephemeral bool            `json:"ephemeral"`
	Data      json.RawMessage `json:"data"`
	Code      string          `json:"code"`
	Message   string          `json:"message"`
}

// SeqOr is the frame's seq, or none when it carries none.
func (f Frame) SeqOr(none int64) int64 {
	if f.Seq == nil {
		return none
	}
	return *f.Seq
}

// Object is the frame's data as a JSON object; the test fails if it is not one.
func (f Frame) Object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(f.Data, &m); err != nil {
		t.Fatalf("event data is not an object: %s", f.Data)
	}
	return m
}

// String keeps failure messages short: event data may be long.
func (f Frame) String() string {
	data := string(f.Data)
	if len(data) > 200 {
		data = data[:200] + "..."
	}
	return fmt.Sprintf("{%s %s seq %d %s %s %q data %s}", f.Type, f.Topic, f.SeqOr(-1), f.Event, f.Code, f.Message, data)
}

// Client is one websocket connection. Conn is there for what the helpers do not cover:
// closing, deadlines, reading raw messages.
type Client struct {
	T    testing.TB
	Conn *websocket.Conn
}

// Dial opens a websocket at url (ws://host/ws?...) with the request's headers h. The
// connection is closed when the test ends.
func Dial(t testing.TB, url string, h http.Header) (*Client, *http.Response, error) {
	t.Helper()
	if h == nil {
		h = http.Header{}
	}
	d := websocket.Dialer{HandshakeTimeout: readWait}
	conn, resp, err := d.Dial(url, h)
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { conn.Close() })
	return &Client{T: t, Conn: conn}, resp, nil
}

// MustDial is Dial that fails the test when the upgrade is refused.
func MustDial(t testing.TB, url string, h http.Header) *Client {
	t.Helper()
	c, resp, err := Dial(t, url, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	return c
}

// Send writes a text frame: a string as it is, anything else as JSON.
func (c *Client) Send(v any) {
	c.T.Helper()
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	if err := c.Conn.WriteMessage(websocket.TextMessage, b); err != nil {
		c.T.Fatalf("send: %v", err)
	}
}

// Read returns the next frame, whatever it is, or the error that ended the connection.
// It does not mark itself a helper, as the others do: benchmarks read with it from many
// goroutines at once, and marking takes the test's lock.
func (c *Client) Read() (Frame, error) {
	c.Conn.SetReadDeadline(time.Now().Add(readWait))
	_, msg, err := c.Conn.ReadMessage()
	if err != nil {
		return Frame{}, err
	}
	var f Frame
	if err := json.Unmarshal(msg, &f); err != nil {
		c.T.Fatalf("frame is not JSON: %s", msg)
	}
	return f, nil
}

// NextAny returns the next frame, whatever it is.
func (c *Client) NextAny() Frame {
	c.T.Helper()
	f, err := c.Read()
	if err != nil {
		c.T.Fatalf("read: %v", err)
	}
	return f
}

// Next returns the next frame that is not presence: presence comes at the hub's pace,
// not the test's.
func (c *Client) Next() Frame {
	c.T.Helper()
	for {
		f, err := c.Read()
		if err != nil {
			c.T.Fatalf("read: %v", err)
		}
		if f.Event != presence {
			return f
		}
	}
}

// NextPresence returns the next presence event, skipping anything else.
func (c *Client) NextPresence() Frame {
	c.T.Helper()
	for {
		if f := c.NextAny(); f.Event == presence {
			return f
		}
	}
}

// Expect reads the next frame that is not presence and checks its type (and event name,
// if given).
func (c *Client) Expect(typ string, event ...string) Frame {
	c.T.Helper()
	f := c.Next()
	if f.Type != typ || len(event) > 0 && f.Event != event[0] {
		c.T.Fatalf("want %s %v, got %v", typ, event, f)
	}
	return f
}

// Subscribe subscribes to topic and returns the head seq the server answered with.
func (c *Client) Subscribe(topic string) int64 {
	c.T.Helper()
	return c.subscribe(map[string]any{"type": "subscribe", "topic": topic})
}

// SubscribeSince subscribes to topic with since and returns the head the server answered
// with.
func (c *Client) SubscribeSince(topic string, since int64) int64 {
	c.T.Helper()
	return c.subscribe(map[string]any{"type": "subscribe", "topic": topic, "since": since})
}

func (c *Client) subscribe(frame map[string]any) int64 {
	c.T.Helper()
	c.Send(frame)
	f := c.Expect("subscribed")
	if f.Topic != frame["topic"] || f.Seq == nil {
		c.T.Fatalf("subscribed to %v, want %q with its seq", f, frame["topic"])
	}
	return *f.Seq
}

// RoundTrip pings and waits for the pong: the connection is still usable, and every frame
// the server sent before is read.
func (c *Client) RoundTrip() {
	c.T.Helper()
	c.Send(`{"type":"ping"}`)
	c.Expect("pong")
}

// ClosedWith waits (at most within) for the server to close the connection and returns
// the close code; the test fails if it stays open.
func (c *Client) ClosedWith(within time.Duration) int {
	c.T.Helper()
	c.Conn.SetReadDeadline(time.Now().Add(within))
	for {
		_, _, err := c.Conn.ReadMessage()
		if err == nil {
			continue // frames sent before the close
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		c.T.Fatalf("want the server to close the connection within %s, got %v", within, err)
	}
}
