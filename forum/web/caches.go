package web

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"staffroom/forum"
	"staffroom/forum/web/cache"
)

// The server's caches (microcache.go, listcache.go, pagecache.go, community.go) are each a
// cache.Map with its own byte budget; this file registers their metrics and purges them.

// registerCaches exports every cache's bytes, entries, evictions and lookups as metrics
// labelled by cache name, and the question page cache's own counts.
func (s *Server) registerCaches(reg prometheus.Registerer) error {
	caches := []cache.Reporter{s.cache, s.communityCache, s.formFlashes}
	if s.lists != nil {
		caches = append(caches, s.lists.entries)
	}
	if s.threads != nil {
		caches = append(caches, s.threads.entries)
		if err := s.threads.register(reg); err != nil {
			return err
		}
	}
	return reg.Register(cache.NewCollector(caches...))
}

// deletePost deletes a post and purges the cached copies that show it (purgeQuestion).
func (s *Server) deletePost(ctx context.Context, u *forum.User, id int64) error {
	qid, isQuestion := s.questionOf(ctx, u, id) // before: once deleted, only moderators see it
	if err := s.qa.Delete(ctx, u, id); err != nil {
		return err
	}
	s.purgeQuestion(qid, isQuestion)
	return nil
}

// undeletePost restores a post and purges the cached copies that lack it.
func (s *Server) undeletePost(ctx context.Context, u *forum.User, id int64) error {
	if err := s.qa.Undelete(ctx, u, id); err != nil {
		return err
	}
	s.purgeQuestion(s.questionOf(ctx, u, id))
	return nil
}

// questionOf returns the question post id belongs to (itself, for a question) as u sees
// it. A post u cannot see is taken for a question: purging more than needed is harmless.
func (s *Server) questionOf(ctx context.Context, u *forum.User, id int64) (questionID int64, isQuestion bool) {
	p, err := s.qa.Post(ctx, u, id)
	if err != nil || p.Kind == forum.KindQuestion {
		return id, true
	}
	return p.QuestionID, false
}

// purgeQuestion drops every cached copy of question id: its pages for anonymous readers
// (every answer order, flash and encoding), its thread's pieces and, when lists is set
// (the question itself changed, not one of its answers), every list, since which lists
// show it is not known without reading them again. Pages drawn from data read before the
// purge are not kept (cache.Epoch).
//
// Call it once the change has committed, wherever a post stops being visible to someone
// who could see it (deleted; and, when they come, hidden by moderation, moved into a
// private collaborative) or becomes visible again. The thread cache would notice the
// change by itself (forum.ThreadVersions); the anonymous pages and the lists would not
// for up to their TTL.
func (s *Server) purgeQuestion(id int64, lists bool) {
	s.cache.DeleteFunc(func(k pageKey, _ *cachedPage) bool { return k.question == id || lists && k.question == 0 })
	if s.threads != nil {
		s.threads.entries.DeleteFunc(func(k threadKey, _ *threadEntry) bool { return k.id == id })
	}
	if lists && s.lists != nil {
		s.lists.entries.DeleteFunc(func(listKey, *listEntry) bool { return true })
	}
}
