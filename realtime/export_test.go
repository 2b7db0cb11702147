package realtime

// SendPresenceNow runs one presence round at once, as the hub's ticker does every
// Config.PresenceEvery: tests that count presence frames per round set PresenceEvery
// long and call this instead of waiting on the clock.
func (h *Hub) SendPresenceNow() { h.sendPresence() }
