package forum

// Who sees a post that is not live. This is the one place that decides it; stores call it
// on the rows they read (sqlite's Post and Thread), so that the rule cannot drift between
// paths:
//   - a live post: everyone;
//   - a deleted post: moderators (includeDeleted, SeesDeleted);
//   - a post hidden pending review (flags or a moderator hid it; it is soft-deleted too,
//     so lists, counts and search leave it out like a deleted one): moderators, and its
//     author, who sees it marked "hidden pending review". Everyone else gets not_found,
//     exactly as for a deleted post.
//
// Collaborative scope and authors' own deleted posts may add cases here.

// PostVisible reports whether viewerID (0: anonymous) sees a post with these facts.
// deleted is the post's (or its question's) deletion, hidden whether that deletion is a
// hiding pending review, includeDeleted whether the viewer sees deleted posts.
func PostVisible(deleted, hidden bool, authorID, viewerID int64, includeDeleted bool) bool {
	switch {
	case !deleted || includeDeleted:
		return true
	case hidden:
		return viewerID != 0 && viewerID == authorID
	}
	return false
}
