package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"staffroom/forum"
	"staffroom/forum/web"
	"staffroom/realtime"
	"staffroom/realtime/wstest"
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

// dialWS opens /ws. With no Origin in h, a same-site Origin is sent, as a browser would;
// an empty Origin sends none.
func dialWS(t *testing.T, addr string, h http.Header) (*wstest.Client, *http.Response, error) {
	t.Helper()
	if h == nil {
		h = http.Header{}
	}
	if _, ok := h["Origin"]; !ok {
		h.Set("Origin", "http://staffroom.test") // the site's base URL
	} else if h.Get("Origin") == "" {
		delete(h, "Origin")
	}
	return wstest.Dial(t, "ws://"+addr+"/ws", h)
}

func mustDial(t *testing.T, addr string, h http.Header) *wstest.Client {
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
	head := watcher.Subscribe(topic)
	if head != 0 {
		t.Fatalf("a new question's head is %d, want 0", head)
	}

	aid := s.answer(answerer, qid)
	f := watcher.Expect("event", "answer.created")
	if f.Topic != topic || f.SeqOr(-1) != 1 {
		t.Fatalf("answer.created: %+v", f)
	}
	d := f.Object(t)
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
	f = watcher.Expect("event", "vote.changed")
	if d := f.Object(t); f.SeqOr(-1) != 2 || int64(d["post_id"].(float64)) != aid || d["score"].(float64) != 1 {
		t.Fatalf("vote.changed: %+v %s", f, f.Data)
	}

	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: asker.bearer(), body: `{"body":"Which scale did you start with?"}`})
	if r.StatusCode != 201 {
		t.Fatalf("comment: %d %s", r.StatusCode, r.body)
	}
	f = watcher.Expect("event", "comment.created")
	if d := f.Object(t); f.SeqOr(-1) != 3 || int64(d["post_id"].(float64)) != aid || !strings.Contains(d["body_html"].(string), "scale") {
		t.Fatalf("comment.created: %+v %s", f, f.Data)
	}

	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/answers/%d/accept", aid), headers: asker.bearer()})
	if r.StatusCode != 200 {
		t.Fatalf("accept: %d %s", r.StatusCode, r.body)
	}
	f = watcher.Expect("event", "answer.accepted")
	if d := f.Object(t); int64(d["answer_id"].(float64)) != aid || int64(d["question_id"].(float64)) != qid {
		t.Fatalf("answer.accepted: %s", f.Data)
	}

	r = s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/posts/%d", qid), headers: asker.bearer(),
		body: `{"body":"` + goodBody + ` Edited to say which grade band: middle school."}`})
	if r.StatusCode != 200 {
		t.Fatalf("edit: %d %s", r.StatusCode, r.body)
	}
	f = watcher.Expect("event", "post.updated")
	if d := f.Object(t); int64(d["id"].(float64)) != qid || !strings.Contains(d["body_html"].(string), "middle school") {
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
	f = watcher.Expect("event", "answer.created")
	if f.SeqOr(-1) != 6 {
		t.Fatalf("after a refused write the next event is %d, want 6: nothing may be numbered for a rollback", f.SeqOr(-1))
	}
	f = watcher.Expect("event", "post.deleted")
	if d := f.Object(t); int64(d["post_id"].(float64)) != second || f.SeqOr(-1) != 7 {
		t.Fatalf("post.deleted: %+v %s", f, f.Data)
	}

	// Closing: the question as it now reads, and the close itself.
	r = s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/close", qid), headers: admin.bearer(), body: `{"reason":"off_topic"}`})
	if r.StatusCode != 200 {
		t.Fatalf("close: %d %s", r.StatusCode, r.body)
	}
	if d := watcher.Expect("event", "post.updated").Object(t); d["closed_reason"] != "off_topic" {
		t.Fatalf("post.updated on close: %v", d)
	}
	if d := watcher.Expect("event", "post.locked").Object(t); d["closed"] != true || int64(d["post_id"].(float64)) != qid {
		t.Fatalf("post.locked: %v", d)
	}

	// The new-questions feed and the tag feed.
	feed := mustDial(t, addr, nil)
	feed.Subscribe("questions")
	feed.Subscribe("tag:grading")
	q2 := s.ask(answerer, "What do you put in a pilot budget for devices?", "grading", "budgets")
	for range 2 {
		f = feed.Expect("event", "question.created")
		if d := f.Object(t); int64(d["id"].(float64)) != q2 || d["title"] != "What do you put in a pilot budget for devices?" {
			t.Fatalf("question.created: %s", f.Data)
		}
		if f.Topic != "questions" && f.Topic != "tag:grading" {
			t.Fatalf("question.created on %q", f.Topic)
		}
	}
	feed.RoundTrip() // and nothing else came: tag:budgets was not subscribed
}

func TestLiveResume(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	qid := s.ask(asker, "How do you run data meetings that teachers like?", "data")
	topic := fmt.Sprintf("question:%d", qid)

	c := mustDial(t, addr, nil)
	c.Subscribe(topic)
	first := s.answer(answerer, qid)
	last := c.Expect("event", "answer.created").SeqOr(-1)
	c.Conn.Close()

	// Three events while away.
	var missed []int64
	for range 3 {
		missed = append(missed, s.answer(answerer, qid))
	}
	_ = first

	c = mustDial(t, addr, nil)
	head := c.SubscribeSince(topic, last)
	if head != last+3 {
		t.Fatalf("head %d, want %d", head, last+3)
	}
	for i, id := range missed {
		f := c.Expect("event", "answer.created")
		if f.SeqOr(-1) != last+1+int64(i) || int64(f.Object(t)["id"].(float64)) != id {
			t.Fatalf("replay %d: seq %d data %s", i, f.SeqOr(-1), f.Data)
		}
	}
	// Then live, with no gap and no duplicate.
	live := s.answer(answerer, qid)
	f := c.Expect("event", "answer.created")
	if f.SeqOr(-1) != head+1 || int64(f.Object(t)["id"].(float64)) != live {
		t.Fatalf("live after replay: seq %d data %s", f.SeqOr(-1), f.Data)
	}
	c.RoundTrip()

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
		c.Expect("event", "answer.created")
		want = fmt.Sprintf(`data-live-seq="%d"`, head+2)
		if r := s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: asker.Cookie}); !strings.Contains(string(r.body), want) {
			t.Fatalf("after a new answer the page lacks %s", want)
		}
		head++
	})

	t.Run("since in the future or negative", func(t *testing.T) {
		c.Send(map[string]any{"type": "subscribe", "topic": topic, "since": 999})
		if f := c.Expect("error"); f.Code != "bad_request" || f.Topic != topic {
			t.Fatalf("%+v", f)
		}
		c.Send(map[string]any{"type": "subscribe", "topic": topic, "since": -1})
		if f := c.Expect("error"); f.Code != "bad_request" {
			t.Fatalf("%+v", f)
		}
		c.RoundTrip()
	})

	t.Run("since older than the log keeps answers reset", func(t *testing.T) {
		if _, err := s.db.PruneEvents(context.Background(), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		r := mustDial(t, addr, nil)
		head := r.SubscribeSince(topic, 1)
		f := r.Expect("reset")
		if f.Topic != topic || f.SeqOr(-1) != head {
			t.Fatalf("reset: %+v (head %d)", f, head)
		}
		// Numbering goes on after pruning.
		s.answer(answerer, qid)
		if f := r.Expect("event", "answer.created"); f.SeqOr(-1) != head+1 {
			t.Fatalf("after pruning, seq %d, want %d", f.SeqOr(-1), head+1)
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
		c     *wstest.Client
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
		// One topic, one name: nothing is ever published under another spelling.
		{"an id with a leading zero", anon, fmt.Sprintf("question:0%d", qid), "bad_request"},
		{"own notifications, another spelling", mine, fmt.Sprintf("user:+%d", asker.ID), "bad_request"},
		{"the feed with an argument", anon, "questions:1", "bad_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Send(map[string]any{"type": "subscribe", "topic": tc.topic})
			f := tc.c.Next()
			got := f.Type
			if f.Type == "error" {
				got = f.Code
				if f.Message == "" || f.Topic != tc.topic {
					t.Fatalf("error frame without message or topic: %+v", f)
				}
				// forum's words: a malformed topic is answered with the topics there are
				// (a name with a space never gets that far: the frame is refused first).
				if f.Code == "bad_request" && !strings.Contains(tc.topic, " ") && !strings.Contains(f.Message, "question:{id}") {
					t.Fatalf("subscribe %s: message %q does not say which topics there are", tc.topic, f.Message)
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
			c.Send(bad)
			if f := c.Expect("error"); f.Code != "bad_request" || f.Message == "" {
				t.Fatalf("%s: %+v", bad, f)
			}
		}
		c.RoundTrip()
		c.Subscribe("questions")
		c.Send(`{"type":"unsubscribe","topic":"questions"}`)
		c.Expect("unsubscribed")
	})

	t.Run("a frame over 64 KiB closes with 1009", func(t *testing.T) {
		c := mustDial(t, addr, nil)
		c.Send(`{"type":"subscribe","topic":"` + strings.Repeat("x", 70<<10) + `"}`)
		c.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _, err := c.Conn.ReadMessage()
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
				c.RoundTrip()
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

// withConnsPerIP caps TCP connections per address.
func withConnsPerIP(n int) siteOption { return func(s *testSite) { s.cfg.MaxConnsPerIP = n } }

// TestLiveReplayIsBounded: since replays what a page missed, but a gap past the replay
// bound answers reset (the page reloads), not the topic's whole log.
func TestLiveReplayIsBounded(t *testing.T) {
	const bound = 20
	s := newSite(t, withLive(realtime.Config{MaxReplayEvents: bound}))
	addr := s.listen()
	s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	qid := s.ask(asker, "How do you keep a gradebook that parents can read?", "grading")
	topic := fmt.Sprintf("question:%d", qid)
	var ids []int64
	for range bound + 10 {
		ids = append(ids, s.answer(answerer, qid))
	}

	c := mustDial(t, addr, nil)
	head := c.SubscribeSince(topic, 0)
	if head != bound+10 {
		t.Fatalf("head %d, want %d", head, bound+10)
	}
	if f := c.Expect("reset"); f.Topic != topic || f.SeqOr(-1) != head {
		t.Fatalf("reset: %+v", f)
	}
	c.RoundTrip() // the reset came instead of the log, not before it

	d := mustDial(t, addr, nil)
	d.SubscribeSince(topic, head-5)
	for i := range 5 {
		f := d.Expect("event", "answer.created")
		if f.SeqOr(-1) != head-4+int64(i) || int64(f.Object(t)["id"].(float64)) != ids[len(ids)-5+i] {
			t.Fatalf("replay %d: seq %d data %s", i, f.SeqOr(-1), f.Data)
		}
	}
	d.RoundTrip()
}

// TestLiveConnectionCaps: past the per-address caps the upgrade answers 429 with
// Retry-After, past the global cap 503, both in the API's error shape; with rate limits
// off (Unlimited) no per-address cap applies. Plain TCP connections per address are capped
// by the HTTP server.
func TestLiveConnectionCaps(t *testing.T) {
	refused := func(t *testing.T, addr string, h http.Header, status int, code string) {
		t.Helper()
		_, resp, err := dialWS(t, addr, h)
		if err == nil || resp == nil || resp.StatusCode != status {
			t.Fatalf("want %d, got %v %v", status, err, resp)
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Code != code || body.Error.Message == "" {
			t.Fatalf("want error %s in the API's shape: %+v (%v)", code, body, err)
		}
		if status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}

	t.Run("per address", func(t *testing.T) {
		s := newSite(t, withLive(realtime.Config{MaxAnonConnsPerAddr: 2, MaxConnsPerAddr: 3}))
		addr := s.listen()
		s.signup("admin")
		a := s.signup("teacher")
		for range 2 {
			mustDial(t, addr, nil)
		}
		refused(t, addr, nil, http.StatusTooManyRequests, "rate_limited")
		for range 3 { // signed-in sockets are counted apart: a school's teachers share an address
			mustDial(t, addr, bearerHeader(a)).RoundTrip()
		}
		refused(t, addr, bearerHeader(a), http.StatusTooManyRequests, "rate_limited")
	})

	t.Run("global", func(t *testing.T) {
		s := newSite(t, withLive(realtime.Config{MaxConns: 3}))
		addr := s.listen()
		for range 3 {
			mustDial(t, addr, nil)
		}
		refused(t, addr, nil, http.StatusServiceUnavailable, "too_many_connections")
	})

	t.Run("rate limits off lift the per-address caps", func(t *testing.T) {
		s := newSite(t, withLive(realtime.Config{MaxAnonConnsPerAddr: 2, Unlimited: true}))
		addr := s.listen()
		for range 6 {
			mustDial(t, addr, nil).RoundTrip()
		}
	})

	t.Run("tcp connections per address", func(t *testing.T) {
		s := newSite(t, withConnsPerIP(3))
		addr := s.listen()
		get := func() (net.Conn, string) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: staffroom.test\r\n\r\n")
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 512)
			n, _ := conn.Read(buf)
			line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
			return conn, line
		}
		for range 3 { // kept alive: each holds its place
			if _, line := get(); !strings.Contains(line, " 200 ") {
				t.Fatalf("under the cap: %q", line)
			}
		}
		if _, line := get(); !strings.Contains(line, " 429 ") {
			t.Fatalf("past the cap: %q, want 429", line)
		}
	})
}

// login signs a in again: a new session (cookie) and a new token.
func (s *testSite) login(a *account) *account {
	s.t.Helper()
	r := s.do(req{method: "POST", path: "/api/v1/auth/login", body: jsonBody(map[string]string{"login": a.Name, "password": a.Passwd})})
	if r.StatusCode != 200 {
		s.t.Fatalf("login %s: %d %s", a.Name, r.StatusCode, r.body)
	}
	m := r.json(s.t)
	return &account{ID: a.ID, Cookie: r.cookie("staffroom_session").Value, CSRF: m["csrf_token"].(string), Token: m["token"].(string),
		Name: a.Name, Passwd: a.Passwd}
}

// sessionID is the id of a's current session, as the sessions list shows it.
func (s *testSite) sessionID(a *account) int64 {
	s.t.Helper()
	r := s.do(req{method: "GET", path: "/api/v1/me/sessions", cookie: a.Cookie})
	for _, it := range r.json(s.t)["items"].([]any) {
		if m := it.(map[string]any); m["current"] == true {
			return int64(m["id"].(float64))
		}
	}
	s.t.Fatalf("no current session in %s", r.body)
	return 0
}

func cookieHeader(a *account) http.Header {
	return http.Header{"Cookie": {"staffroom_session=" + a.Cookie}}
}

// TestLiveSignOutClosesSockets: a socket holds the identity it proved at its start; when
// that sign-in ends (sign-out, a revoked session or token, a new password) or changes (a
// role), the socket is closed at once with 4401, before anything more reaches it on
// user:{id}, and the old credential cannot subscribe again. Sockets of the person's other
// sign-ins stay.
func TestLiveSignOutClosesSockets(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	s.signup("admin")
	first := s.signup("teacher")
	topic := fmt.Sprintf("user:%d", first.ID)
	// Each subtest's sockets belong to it: open takes its t.
	open := func(t *testing.T, h http.Header) *wstest.Client {
		t.Helper()
		c := mustDial(t, addr, h)
		c.Subscribe(topic)
		return c
	}
	closed := func(c *wstest.Client, what string) {
		c.T.Helper()
		if code := c.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
			c.T.Fatalf("%s: closed with %d, want %d", what, code, realtime.CloseSignedOut)
		}
	}
	stays := func(cs ...*wstest.Client) {
		for _, c := range cs {
			c.T.Helper()
			c.RoundTrip()
		}
	}

	t.Run("sign-out", func(t *testing.T) {
		a, b := s.login(first), s.login(first)
		byCookie, byToken, other := open(t, cookieHeader(a)), open(t, bearerHeader(a)), open(t, cookieHeader(b))
		if r := s.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: a.Cookie, headers: a.csrf()}); r.StatusCode != 204 {
			t.Fatalf("logout: %d %s", r.StatusCode, r.body)
		}
		closed(byCookie, "the signed-out session's socket")
		stays(byToken, other)
		// The old cookie opens an anonymous socket now, which may not follow user:{id}.
		again := mustDial(t, addr, cookieHeader(a))
		again.Send(map[string]any{"type": "subscribe", "topic": topic})
		if f := again.Expect("error"); f.Code != "forbidden" {
			t.Fatalf("the ended session subscribed again: %+v", f)
		}
		if r := s.do(req{method: "POST", path: "/api/v1/auth/logout", headers: a.bearer()}); r.StatusCode != 204 {
			t.Fatalf("logout by token: %d %s", r.StatusCode, r.body)
		}
		closed(byToken, "the signed-out token's socket")
		stays(other)
	})

	t.Run("revoked session and token", func(t *testing.T) {
		a, b := s.login(first), s.login(first)
		revoked, kept, token := open(t, cookieHeader(b)), open(t, cookieHeader(a)), open(t, bearerHeader(b))
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/me/sessions/%d", s.sessionID(b)), cookie: a.Cookie, headers: a.csrf()}); r.StatusCode != 204 {
			t.Fatalf("revoke session: %d %s", r.StatusCode, r.body)
		}
		closed(revoked, "the revoked session's socket")
		stays(kept, token)
		r := s.do(req{method: "GET", path: "/api/v1/me/tokens", headers: b.bearer()})
		var current int64
		for _, it := range r.json(t)["items"].([]any) {
			if m := it.(map[string]any); m["current"] == true {
				current = int64(m["id"].(float64))
			}
		}
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/me/tokens/%d", current), cookie: a.Cookie, headers: a.csrf()}); r.StatusCode != 204 {
			t.Fatalf("revoke token: %d %s", r.StatusCode, r.body)
		}
		closed(token, "the revoked token's socket")
		stays(kept)
	})

	t.Run("password change ends the other sign-ins", func(t *testing.T) {
		a, b := s.login(first), s.login(first)
		mine, otherSession, otherToken := open(t, cookieHeader(a)), open(t, cookieHeader(b)), open(t, bearerHeader(b))
		next := "a brand new passphrase"
		r := s.do(req{method: "POST", path: "/api/v1/me/password", cookie: a.Cookie, headers: a.csrf(),
			body: jsonBody(map[string]string{"current_password": first.Passwd, "new_password": next})})
		if r.StatusCode != 204 {
			t.Fatalf("change password: %d %s", r.StatusCode, r.body)
		}
		first.Passwd = next
		closed(otherSession, "another session's socket")
		closed(otherToken, "another token's socket")
		stays(mine)
	})

	t.Run("role change", func(t *testing.T) {
		a := s.login(first)
		byCookie, byToken := open(t, cookieHeader(a)), open(t, bearerHeader(a))
		if _, err := s.accounts.SetRole(context.Background(), first.Name, forum.RoleModerator); err != nil {
			t.Fatal(err)
		}
		closed(byCookie, "a session's socket after a role change")
		closed(byToken, "a token's socket after a role change")
		again := open(t, bearerHeader(a)) // the sign-in itself still holds, with the new role
		stays(again)
	})
}

// TestLiveSocketsRecheckTheirSignIn: a change made where the hub does not hear of it (the
// command line, another node: here, the store directly) closes the sockets it concerns on
// their next check.
func TestLiveSocketsRecheckTheirSignIn(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{RecheckEvery: 20 * time.Millisecond, PingInterval: 20 * time.Millisecond, PresenceEvery: 10 * time.Millisecond}))
	addr := s.listen()
	s.signup("admin")
	a := s.signup("teacher")
	b := s.login(a)
	topic := fmt.Sprintf("user:%d", a.ID)
	byCookie, byToken := mustDial(t, addr, cookieHeader(a)), mustDial(t, addr, bearerHeader(b))
	byCookie.Subscribe(topic)
	byToken.Subscribe(topic)
	time.Sleep(100 * time.Millisecond) // several checks: a sign-in that holds stays
	byCookie.RoundTrip()

	ctx := context.Background()
	if err := s.db.DeleteSessionByHash(ctx, forum.HashSecret(a.Cookie)); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(3 * time.Second) // past the sign-in cache, as another process's change is
	if code := byCookie.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
		t.Fatalf("the deleted session's socket closed with %d, want %d", code, realtime.CloseSignedOut)
	}
	byToken.RoundTrip()
	if err := s.db.SetRole(ctx, a.ID, forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(3 * time.Second)
	if code := byToken.ClosedWith(2 * time.Second); code != realtime.CloseSignedOut {
		t.Fatalf("after a role change elsewhere the socket closed with %d, want %d", code, realtime.CloseSignedOut)
	}
}

// downBroker is a broker that cannot reach the other nodes.
type downBroker struct{}

func (downBroker) Publish(context.Context, []realtime.Event) error {
	return errors.New("the broker is away")
}
func (downBroker) Subscribe(func([]realtime.Event)) func() { return func() {} }

// TestLivePublisherLogsWhatItCannotPublish: committed events the hub could not publish
// are logged, not dropped without a word.
func TestLivePublisherLogsWhatItCannotPublish(t *testing.T) {
	hub := realtime.NewHub(realtime.Config{}, downBroker{}, nil, nil)
	defer hub.Close(context.Background())
	var logged bytes.Buffer
	p := web.LivePublisher{Hub: hub, Log: slog.New(slog.NewTextHandler(&logged, nil))}
	p.Publish([]forum.LoggedEvent{{Topic: forum.TopicQuestion(7), Seq: 3, Name: forum.EventAnswerCreated, Data: []byte(`{}`)}})
	if out := logged.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "the broker is away") || !strings.Contains(out, "question:7") {
		t.Fatalf("a failed publish logged %q", out)
	}
}
