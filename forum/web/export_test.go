package web

import (
	"context"
	"time"

	"staffroom/forum"
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

// CollaborativeChannels and ChannelExportFiles expose what channels give the
// collaborative's home page, API and export, for tests until those call them.
func (s *Server) CollaborativeChannels(ctx context.Context, a forum.CollaborativeAccess) (any, error) {
	_, j, err := s.collaborativeChannels(ctx, a)
	return j, err
}

func (s *Server) ChannelExportFiles(ctx context.Context, a forum.CollaborativeAccess) (map[string][]byte, error) {
	return channelExportFiles(ctx, s.channels, a)
}
