package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

// runFloor measures the bare-TCP floor alone: no server is needed.
func runFloor(ctx context.Context, o *options, rep *Report, args []string, fs *flag.FlagSet) error {
	fs.IntVar(&o.conns, "conns", 5000, "socket pairs on 127.0.0.1 (each costs the tool two descriptors)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines on stderr")
	rounds := fs.Int("rounds", 20, "messages written to every socket, one round at a time")
	size := fs.Int("bytes", 400, "message size (an answer.created frame is ~600-900 bytes)")
	interval := fs.Duration("interval", 200*time.Millisecond, "pause between rounds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkFiles(rep, 2*o.conns, fmt.Sprintf("%d socket pairs", o.conns)); err != nil {
		return err
	}
	rep.logf("bare-TCP floor: %d sockets, %d rounds of %d bytes", o.conns, *rounds, *size)
	fr, err := tcpFloor(ctx, o.conns, *rounds, *size, *interval)
	if err != nil {
		return err
	}
	rep.Floor = &fr
	if fr.Delivered < fr.Expected {
		rep.problem("%d of %d floor messages were not read", fr.Expected-fr.Delivered, fr.Expected)
	}
	return nil
}
