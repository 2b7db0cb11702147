package web

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

type closeRequest struct {
	Reason      string `json:"reason"`
	DuplicateOf int64  `json:"duplicate_of"`
}

type closeJSON struct {
	Closed      bool   `json:"closed"`
	Reason      string `json:"closed_reason,omitempty"`
	DuplicateOf int64  `json:"duplicate_of,omitempty"`
	Votes       int    `json:"votes"`
	Needed      int    `json:"needed"`
}

func presentClose(st forum.CloseState) closeJSON {
	return closeJSON{Closed: st.Closed, Reason: st.Reason, DuplicateOf: st.DuplicateOf, Votes: st.Votes, Needed: st.Needed}
}

func (s *Server) apiClose(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req closeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st, err := s.qa.Close(c.UserContext(), v.User, id, req.Reason, req.DuplicateOf)
	if err != nil {
		return err
	}
	return c.JSON(presentClose(st))
}

func (s *Server) apiReopen(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	st, err := s.qa.Reopen(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(presentClose(st))
}

// questionAddress finds a question's id in what the close form's original field holds:
// the id, or the question's address as copied from the browser.
var questionAddress = regexp.MustCompile(`/questions/([0-9]{1,18})(?:[/?#]|$)`)

func questionRef(s string) int64 {
	s = strings.TrimSpace(s)
	if id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil {
		return id
	}
	if m := questionAddress.FindStringSubmatch(s); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	return 0
}

func (s *Server) closeSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	dup := questionRef(c.FormValue("duplicate_of"))
	st, err := s.qa.Close(c.UserContext(), v.User, id, c.FormValue("reason"), dup)
	if err != nil {
		return s.questionFormFailed(c, id, err, "moderation-actions", map[string]string{"form": "close",
			"reason": c.FormValue("reason"), "duplicate_of": c.FormValue("duplicate_of")})
	}
	if st.Closed {
		return doneAtQuestion(c, id, "closed", "main")
	}
	return doneAtQuestion(c, id, "closevote", "main")
}

func (s *Server) reopenSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	st, err := s.qa.Reopen(c.UserContext(), v.User, id)
	if err != nil {
		return s.questionFormFailed(c, id, err, "moderation-actions", map[string]string{"form": "reopen"})
	}
	if !st.Closed {
		return doneAtQuestion(c, id, "reopened", "main")
	}
	return doneAtQuestion(c, id, "reopenvote", "main")
}
