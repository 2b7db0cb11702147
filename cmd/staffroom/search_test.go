package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/forum/sqlite"
)

// searchTitles asks the running server's search API and returns the titles found.
func searchTitles(t *testing.T, base, q string) (int, []string) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Items []struct{ Title string } `json:"items"`
	}
	json.NewDecoder(resp.Body).Decode(&res)
	var titles []string
	for _, it := range res.Items {
		titles = append(titles, it.Title)
	}
	return resp.StatusCode, titles
}

// The index of a database that had posts before it had an index fills itself after
// start, and `staffroom reindex` rebuilds it; both through the real binary's wiring.
func TestSearchIndexBackfillAndReindex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "search.db")
	m, cancel, done := startMain(t, path)
	base := "http://" + m.Addr()
	if code, titles := searchTitles(t, base, "chromebook routines"); code != 200 || len(titles) != 1 || !strings.Contains(titles[0], "Chromebook") {
		t.Fatalf("the demo is not searchable: %d %v", code, titles)
	}
	// A request line over the server's 4 KiB read buffer (which every websocket keeps, so it
	// stays small) is refused before search sees it: 400, never a failure. Search itself reads
	// the first 1,000 bytes of any q (forum.MaxSearchQueryLen), which always fit.
	resp, err := http.Get(base + "/api/v1/search?q=" + strings.Repeat("x", 5000))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a 5,000-character query = %d %s %v", resp.StatusCode, b, resp.Header)
	}
	cancel()
	<-done
	m.Close()

	// As if the posts were there before the index: empty it and mark everything pending.
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`DELETE FROM search_questions`, `DELETE FROM search_answers`,
		`UPDATE search_state SET backfill_below = (SELECT MAX(id) + 1 FROM posts)`} {
		if _, err := db.Writer().Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	m, cancel, done = startMain(t, path)
	base = "http://" + m.Addr()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, titles := searchTitles(t, base, "chromebook routines"); len(titles) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the index was not filled after start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if left, err := m.DB.SearchBackfillPending(context.Background()); err != nil || left != 0 {
		t.Fatalf("pending after backfill = %d, %v", left, err)
	}
	cancel()
	<-done
	m.Close()

	if code, stdout, stderr := cli(t, "", "reindex", "--db", path); code != 0 || !strings.Contains(stdout, "Rebuilt the search index") {
		t.Fatalf("reindex: %d %q %q", code, stdout, stderr)
	}
	m, cancel, done = startMain(t, path)
	defer func() { cancel(); <-done; m.Close() }()
	if _, titles := searchTitles(t, "http://"+m.Addr(), "newcomer lab reports"); len(titles) != 1 {
		t.Fatalf("after reindex: %v", titles)
	}
}
