// Package realtime delivers live updates over websockets: a hub of topics and
// subscriptions, one bounded send queue per connection, replay of missed events for clients
// that resume, presence and typing, and the Broker seam that lets several nodes share their
// events later. It knows nothing of the forum, and topics are opaque strings to it: the
// wiring gives it an Authorizer for topics, the predicates that say which topics have
// presence and typing (Config), and a History that reads the event log.
package realtime

import (
	"context"
	"encoding/json"
	"errors"
)

// Event is one thing that happened on a topic. Seq numbers a topic's logged events one by
// one; ephemeral events (presence, typing) have Seq 0 and are never logged or replayed.
type Event struct {
	Topic string
	Seq   int64
	Name  string
	Data  json.RawMessage
}

// Ephemeral reports whether the event is outside the log.
func (e Event) Ephemeral() bool { return e.Seq == 0 }

// Identity is who holds a connection and how they proved it. The hub reads UserID, Name
// and Addr; Key and Role are the wiring's, opaque here: CloseIdentity finds connections by
// Key, and Config.Recheck is handed the whole Identity to tell whether it still holds.
type Identity struct {
	UserID int64  // 0: anonymous
	Name   string // shown in presence and typing
	Addr   string // the client's address, for the per-address connection caps
	Key    string // names the credential (a session, a token) that authenticated the connection
	Role   string // the person's standing when the connection opened
}

// Errors an Authorizer answers with, bare or through Refuse. Anything else is reported to
// the client as a server error and logged.
var (
	// ErrNotFound: the topic does not exist or the person may not see it. The two are
	// answered alike so that a subscription cannot probe for private things.
	ErrNotFound = errors.New("realtime: no such topic")
	// ErrForbidden: the topic exists and is known to be someone else's.
	ErrForbidden = errors.New("realtime: topic is someone else's")
	// ErrBadTopic: the topic's name is malformed.
	ErrBadTopic = errors.New("realtime: malformed topic")
	// ErrSignedOut is what Config.Recheck answers when a connection's sign-in no longer
	// holds as it did (it ended, or the person's role changed): the connection is closed.
	ErrSignedOut = errors.New("realtime: the connection's sign-in no longer holds")
)

// Errors Upgrader.Accept answers with when a connection would pass a cap.
var (
	// ErrTooManyFromAddr: the client's address holds as many connections as it may.
	ErrTooManyFromAddr = errors.New("realtime: too many connections from this address")
	// ErrFull: the server holds as many connections as it may.
	ErrFull = errors.New("realtime: too many connections")
)

// Authorizer decides whether who may subscribe to topic. Topics are the wiring's: the hub
// knows no topic's name, and asks the Authorizer about every one.
type Authorizer func(ctx context.Context, who Identity, topic string) error

// Refuse is what an Authorizer answers to refuse a subscription for reason (ErrNotFound,
// ErrForbidden or ErrBadTopic) and tell the client why in message, which it is sent as
// it is. A bare reason is answered in the hub's own words.
func Refuse(reason error, message string) error { return &refusal{reason: reason, message: message} }

type refusal struct {
	reason  error
	message string
}

func (r *refusal) Error() string { return r.reason.Error() + ": " + r.message }
func (r *refusal) Unwrap() error { return r.reason }

// History reads the event log back, for resume.
type History interface {
	// Head is the seq of the topic's newest logged event, 0 when none.
	Head(ctx context.Context, topic string) (int64, error)
	// Since lists up to limit logged events of topic with seq > since, oldest first. If the
	// first one is not since+1, the ones between were pruned. With maxBytes > 0 it stops
	// after the event whose data brings their total past maxBytes.
	Since(ctx context.Context, topic string, since int64, limit, maxBytes int) ([]Event, error)
}

// Broker carries events to every node's hub. The in-process Local broker is the default;
// a Redis or NATS broker implements the same two methods.
type Broker interface {
	// Publish hands committed events (and ephemeral ones) to every node, in order.
	Publish(ctx context.Context, events []Event) error
	// Subscribe has deliver called with every batch published on any node, one batch at a
	// time and in publish order per topic. deliver must not block for long.
	Subscribe(deliver func([]Event)) (stop func())
}
