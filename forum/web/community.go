package web

import (
	"context"
	"time"

	"staffroom/forum"
	"staffroom/forum/web/cache"
)

const (
	// communityTTL is how old the home page's community panel (member counts, newest
	// members) may be: counting members on every list page was a third of a signed-in
	// list's cost. Past it, one request reads it again while the others keep the last one
	// for up to another communityTTL.
	communityTTL = 5 * time.Second
	// communityBytes bounds the one overview kept: a few hundred districts and a dozen
	// newest members are ~100 KB.
	communityBytes = 1 << 20
)

type communityCache = cache.Map[struct{}, *forum.Community]

func newCommunityCache(now func() time.Time) *communityCache {
	return cache.New(cache.Options[struct{}, *forum.Community]{Name: "community", MaxBytes: communityBytes,
		TTL: communityTTL, Stale: communityTTL, Now: now, Size: func(_ struct{}, c *forum.Community) int { return communitySize(c) }})
}

// communitySize estimates the bytes an overview holds.
func communitySize(c *forum.Community) int {
	n := 64
	for _, d := range c.Districts {
		n += 128 + len(d.Name)
	}
	for _, u := range c.Newest {
		n += 256 + len(u.Username) + len(u.DisplayName)
	}
	return n
}

// community returns the community overview, read again once communityTTL has passed.
func (s *Server) community(ctx context.Context) (*forum.Community, error) {
	v, st := s.communityCache.Get(struct{}{})
	if st == cache.Fresh || st == cache.Stale {
		return v, nil
	}
	v, err := s.home.Community(ctx)
	if err != nil {
		if st == cache.Refresh {
			s.communityCache.Release(struct{}{})
		}
		return nil, err
	}
	s.communityCache.Set(struct{}{}, v)
	return v, nil
}
