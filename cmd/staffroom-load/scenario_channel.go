package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"staffroom/forum"
	"staffroom/forum/sqlite"
)

// ChannelReport is what the channel scenario measured: messages stored and delivered.
type ChannelReport struct {
	Channel     int64   `json:"channel"`
	Posters     int     `json:"posters"`
	Sent        int64   `json:"sent"`
	Failed      int64   `json:"failed"`
	Seconds     float64 `json:"seconds"`
	MessagesSec float64 `json:"messages_per_second"`
	POST        Summary `json:"post_latency"`
	Delivery    Summary `json:"delivery_latency"`
	Deliveries  int64   `json:"deliveries"`
	Expected    int64   `json:"expected_deliveries"`
}

// channelSetup makes a public collaborative whose #general the run posts to, with the
// posters as members: through the collaboratives API when the server has it, else (--db)
// straight into the server's SQLite file through the store. Returns #general's id.
func channelSetup(ctx context.Context, a *api, dbPath, run string, lead account, posters []account) (int64, error) {
	slug := "load-" + run
	err := a.do(ctx, "POST", "/api/v1/collaboratives", lead.Token, map[string]any{"slug": slug, "name": "Load " + run, "visibility": "public"}, nil)
	var ae *apiError
	switch {
	case err == nil:
		for _, p := range posters {
			if err := a.do(ctx, "POST", "/api/v1/collaboratives/"+slug+"/join", p.Token, nil, nil); err != nil {
				return 0, fmt.Errorf("join: %w", err)
			}
		}
	case errors.As(err, &ae) && ae.Status == 404 && dbPath != "":
		db, err := sqlite.Open(dbPath)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		g, err := db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: slug, Name: "Load " + run, Visibility: forum.VisibilityPublic, CreatedBy: lead.ID, Now: time.Now()})
		if err != nil {
			return 0, err
		}
		for _, p := range posters {
			if err := db.AddCollaborativeMember(ctx, g.ID, p.ID, forum.MemberRoleMember, time.Now()); err != nil {
				return 0, err
			}
		}
	default:
		return 0, fmt.Errorf("create the collaborative (without the collaboratives API, pass --db with the server's database): %w", err)
	}
	var list struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := a.do(ctx, "GET", "/api/v1/collaboratives/"+slug+"/channels", lead.Token, nil, &list); err != nil {
		return 0, err
	}
	for _, ch := range list.Items {
		if ch.Name == "general" {
			return ch.ID, nil
		}
	}
	return 0, fmt.Errorf("%s has no #general", slug)
}

// runChannel posts messages to a channel that --conns members follow, from --posters
// accounts at once for --duration: messages/s stored and the delay to each follower.
func runChannel(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	o.register(fs, 500, 50)
	posters := fs.Int("posters", 64, "messages in flight at once")
	postAccounts := fs.Int("post-accounts", 4, "members who post (the posters take turns with their tokens)")
	duration := fs.Duration("duration", 10*time.Second, "how long to post")
	dbPath := fs.String("db", "", "the server's SQLite file, to set the collaborative up where the server lacks the collaboratives API")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, probe, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	run := runID()
	ps, err := a.signup(ctx, run, "p", max(*postAccounts, 1)+1, 1) // one at a time: each costs the server an argon2id hash
	if err != nil {
		return err
	}
	channel, err := channelSetup(ctx, a, *dbPath, run, ps[0], ps[1:])
	if err != nil {
		return err
	}
	tokens, err := subscriberTokens(ctx, o, rep, a, run)
	if err != nil {
		return err
	}
	topic := forum.TopicChannel(channel)
	marker := []byte("lc" + run + "m")
	const maxMessages = 1 << 20
	sent := make([]atomic.Int64, maxMessages)
	var latency Histogram
	var delivered atomic.Int64
	onEvent := func(c *client, f *frame, recv time.Time) {
		if f.Event != "message.created" {
			return
		}
		k, ok := markerIndex(f.Data, marker)
		if !ok || k >= maxMessages || sent[k].Load() == 0 {
			return
		}
		latency.Record(time.Duration(recv.UnixNano() - sent[k].Load()))
		delivered.Add(1)
	}
	p, err := newPool(o.url, o.origin, onEvent)
	if err != nil {
		return err
	}
	cpu0, _ := probe.read(ctx)
	openPool(ctx, o, rep, p, tokens, topic)
	time.Sleep(o.settle)

	var next, okCount, failed atomic.Int64
	var post Histogram
	rep.logf("%d posters posting to %s for %s", *posters, topic, *duration)
	start := time.Now()
	deadline := start.Add(*duration)
	var wg sync.WaitGroup
	for w := range *posters {
		poster := ps[1+w%(len(ps)-1)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				k := next.Add(1) - 1
				if k >= maxMessages {
					return
				}
				body := fmt.Sprintf("Load message %s%d. Posted by staffroom-load.", marker, k)
				t0 := time.Now()
				sent[k].Store(t0.UnixNano())
				err := a.do(ctx, "POST", "/api/v1/channels/"+strconv.FormatInt(channel, 10)+"/messages", poster.Token, map[string]any{"body": body}, nil)
				post.Record(time.Since(t0))
				if err != nil {
					sent[k].Store(0)
					failed.Add(1)
					continue
				}
				okCount.Add(1)
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	final, _ := drainTopic(ctx, o, rep, p, ps[0].Token, topic)
	_ = final
	if cpu1, err := probe.read(ctx); err == nil && cpu0.CPUSeconds >= 0 {
		rep.ServerCPU = cpu1.CPUSeconds - cpu0.CPUSeconds
	}
	cr := &ChannelReport{Channel: channel, Posters: *posters, Sent: okCount.Load(), Failed: failed.Load(), Seconds: secs,
		MessagesSec: float64(okCount.Load()) / secs, POST: post.Summarize(), Delivery: latency.Summarize(),
		Deliveries: delivered.Load(), Expected: okCount.Load() * int64(rep.Conns.Subscribed)}
	rep.Channel = cr
	rep.Notes = append(rep.Notes, fmt.Sprintf("channel: %.0f messages/s stored (%d posters); delivery to %d followers p50 %.1f ms p99 %.1f ms; %d of %d deliveries seen",
		cr.MessagesSec, cr.Posters, rep.Conns.Subscribed, cr.Delivery.P50ms, cr.Delivery.P99ms, cr.Deliveries, cr.Expected))
	if failed.Load() > 0 {
		rep.problem("%d of %d messages failed", failed.Load(), failed.Load()+okCount.Load())
	}
	if cr.Deliveries < cr.Expected {
		rep.problem("%d of %d deliveries were not seen", cr.Expected-cr.Deliveries, cr.Expected)
	}
	finishPool(rep, p)
	return nil
}

// runChannelHistory reads a channel's newest page of --limit messages from --workers
// clients for --duration: requests/s and latency.
func runChannelHistory(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	o.register(fs, 0, 0)
	workers := fs.Int("workers", 16, "clients reading at once")
	duration := fs.Duration("duration", 10*time.Second, "how long to read")
	limit := fs.Int("limit", 50, "messages per page")
	dbPath := fs.String("db", "", "the server's SQLite file, to set the collaborative up where the server lacks the collaboratives API")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, _, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	run := runID()
	ps, err := a.signup(ctx, run, "h", 2, 2)
	if err != nil {
		return err
	}
	channel, err := channelSetup(ctx, a, *dbPath, run, ps[0], ps[1:])
	if err != nil {
		return err
	}
	path := "/api/v1/channels/" + strconv.FormatInt(channel, 10) + "/messages"
	rep.logf("writing %d messages to read back", *limit)
	for k := range *limit {
		body := fmt.Sprintf("History message %d: a line of **markdown** with a [link](https://example.org/%d).", k, k)
		if err := a.do(ctx, "POST", path, ps[1].Token, map[string]any{"body": body}, nil); err != nil {
			return err
		}
	}
	endpoint := path + "?limit=" + strconv.Itoa(*limit)
	sr := &SearchReport{Endpoint: endpoint, Workers: *workers, Distinct: 1, Examples: []string{endpoint}}
	rep.Search = sr
	rep.logf("reading %s with %d workers for %s", endpoint, *workers, *duration)
	var hist Histogram
	var sentN, failedN atomic.Int64
	var mu sync.Mutex
	reasons := map[string]int{}
	start := time.Now()
	deadline := start.Add(*duration)
	var wg sync.WaitGroup
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "GET", a.base+endpoint, nil)
				resp, err := a.client.Do(req)
				sentN.Add(1)
				if err != nil {
					failedN.Add(1)
					mu.Lock()
					reasons[err.Error()]++
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				hist.Record(time.Since(t0))
				if resp.StatusCode != 200 {
					failedN.Add(1)
					mu.Lock()
					reasons[resp.Status]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	sr.DurationSecs = time.Since(start).Seconds()
	sr.Sent, sr.Failed = sentN.Load(), failedN.Load()
	sr.Rate = float64(sr.Sent-sr.Failed) / sr.DurationSecs
	sr.Latency = hist.Summarize()
	for r, n := range reasons {
		sr.FailReasons = append(sr.FailReasons, Reason{Reason: r, Count: n})
	}
	sort.Slice(sr.FailReasons, func(i, j int) bool { return sr.FailReasons[i].Count > sr.FailReasons[j].Count })
	if sr.Failed > 0 {
		rep.problem("%d of %d reads failed", sr.Failed, sr.Sent)
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("channel history: %.0f req/s of %d messages each", sr.Rate, *limit))
	return nil
}
