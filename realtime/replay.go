package realtime

import (
	"sync"
	"time"
)

// Replay: a client that resumes (subscribe with since, or a gap in what it receives) is
// sent the logged events it missed. That is a page catching up, not a way to read the log:
// one replay is bounded in events and bytes, and the bytes replayed are budgeted per
// connection and per address (so that reconnecting does not buy a fresh budget). Past any
// of these the client is answered reset: it reloads its data and goes on from the head.

// replayWindow is the period of the replay budgets.
const replayWindow = time.Minute

// replay writes the logged events after sub.last up to upto, or answers reset when the
// log no longer has them all or they are more than a replay may carry. The count is known
// from the seqs before anything is read, and the read stops just past the byte bound, so
// refusing costs little.
func (c *conn) replay(sub *subscription, upto int64) error {
	h := c.hub
	reset := func() error {
		sub.last = upto
		return c.send(seqFrame(typeReset, sub.topic, upto))
	}
	n := upto - sub.last
	if n <= 0 {
		return nil
	}
	now, budgeted := h.clock(), !h.cfg.Unlimited
	if n > int64(h.cfg.MaxReplayEvents) || budgeted && (c.replayBudget().spent(now) || h.addrReplays.spent(c.who.Addr, now)) {
		return reset()
	}
	events, err := h.history.Since(c.ctx, sub.topic, sub.last, int(n), h.cfg.MaxReplayBytes)
	if err != nil {
		h.cfg.Logger.Error("websocket replay", "topic", sub.topic, "err", err)
		return err
	}
	size := 0
	for _, e := range events {
		size += len(e.Data)
	}
	if budgeted {
		// What was read is charged, sent or not: reading it was the cost.
		connOK := c.replayBudget().spend(now, size)
		addrOK := h.addrReplays.spend(c.who.Addr, now, size)
		if !connOK || !addrOK {
			return reset()
		}
	}
	if size > h.cfg.MaxReplayBytes || len(events) == 0 || events[0].Seq != sub.last+1 {
		return reset() // too big, or pruned
	}
	for _, e := range events {
		if err := c.send(eventFrame(e)); err != nil {
			return err
		}
		h.stats.Delivered.Add(1)
		sub.last = e.Seq
	}
	return nil
}

// replayBudget returns the connection's budget, made on its first replay (an idle
// connection holds none). It is the writer's alone.
func (c *conn) replayBudget() *replayBudget {
	if c.replayed == nil {
		c.replayed = &replayBudget{limit: c.hub.cfg.ReplayBudget, start: c.hub.clock()}
	}
	return c.replayed
}

// replayBudget counts the bytes replayed to one connection in the current window.
type replayBudget struct {
	limit, used int
	start       time.Duration // hub.clock() when the window began
}

func (b *replayBudget) roll(now time.Duration) {
	if now-b.start >= replayWindow {
		b.start, b.used = now, 0
	}
}

// spent reports whether nothing is left in this window.
func (b *replayBudget) spent(now time.Duration) bool {
	b.roll(now)
	return b.used >= b.limit
}

// spend charges n bytes and reports whether they fit in what was left.
func (b *replayBudget) spend(now time.Duration, n int) bool {
	b.roll(now)
	b.used += n
	return b.used <= b.limit
}

// addrReplays counts the bytes replayed to each address in the current window; the map
// starts empty each window, so it holds only addresses that replayed lately.
type addrReplays struct {
	mu    sync.Mutex
	limit int
	start time.Duration
	used  map[string]int
}

func (a *addrReplays) rollLocked(now time.Duration) {
	if a.used == nil || now-a.start >= replayWindow {
		a.start, a.used = now, map[string]int{}
	}
}

func (a *addrReplays) spent(addr string, now time.Duration) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rollLocked(now)
	return a.used[addr] >= a.limit
}

func (a *addrReplays) spend(addr string, now time.Duration, n int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rollLocked(now)
	a.used[addr] += n
	return a.used[addr] <= a.limit
}
