package web

import (
	"context"
	"time"
)

// RecordPauses replaces the server's pauses with a recorder: each pause it would have
// taken is sent to the channel instead of waited out.
func (s *Server) RecordPauses(ch chan<- time.Duration) {
	s.pause = func(_ context.Context, d time.Duration) { ch <- d }
}

// ThreadCacheHits counts question pages answered from a cached thread, for tests that
// must know the cache was in play.
func (s *Server) ThreadCacheHits() int64 {
	if s.threads == nil {
		return 0
	}
	return s.threads.hits.Load()
}

// MicroCacheEntries counts the anonymous readers' pages kept, for tests of what they are
// kept under.
func (s *Server) MicroCacheEntries() int { return s.cache.Len() }

// FormFailuresKept counts the failed form posts kept for their pages, for tests of the
// store's bounds.
func (s *Server) FormFailuresKept() int { return s.formFlashes.Len() }
