package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

// memoryTargetKiB is DESIGN.md's target for an idle connection.
const memoryTargetKiB = 16

// runIdle measures what idle connections cost the server.
func runIdle(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	o.register(fs, 19900, 20)
	topic := fs.String("topic", "questions", `topic each connection subscribes to ("" for none)`)
	fs.DurationVar(&o.settle, "settle", 5*time.Second, "how long to sample the server's memory once all are connected (the minimum counts)")
	hold := fs.Duration("hold", 0, "keep the connections open this much longer (e.g. 60s, to see them survive the server's pings)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkFiles(rep, o.conns, fmt.Sprintf("%d connections", o.conns)); err != nil {
		return err
	}
	if o.conns == 19900 {
		rep.Notes = append(rep.Notes, "19,900 connections, not 20,000: the open-file hard limit here is 20,000 per process, for the server as for the tool")
	}
	a, probe, err := setupServer(ctx, o, rep)
	if err != nil {
		return err
	}
	run := runID()
	tokens, err := subscriberTokens(ctx, o, rep, a, run)
	if err != nil {
		return err
	}
	p, err := newPool(o.url, o.origin, nil)
	if err != nil {
		return err
	}
	rep.logf("reading the server's memory before (%s)", probe.source())
	before, err := probe.settledRSS(ctx, 2*time.Second, 250*time.Millisecond)
	if err != nil {
		return err
	}
	openPool(ctx, o, rep, p, tokens, *topic)
	after, err := probe.read(ctx)
	if err != nil {
		return err
	}
	rep.logf("settling %s", o.settle)
	settled, err := probe.settledRSS(ctx, o.settle, 500*time.Millisecond)
	if err != nil {
		return err
	}
	n := max(1, rep.Conns.Connected)
	m := &MemoryReport{BeforeRSS: before.RSS, AfterRSS: after.RSS, SettledRSS: settled.RSS, Conns: rep.Conns.Connected, TargetKiB: memoryTargetKiB,
		PerConnKiB:       float64(after.RSS-before.RSS) / float64(n) / 1024,
		SettledPerConnKi: float64(settled.RSS-before.RSS) / float64(n) / 1024,
		GoroutinesBefore: before.Goroutines, GoroutinesAfter: settled.Goroutines}
	if before.HeapInuse >= 0 && settled.HeapInuse >= 0 {
		m.HeapPerConnKiB = float64(settled.HeapInuse-before.HeapInuse) / float64(n) / 1024
		if before.StackInuse >= 0 && settled.StackInuse >= 0 {
			inUse := func(s sample) int64 { return s.HeapInuse + s.StackInuse }
			m.InUsePerConnKiB = float64(inUse(settled)-inUse(before)) / float64(n) / 1024
			m.BeforeUnusedRSS = before.RSS - inUse(before)
			// A baseline full of freed memory (the sign-ups' argon2id hashes take ~19 MiB
			// each) lets new connections reuse it without growing RSS.
			if m.BeforeUnusedRSS > 64<<20 {
				rep.Notes = append(rep.Notes, fmt.Sprintf("before connecting, the server's RSS held %s more than its heap and stacks in use (freed memory not yet returned to the OS, e.g. after sign-ups' argon2id hashing): connections can reuse it, so the RSS difference may understate their cost; the heap+stack figure does not. For a clean baseline: run once with --tokens-file to save tokens, restart the server, run again with the same file",
					kib(m.BeforeUnusedRSS)))
			}
		}
	}
	rep.Memory = m
	if before.CPUSeconds >= 0 && settled.CPUSeconds >= 0 {
		rep.ServerCPU = settled.CPUSeconds - before.CPUSeconds
	}
	if *hold > 0 {
		rep.logf("holding the connections %s", *hold)
		select {
		case <-time.After(*hold):
		case <-ctx.Done():
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("held the connections %s after measuring", *hold))
	}
	finishPool(rep, p)
	rep.Notes = append(rep.Notes, "memory per connection is (RSS after - RSS before) / connections; \"settled\" takes the smallest of samples over --settle, as the server has no GC endpoint")
	if rep.Conns.Connected > 0 && m.SettledPerConnKi > memoryTargetKiB {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the %d KiB target is missed (this does not change the exit status, which is about delivery)", memoryTargetKiB))
	}
	return nil
}
