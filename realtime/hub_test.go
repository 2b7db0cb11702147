package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"

	"staffroom/realtime"
	"staffroom/realtime/wstest"
)

// memLog is an event log in memory: what the store is to the real server.
type memLog struct {
	mu     sync.Mutex
	events map[string][]realtime.Event
	reads  int // events read back, in all
}

func (l *memLog) append(topic, name string, data any) realtime.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, _ := json.Marshal(data)
	e := realtime.Event{Topic: topic, Seq: int64(len(l.events[topic]) + 1), Name: name, Data: b}
	l.events[topic] = append(l.events[topic], e)
	return e
}

// readCount is how many events have been read back, in all.
func (l *memLog) readCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads
}

func (l *memLog) Head(_ context.Context, topic string) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.events[topic])), nil
}

func (l *memLog) Since(_ context.Context, topic string, since int64, limit, maxBytes int) ([]realtime.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []realtime.Event
	size := 0
	for _, e := range l.events[topic] {
		if e.Seq > since && len(out) < limit && (maxBytes <= 0 || size <= maxBytes) {
			out = append(out, e)
			size += len(e.Data)
		}
	}
	l.reads += len(out)
	return out, nil
}

// testHub is a hub behind a real Fiber app on 127.0.0.1. Its topics are the test's own:
// every one is public except "secret:*" (not_found) and "mine:*" (forbidden);
// "channel:*" tells who is there and takes typing, "question:*" tells how many.
type testHub struct {
	t    *testing.T
	hub  *realtime.Hub
	log  *memLog
	addr string
}

func newTestHub(t *testing.T, cfg realtime.Config) *testHub {
	t.Helper()
	log := &memLog{events: map[string][]realtime.Event{}}
	prefix := func(prefixes ...string) func(string) bool {
		return func(topic string) bool {
			for _, p := range prefixes {
				if strings.HasPrefix(topic, p) {
					return true
				}
			}
			return false
		}
	}
	cfg.HasPresence, cfg.NamesPresence, cfg.AllowsTyping = prefix("channel:", "question:"), prefix("channel:"), prefix("channel:")
	authorize := func(_ context.Context, who realtime.Identity, topic string) error {
		switch {
		case strings.HasPrefix(topic, "secret:"):
			return realtime.ErrNotFound
		case strings.HasPrefix(topic, "mine:"):
			return realtime.ErrForbidden
		}
		return nil
	}
	hub := realtime.NewHub(cfg, realtime.NewLocal(), log, authorize)
	up := realtime.NewUpgrader(hub)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = true
	app.Get("/ws", func(c *fiber.Ctx) error {
		who := realtime.Identity{Addr: strings.Clone(c.IP()), Key: strings.Clone(c.Query("key"))}
		if id := c.Query("user"); id != "" {
			fmt.Sscan(id, &who.UserID)
			who.Name = "Teacher " + id
		}
		switch err := up.Accept(c, who); err {
		case realtime.ErrTooManyFromAddr:
			return c.SendStatus(fiber.StatusTooManyRequests)
		case realtime.ErrFull:
			return c.SendStatus(fiber.StatusServiceUnavailable)
		default:
			return err
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	th := &testHub{t: t, hub: hub, log: log, addr: ln.Addr().String()}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hub.Close(ctx)
		app.ShutdownWithContext(ctx)
	})
	return th
}

// publish logs an event and hands it to the hub, as the store does after commit.
func (th *testHub) publish(topic, name string, data any) realtime.Event {
	e := th.log.append(topic, name, data)
	th.hub.Publish(context.Background(), []realtime.Event{e})
	return e
}

func (th *testHub) dial(user int64) *wstest.Client {
	th.t.Helper()
	url := "ws://" + th.addr + "/ws"
	if user != 0 {
		url += fmt.Sprintf("?user=%d", user)
	}
	return wstest.MustDial(th.t, url, nil)
}

func TestSlowConsumerIsDroppedAndOthersKeepUp(t *testing.T) {
	th := newTestHub(t, realtime.Config{SendQueue: 16})
	fast, slow := th.dial(1), th.dial(2)
	fast.Subscribe("channel:1")
	slow.Subscribe("channel:1")
	// The slow client never reads again. Big events fill its socket buffers, then its
	// queue, and it is dropped; the fast one receives every event, in order.
	// The publisher goes at the fast client's pace, as a busy channel does for those who
	// keep up.
	// 25 MB in all: more than a loopback socket's buffers hold at their largest.
	big := strings.Repeat("x", 32<<10)
	const n = 800
	for i := int64(1); i <= n; i++ {
		th.publish("channel:1", "message.created", map[string]string{"body": big})
		f := fast.Next() // fails the test if the fast client lost its connection
		if f.Type != "event" || f.Seq == nil || *f.Seq != i {
			t.Fatalf("fast client: frame %d is %+v", i, f)
		}
	}
	if th.hub.Stats().Dropped.Load() != 1 {
		t.Fatalf("dropped %d clients, want the slow one", th.hub.Stats().Dropped.Load())
	}
	// The dropped client's socket is really closed: reading drains what was buffered and
	// then fails.
	slow.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := slow.Conn.ReadMessage(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the slow client's socket stayed open")
			}
			break
		}
	}
}

// TestPresenceIsCoalesced: however many people arrive or leave between two presence
// rounds, each viewer hears one presence event per round, counting people (tabs count
// once) and naming them only where the topic names its people; a round with nothing new
// sends nothing, and presence is never logged. The test runs the rounds itself
// (SendPresenceNow), so this holds however slow the machine.
func TestPresenceIsCoalesced(t *testing.T) {
	for _, tc := range []struct {
		topic string
		names bool // channel members see who is there; question readers only how many
	}{{"channel:7", true}, {"question:7", false}} {
		t.Run(tc.topic, func(t *testing.T) { testPresence(t, tc.topic, tc.names) })
	}
	t.Run("rounds follow the clock", func(t *testing.T) {
		th := newTestHub(t, realtime.Config{PresenceEvery: 10 * time.Millisecond})
		c := th.dial(1)
		c.Subscribe("question:8")
		if n := presenceCount(t, c.NextPresence()); n != 1 {
			t.Fatalf("alone on the page: count %d", n)
		}
	})
}

func testPresence(t *testing.T, topic string, names bool) {
	th := newTestHub(t, realtime.Config{PresenceEvery: time.Hour}) // no round but the test's
	watcher := th.dial(1)
	watcher.Subscribe(topic)
	var others []*wstest.Client
	for i := range 10 {
		c := th.dial(int64(100 + i%5)) // five people, two tabs each
		c.Subscribe(topic)             // answered once the hub counts it
		others = append(others, c)
	}
	th.hub.SendPresenceNow()
	f := watcher.NextPresence()
	if !f.Ephemeral || f.Seq != nil {
		t.Fatalf("presence must be ephemeral without seq: %v", f)
	}
	var d struct {
		Count int
		Users []struct {
			ID   int64
			Name string
		}
	}
	json.Unmarshal(f.Data, &d)
	if d.Count != 6 { // the watcher and five people
		t.Fatalf("count %d after eleven tabs of six people arrived", d.Count)
	}
	if names && (len(d.Users) != 6 || d.Users[0].Name != "Teacher 1") || !names && len(d.Users) != 0 {
		t.Fatalf("users of %s: %+v", topic, d.Users)
	}
	noMorePresence(t, watcher) // one event for eleven arrivals

	for _, c := range others {
		c.Conn.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for th.hub.Stats().Connections.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections after ten closed, want 1", th.hub.Stats().Connections.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	th.hub.SendPresenceNow()
	if n := presenceCount(t, watcher.NextPresence()); n != 1 {
		t.Fatalf("count %d after everyone else left, want 1", n)
	}
	th.hub.SendPresenceNow() // nothing changed since the last round
	noMorePresence(t, watcher)
	if head, _ := th.log.Head(context.Background(), topic); head != 0 {
		t.Fatalf("presence was logged: head %d", head)
	}
}

// noMorePresence fails the test when anything but the answer to a ping comes next: every
// presence event queued for c is read.
func noMorePresence(t *testing.T, c *wstest.Client) {
	t.Helper()
	c.Send(`{"type":"ping"}`)
	if f := c.NextAny(); f.Type != "pong" {
		t.Fatalf("want pong and nothing before it, got %v", f)
	}
}

func presenceCount(t *testing.T, f wstest.Frame) int {
	t.Helper()
	var d struct{ Count int }
	if err := json.Unmarshal(f.Data, &d); err != nil {
		t.Fatalf("presence data: %v", err)
	}
	return d.Count
}

func TestTyping(t *testing.T) {
	th := newTestHub(t, realtime.Config{TypingEvery: time.Hour})
	a, b, anon := th.dial(1), th.dial(2), th.dial(0)
	a.Subscribe("channel:3")
	b.Subscribe("channel:3")
	anon.Subscribe("channel:3")
	a.Send(`{"type":"typing","topic":"channel:3"}`)
	a.Send(`{"type":"typing","topic":"channel:3"}`) // within TypingEvery: dropped
	a.Send(`{"type":"ping"}`)
	for _, c := range []*wstest.Client{b, anon} {
		f := c.Next()
		if f.Event != "typing" || !f.Ephemeral || f.Seq != nil || !strings.Contains(string(f.Data), `"Teacher 1"`) {
			t.Fatalf("typing: %+v %s", f, f.Data)
		}
	}
	// a hears its own typing too (clients skip their own) and its pong, in either order:
	// events travel through the broker, replies do not.
	got := map[string]bool{}
	for range 2 {
		f := a.Next()
		got[f.Type+f.Event] = true
	}
	if !got["eventtyping"] || !got["pong"] {
		t.Fatalf("a got %v", got)
	}
	b.Send(`{"type":"ping"}`)
	if f := b.Next(); f.Type != "pong" {
		t.Fatalf("a second typing frame got through: %+v", f)
	}
	if head, _ := th.log.Head(context.Background(), "channel:3"); head != 0 {
		t.Fatal("typing was logged")
	}
	for _, tc := range []struct {
		c           *wstest.Client
		frame, code string
	}{
		{anon, `{"type":"typing","topic":"channel:3"}`, "forbidden"},
		{b, `{"type":"typing","topic":"question:1"}`, "bad_request"},
		{b, `{"type":"typing","topic":"channel:9"}`, "bad_request"}, // not subscribed
	} {
		tc.c.Send(tc.frame)
		if f := tc.c.Next(); f.Type != "error" || f.Code != tc.code {
			t.Fatalf("%s: %+v", tc.frame, f)
		}
	}
}

func TestSubscriptionLimits(t *testing.T) {
	th := newTestHub(t, realtime.Config{MaxSubscriptions: 3, SubscribeBurst: 5, SubscribeEvery: time.Hour})
	c := th.dial(1)
	for i := range 3 {
		c.Subscribe(fmt.Sprintf("question:%d", i))
	}
	c.Send(`{"type":"subscribe","topic":"question:9"}`)
	if f := c.Next(); f.Code != "bad_request" {
		t.Fatalf("a fourth topic: %+v", f)
	}
	c.Subscribe("question:0") // again: replaces, does not count twice
	c.Send(`{"type":"subscribe","topic":"question:1"}`)
	if f := c.Next(); f.Code != "rate_limited" {
		t.Fatalf("past the burst: %+v", f)
	}
	for _, tc := range []struct{ topic, code string }{{"secret:1", "not_found"}, {"mine:2", "forbidden"}} {
		d := th.dial(2)
		d.Send(`{"type":"subscribe","topic":"` + tc.topic + `"}`)
		if f := d.Next(); f.Code != tc.code || f.Topic != tc.topic {
			t.Fatalf("%s: %+v", tc.topic, f)
		}
	}
}

func TestDeadPeerIsDropped(t *testing.T) {
	th := newTestHub(t, realtime.Config{PingInterval: 20 * time.Millisecond, PongWait: 200 * time.Millisecond, PresenceEvery: 10 * time.Millisecond})
	alive, dead := th.dial(1), th.dial(2)
	// A client that does not read never answers pings: it goes silent, and after PongWait
	// the server drops it. The live one answers pings while it reads and stays.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			alive.Conn.SetReadDeadline(time.Now().Add(time.Second))
			alive.Conn.ReadMessage()
		}
	}()
	_ = dead
	deadline := time.Now().Add(5 * time.Second)
	for th.hub.Stats().Connections.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the silent client was not dropped: %d connections", th.hub.Stats().Connections.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestShutdownSaysGoingAway(t *testing.T) {
	th := newTestHub(t, realtime.Config{})
	c := th.dial(1)
	c.Subscribe("questions")
	done := make(chan struct{})
	go func() {
		th.hub.Close(context.Background())
		close(done)
	}()
	_, err := c.Read()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("want close 1001, got %v", err)
	}
	<-done
	if n := th.hub.Stats().Connections.Load(); n != 0 {
		t.Fatalf("%d connections after close", n)
	}
}

// TestFrameSizes: frames of every length encoding reach the client whole, in order, and
// many queued at once are written together.
func TestFrameSizes(t *testing.T) {
	th := newTestHub(t, realtime.Config{})
	c := th.dial(1)
	c.Subscribe("questions")
	sizes := []int{0, 100, 125, 126, 1000, 65535, 65536, 200 << 10}
	for _, n := range sizes {
		th.publish("questions", "question.created", map[string]string{"body": strings.Repeat("y", n)})
	}
	for i, n := range sizes {
		f := c.Next()
		var d struct{ Body string }
		if err := json.Unmarshal(f.Data, &d); err != nil || len(d.Body) != n || *f.Seq != int64(i+1) {
			t.Fatalf("event %d: seq %v, body of %d bytes, want %d (%v)", i, f.Seq, len(d.Body), n, err)
		}
	}
}
