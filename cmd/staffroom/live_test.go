package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// TestLiveResumesAcrossRestart: a server that stops tells its websocket clients it is
// going away (1001); they reconnect to the next process and resume with since, missing
// nothing that happened in between.
func TestLiveResumesAcrossRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "live.db")
	m, cancel, done := startMain(t, db)
	base := "http://" + m.Addr()
	token := signupToken(t, base, "resumer")
	var list struct{ Items []struct{ ID int64 } }
	getJSON(t, base+"/api/v1/questions", &list)
	qid := list.Items[0].ID
	topic := fmt.Sprintf("question:%d", qid)

	ws := dialLive(t, m.Addr(), token)
	head := subscribeLive(t, ws, topic, -1)
	postAnswer(t, base, token, qid, "Before the restart: we used exit tickets every day.")
	if e := readLive(t, ws); e.Type != "event" || e.Seq != head+1 {
		t.Fatalf("live event before the restart: %+v", e)
	}

	cancel()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("on shutdown the client got %v, want close 1001", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	m.Close()

	m2, cancel2, done2 := startMain(t, db)
	defer func() { cancel2(); <-done2; m2.Close() }()
	base2 := "http://" + m2.Addr()
	missed := postAnswer(t, base2, token, qid, "While the client was away: weekly conferences helped.")

	ws2 := dialLive(t, m2.Addr(), token)
	if h := subscribeLive(t, ws2, topic, head+1); h != head+2 {
		t.Fatalf("head after the restart %d, want %d", h, head+2)
	}
	e := readLive(t, ws2)
	var data struct{ ID int64 }
	json.Unmarshal(e.Data, &data)
	if e.Type != "event" || e.Seq != head+2 || e.Event != "answer.created" || data.ID != missed {
		t.Fatalf("replayed after the restart: %+v", e)
	}
	ws2.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
	if e := readLive(t, ws2); e.Type != "pong" {
		t.Fatalf("something more than the missed event came: %+v", e)
	}
}

type liveFrame struct {
	Type  string
	Topic string
	Seq   int64
	Event string
	Data  json.RawMessage
	Code  string
}

func dialLive(t *testing.T, addr, token string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// subscribeLive subscribes (since < 0: without since) and returns the head.
func subscribeLive(t *testing.T, c *websocket.Conn, topic string, since int64) int64 {
	t.Helper()
	m := map[string]any{"type": "subscribe", "topic": topic}
	if since >= 0 {
		m["since"] = since
	}
	b, _ := json.Marshal(m)
	c.WriteMessage(websocket.TextMessage, b)
	f := readLive(t, c)
	if f.Type != "subscribed" {
		t.Fatalf("subscribe: %+v", f)
	}
	return f.Seq
}

// readLive reads the next frame that is not presence.
func readLive(t *testing.T, c *websocket.Conn) liveFrame {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var f liveFrame
		json.Unmarshal(msg, &f)
		if f.Event != "presence.changed" {
			return f
		}
	}
}

func signupToken(t *testing.T, base, username string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "email": username + "@district.org", "password": "long enough pass"})
	resp, err := http.Post(base+"/api/v1/auth/signup", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var grant struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&grant)
	if resp.StatusCode != 201 || grant.Token == "" {
		t.Fatalf("signup: %d", resp.StatusCode)
	}
	return grant.Token
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func postAnswer(t *testing.T, base, token string, qid int64, body string) int64 {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"body": body})
	req, _ := http.NewRequestWithContext(context.Background(), "POST", fmt.Sprintf("%s/api/v1/questions/%d/answers", base, qid), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID int64 }
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 201 {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	return out.ID
}
