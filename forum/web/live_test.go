package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"staffroom/realtime"
)

// listen serves the site on a real socket on 127.0.0.1 and returns its address.
func (s *testSite) listen() string {
	s.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	go s.server.Serve(ln)
	s.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.hub != nil {
			s.hub.Close(ctx)
		}
		s.server.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// wsClient is a real websocket client.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// frame is a server frame.
type frame struct {
	Type      string          `json:"type"`
	Topic     string          `json:"topic"`
	Seq       *int64          `json:"seq"`
	Event     string          `json:"event"`
	Ephemeral bool            `json:"ephemeral"`
	Data      json.RawMessage `json:"data"`
	Code      string          `json:"code"`
	Message   string          `json:"message"`
}

func (f frame) seq() int64 {
	if f.Seq == nil {
		return -1
	}
	return *f.Seq
}

func (f frame) data(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(f.Data, &m); err != nil {
		t.Fatalf("event data is not an object: %s", f.Data)
	}
	return m
}

// dialWS opens /ws. With no Origin in h, a same-site Origin is sent, as a browser would.
func dialWS(t *testing.T, addr string, h http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	if h == nil {
		h = http.Header{}
	}
	if _, ok := h["Origin"]; !ok {
		h.Set("Origin", "http://staffroom.test") // the site's base URL
	} else if h.Get("Origin") == "" {
		delete(h, "Origin")
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws://"+addr+"/ws", h)
	if err != nil {
		return nil, resp, err
	}
	c := &wsClient{t: t, conn: conn}
	t.Cleanup(func() { conn.Close() })
	return c, resp, nil
}

func mustDial(t *testing.T, addr string, h http.Header) *wsClient {
	t.Helper()
	c, resp, err := dialWS(t, addr, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// next reads the next frame that is not ephemeral (presence comes at its own pace).
func (c *wsClient) next() frame {
	c.t.Helper()
	for {
		f := c.nextAny()
		if !f.Ephemeral {
			return f
		}
	}
}

func (c *wsClient) nextAny() frame {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, msg, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var f frame
	if err := json.Unmarshal(msg, &f); err != nil {
		c.t.Fatalf("frame is not JSON: %s", msg)
	}
	return f
}

// expect reads the next logged frame and checks its type (and event name, if given).
func (c *wsClient) expect(typ string, event ...string) frame {
	c.t.Helper()
	f := c.next()
	if f.Type != typ || len(event) > 0 && f.Event != event[0] {
		c.t.Fatalf("want %s %v, got %+v (data %s)", typ, event, f, f.Data)
	}
	return f
}

// subscribe subscribes and returns the head seq the server answered with.
func (c *wsClient) subscribe(topic string, since ...int64) int64 {
	c.t.Helper()
	m := map[string]any{"type": "subscribe", "topic": topic}
	if len(since) > 0 {
		m["since"] = since[0]
	}
	c.send(m)
	f := c.expect("subscribed")
	if f.Topic != topic {
		c.t.Fatalf("subscribed to %q, want %q", f.Topic, topic)
	}
	return f.seq()
}

// roundTrip proves the connection is still usable and everything before is read.
func (c *wsClient) roundTrip() {
	c.t.Helper()
	c.send(`{"type":"ping"}`)
	c.expect("pong")
}

func bearerHeader(a *account) http.Header { return http.Header{"Authorization": {"Bearer " + a.Token}} }

func TestLiveQuestionPage(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	admin := s.signup("admin")
	asker, answerer, voter := s.signup("asker"), s.signup("answerer"), s.signup("voter")
	s.giveReputation(voter, 200)
	qid := s.ask(asker, "How do you grade standards in a 1:1 school?", "grading")

	watcher := mustDial(t, addr, nil) // anonymous, from a page of this site
	topic := fmt.Sprintf("question:%d", qid)
	head := watcher.subscribe(topic)
	if head != 0 {
		t.Fatalf("a new question's head is %d, want 0", head)
	}

	aid := s.answer(answerer, qid)
	f := watcher.expect("event", "answer.created")
	if f.Topic != topic || f.seq() != 1 {
		t.Fatalf("answer.created: %+v", f)
	}
	d := f.data(t)
	if int64(d["id"].(float64)) != aid || int64(d["question_id"].(float64)) != qid || !strings.Contains(d["body_html"].(string), "four-point") {
		t.Fatalf("answer.created data is not the answer as the API shows it: %s", f.Data)
	}
	if d["author"].(map[string]any)["username"] != "answerer" {
		t.Fatalf("no author in %s", f.Data)
	}

	r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", aid), headers: voter.bearer(), body: `{"value":1}`})
	if r.StatusCode != 200 {
		t.Fatalf("vote: %d %s", r.StatusCode, r.body)
	}
	f = watcher.expect("event", "vote.changed")
	if d := f.data(t); f.seq() != 2 || int64(d["post_id"].(float64)) != aid || d["score"].(float64) != 1 {
		t.Fatalf("vote.changed: %+v %s", f, f.Data)
	}

	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: asker.bearer(), body: `{"body":"Which scale did you start with?"}`})
	if r.StatusCode != 201 {
		t.Fatalf("comment: %d %s", r.StatusCode, r.body)
	}
	f = watcher.expect("event", "comment.created")
	if d := f.data(t); f.seq() != 3 || int64(d["post_id"].(float64)) != aid || !strings.Contains(d["body_html"].(string), "scale") {
		t.Fatalf("comment.created: %+v %s", f, f.Data)
	}

	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/answers/%d/accept", aid), headers: asker.bearer()})
	if r.StatusCode != 200 {
		t.Fatalf("accept: %d %s", r.StatusCode, r.body)
	}
	f = watcher.expect("event", "answer.accepted")
	if d := f.data(t); int64(d["answer_id"].(float64)) != aid || int64(d["question_id"].(float64)) != qid {
		t.Fatalf("answer.accepted: %s", f.Data)
	}

	r = s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: asker.bearer(),
		body: `{"body":"` + goodBody + ` Edited to say which grade band: middle school."}`})
	if r.StatusCode != 200 {
		t.Fatalf("edit: %d %s", r.StatusCode, r.body)
	}
	f = watcher.expect("event", "post.updated")
	if d := f.data(t); int64(d["id"].(float64)) != qid || !strings.Contains(d["body_html"].(string), "middle school") {
		t.Fatalf("post.updated: %s", f.Data)
	}

	// A write that fails publishes nothing: a vote on your own post is refused.
	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/vote", aid), headers: answerer.bearer(), body: `{"value":1}`})
	if r.StatusCode != 403 {
		t.Fatalf("self vote: %d", r.StatusCode)
	}
	second := s.answer(voter, qid)
	r = s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", second), headers: voter.bearer()})
	if r.StatusCode != 204 {
		t.Fatalf("delete: %d %s", r.StatusCode, r.body)
	}
	f = watcher.expect("event", "answer.created")
	if f.seq() != 6 {
		t.Fatalf("after a refused write the next event is %d, want 6: nothing may be numbered for a rollback", f.seq())
	}
	f = watcher.expect("event", "post.deleted")
	if d := f.data(t); int64(d["post_id"].(float64)) != second || f.seq() != 7 {
		t.Fatalf("post.deleted: %+v %s", f, f.Data)
	}

	// Closing: the question as it now reads, and the close itself.
	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/close", qid), headers: admin.bearer(), body: `{"reason":"off_topic"}`})
	if r.StatusCode != 200 {
		t.Fatalf("close: %d %s", r.StatusCode, r.body)
	}
	if d := watcher.expect("event", "post.updated").data(t); d["closed_reason"] != "off_topic" {
		t.Fatalf("post.updated on close: %v", d)
	}
	if d := watcher.expect("event", "post.locked").data(t); d["closed"] != true || int64(d["post_id"].(float64)) != qid {
		t.Fatalf("post.locked: %v", d)
	}

	// The new-questions feed and the tag feed.
	feed := mustDial(t, addr, nil)
	feed.subscribe("questions")
	feed.subscribe("tag:grading")
	q2 := s.ask(answerer, "What do you put in a pilot budget for devices?", "grading", "budgets")
	for range 2 {
		f = feed.expect("event", "question.created")
		if d := f.data(t); int64(d["id"].(float64)) != q2 || d["title"] != "What do you put in a pilot budget for devices?" {
			t.Fatalf("question.created: %s", f.Data)
		}
		if f.Topic != "questions" && f.Topic != "tag:grading" {
			t.Fatalf("question.created on %q", f.Topic)
		}
	}
	feed.roundTrip() // and nothing else came: tag:budgets was not subscribed
}

func TestLiveResume(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	qid := s.ask(asker, "How do you run data meetings that teachers like?", "data")
	topic := fmt.Sprintf("question:%d", qid)

	c := mustDial(t, addr, nil)
	c.subscribe(topic)
	first := s.answer(answerer, qid)
	last := c.expect("event", "answer.created").seq()
	c.conn.Close()

	// Three events while away.
	var missed []int64
	for range 3 {
		missed = append(missed, s.answer(answerer, qid))
	}
	_ = first

	c = mustDial(t, addr, nil)
	head := c.subscribe(topic, last)
	if head != last+3 {
		t.Fatalf("head %d, want %d", head, last+3)
	}
	for i, id := range missed {
		f := c.expect("event", "answer.created")
		if f.seq() != last+1+int64(i) || int64(f.data(t)["id"].(float64)) != id {
			t.Fatalf("replay %d: seq %d data %s", i, f.seq(), f.Data)
		}
	}
	// Then live, with no gap and no duplicate.
	live := s.answer(answerer, qid)
	f := c.expect("event", "answer.created")
	if f.seq() != head+1 || int64(f.data(t)["id"].(float64)) != live {
		t.Fatalf("live after replay: seq %d data %s", f.seq(), f.Data)
	}
	c.roundTrip()

	t.Run("pages embed the head their data is current to", func(t *testing.T) {
		want := fmt.Sprintf(`data-live-topic="%s" data-live-seq="%d"`, topic, head+1)
		for _, who := range []string{"", asker.Cookie} {
			for range 2 { // drawn, then from the page cache
				r := s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: who})
				if !strings.Contains(string(r.body), want) {
					t.Fatalf("the page (cookie %q) lacks %s", who, want)
				}
			}
		}
		s.answer(answerer, qid) // a new event: the cached page moves on with it
		c.expect("event", "answer.created")
		want = fmt.Sprintf(`data-live-seq="%d"`, head+2)
		if r := s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: asker.Cookie}); !strings.Contains(string(r.body), want) {
			t.Fatalf("after a new answer the page lacks %s", want)
		}
		head++
	})

	t.Run("since in the future or negative", func(t *testing.T) {
		c.send(map[string]any{"type": "subscribe", "topic": topic, "since": 999})
		if f := c.expect("error"); f.Code != "bad_request" || f.Topic != topic {
			t.Fatalf("%+v", f)
		}
		c.send(map[string]any{"type": "subscribe", "topic": topic, "since": -1})
		if f := c.expect("error"); f.Code != "bad_request" {
			t.Fatalf("%+v", f)
		}
		c.roundTrip()
	})

	t.Run("since older than the log keeps answers reset", func(t *testing.T) {
		if _, err := s.db.PruneEvents(context.Background(), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		r := mustDial(t, addr, nil)
		head := r.subscribe(topic, 1)
		f := r.expect("reset")
		if f.Topic != topic || f.seq() != head {
			t.Fatalf("reset: %+v (head %d)", f, head)
		}
		// Numbering goes on after pruning.
		s.answer(answerer, qid)
		if f := r.expect("event", "answer.created"); f.seq() != head+1 {
			t.Fatalf("after pruning, seq %d, want %d", f.seq(), head+1)
		}
	})
}

func TestLiveAuthorization(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	admin := s.signup("admin") // the first account: an administrator
	asker, other := s.signup("asker"), s.signup("other")
	qid := s.ask(asker, "Which reading intervention worked for your ELLs?", "ell")
	gone := s.ask(asker, "A question that its author deletes right away", "ell")
	if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", gone), headers: asker.bearer()}); r.StatusCode != 204 {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	aid := s.answer(other, qid)

	anon := mustDial(t, addr, nil)
	mine := mustDial(t, addr, bearerHeader(asker))
	mod := mustDial(t, addr, bearerHeader(admin))
	cases := []struct {
		name  string
		c     *wsClient
		topic string
		want  string // subscribed or an error code
	}{
		{"public feed", anon, "questions", "subscribed"},
		{"a question", anon, fmt.Sprintf("question:%d", qid), "subscribed"},
		{"a tag", anon, "tag:ell", "subscribed"},
		{"a missing question", anon, "question:99999", "not_found"},
		{"an answer is not a question topic", anon, fmt.Sprintf("question:%d", aid), "not_found"},
		{"a deleted question", anon, fmt.Sprintf("question:%d", gone), "not_found"},
		{"a deleted question, its author", mine, fmt.Sprintf("question:%d", gone), "not_found"},
		{"a deleted question, a moderator", mod, fmt.Sprintf("question:%d", gone), "subscribed"},
		{"own notifications", mine, fmt.Sprintf("user:%d", asker.ID), "subscribed"},
		{"someone else's notifications", mine, fmt.Sprintf("user:%d", other.ID), "forbidden"},
		{"notifications, anonymous", anon, fmt.Sprintf("user:%d", other.ID), "forbidden"},
		{"a channel that does not exist", mine, "channel:1", "not_found"},
		{"a collaborative that does not exist", mine, "collaborative:math-leads", "not_found"},
		{"unknown kind", anon, "posts:1", "bad_request"},
		{"malformed id", anon, "question:abc", "bad_request"},
		{"malformed tag", anon, "tag:Bad Tag", "bad_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.send(map[string]any{"type": "subscribe", "topic": tc.topic})
			f := tc.c.next()
			got := f.Type
			if f.Type == "error" {
				got = f.Code
				if f.Message == "" || f.Topic != tc.topic {
					t.Fatalf("error frame without message or topic: %+v", f)
				}
			}
			if got != tc.want {
				t.Fatalf("subscribe %s: got %+v, want %s", tc.topic, f, tc.want)
			}
		})
	}

	t.Run("bad frames get bad_request and the connection stays usable", func(t *testing.T) {
		c := mustDial(t, addr, nil)
		for _, bad := range []string{
			`not json`, `{"type":"dance"}`, `{"topic":"questions"}`, `{"type":"subscribe"}`, `{"type":"subscribe","topic":""}`,
			`{"type":"subscribe","topic":"questions","since":"5"}`, `{"type":"subscribe","topic":"questions","since":1.5}`,
			`[1,2,3]`, `{"type":"unsubscribe","topic":"questions"}`,
		} {
			c.send(bad)
			if f := c.expect("error"); f.Code != "bad_request" || f.Message == "" {
				t.Fatalf("%s: %+v", bad, f)
			}
		}
		c.roundTrip()
		c.subscribe("questions")
		c.send(`{"type":"unsubscribe","topic":"questions"}`)
		c.expect("unsubscribed")
	})

	t.Run("a frame over 64 KiB closes with 1009", func(t *testing.T) {
		c := mustDial(t, addr, nil)
		c.send(`{"type":"subscribe","topic":"` + strings.Repeat("x", 70<<10) + `"}`)
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := c.conn.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
			t.Fatalf("want close 1009, got %v", err)
		}
	})
}

func TestLiveUpgradeChecks(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	s.signup("admin")
	a := s.signup("teacher")
	cases := []struct {
		name   string
		header http.Header
		status int
	}{
		{"same-site page, anonymous", nil, 101},
		{"another site's page", http.Header{"Origin": {"http://evil.example"}}, 403},
		{"a page on the Host but not the base URL (DNS rebinding)", http.Header{"Origin": {"http://" + addr}}, 403},
		{"https page of the http site", http.Header{"Origin": {"https://staffroom.test"}}, 403},
		{"another site's page with a cookie", http.Header{"Origin": {"http://evil.example"}, "Cookie": {"staffroom_session=" + a.Cookie}}, 403},
		{"same-site page with a cookie", http.Header{"Cookie": {"staffroom_session=" + a.Cookie}}, 101},
		{"cookie without Origin", http.Header{"Origin": {""}, "Cookie": {"staffroom_session=" + a.Cookie}}, 403},
		{"bearer token without Origin", http.Header{"Origin": {""}, "Authorization": {"Bearer " + a.Token}}, 101},
		{"bad bearer token", http.Header{"Origin": {""}, "Authorization": {"Bearer nope"}}, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := dialWS(t, addr, tc.header)
			if tc.status == 101 {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				c.roundTrip()
				return
			}
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("want %d, got err %v resp %v", tc.status, err, resp)
			}
		})
	}
	t.Run("a plain GET gets a JSON error", func(t *testing.T) {
		r := s.do(req{method: "GET", path: "/ws"})
		if code, _ := r.errorCode(t); r.StatusCode != 400 || code != "upgrade_required" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
}
