package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// api calls the server's JSON API as the load tool's accounts.
type api struct {
	base   string
	client *http.Client
}

func newAPI(base string, conns int) *api {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
	}
	return &api{base: strings.TrimRight(base, "/"), client: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// apiError is a non-2xx answer, with the server's error code and message.
type apiError struct {
	Status  int
	Code    string
	Message string
	Path    string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Path, e.Status, e.Code, e.Message)
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (a *api) do(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(b, &e)
		if e.Error.Code == "" {
			e.Error.Message = strings.TrimSpace(string(b[:min(len(b), 200)]))
		}
		return &apiError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message, Path: method + " " + path}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// account is one signed-up user of the load tool.
type account struct {
	ID       int64
	Username string
	Token    string
}

// signup creates count accounts named after run, workers at a time: each costs the server
// an argon2id hash (~50 ms of one core), so they are made once and shared by connections.
func (a *api) signup(ctx context.Context, run, role string, count, workers int) ([]account, error) {
	out := make([]account, count)
	errs := make(chan error, count)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, count)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				name := fmt.Sprintf("load%s%s%d", run, role, i)
				var resp struct {
					User  struct{ ID int64 } `json:"user"`
					Token string             `json:"token"`
				}
				err := a.do(ctx, "POST", "/api/v1/auth/signup", "", map[string]string{
					"username": name, "email": name + "@load.example.org",
					"password": "load-tool-password-" + run, "display_name": "Load " + role + " " + fmt.Sprint(i),
				}, &resp)
				if err != nil {
					errs <- err
					continue
				}
				out[i] = account{ID: resp.User.ID, Username: name, Token: resp.Token}
			}
		}()
	}
	for i := range count {
		select {
		case next <- i:
		case err := <-errs:
			close(next)
			wg.Wait()
			return nil, fmt.Errorf("sign up: %w", err)
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, fmt.Errorf("sign up: %w", err)
	default:
	}
	return out, nil
}

type created struct {
	ID int64 `json:"id"`
}

func (a *api) createQuestion(ctx context.Context, token, run string) (int64, error) {
	var q created
	err := a.do(ctx, "POST", "/api/v1/questions", token, map[string]any{
		"title": "Load test question " + run + ": how fast do live updates arrive?",
		"body":  "This question was created by staffroom-load (run " + run + ") to measure websocket delivery.",
		"tags":  []string{"load-test"},
	}, &q)
	return q.ID, err
}

func (a *api) createAnswer(ctx context.Context, token string, question int64, body string) (int64, error) {
	var p created
	err := a.do(ctx, "POST", fmt.Sprintf("/api/v1/questions/%d/answers", question), token, map[string]string{"body": body}, &p)
	return p.ID, err
}

func (a *api) createComment(ctx context.Context, token string, post int64, body string) (int64, error) {
	var c created
	err := a.do(ctx, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", post), token, map[string]string{"body": body}, &c)
	return c.ID, err
}

func (a *api) vote(ctx context.Context, token string, post int64, value int) (int, error) {
	var v struct {
		Score int `json:"score"`
	}
	err := a.do(ctx, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", post), token, map[string]int{"value": value}, &v)
	return v.Score, err
}
