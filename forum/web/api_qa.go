package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// listResponse is the shape of every paged list.
type listResponse[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
	Page  int `json:"page"`
}

// questionFilter reads the question list's query parameters.
func questionFilter(c *fiber.Ctx) (forum.QuestionFilter, error) {
	var f forum.QuestionFilter
	var err error
	if f.Sort, err = forum.ParseQuestionSort(c.Query("sort")); err != nil {
		return f, err
	}
	if tag := c.Query("tag"); tag != "" {
		t, err := forum.NormalizeTag(tag)
		if err != nil {
			return f, err.(*forum.Error).WithField("tag")
		}
		f.Tag = &t
	}
	if f.Page, err = queryPage(c); err != nil {
		return f, err
	}
	if f.PageSize, err = queryInt(c, "page_size"); err != nil {
		return f, err
	}
	f.After, f.Before = strings.Clone(c.Query("after")), strings.Clone(c.Query("before"))
	return f, f.Normalize()
}

// questionPageLinks are the query strings of the pages before and after a page of a list
// ("" where there is none): by cursor, so following them costs one page at any depth.
func questionPageLinks(f forum.QuestionFilter, page *forum.QuestionPage, withTag bool) (prev, next string) {
	link := func(n int, param, cursor string) string {
		v := url.Values{"sort": {string(f.Sort)}, "page": {strconv.Itoa(n)}, param: {cursor}}
		if f.PageSize != forum.DefaultPageSize {
			v.Set("page_size", strconv.Itoa(f.PageSize))
		}
		if withTag && f.Tag != nil {
			v.Set("tag", *f.Tag)
		}
		if f.Collaborative != "" {
			v.Set("collaborative", f.Collaborative)
		}
		return v.Encode()
	}
	if page.Prev != "" && f.Page > 1 {
		prev = link(f.Page-1, "before", page.Prev)
	}
	if page.Next != "" && f.Page < maxPage {
		next = link(f.Page+1, "after", page.Next)
	}
	return prev, next
}

func (s *Server) apiQuestions(c *fiber.Ctx) error {
	f, err := questionFilter(c)
	if err != nil {
		return err
	}
	// The API alone takes the collaborative filter: the list pages are cached under keys
	// that know nothing of it (listcache.go, microcache.go), and a collaborative's
	// questions are listed on its own page.
	f.Collaborative = strings.Clone(c.Query("collaborative"))
	page, err := s.qa.Questions(c.UserContext(), viewerUser(c), f)
	if err != nil {
		return err
	}
	items := make([]postJSON, 0, len(page.Items))
	for _, q := range page.Items {
		items = append(items, presentPost(q, false))
	}
	res := questionsResponse{listResponse: listResponse[postJSON]{Items: items, Total: page.Total, Page: f.Page}}
	prev, next := questionPageLinks(f, page, true)
	if prev != "" {
		res.Prev = "/api/v1/questions?" + prev
	}
	if next != "" {
		res.Next = "/api/v1/questions?" + next
	}
	return c.JSON(res)
}

// questionsResponse is a page of questions with links to the pages around it.
type questionsResponse struct {
	listResponse[postJSON]
	Next string `json:"next,omitempty"` // the next page's URL, by cursor
	Prev string `json:"prev,omitempty"` // the previous page's URL, by cursor
}

type askRequest struct {
	Title         string   `json:"title"`
	Body          string   `json:"body"`
	Tags          []string `json:"tags"`
	Collaborative string   `json:"collaborative"`
}

func (s *Server) apiAsk(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req askRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	q, err := s.qa.Ask(c.UserContext(), v.User, forum.AskInput{Title: req.Title, Body: req.Body, Tags: req.Tags,
		Collaborative: req.Collaborative})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentPost(q, true))
}

func (s *Server) apiQuestion(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	order, err := forum.ParseAnswerSort(c.Query("answers"))
	if err != nil {
		return err
	}
	if s.threads != nil {
		if ok, err := s.cachedQuestionJSON(c, id, order); ok {
			return err
		}
	}
	u := viewerUser(c)
	t, err := s.qa.Thread(c.UserContext(), u, id, order)
	if err != nil {
		return err
	}
	if !forum.SeesDeleted(u) {
		// Its author sees her deleted posts on its page, marked; the API answers a deleted
		// post 404 to everyone but moderators (DESIGN.md, DELETE /api/v1/posts/{id}), so
		// here they are gone for her as for everyone else. A post hidden pending review is
		// not deleted by anyone: its author keeps reading it, marked hidden (forum.PostVisible).
		if q := t.Question; q.DeletedAt != nil && q.HiddenAt == nil {
			return forum.NotFoundPost(id)
		}
		t = withoutDeletedAnswers(t)
	}
	return c.JSON(presentThread(t, u, s.qa.Privileges.Rules()))
}

type bodyRequest struct {
	Body     string `json:"body"`
	ParentID int64  `json:"parent_id"`
}

func (s *Server) apiAnswer(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req bodyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.qa.Answer(c.UserContext(), v.User, id, req.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentPost(a, true))
}

func (s *Server) apiComments(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	cs, err := s.qa.Comments(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": presentComments(cs)})
}

func (s *Server) apiComment(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req bodyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := s.qa.Comment(c.UserContext(), v.User, id, req.ParentID, req.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentComment(cm))
}

type voteRequest struct {
	Value *int `json:"value"`
}

func (s *Server) apiVote(c *fiber.Ctx) error {
	return s.vote(c, "value is required: 1 (up), -1 (down) or 0 (take the vote back).", s.qa.Vote)
}

func (s *Server) apiVoteComment(c *fiber.Ctx) error {
	return s.vote(c, "value is required: 1 (up) or 0 (take the vote back).", s.qa.VoteComment)
}

// vote casts the request's vote on the post or comment in the path through cast; missing
// is the message when the body has no value.
func (s *Server) vote(c *fiber.Ctx, missing string, cast func(context.Context, *forum.User, int64, int) (forum.VoteResult, error)) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req voteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Value == nil {
		return forum.Invalid("value", "invalid_vote", "%s", missing)
	}
	r, err := cast(c.UserContext(), v.User, id, *req.Value)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"score": r.Score, "my_vote": r.MyVote})
}

func (s *Server) apiAccept(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	accepted, err := s.qa.Accept(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": accepted, "answer_id": id})
}

func (s *Server) apiDeletePost(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.deletePost(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiUndelete(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.undeletePost(c.UserContext(), v.User, id); err != nil {
		return err
	}
	p, err := s.qa.Post(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(presentPost(p, true))
}

func (s *Server) apiTags(c *fiber.Ctx) error {
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	if page == 0 {
		page = 1
	}
	tags, total, err := s.qa.Tags(c.UserContext(), c.Query("q"), page)
	if err != nil {
		return err
	}
	items := make([]tagJSON, 0, len(tags))
	for _, t := range tags {
		items = append(items, presentTag(t))
	}
	return c.JSON(listResponse[tagJSON]{Items: items, Total: total, Page: page})
}

func (s *Server) apiTag(c *fiber.Ctx) error {
	t, err := s.qa.Tag(c.UserContext(), pathParam(c, "name"))
	if err != nil {
		return err
	}
	return c.JSON(presentTag(*t))
}

type excerptRequest struct {
	Excerpt string `json:"excerpt"`
}

func (s *Server) apiDescribeTag(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req excerptRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.qa.DescribeTag(c.UserContext(), v.User, pathParam(c, "name"), req.Excerpt)
	if err != nil {
		return err
	}
	return c.JSON(presentTag(*t))
}

// apiPreview renders a draft. Rendering costs real CPU, so only signed-in people may, at
// a pace a writer never notices.
func (s *Server) apiPreview(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if ok, wait := s.cfg.PreviewLimit.Allow(strconv.FormatInt(v.User.ID, 10), s.now()); !ok {
		return forum.RateLimited(wait, "Too many previews at once; wait a moment before the next.")
	}
	var req bodyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	html, err := s.qa.Preview(req.Body)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"html": html})
}

// withoutDeletedAnswers is the thread without its deleted answers (those its author reads
// on the page) but with those hidden pending review that the reader sees, copied so that the thread read stays as it was.
func withoutDeletedAnswers(t *forum.QuestionThread) *forum.QuestionThread {
	live := make([]*forum.Post, 0, len(t.Answers))
	for _, a := range t.Answers {
		if a.DeletedAt == nil || a.HiddenAt != nil {
			live = append(live, a)
		}
	}
	if len(live) == len(t.Answers) {
		return t
	}
	cp := *t
	cp.Answers = live
	return &cp
}
