package web

import (
	"context"
	"sync"
	"time"

	"staffroom/forum"
)

// communityTTL is how old the home page's community panel (member counts, newest members)
// may be: counting members on every list page was a third of a signed-in list's cost.
const communityTTL = 5 * time.Second

// communityCache keeps the last community overview read.
type communityCache struct {
	mu    sync.Mutex
	value *forum.Community
	at    time.Time
}

// community returns the community overview, read again once communityTTL has passed.
func (s *Server) community(ctx context.Context) (*forum.Community, error) {
	cc := &s.communityCache
	now := s.now()
	cc.mu.Lock()
	if cc.value != nil && now.Sub(cc.at) < communityTTL && !now.Before(cc.at) {
		v := cc.value
		cc.mu.Unlock()
		return v, nil
	}
	cc.mu.Unlock()
	v, err := s.home.Community(ctx)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	cc.value, cc.at = v, now
	cc.mu.Unlock()
	return v, nil
}
