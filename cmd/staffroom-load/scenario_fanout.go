package main

import (
	"context"
	"flag"
	"fmt"
	"sync/atomic"
	"time"
)

// runFanout posts answers to a question that --conns connections follow.
func runFanout(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	o.register(fs, 5000, 10)
	answers := fs.Int("answers", 20, "answers to post, one at a time")
	interval := fs.Duration("interval", time.Second, "pause between answers, so that each fan-out is measured alone")
	fs.DurationVar(&o.settle, "settle", 2*time.Second, "wait after subscribing before the first answer (presence frames of the crowd's arrival go out meanwhile)")
	floor := fs.Bool("floor", true, "also measure the bare-TCP floor with as many sockets, in the same run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *answers < 1 {
		return fmt.Errorf("--answers must be at least 1")
	}
	if err := checkFiles(rep, o.conns, fmt.Sprintf("%d connections", o.conns)); err != nil {
		return err
	}
	a, probe, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	run := runID()
	rep.logf("signing up the asker and the answerer")
	posters, err := a.signup(ctx, run, "p", 2, 2)
	if err != nil {
		return err
	}
	asker, answerer := posters[0], posters[1]
	tokens, err := subscriberTokens(ctx, o, rep, a, run)
	if err != nil {
		return err
	}
	qid, err := a.createQuestion(ctx, asker.Token, run)
	if err != nil {
		return fmt.Errorf("create the question: %w", err)
	}
	topic := fmt.Sprintf("question:%d", qid)

	marker := []byte("lt" + run + "a")
	sent := make([]atomic.Int64, *answers) // unix nanos just before each POST
	got := make([]atomic.Int64, *answers)  // viewers that have each answer
	last := make([]atomic.Int64, *answers) // unix nanos of the last viewer's frame
	var latency Histogram
	var matched, unmatched, frameBytes atomic.Int64
	onEvent := func(c *client, f *frame, recv time.Time) {
		if f.Event != "answer.created" {
			unmatched.Add(1)
			return
		}
		k, ok := markerIndex(f.Data, marker)
		if !ok || k >= len(sent) || sent[k].Load() == 0 {
			unmatched.Add(1)
			return
		}
		at := recv.UnixNano()
		latency.Record(time.Duration(at - sent[k].Load()))
		matched.Add(1)
		got[k].Add(1)
		frameBytes.Store(int64(len(c.buf)))
		for {
			l := last[k].Load()
			if at <= l || last[k].CompareAndSwap(l, at) {
				break
			}
		}
	}
	p, err := newPool(o.url, o.origin, onEvent)
	if err != nil {
		return err
	}
	cpu0, _ := probe.read(ctx)
	openPool(ctx, o, rep, p, tokens, topic)
	time.Sleep(o.settle)

	var post, all Histogram
	ok := 0
	rep.logf("posting %d answers, one every %s", *answers, *interval)
	for k := range *answers {
		if ctx.Err() != nil {
			break
		}
		body := fmt.Sprintf("Load answer %s%d. Posted by staffroom-load to time the live update of a new answer.", marker, k)
		t0 := time.Now()
		sent[k].Store(t0.UnixNano())
		_, err := a.createAnswer(ctx, answerer.Token, qid, body)
		post.Record(time.Since(t0))
		if err != nil {
			sent[k].Store(0)
			rep.problem("answer %d: %v", k, err)
			continue
		}
		ok++
		// Wait for this answer to reach everyone (or the interval to pass) before the next.
		deadline := time.Now().Add(max(*interval, 100*time.Millisecond))
		for got[k].Load() < int64(rep.Conns.Subscribed) && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Until(deadline))
	}
	final, drained := drainTopic(ctx, o, rep, p, asker.Token, topic)
	for k := range *answers {
		if sent[k].Load() != 0 && got[k].Load() > 0 {
			all.Record(time.Duration(last[k].Load() - sent[k].Load()))
		}
	}
	if cpu1, err := probe.read(ctx); err == nil && cpu0.CPUSeconds >= 0 {
		rep.ServerCPU = cpu1.CPUSeconds - cpu0.CPUSeconds
	}
	rep.Fanout = &FanoutReport{Question: qid, Answers: ok, FrameBytes: int(frameBytes.Load()), POST: post.Summarize(), AllReached: all.Summarize()}
	d := &DeliveryReport{seqTotals: p.seqTotals(final), FinalSeq: final, Matched: matched.Load(), Unmatched: unmatched.Load(),
		Latency: latency.Summarize(), DrainSecs: drained.Seconds(), Requests: int64(ok)}
	d.CaughtUp, _ = p.caughtUp(final)
	d.ExpectedRq = int64(ok) * d.Subscribers
	rep.Delivery = d
	judgeDelivery(rep, d)

	if !*floor {
		finishPool(rep, p)
		return nil
	}
	// The floor runs while the websockets stay open when the descriptors allow it (the same
	// conditions as the fan-out), else after they close.
	floorSockets := rep.Conns.Subscribed
	concurrent := checkFiles(rep, o.conns+2*floorSockets, "") == nil
	if !concurrent {
		finishPool(rep, p)
		time.Sleep(time.Second) // let the server see the closes before the floor runs
	}
	rep.logf("bare-TCP floor: %d sockets, %d rounds", floorSockets, max(ok, 5))
	fr, err := tcpFloor(ctx, floorSockets, max(ok, 5), max(rep.Fanout.FrameBytes, 64), min(*interval, 200*time.Millisecond))
	if err != nil {
		rep.Notes = append(rep.Notes, "the bare-TCP floor could not run: "+err.Error())
	} else {
		fr.Concurrent = concurrent
		rep.Floor = &fr
	}
	if concurrent {
		finishPool(rep, p)
	}
	rep.Notes = append(rep.Notes, "the bare-TCP floor is the tool writing to its own sockets on 127.0.0.1 (it cannot write to the server's): the same machine, socket count and frame size, with no websocket framing, JSON or hub")
	return nil
}

// drainTopic reads the topic's final head and waits until every subscriber has it.
func drainTopic(ctx context.Context, o *options, rep *Report, p *pool, token, topic string) (int64, time.Duration) {
	final, err := topicHead(ctx, p.wsURL, o.origin, token, topic)
	if err != nil {
		rep.problem("could not read the final head of %s: %v", topic, err)
		return 0, 0
	}
	t0 := time.Now()
	rep.logf("final seq of %s is %d; waiting up to %s for every subscriber", topic, final, o.drain)
	for time.Since(t0) < o.drain && ctx.Err() == nil {
		if done, total := p.caughtUp(final); done == total {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return final, time.Since(t0)
}

// judgeDelivery turns missing events into problems.
func judgeDelivery(rep *Report, d *DeliveryReport) {
	if d.Missing > 0 {
		rep.problem("%d of %d expected events (by seq) never arrived; %d subscribers incomplete", d.Missing, d.Expected, d.Incomplete)
	}
	if d.Matched < d.ExpectedRq {
		rep.problem("%d of %d deliveries of this run's events were not seen", d.ExpectedRq-d.Matched, d.ExpectedRq)
	}
	if d.Resets > 0 {
		rep.problem("%d reset frames: subscribers were told they had fallen too far behind", d.Resets)
	}
}
