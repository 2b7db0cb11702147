package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// runSustained drives a paced stream of events into one question topic.
//
// Votes carry no marker ({post_id, score}), so they are matched by order: requests on one
// post are sent one at a time, so that post's events commit in the order they were sent,
// and the j-th vote.changed of a post that a subscriber receives is the j-th vote sent to
// it. The score each vote must produce is known in advance (the voters of a post vote up
// one after another, then take their votes back one after another), and a delivery whose
// score is not the expected one is counted unmatched rather than timed.
func runSustained(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	o.register(fs, 500, 10)
	rate := fs.Float64("rate", 1000, "events a second")
	duration := fs.Duration("duration", 60*time.Second, "how long to keep the rate")
	event := fs.String("event", "vote", "what makes the events: vote (needs --privileges open on the server, or voters with reputation), comment or answer")
	posts := fs.Int("posts", 200, "vote: posts voted on (the question and posts-1 answers); requests on one post go one at a time")
	voters := fs.Int("voters", 20, "vote, comment, answer: accounts that make the events")
	workers := fs.Int("workers", 128, "comment, answer: requests in flight at most")
	fs.DurationVar(&o.settle, "settle", 2*time.Second, "wait after subscribing before the stream starts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate <= 0 || *duration <= 0 || *voters < 1 || *posts < 1 || *workers < 1 {
		return fmt.Errorf("--rate, --duration, --voters, --posts and --workers must be positive")
	}
	if *event != "vote" && *event != "comment" && *event != "answer" {
		return fmt.Errorf("--event must be vote, comment or answer, not %q", *event)
	}
	if err := checkFiles(rep, o.conns, fmt.Sprintf("%d connections", o.conns)); err != nil {
		return err
	}
	a, probe, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	run := runID()
	rep.logf("signing up the asker and %d voters", *voters)
	asker, err := a.signup(ctx, run, "p", 1, 1)
	if err != nil {
		return err
	}
	makers, err := a.signup(ctx, run, "v", *voters, 4)
	if err != nil {
		return err
	}
	tokens, err := subscriberTokens(ctx, o, rep, a, run)
	if err != nil {
		return err
	}
	qid, err := a.createQuestion(ctx, asker[0].Token, run)
	if err != nil {
		return fmt.Errorf("create the question: %w", err)
	}
	topic := fmt.Sprintf("question:%d", qid)
	total := int(*rate * duration.Seconds())
	s := &SustainReport{Question: qid, Event: *event, TargetRate: *rate, DurationSecs: duration.Seconds()}

	// What is sent, for the subscribers to time their frames against.
	postIDs := []int64{qid}
	if *event == "vote" {
		rep.logf("creating %d answers to vote on", *posts-1)
		for i := 1; i < *posts; i++ {
			id, err := a.createAnswer(ctx, asker[0].Token, qid, fmt.Sprintf("Answer %d of load run %s, here to be voted on by the load tool.", i, run))
			if err != nil {
				return fmt.Errorf("create answer %d to vote on: %w", i, err)
			}
			postIDs = append(postIDs, id)
		}
		s.Posts, s.Voters = len(postIDs), *voters
	} else {
		s.Posts = 1
	}
	postIndex := make(map[int64]int, len(postIDs))
	for i, id := range postIDs {
		postIndex[id] = i
	}
	nv := *voters
	expectedScore := func(j int) int64 { // the score after a post's j-th vote
		if (j/nv)%2 == 0 {
			return int64(j%nv + 1)
		}
		return int64(nv - 1 - j%nv)
	}
	var sent [][]atomic.Int64 // vote: [post][j]; else [0][k]; unix nanos just before the POST
	if *event == "vote" {
		sent = make([][]atomic.Int64, len(postIDs))
		for i := range sent {
			sent[i] = make([]atomic.Int64, total+1)
		}
	} else {
		sent = [][]atomic.Int64{make([]atomic.Int64, total+1)}
	}
	marker := []byte("lt" + run + "e")
	wantEvent := map[string]string{"vote": "vote.changed", "comment": "comment.created", "answer": "answer.created"}[*event]

	var latency Histogram
	var matched, unmatched atomic.Int64
	onEvent := func(c *client, f *frame, recv time.Time) {
		if f.Event != wantEvent {
			unmatched.Add(1)
			return
		}
		var at int64
		if *event == "vote" {
			pid, ok1 := dataInt(f.Data, "post_id")
			score, ok2 := dataInt(f.Data, "score")
			pi, ok3 := postIndex[pid]
			if !ok1 || !ok2 || !ok3 {
				unmatched.Add(1)
				return
			}
			if c.counts == nil {
				c.counts = make([]int32, len(postIDs))
			}
			j := int(c.counts[pi])
			c.counts[pi]++
			if j >= len(sent[pi]) || score != expectedScore(j) {
				unmatched.Add(1)
				return
			}
			at = sent[pi][j].Load()
		} else {
			k, ok := markerIndex(f.Data, marker)
			if !ok || k >= len(sent[0]) {
				unmatched.Add(1)
				return
			}
			at = sent[0][k].Load()
		}
		if at == 0 {
			unmatched.Add(1)
			return
		}
		latency.Record(time.Duration(recv.UnixNano() - at))
		matched.Add(1)
	}
	p, err := newPool(o.url, o.origin, onEvent)
	if err != nil {
		return err
	}
	openPool(ctx, o, rep, p, tokens, topic)
	time.Sleep(o.settle)
	cpu0, _ := probe.read(ctx)

	// Slots: vote: a post with no request in flight, with its next vote's index; else a
	// worker slot.
	type slot struct{ post, j int }
	slots := make(chan slot, max(len(postIDs), *workers))
	if *event == "vote" {
		for i := range postIDs {
			slots <- slot{post: i}
		}
	} else {
		for range *workers {
			slots <- slot{}
		}
	}
	var postLat, lag Histogram
	var okCount, failed atomic.Int64
	var fmu sync.Mutex
	fails := map[string]int{}
	var wg sync.WaitGroup
	send := func(k int, sl slot) {
		defer wg.Done()
		var err error
		t0 := time.Now()
		switch *event {
		case "vote":
			sent[sl.post][sl.j].Store(t0.UnixNano())
			value := 0
			if (sl.j/nv)%2 == 0 {
				value = 1
			}
			_, err = a.vote(ctx, makers[sl.j%nv].Token, postIDs[sl.post], value)
		case "comment":
			sent[0][k].Store(t0.UnixNano())
			_, err = a.createComment(ctx, makers[k%nv].Token, qid, fmt.Sprintf("Load comment %s%d. Timing live comments.", marker, k))
		case "answer":
			sent[0][k].Store(t0.UnixNano())
			_, err = a.createAnswer(ctx, makers[k%nv].Token, qid, fmt.Sprintf("Load answer %s%d. Posted by the load tool to time live answers.", marker, k))
		}
		postLat.Record(time.Since(t0))
		if err != nil {
			failed.Add(1)
			reason := err.Error()
			var ae *apiError
			if errors.As(err, &ae) {
				reason = fmt.Sprintf("HTTP %d %s: %s", ae.Status, ae.Code, ae.Message)
			}
			fmu.Lock()
			fails[shortReason(reason)]++
			fmu.Unlock()
			if *event == "vote" {
				sent[sl.post][sl.j].Store(0)
				slots <- sl // the vote did not happen: the post's next vote is this one again
			} else {
				sent[0][k].Store(0)
				slots <- sl
			}
			return
		}
		okCount.Add(1)
		if *event == "vote" {
			sl.j++
		}
		slots <- sl
	}

	rep.logf("sending %d %s requests at %.0f/s for %s", total, *event, *rate, *duration)
	period := time.Duration(float64(time.Second) / *rate)
	start := time.Now()
	lastLog := start
	k := 0
	end := start.Add(*duration)
	for ; k < total && ctx.Err() == nil; k++ {
		due := start.Add(time.Duration(k) * period)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		var sl slot
		select {
		case sl = <-slots:
		case <-time.After(time.Until(end)):
		}
		if !time.Now().Before(end) {
			break // the duration is over: what was not sent by now shows as a missed rate
		}
		lag.Record(time.Since(due))
		wg.Add(1)
		go send(k, sl)
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			el := time.Since(start).Seconds()
			rep.logf("  %.0fs: %d sent (%.0f/s), %d ok, %d failed; %d frames received, %d connections lost",
				el, k+1, float64(k+1)/el, okCount.Load(), failed.Load(), p.logged.Load(), p.disconnected.Load())
		}
		if failed.Load() > 100 && okCount.Load() == 0 {
			k++
			break // nothing works: stop and report why
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	s.Sent = int64(k)
	s.Failed = failed.Load()
	s.AchievedRate = float64(okCount.Load()) / max(elapsed.Seconds(), duration.Seconds())
	for r, n := range fails {
		s.FailReasons = append(s.FailReasons, Reason{Reason: r, Count: n})
	}
	s.POST, s.PacerLag = postLat.Summarize(), lag.Summarize()
	rep.Sustain = s

	final, drained := drainTopic(ctx, o, rep, p, asker[0].Token, topic)
	if cpu1, err := probe.read(ctx); err == nil && cpu0.CPUSeconds >= 0 {
		rep.ServerCPU = cpu1.CPUSeconds - cpu0.CPUSeconds
	}
	d := &DeliveryReport{seqTotals: p.seqTotals(final), FinalSeq: final, Matched: matched.Load(), Unmatched: unmatched.Load(),
		Latency: latency.Summarize(), DrainSecs: drained.Seconds(), Requests: okCount.Load()}
	d.CaughtUp, _ = p.caughtUp(final)
	d.ExpectedRq = okCount.Load() * d.Subscribers
	rep.Delivery = d
	finishPool(rep, p)
	judgeDelivery(rep, d)
	if s.Failed > 0 {
		rep.problem("%d of %d requests failed", s.Failed, s.Sent)
	}
	if s.AchievedRate < 0.95**rate {
		rep.problem("the achieved rate (%.0f events/s, %d of %d requests sent in %s) is below the target %.0f/s: see the POST latency and pacer lag",
			s.AchievedRate, s.Sent, total, *duration, *rate)
	}
	if *event == "vote" {
		rep.Notes = append(rep.Notes, fmt.Sprintf("votes on one post go one at a time (so their events can be matched by order); %d posts bound the requests in flight", len(postIDs)))
	}
	return nil
}
