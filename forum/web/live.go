package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/realtime"
)

// Live updates: this file joins the forum to the realtime hub. The store logs events in
// the transactions that make the changes and calls LivePublisher, a forum.Publisher: its
// Encode shapes their data as the API shows it, and after commit its Publish gives them to
// the hub. The hub asks Authorizer who may follow a topic and the topic predicates
// (HasPresence, NamesPresence, AllowsTyping) what a topic takes, both answered by forum's
// rules (forum/topic.go), and replays from the log through History.

// LivePublisher is the forum.Publisher the server runs: the store's way to the hub. With
// no Hub it only encodes (events logged before the hub starts, such as the demo's).
type LivePublisher struct {
	Hub *realtime.Hub
	Log *slog.Logger // nil: slog.Default()
}

// Encode implements forum.Publisher: the object as the API returns it, so that a page can
// apply the event without a fetch.
func (LivePublisher) Encode(e forum.Event) ([]byte, error) {
	if j, ok := encodeChannelEvent(e.Data); ok {
		return json.Marshal(j)
	}
	if j, ok := presentMeetingEvent(e.Data); ok {
		return json.Marshal(j)
	}
	switch d := e.Data.(type) {
	case *forum.Post:
		j := presentPost(d, true)
		if d.Kind == forum.KindQuestion && e.Name == forum.EventQuestionCreated {
			answers := []postJSON{}
			j.Answers = &answers
		}
		return json.Marshal(j)
	case *forum.Comment:
		return json.Marshal(presentComment(d))
	case forum.VoteChange:
		v := struct {
			PostID    int64 `json:"post_id"`
			CommentID int64 `json:"comment_id,omitempty"`
			Score     int   `json:"score"`
		}{d.PostID, d.CommentID, d.Score}
		return json.Marshal(v)
	case forum.AcceptChange:
		v := struct {
			QuestionID int64 `json:"question_id"`
			AnswerID   int64 `json:"answer_id"` // 0: no answer is accepted now
		}{d.QuestionID, d.AnswerID}
		return json.Marshal(v)
	case forum.CloseChange:
		v := struct {
			PostID       int64  `json:"post_id"`
			Closed       bool   `json:"closed"`
			ClosedReason string `json:"closed_reason"`
			DuplicateOf  int64  `json:"duplicate_of,omitempty"`
		}{d.PostID, d.Closed, d.Reason, d.DuplicateOf}
		return json.Marshal(v)
	case forum.NoticeEvent:
		return json.Marshal(noticeEventJSON{noticeJSON: presentNotice(d.Notice), Unread: d.Unread})
	case forum.PostGone:
		v := struct {
			PostID     int64 `json:"post_id"`
			QuestionID int64 `json:"question_id"`
		}{d.PostID, d.QuestionID}
		return json.Marshal(v)
	case forum.MembershipChange:
		v := struct {
			Collaborative string   `json:"collaborative"`
			User          userJSON `json:"user"`
			Role          *string  `json:"role"` // null: no longer a member
		}{Collaborative: d.Collaborative, User: presentUser(d.User, false)}
		if d.Role != forum.MemberNone {
			r := string(d.Role)
			v.Role = &r
		}
		return json.Marshal(v)
	default:
		return json.Marshal(d)
	}
}

// Publish implements forum.Publisher.
func (p LivePublisher) Publish(events []forum.LoggedEvent) {
	if p.Hub == nil {
		return
	}
	out := make([]realtime.Event, len(events))
	for i, e := range events {
		out[i] = realtime.Event{Topic: e.Topic, Seq: e.Seq, Name: e.Name, Data: e.Data}
	}
	if err := p.Hub.Publish(context.Background(), out); err != nil {
		// The events are logged: a subscriber catches up at its topic's next event (the
		// gap is replayed) or when it subscribes again.
		log := p.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("publishing committed events", "events", len(events), "first_topic", events[0].Topic, "err", err)
	}
}

// History reads the forum's event log for the hub.
type History struct{ Log forum.EventLog }

// Head implements realtime.History.
func (h History) Head(ctx context.Context, topic string) (int64, error) {
	return h.Log.TopicHead(ctx, topic)
}

// Since implements realtime.History.
func (h History) Since(ctx context.Context, topic string, since int64, limit, maxBytes int) ([]realtime.Event, error) {
	logged, err := h.Log.EventsSince(ctx, topic, since, limit, maxBytes)
	if err != nil {
		return nil, err
	}
	out := make([]realtime.Event, len(logged))
	for i, e := range logged {
		out[i] = realtime.Event{Topic: e.Topic, Seq: e.Seq, Name: e.Name, Data: e.Data}
	}
	return out, nil
}

// Recheck is the hub's Config.Recheck: whether a connection's sign-in still holds as it
// did when it opened, the same credential and the same role.
func Recheck(accounts *forum.Accounts) func(context.Context, realtime.Identity) error {
	return func(ctx context.Context, who realtime.Identity) error {
		err := accounts.Recheck(ctx, who.UserID, who.Key, forum.Role(who.Role))
		if forum.KindOf(err) == forum.EUnauthorized {
			return realtime.ErrSignedOut
		}
		return err
	}
}

// SignOuts closes the live connections of sign-ins that end, and has a person's
// connections check theirs when their account changes: a forum.SignOutNotifier.
type SignOuts struct{ Hub *realtime.Hub }

// CredentialEnded implements forum.SignOutNotifier.
func (s SignOuts) CredentialEnded(userID int64, key string) { s.Hub.CloseIdentity(userID, key) }

// AccountChanged implements forum.SignOutNotifier.
func (s SignOuts) AccountChanged(userID int64) { s.Hub.RecheckUser(userID) }

// Authorizer is the hub's realtime.Authorizer: forum decides who may follow which topic
// (Topics.CanFollow), in the words the client is told.
func Authorizer(topics *forum.Topics) realtime.Authorizer {
	return func(ctx context.Context, who realtime.Identity, name string) error {
		t, err := forum.ParseTopic(name)
		if err == nil {
			err = topics.CanFollow(ctx, who.UserID, t)
		}
		if err == nil {
			return nil
		}
		var reason error
		switch forum.KindOf(err) {
		case forum.EInvalid:
			reason = realtime.ErrBadTopic
		case forum.ENotFound:
			reason = realtime.ErrNotFound
		case forum.EForbidden:
			reason = realtime.ErrForbidden
		default:
			return err
		}
		return realtime.Refuse(reason, forum.AsError(err).Message)
	}
}

// HasPresence, NamesPresence and AllowsTyping are the hub's predicates on topics
// (realtime.Config): forum's rules for the topic a name parses to. A name that is no
// topic has none of them.
func HasPresence(name string) bool {
	t, err := forum.ParseTopic(name)
	return err == nil && t.HasPresence()
}

// NamesPresence: see HasPresence.
func NamesPresence(name string) bool {
	t, err := forum.ParseTopic(name)
	return err == nil && t.NamesPresence()
}

// AllowsTyping: see HasPresence.
func AllowsTyping(name string) bool {
	t, err := forum.ParseTopic(name)
	return err == nil && t.AllowsTyping()
}

// baseOrigin reports whether origin is the configured base URL's. Unlike forms, sockets do
// not also accept the request's own Host: a page on a rebound DNS name could otherwise open
// sockets here. Loopback names are one another's equals, so that a server on 127.0.0.1 is
// live when opened as localhost.
func (s *Server) baseOrigin(origin string) bool {
	u, err := url.Parse(origin)
	base := s.cfg.BaseURL
	if err != nil || base == nil || !strings.EqualFold(u.Scheme, base.Scheme) {
		return false
	}
	if strings.EqualFold(u.Host, base.Host) {
		return true
	}
	return isLoopback(u.Hostname()) && isLoopback(base.Hostname()) && u.Port() == base.Port()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// websocket upgrades GET /ws. Browsers must come from this site: a page elsewhere could
// otherwise open a socket with the visitor's cookie. Clients with a bearer token are not
// browsers and need no Origin.
func (s *Server) websocket(c *fiber.Ctx) error {
	if s.live == nil {
		return forum.Errorf(forum.ENotFound, "Live updates are not enabled on this server.")
	}
	if !realtime.IsUpgrade(c) {
		return forum.Coded(forum.EInvalid, "upgrade_required", "GET /ws is a websocket: send Connection: Upgrade and Upgrade: websocket.")
	}
	v := viewer(c)
	origin := c.Get(fiber.HeaderOrigin)
	switch {
	case origin != "" && !s.baseOrigin(origin):
		return forum.Coded(forum.EForbidden, "bad_origin", "Websockets are accepted only from pages of this site.")
	case origin == "" && v != nil && v.Session != nil:
		return forum.Coded(forum.EForbidden, "bad_origin", "A browser session must send the Origin header; API clients use a bearer token.")
	}
	// The connection outlives this handler: nothing in who may point into the request.
	who := realtime.Identity{Addr: s.clientIP(c)}
	if v != nil {
		who.UserID, who.Name, who.Key, who.Role = v.User.ID, v.User.DisplayName, v.CredentialKey(), string(v.User.Role)
	}
	switch err := s.live.Accept(c, who); {
	case errors.Is(err, realtime.ErrTooManyFromAddr):
		return forum.RateLimited(connsRetryAfter, "Too many live connections from your network; close some tabs or try again in a minute.")
	case errors.Is(err, realtime.ErrFull):
		return forum.Coded(forum.EUnavailable, "too_many_connections", "The server holds as many live connections as it can; try again in a minute.")
	default:
		return err
	}
}

// connsRetryAfter is what a client refused at the per-address cap is told to wait:
// places come free as readers close their tabs.
const connsRetryAfter = 30 * time.Second
