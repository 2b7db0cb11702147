package realtime

import (
	"encoding/json"
	"time"
)

// Typing: "is typing" indicators, ephemeral events of the topics that take them
// (Config.AllowsTyping). They go through the broker like any event, but are never logged.

// typing tells a topic's other viewers that this person is typing, at most once per
// TypingEvery; extra frames are dropped, as a typing indicator is best effort.
func (c *conn) typing(topic string) {
	h := c.hub
	if !h.cfg.AllowsTyping(topic) {
		c.reply(errorFrame(topic, CodeBadRequest, "This topic does not take typing events."))
		return
	}
	if c.who.UserID == 0 {
		c.reply(errorFrame(topic, CodeForbidden, "Sign in to type here."))
		return
	}
	h.mu.RLock()
	_, subscribed := c.subs[topic]
	h.mu.RUnlock()
	if !subscribed {
		c.reply(errorFrame(topic, CodeBadRequest, "Subscribe to the topic before sending typing."))
		return
	}
	now := time.Now()
	if !h.cfg.Unlimited && now.Sub(c.typedAt[topic]) < h.cfg.TypingEvery {
		return
	}
	if c.typedAt == nil {
		c.typedAt = map[string]time.Time{}
	}
	c.typedAt[topic] = now
	data, _ := json.Marshal(typingData{Topic: topic, User: presenceperson{ID: c.who.UserID, Name: c.who.Name}, ExpiresMS: typingShownFor})
	if err := h.broker.Publish(c.ctx, []Event{{Topic: topic, Name: EventTyping, Data: data}}); err != nil {
		h.cfg.Logger.Error("websocket typing", "topic", topic, "err", err)
	}
}

// forgetTyping drops the typing clock of a topic left.
func (c *conn) forgetTyping(topic string) {
	delete(c.typedAt, topic)
}

// typingData is what typing carries; clients show it for a few seconds.
type typingData struct {
	Topic     string         `json:"topic"`
	User      presenceperson `json:"user"`
	ExpiresMS int            `json:"expires_ms"`
}

// typingShownFor is how long a typing event shows without another.
const typingShownFor = 5000
