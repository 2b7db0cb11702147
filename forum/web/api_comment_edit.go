package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Comment editing and deletion: PATCH and DELETE /api/v1/comments/{id}, the revisions
// of a comment, and the question page's forms for the same.

// apiEditComment: PATCH /api/v1/comments/{id} {body}.
func (s *Server) apiEditComment(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cm, err := s.qa.EditComment(c.UserContext(), v.User, id, in.Body)
	if err != nil {
		return err
	}
	return c.JSON(presentComment(cm))
}

// apiDeleteComment: DELETE /api/v1/comments/{id}.
func (s *Server) apiDeleteComment(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.qa.DeleteComment(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type commentRevisionJSON struct {
	Number   int        `json:"number"`
	Body     string     `json:"body"`
	BodyHTML string     `json:"body_html"`
	EditedBy authorJSON `json:"edited_by"`
	EditedAt time.Time  `json:"edited_at"`
}

// apiCommentRevisions: GET /api/v1/comments/{id}/revisions, newest first.
func (s *Server) apiCommentRevisions(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	revs, err := s.qa.CommentRevisions(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	items := make([]commentRevisionJSON, 0, len(revs))
	for _, r := range revs {
		items = append(items, commentRevisionJSON{Number: r.Number, Body: r.Body, BodyHTML: r.BodyHTML, EditedBy: presentAuthor(r.EditedBy), EditedAt: r.EditedAt})
	}
	return c.JSON(fiber.Map{"items": items})
}

// commentEditSubmit: the form that edits a comment (body, and post for the way back).
func (s *Server) commentEditSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	post, _ := strconv.ParseInt(c.FormValue("post"), 10, 64)
	qid, err := s.postQuestionID(c, post)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	if _, err := s.qa.EditComment(c.UserContext(), v.User, id, body); err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("comment-%d", id),
			map[string]string{"form": "comment-edit", "on": strconv.FormatInt(id, 10), "body": body})
	}
	return backToQuestion(c, qid, fmt.Sprintf("comment-%d", id))
}

// commentDeleteSubmit: the comment's delete button (post names the way back).
func (s *Server) commentDeleteSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	post, _ := strconv.ParseInt(c.FormValue("post"), 10, 64)
	qid, err := s.postQuestionID(c, post)
	if err != nil {
		return err
	}
	if err := s.qa.DeleteComment(c.UserContext(), v.User, id); err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", post), postForm(post))
	}
	return backToQuestion(c, qid, fmt.Sprintf("post-%d", post))
}
