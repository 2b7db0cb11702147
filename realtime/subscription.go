package realtime

import (
	"errors"
	"fmt"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Subscriptions: a connection following a topic. A subscribe frame is queued; the writer
// asks the Authorizer, adds the subscription to the hub, reads the topic's head and
// replays what the client missed (replay.go); from then on it delivers each event once, in
// seq order, filling gaps from the log.

// subscription is one topic followed by one connection. last and ready belong to the
// connection's writer: events arrive in the queue in order and the writer alone decides,
// by seq, which are new.
type subscription struct {
	topic     string
	since     int64
	hasSince  bool
	cancelled atomic.Bool

	ready bool
	last  int64
}

// subscribe queues a subscribe frame to be started, within the subscribe rate.
func (c *conn) subscribe(f clientFrame) {
	h := c.hub
	if !h.cfg.Unlimited {
		if c.subscribeRate == nil {
			c.subscribeRate = rate.NewLimiter(rate.Every(h.cfg.SubscribeEvery), h.cfg.SubscribeBurst)
		}
		if !c.subscribeRate.Allow() {
			c.reply(errorFrame(f.Topic, CodeRateLimited, "Too many subscribe frames; slow down and try again in a moment."))
			return
		}
	}
	sub := &subscription{topic: f.Topic}
	if f.Since != nil {
		sub.since, sub.hasSince = *f.Since, true
	}
	c.enqueue(item{kind: itemSubscribe, sub: sub})
}

// start answers a subscribe: the topic's head, then (with since) every event the client
// missed, then live events from the queue.
func (c *conn) start(sub *subscription) error {
	h := c.hub
	if err := h.authorize(c.ctx, c.who, sub.topic); err != nil {
		return c.send(authorizeError(sub.topic, err, h))
	}
	// Subscribe before reading the head: events committed from now on are queued behind
	// this item, and the head covers everything before.
	switch h.add(c, sub) {
	case addFull:
		return c.send(errorFrame(sub.topic, CodeBadRequest, fmt.Sprintf("A connection follows at most %d topics; unsubscribe from some first.", h.cfg.MaxSubscriptions)))
	case addEnded:
		return nil // its close is on the way
	}
	head, err := h.history.Head(c.ctx, sub.topic)
	if err != nil {
		h.removeSub(c, sub)
		h.cfg.Logger.Error("websocket subscribe: read head", "topic", sub.topic, "err", err)
		return c.send(errorFrame(sub.topic, CodeUnavailable, "The server could not read this topic; subscribe again."))
	}
	if sub.hasSince && sub.since > head {
		h.removeSub(c, sub)
		return c.send(errorFrame(sub.topic, CodeBadRequest,
			fmt.Sprintf("\"since\" is %d but the topic's newest event is %d: send the seq of the last event you received, or reload. You are not subscribed to this topic now.", sub.since, head)))
	}
	if err := c.send(seqFrame(typeSubscribed, sub.topic, head)); err != nil {
		return err
	}
	sub.last = head
	if sub.hasSince {
		sub.last = sub.since
		if err := c.replay(sub, head); err != nil {
			return err
		}
	}
	sub.ready = true
	return nil
}

// deliver writes one event to one subscription: only if it is the next the client needs.
// An event already replayed is skipped; a gap (events still on their way from another
// node, say) is filled from the log first.
func (c *conn) deliver(sub *subscription, out *outgoing) error {
	if sub.cancelled.Load() {
		return nil
	}
	e := out.event
	if e.Ephemeral() {
		return c.writeEvent(out)
	}
	if !sub.ready || e.Seq <= sub.last {
		// Not ready: the subscription's start reads the head after this event was
		// committed, so the event is counted there (or replayed).
		return nil
	}
	if e.Seq > sub.last+1 {
		if err := c.replay(sub, e.Seq-1); err != nil {
			return err
		}
		if e.Seq <= sub.last {
			return nil
		}
	}
	sub.last = e.Seq
	return c.writeEvent(out)
}

// authorizeError is the error frame that answers a subscription the Authorizer refused:
// in the Authorizer's words when it gave them (Refuse).
func authorizeError(topic string, err error, h *Hub) []byte {
	var code, message string
	switch {
	case errors.Is(err, ErrNotFound):
		code, message = CodeNotFound, "There is no such topic, or you may not see it."
	case errors.Is(err, ErrForbidden):
		code, message = CodeForbidden, "This topic is someone else's."
	case errors.Is(err, ErrBadTopic):
		code, message = CodeBadRequest, "This server has no topic of that name."
	default:
		h.cfg.Logger.Error("websocket authorize", "topic", topic, "err", err)
		return errorFrame(topic, CodeUnavailable, "The server could not check this topic; try again.")
	}
	var r *refusal
	if errors.As(err, &r) {
		message = r.message
	}
	return errorFrame(topic, code, message)
}
