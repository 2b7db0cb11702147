package realtime

import (
	"encoding/json"
	"sort"
)

// Presence: how many people a topic's viewers share it with, for the topics that tell
// (Config.HasPresence), and who they are where the topic names them (Config.NamesPresence).

// maxPresenceNames bounds the names a presence event lists; the count is always exact.
const maxPresenceNames = 20

// presenceData is what presence.changed carries.
type presenceData struct {
	Topic string           `json:"topic"`
	Count int              `json:"count"` // people viewing, signed in or not
	Users []presenceperson `json:"users"` // signed-in viewers, up to maxPresenceNames, where the topic names them
}

type presenceperson struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// sendPresence sends, for each topic whose audience changed since the last round, one
// presence.changed to its viewers: joins and leaves are coalesced, so a crowd arriving
// costs one frame per viewer per round, not one per arrival.
func (h *Hub) sendPresence() {
	h.mu.Lock()
	if len(h.dirty) == 0 {
		h.mu.Unlock()
		return
	}
	events := make([]Event, 0, len(h.dirty))
	for topic := range h.dirty {
		delete(h.dirty, topic)
		t := h.topics[topic]
		if t == nil {
			continue // everyone left: nobody to tell
		}
		d := presenceData{Topic: topic, Count: t.anon + len(t.people), Users: make([]presenceperson, 0, min(len(t.people), maxPresenceNames))}
		if h.cfg.NamesPresence(topic) {
			for id, p := range t.people {
				d.Users = append(d.Users, presenceperson{ID: id, Name: p.name})
			}
		}
		sort.Slice(d.Users, func(i, j int) bool { return d.Users[i].ID < d.Users[j].ID })
		if len(d.Users) > maxPresenceNames {
			d.Users = d.Users[:maxPresenceNames]
		}
		data, _ := json.Marshal(d)
		events = append(events, Event{Topic: topic, Name: EventPresence, Data: data})
	}
	h.mu.Unlock()
	for _, e := range events {
		h.fanout(e)
	}
}
