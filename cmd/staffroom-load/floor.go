package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// floorResult is the bare-TCP floor: one goroutine writes one message to n sockets in
// turn, and n readers on the other ends note when it arrives. It is what the same
// machine, at the same moment, needs just to push bytes through n sockets, without any
// websocket framing, JSON or hub: the floor under the server's fan-out.
type floorResult struct {
	Sockets    int     `json:"sockets"`
	Rounds     int     `json:"rounds"`
	Bytes      int     `json:"message_bytes"`
	Latency    Summary `json:"latency"`
	WriteLoop  Summary `json:"write_loop"` // time to issue the n writes of one round
	Delivered  int64   `json:"delivered"`
	Expected   int64   `json:"expected"`
	Concurrent bool    `json:"while_websockets_open"`
}

// tcpFloor measures the floor with n socket pairs on 127.0.0.1 (2n descriptors).
func tcpFloor(ctx context.Context, n, rounds, size int, interval time.Duration) (floorResult, error) {
	size = max(size, 16)
	res := floorResult{Sockets: n, Rounds: rounds, Bytes: size}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	defer ln.Close()

	servers := make([]net.Conn, 0, n)
	var smu sync.Mutex
	acceptDone := make(chan error, 1)
	go func() {
		for len(servers) < n {
			c, err := ln.Accept()
			if err != nil {
				acceptDone <- err
				return
			}
			smu.Lock()
			servers = append(servers, c)
			smu.Unlock()
		}
		acceptDone <- nil
	}()

	var lat Histogram
	starts := make([]atomic.Int64, rounds) // unix nanos of each round's first write
	var delivered atomic.Int64
	roundGot := make([]atomic.Int64, rounds)
	clients := make([]net.Conn, n)
	var dialErr error
	var emu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					emu.Lock()
					dialErr = err
					emu.Unlock()
					continue
				}
				clients[i] = c
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
		smu.Lock()
		for _, c := range servers {
			c.Close()
		}
		smu.Unlock()
	}()
	if dialErr != nil {
		return res, fmt.Errorf("bare TCP floor: dial: %w", dialErr)
	}
	select {
	case err := <-acceptDone:
		if err != nil {
			return res, fmt.Errorf("bare TCP floor: accept: %w", err)
		}
	case <-time.After(30 * time.Second):
		return res, fmt.Errorf("bare TCP floor: accepted %d of %d connections", len(servers), n)
	}

	for _, c := range clients {
		go func(c net.Conn) {
			buf := make([]byte, size)
			for {
				if _, err := io.ReadFull(c, buf); err != nil {
					return
				}
				now := time.Now().UnixNano()
				r := int(binary.LittleEndian.Uint64(buf))
				if r < 0 || r >= rounds {
					continue
				}
				lat.Record(time.Duration(now - starts[r].Load()))
				roundGot[r].Add(1)
				delivered.Add(1)
			}
		}(c)
	}

	var loop Histogram
	msg := make([]byte, size)
	for i := 8; i < size; i++ {
		msg[i] = 'x'
	}
	for r := range rounds {
		if ctx.Err() != nil {
			break
		}
		binary.LittleEndian.PutUint64(msg, uint64(r))
		t0 := time.Now()
		starts[r].Store(t0.UnixNano())
		for _, c := range servers {
			c.Write(msg)
		}
		loop.Record(time.Since(t0))
		deadline := time.Now().Add(10 * time.Second)
		for roundGot[r].Load() < int64(n) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(interval)
	}
	res.Latency = lat.Summarize()
	res.WriteLoop = loop.Summarize()
	res.Delivered = delivered.Load()
	res.Expected = int64(n) * int64(rounds)
	return res, nil
}
