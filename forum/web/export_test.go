package web

// ThreadCacheHits counts question pages answered from a cached thread, for tests that
// must know the cache was in play.
func (s *Server) ThreadCacheHits() int64 {
	if s.threads == nil {
		return 0
	}
	return s.threads.hits.Load()
}
