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

	"staffroom/realtime/wstest"
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
	head := ws.Subscribe(topic)
	postAnswer(t, base, token, qid, "Before the restart: we used exit tickets every day.")
	if e := ws.Next(); e.Type != "event" || e.SeqOr(-1) != head+1 {
		t.Fatalf("live event before the restart: %+v", e)
	}

	cancel()
	ws.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := ws.Conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
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
	if h := ws2.SubscribeSince(topic, head+1); h != head+2 {
		t.Fatalf("head after the restart %d, want %d", h, head+2)
	}
	e := ws2.Next()
	var data struct{ ID int64 }
	json.Unmarshal(e.Data, &data)
	if e.Type != "event" || e.SeqOr(-1) != head+2 || e.Event != "answer.created" || data.ID != missed {
		t.Fatalf("replayed after the restart: %+v", e)
	}
	ws2.Send(`{"type":"ping"}`)
	if e := ws2.Next(); e.Type != "pong" {
		t.Fatalf("something more than the missed event came: %+v", e)
	}
}

// TestLiveTopicRules: the hub as the binary wires it takes its topic rules from forum: a
// question page tells its readers how many they are, without naming them, and takes no
// typing.
func TestLiveTopicRules(t *testing.T) {
	m, cancel, done := startMain(t, filepath.Join(t.TempDir(), "topics.db"))
	defer func() { cancel(); <-done; m.Close() }()
	base := "http://" + m.Addr()
	var list struct{ Items []struct{ ID int64 } }
	getJSON(t, base+"/api/v1/questions", &list)
	topic := fmt.Sprintf("question:%d", list.Items[0].ID)

	reader := dialLive(t, m.Addr(), signupToken(t, base, "reader"))
	reader.Subscribe(topic)
	wstest.MustDial(t, "ws://"+m.Addr()+"/ws", nil).Subscribe(topic) // anonymous
	for {
		f := reader.NextPresence() // the hub's rounds: one a second
		var d struct {
			Count int
			Users []any
		}
		json.Unmarshal(f.Data, &d)
		if len(d.Users) != 0 {
			t.Fatalf("a question page named its readers: %s", f.Data)
		}
		if d.Count == 2 {
			break
		}
	}
	reader.Send(map[string]string{"type": "typing", "topic": topic})
	if f := reader.Next(); f.Type != "error" || f.Code != "bad_request" {
		t.Fatalf("typing on a question page: %v", f)
	}
}

// dialLive opens /ws as the holder of token.
func dialLive(t *testing.T, addr, token string) *wstest.Client {
	t.Helper()
	return wstest.MustDial(t, "ws://"+addr+"/ws", http.Header{"Authorization": {"Bearer " + token}})
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
