package web

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// postBlock answers GET /posts/{id}/block: one post's block of its question page, exactly
// as the page draws it for this reader. The live script puts it on the page when an answer
// arrives live and the reader asks to see it.
//
// Why the script fetches the block instead of drawing the answer from the event's data:
// the event is the same for every reader, but the block is not (their votes, whether they
// may accept, edit, delete, vote or comment). A copy of those rules in the script drifted
// from the page's (moderators got no Delete on answers that arrived live); the block comes
// from the page's own template and checks (postFor, forum.Privileges.Actions), so it cannot
// drift. TestLiveBlockIsThePagesBlock holds it to the page byte for byte. The fetch happens
// when the reader asks to see new answers, not when the event arrives, so a question with
// thousands of readers does not get thousands of requests per answer.
func (s *Server) postBlock(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	qid, err := s.postQuestionID(c, id)
	if err != nil {
		return err
	}
	u := viewerUser(c)
	t, err := s.qa.Thread(c.UserContext(), u, qid, forum.AnswersByScore)
	if err != nil {
		return err
	}
	var post *forum.Post
	for _, p := range append([]*forum.Post{t.Question}, t.Answers...) {
		if p.ID == id {
			post = p
		}
	}
	if post == nil { // deleted between the two reads
		return forum.NotFoundPost(id)
	}
	threads := map[int64][]commentNode{id: threadComments(t.Comments[id])}
	view := s.questionView(c, u, t, threads, "")
	p := s.page(c, "", view)
	var buf bytes.Buffer
	pc := view.postFor(post, post.MyVote, p.CSRF)
	if err := s.pages["question"].ExecuteTemplate(&buf, "post", &pc); err != nil {
		return fmt.Errorf("render post %d: %w", id, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if u != nil {
		c.Set(fiber.HeaderCacheControl, "no-store") // it holds their CSRF token
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache, private")
	}
	return c.Send(buf.Bytes())
}
