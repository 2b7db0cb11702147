package realtime

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Frame types of the protocol (JSON text frames).
const (
	typeSubscribe   = "subscribe"
	typeUnsubscribe = "unsubscribe"
	typePing        = "ping"
	typeTyping      = "typing"

	typeSubscribed   = "subscribed"
	typeUnsubscribed = "unsubscribed"
	typeEvent        = "event"
	typeError        = "error"
	typePong         = "pong"
	typeReset        = "reset"
)

// Error codes sent in error frames.
const (
	CodeBadRequest  = "bad_request"
	CodeNotFound    = "not_found"
	CodeForbidden   = "forbidden"
	CodeRateLimited = "rate_limited"
	CodeUnavailable = "unavailable"
)

// Ephemeral event names.
const (
	EventPresence = "presence.changed"
	EventTyping   = "typing"
)

// maxTopicLen bounds a topic's name; real ones are far shorter.
const maxTopicLen = 200

// clientFrame is what a client sends.
type clientFrame struct {
	Type  string `json:"type"`
	Topic string `json:"topic"`
	Since *int64 `json:"since"`
}

// parseClientFrame reads a frame, or says what is wrong with it in words a developer can
// act on.
func parseClientFrame(msg []byte) (clientFrame, string) {
	var f clientFrame
	if err := json.Unmarshal(msg, &f); err != nil {
		return f, "The frame is not a JSON object like {\"type\":\"subscribe\",\"topic\":\"questions\"}: " + err.Error()
	}
	switch f.Type {
	case typePing:
		return f, ""
	case typeSubscribe, typeUnsubscribe, typeTyping:
	case "":
		return f, "The frame has no \"type\"; send subscribe, unsubscribe, typing or ping."
	default:
		return f, "Unknown frame type " + strconv.Quote(f.Type) + "; send subscribe, unsubscribe, typing or ping."
	}
	if msg := checkTopic(f.Topic); msg != "" {
		return f, msg
	}
	if f.Since != nil && f.Type != typeSubscribe {
		return f, "\"since\" belongs to subscribe frames only."
	}
	if f.Since != nil && *f.Since < 0 {
		return f, "\"since\" must be 0 or the seq of the last event you received."
	}
	return f, ""
}

func checkTopic(topic string) string {
	if topic == "" {
		return "The frame has no \"topic\", e.g. \"questions\" or \"question:42\"."
	}
	if len(topic) > maxTopicLen || !utf8.ValidString(topic) {
		return "The topic is not a valid topic name."
	}
	for _, r := range topic {
		if r < 0x21 || r == 0x7f {
			return "The topic is not a valid topic name: it has spaces or control characters."
		}
	}
	return ""
}

// serverFrame is what the server sends.
type serverFrame struct {
	Type      string          `json:"type"`
	Topic     string          `json:"topic,omitempty"`
	Seq       *int64          `json:"seq,omitempty"`
	Event     string          `json:"event,omitempty"`
	Ephemeral bool            `json:"ephemeral,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Code      string          `json:"code,omitempty"`
	Message   string          `json:"message,omitempty"`
}

func encodeFrame(f serverFrame) []byte {
	b, err := json.Marshal(f)
	if err != nil { // only data that is not JSON can fail, and data is checked on entry
		b, _ = json.Marshal(serverFrame{Type: typeError, Topic: f.Topic, Code: CodeUnavailable, Message: "The server could not encode this frame."})
	}
	return b
}

func eventFrame(e Event) []byte {
	f := serverFrame{Type: typeEvent, Topic: e.Topic, Event: e.Name, Data: e.Data}
	if e.Ephemeral() {
		f.Ephemeral = true
	} else {
		seq := e.Seq
		f.Seq = &seq
	}
	return encodeFrame(f)
}

func seqFrame(typ, topic string, seq int64) []byte {
	return encodeFrame(serverFrame{Type: typ, Topic: topic, Seq: &seq})
}

func errorFrame(topic, code, message string) []byte {
	return encodeFrame(serverFrame{Type: typeError, Topic: topic, Code: code, Message: message})
}
