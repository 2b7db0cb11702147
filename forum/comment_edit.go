package forum

import (
	"context"
	"encoding/json"
	"time"
)

// Comment editing and deletion. A comment's author may correct it for a short while
// (CommentEditWindow), as on Stack Overflow, and delete it at any time; moderators edit and
// delete any comment. Every earlier text is kept (CommentRevision), and every change a
// moderator makes to someone else's comment is written to the audit log.

// CommentEditWindow is how long after writing a comment its author may still edit it.
const CommentEditWindow = 5 * time.Minute

// CommentEditFacts are what the rules about changing a comment depend on.
type CommentEditFacts struct {
	ID        int64
	PostID    int64 // the post commented on (read by CommentRevisions, for its scope)
	Exists    bool  // false: no comment has this id, or its post is gone (or is invisible to the actor)
	Deleted   bool
	AuthorID  int64
	CreatedAt time.Time
	Body      string
}

// CheckCommentEdit decides whether u may edit the comment at now: not_found for a missing
// or deleted one, forbidden "not_author" for someone else's, forbidden
// "edit_window_passed" for one's own after CommentEditWindow. Moderators may always.
func CheckCommentEdit(u *User, f CommentEditFacts, now time.Time) error {
	if !f.Exists || f.Deleted {
		return NotFoundComment(f.ID)
	}
	if u.Role.IsModerator() {
		return nil
	}
	if u.ID != f.AuthorID {
		return Coded(EForbidden, "not_author", "Only the comment's author or a moderator can edit it.")
	}
	if now.Sub(f.CreatedAt) > CommentEditWindow {
		return Coded(EForbidden, "edit_window_passed", "Comments can be edited for %d minutes after they are posted; delete this one and write a new one, or ask a moderator.", int(CommentEditWindow.Minutes()))
	}
	return nil
}

// CheckCommentDelete decides whether u may delete the comment: not_found, or forbidden
// "not_author" unless u wrote it or moderates.
func CheckCommentDelete(u *User, f CommentEditFacts) error {
	if !f.Exists || f.Deleted {
		return NotFoundComment(f.ID)
	}
	if u.ID != f.AuthorID && !u.Role.IsModerator() {
		return Coded(EForbidden, "not_author", "Only the comment's author or a moderator can delete it.")
	}
	return nil
}

// CommentChangeAudit is the audit row of a change to someone else's comment, or nil when
// the author changed their own (nothing to audit).
func CommentChangeAudit(by *User, f CommentEditFacts, action, newBody string, now time.Time) *AuditEntry {
	if by.ID == f.AuthorID {
		return nil
	}
	before, _ := json.Marshal(map[string]any{"body": f.Body})
	after := `{"deleted":true}`
	if action == "comment.edit" {
		b, _ := json.Marshal(map[string]any{"body": newBody})
		after = string(b)
	}
	return &AuditEntry{ActorID: by.ID, Action: action, TargetKind: "comment", TargetID: f.ID, Before: string(before), After: after, At: now}
}

// CommentEdit is a comment's new text, ready to store.
type CommentEdit struct {
	By             *User
	ID             int64
	Body, BodyHTML string
	Now            time.Time
}

// CommentRevision is one text a comment had; number 1 is the first.
type CommentRevision struct {
	Number   int
	Body     string
	BodyHTML string
	EditedBy *User
	EditedAt time.Time
}

// CommentEditStore changes comments.
type CommentEditStore interface {
	// EditComment reads the comment's CommentEditFacts, applies CheckCommentEdit, keeps
	// the earlier text as a revision, stores the new one and writes CommentChangeAudit,
	// in one transaction.
	EditComment(ctx context.Context, e CommentEdit) (*Comment, error)
	// DeleteComment soft-deletes the comment after CheckCommentDelete and writes
	// CommentChangeAudit.
	DeleteComment(ctx context.Context, id int64, by *User, now time.Time) error
	// CommentRevisions lists a comment's texts, newest first, with the comment's facts;
	// not_found for a missing comment.
	CommentRevisions(ctx context.Context, id int64) ([]*CommentRevision, CommentEditFacts, error)
}

// EditComment changes a comment's text. Returns invalid "body", CheckCommentEdit's refusals.
func (s *QA) EditComment(ctx context.Context, u *User, id int64, body string) (*Comment, error) {
	body, err := CleanBody("body", body, MinCommentLen, MaxCommentLen)
	if err != nil {
		return nil, err
	}
	html, err := s.Render.Comment(body)
	if err != nil {
		return nil, err
	}
	if err := s.checkNewUserLinks(u, "body", html); err != nil {
		return nil, err
	}
	if err := s.checkNewUserImages(u, "body", html); err != nil {
		return nil, err
	}
	return s.CommentEdits.EditComment(ctx, CommentEdit{By: u, ID: id, Body: body, BodyHTML: html, Now: s.now()})
}

// DeleteComment deletes a comment. Returns CheckCommentDelete's refusals.
func (s *QA) DeleteComment(ctx context.Context, u *User, id int64) error {
	return s.CommentEdits.DeleteComment(ctx, id, u, s.now())
}

// CommentRevisions lists a comment's texts, newest first. A deleted comment's are for
// moderators only (not_found to others); a comment on a post u may not see (a private
// collaborative's, for a non-member) is not_found, as a missing one.
func (s *QA) CommentRevisions(ctx context.Context, u *User, id int64) ([]*CommentRevision, error) {
	revs, f, err := s.CommentEdits.CommentRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	if !f.Exists || (f.Deleted && !seesDeleted(u)) {
		return nil, NotFoundComment(id)
	}
	if _, err := s.Post(ctx, u, f.PostID); err != nil {
		if KindOf(err) == ENotFound {
			return nil, NotFoundComment(id)
		}
		return nil, err
	}
	return revs, nil
}
