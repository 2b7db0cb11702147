package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// homeView is the data of the home page: a page of questions and the community.
type homeView struct {
	Questions   []*forum.Post
	Total       int
	Filter      forum.QuestionFilter
	Sorts       []forum.QuestionSort
	Pages       pager
	Community   *forum.Community
	Tag         *forum.Tag // on a tag's page
	CanDescribe bool       // the viewer may edit the tag's description
}

// pager is the links under a list: previous and next, and numbered pages around this one
// with the first and the last, as on Stack Overflow.
type pager struct {
	Page, Last int
	Prev, Next string
	Numbers    []pageLink
	LastHref   string // for a page past the end, which says where the list ends
}

// pageLink is one numbered page in a pager; Gap stands for the pages left out before it.
type pageLink struct {
	N    int
	Href string
	Gap  bool
}

// pagerWindow is how many numbered pages show on each side of the current one.
const pagerWindow = 2

func newPager(page, pageSize, total int, link func(page int) string) pager {
	last := max(1, (total+pageSize-1)/pageSize)
	p := pager{Page: page, Last: last, LastHref: link(last)}
	if page > 1 {
		p.Prev = link(min(page-1, last))
	}
	if page < last {
		p.Next = link(page + 1)
	}
	prev := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < page-pagerWindow || n > page+pagerWindow) {
			if n < page {
				n = page - pagerWindow - 1 // skip to the window
			} else {
				n = last - 1 // skip to the last
			}
			continue
		}
		p.Numbers = append(p.Numbers, pageLink{N: n, Href: link(n), Gap: n > prev+1})
		prev = n
	}
	return p
}

func (s *Server) homePage(c *fiber.Ctx) error {
	return s.questionList(c, nil, nil)
}

// questionList is the home page, or a tag's page when tag is set; ff is the failure of its
// form to draw in place (formFailed), nil otherwise.
func (s *Server) questionList(c *fiber.Ctx, tag *forum.Tag, ff *formFlash) error {
	f, err := questionFilter(c)
	if err != nil {
		return err
	}
	live := forum.TopicQuestions
	if tag != nil {
		f.Tag = &tag.Name
		live = forum.TopicTag(tag.Name)
	}
	key := s.listKeyOf(c, f, tag)
	if ff == nil {
		if ok, err := s.cachedList(c, key); ok {
			return err
		}
	}
	head := s.liveHead(c, live)
	list, err := s.qa.Questions(c.UserContext(), viewerUser(c), f)
	if err != nil {
		return err
	}
	community, err := s.community(c.UserContext())
	if err != nil {
		return err
	}
	base, title := "/?", ""
	if tag != nil {
		base, title = "/tags/"+url.PathEscape(tag.Name)+"?", "Questions tagged "+tag.Name
	}
	link := func(page int) string {
		v := url.Values{"sort": {string(f.Sort)}, "page": {strconv.Itoa(page)}}
		if f.PageSize != forum.DefaultPageSize {
			v.Set("page_size", strconv.Itoa(f.PageSize))
		}
		return base + v.Encode()
	}
	pages := newPager(f.Page, f.PageSize, list.Total, link)
	// Previous and next by cursor: one page of work however deep the reader has gone.
	prev, next := questionPageLinks(f, list, false)
	if prev != "" {
		pages.Prev = base + prev
	}
	if next != "" {
		pages.Next = base + next
	}
	p := s.page(c, title, homeView{Questions: list.Items, Total: list.Total, Filter: f, Community: community, Tag: tag,
		CanDescribe: tag != nil && s.qa.Privileges.Rules().Allowed(viewerUser(c), forum.PrivEdit),
		Sorts:       []forum.QuestionSort{forum.SortNewest, forum.SortActive, forum.SortVotes, forum.SortUnanswered},
		Pages:       pages})
	p.Flash = s.flash(c)
	p.Live = head
	if tag != nil {
		p.Form = map[string]string{"excerpt": tag.Excerpt} // the description form's text
	}
	if ff != nil {
		return s.render(c, ff.show(c, p), "home", p)
	}
	if s.listCacheable(c, p) {
		return s.drawList(c, key, p)
	}
	return s.render(c, fiber.StatusOK, "home", p)
}

// questionView is the data of a question page. Reader is all that the content around the
// posts shows of its reader; every other field is the same for all who read the page (the
// page cache shares them, and TestReaderFactsKeyTheCache holds them to that).
type questionView struct {
	Thread    *forum.QuestionThread
	Canonical string
	Threads   map[int64][]commentNode
	// CloseReasons for the close form.
	CloseReasons map[string]string
	// AnswerSort is the order the answers are in; AnswerSorts the choices.
	AnswerSort  forum.AnswerSort
	AnswerSorts []forum.AnswerSort
	// Reader is the reader's side of the content around the posts, and the page cache's
	// key for that content (skeletonFor).
	Reader questionReader

	actor  forum.Actor // the reader, to decide each post's PostActions (postFor)
	upvote bool        // the reader holds the up-vote privilege: comments get vote buttons (postFor)
}

// questionReader is what the content around the posts shows of its reader, from the
// question's forum.PostActions.
type questionReader struct {
	SignedIn     bool
	Close        bool // may vote to close or reopen
	CloseBinding bool // that vote decides at once: the button says "Close", not "Vote to close"
	Comment      bool // may comment: the live script gives new comments a reply form
}

// commentNode is a comment with its replies, nested to maxCommentDepth and flat after.
type commentNode struct {
	Comment *forum.Comment
	Replies []commentNode
}

// maxCommentDepth is how deep replies nest on the page; deeper replies line up under the
// last nested level, as in Discourse, so narrow screens stay readable.
const maxCommentDepth = 3

// threadComments arranges a post's comments as a tree (replies after their parent).
func threadComments(cs []*forum.Comment) []commentNode {
	children := map[int64][]*forum.Comment{}
	var roots []*forum.Comment
	known := map[int64]bool{}
	for _, c := range cs {
		known[c.ID] = true
	}
	for _, c := range cs {
		if c.ParentID != 0 && known[c.ParentID] {
			children[c.ParentID] = append(children[c.ParentID], c)
		} else {
			roots = append(roots, c)
		}
	}
	var build func(c *forum.Comment, depth int) commentNode
	build = func(c *forum.Comment, depth int) commentNode {
		n := commentNode{Comment: c}
		for _, r := range children[c.ID] {
			if depth+1 >= maxCommentDepth {
				// Past the last level: this reply and its own replies line up here.
				n.Replies = append(n.Replies, flatten(r, children)...)
			} else {
				n.Replies = append(n.Replies, build(r, depth+1))
			}
		}
		return n
	}
	out := make([]commentNode, 0, len(roots))
	for _, r := range roots {
		out = append(out, build(r, 0))
	}
	return out
}

func flatten(c *forum.Comment, children map[int64][]*forum.Comment) []commentNode {
	out := []commentNode{{Comment: c}}
	for _, r := range children[c.ID] {
		out = append(out, flatten(r, children)...)
	}
	return out
}

func (s *Server) questionPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	order, err := forum.ParseAnswerSort(c.Query("answers"))
	if err != nil {
		return err
	}
	// The live head first: everything up to it is in the data read after.
	head := s.liveHead(c, forum.TopicQuestion(id))
	// A failed form shows on the page drawn for this reader alone (formflash.go).
	ff := s.formFlashFor(c)
	if s.threads != nil && ff == nil && !s.ownHiddenIn(c, id) {
		if ok, err := s.cachedQuestionPage(c, id, order, head); ok {
			return s.answerRedirect(c, id, err)
		}
	}
	t, err := s.qa.Thread(c.UserContext(), viewerUser(c), id, order)
	if err != nil {
		return s.answerRedirect(c, id, err)
	}
	s.countView(c, id)
	return s.renderQuestion(c, t, ff, head)
}

// answerRedirect passes on a question page's error, except that the address of an answer
// (/questions/{answer id}: answers share the questions' ids) is sent for good to the
// answer on its question's page.
func (s *Server) answerRedirect(c *fiber.Ctx, id int64, notFound error) error {
	if forum.KindOf(notFound) != forum.ENotFound {
		return notFound
	}
	a, err := s.qa.Post(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err // what a missing id gets, also for an answer the reader may not see
	}
	if a.Kind != forum.KindAnswer {
		return notFound
	}
	q, err := s.qa.Post(c.UserContext(), viewerUser(c), a.QuestionID)
	if err != nil {
		return notFound
	}
	return c.Redirect(questionPath(q)+"#answer-"+strconv.FormatInt(a.ID, 10), fiber.StatusMovedPermanently)
}

// countView counts a view of a question page by the person or address asking.
func (s *Server) countView(c *fiber.Ctx, questionID int64) {
	if s.views == nil {
		return
	}
	who := "ip:" + s.clientIP(c)
	if u := viewerUser(c); u != nil {
		who = "user:" + strconv.FormatInt(u.ID, 10)
	}
	s.views.Record(questionID, who, s.now())
}

// countAnonymousView counts a view answered from the micro-cache.
func (s *Server) countAnonymousView(c *fiber.Ctx) {
	if id, err := strconv.ParseInt(c.Params("id"), 10, 64); err == nil && id > 0 {
		s.countView(c, id)
	}
}

// renderQuestion draws a question page whole, with the failure of one of its forms when
// ff is set.
func (s *Server) renderQuestion(c *fiber.Ctx, t *forum.QuestionThread, ff *formFlash, live *LiveTopic) error {
	threads := map[int64][]commentNode{}
	for postID, cs := range t.Comments {
		threads[postID] = threadComments(cs)
	}
	view := s.questionView(c, viewerUser(c), t, threads, s.baseURL()+questionPath(t.Question))
	p := s.page(c, t.Question.Title, view)
	p.Flash = s.flash(c)
	p.Live = live
	status := fiber.StatusOK
	if ff != nil {
		status = ff.show(c, p)
	}
	return s.render(c, status, "question", p)
}

// questionView is the data of a question page for reader u (nil when anonymous).
func (s *Server) questionView(c *fiber.Ctx, u *forum.User, t *forum.QuestionThread, threads map[int64][]commentNode, canonical string) *questionView {
	actor := s.qa.Privileges.Rules().Actor(u)
	q := actor.Actions(t.Facts(t.Question))
	return &questionView{Thread: t, Canonical: canonical, Threads: threads,
		CloseReasons: forum.CloseReasonText, AnswerSort: forum.AnswerSort(c.Query("answers", string(forum.AnswersByScore))),
		AnswerSorts: []forum.AnswerSort{forum.AnswersByScore, forum.AnswersByNewest, forum.AnswersByOldest},
		Reader:      questionReader{SignedIn: u != nil, Close: q.Close, CloseBinding: q.CloseBinding, Comment: q.Comment},
		actor:       actor, upvote: u != nil && s.qa.Privileges.Rules().Allowed(u, forum.PrivUpvote)}
}

// backToQuestion redirects to a question page, at an anchor.
func backToQuestion(c *fiber.Ctx, questionID int64, anchor string) error {
	return c.Redirect(fmt.Sprintf("/questions/%d#%s", questionID, anchor), fiber.StatusSeeOther)
}

// doneAtQuestion redirects to a question page that confirms what was done (flashes).
func doneAtQuestion(c *fiber.Ctx, questionID int64, done, anchor string) error {
	return c.Redirect(fmt.Sprintf("/questions/%d?done=%s#%s", questionID, done, anchor), fiber.StatusSeeOther)
}

func (s *Server) askPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	p := s.page(c, "Ask a question", nil)
	p.Form = map[string]string{"tags": c.Query("tag"), "collaborative": c.Query("collaborative")}
	status := fiber.StatusOK
	if ff := s.formFlashFor(c); ff != nil {
		status = ff.show(c, p)
	}
	view, err := s.askView(c, v.User, p.Form["collaborative"])
	if err != nil {
		return err
	}
	p.Data = view
	return s.render(c, status, "ask", p)
}

func (s *Server) askSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	in := forum.AskInput{Title: c.FormValue("title"), Body: c.FormValue("body"), Tags: splitTags(c.FormValue("tags")),
		Collaborative: c.FormValue("collaborative")}
	q, err := s.qa.Ask(c.UserContext(), v.User, in)
	if err != nil {
		form := map[string]string{"title": in.Title, "body": in.Body, "tags": c.FormValue("tags"), "collaborative": in.Collaborative}
		return s.formFailed(c, err, failedForm{page: "/questions/ask", values: form, inPlace: func(ff *formFlash) error {
			p := s.page(c, "Ask a question", nil)
			status := ff.show(c, p)
			view, err := s.askView(c, v.User, p.Form["collaborative"])
			if err != nil {
				return err
			}
			p.Data = view
			return s.render(c, status, "ask", p)
		}})
	}
	return c.Redirect(questionPath(q)+"?done=asked", fiber.StatusSeeOther)
}

// splitTags reads a tag field typed as words separated by spaces or commas.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}

func (s *Server) answerSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	body := c.FormValue("body")
	a, err := s.qa.Answer(c.UserContext(), v.User, id, body)
	if err != nil {
		// Closed while it was typed, too: the page keeps the text to copy.
		return s.questionFormFailed(c, id, err, "your-answer", map[string]string{"form": "answer", "body": body})
	}
	return doneAtQuestion(c, id, "answered", fmt.Sprintf("answer-%d", a.ID))
}

// questionFormFailed answers a failed form of a question page (formFailed). values hold
// "form", which of the page's forms it was, and "on" and "parent" when that is not clear
// from the form alone (pageForm). A question the person cannot see answers not found.
func (s *Server) questionFormFailed(c *fiber.Ctx, questionID int64, formErr error, anchor string, values map[string]string) error {
	if forum.AsError(formErr) == nil || forum.KindOf(formErr) == forum.ENotFound {
		return formErr
	}
	return s.formFailed(c, formErr, failedForm{page: "/questions/" + strconv.FormatInt(questionID, 10), anchor: anchor,
		values: values, inPlace: func(ff *formFlash) error {
			t, err := s.qa.Thread(c.UserContext(), viewerUser(c), questionID, forum.AnswersByScore)
			if err != nil {
				return err
			}
			return s.renderQuestion(c, t, ff, nil)
		}})
}

// postForm names a failed form that acts on a post (vote, accept, delete, undelete): its
// error shows beside that post.
func postForm(postID int64) map[string]string {
	return map[string]string{"form": "post", "on": strconv.FormatInt(postID, 10)}
}

// postQuestionID finds the question a post belongs to, for redirects.
func (s *Server) postQuestionID(c *fiber.Ctx, postID int64) (int64, error) {
	p, err := s.qa.Post(c.UserContext(), viewerUser(c), postID)
	if err != nil {
		return 0, err
	}
	if p.Kind == forum.KindQuestion {
		return p.ID, nil
	}
	return p.QuestionID, nil
}

func (s *Server) commentSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	qid, err := s.postQuestionID(c, id)
	if err != nil {
		return err
	}
	parent, _ := strconv.ParseInt(c.FormValue("parent_id"), 10, 64)
	body := c.FormValue("body")
	cm, err := s.qa.Comment(c.UserContext(), v.User, id, parent, body)
	if err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("comment-%d-%d", id, parent), map[string]string{"form": "comment",
			"on": strconv.FormatInt(id, 10), "parent": strconv.FormatInt(parent, 10), "body": body})
	}
	return backToQuestion(c, qid, fmt.Sprintf("comment-%d", cm.ID))
}

func (s *Server) voteSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	qid, err := s.postQuestionID(c, id)
	if err != nil {
		return err
	}
	value, err := strconv.Atoi(c.FormValue("value"))
	if err != nil {
		return forum.Invalid("value", "invalid_vote", "value must be 1, -1 or 0.")
	}
	if _, err := s.qa.Vote(c.UserContext(), v.User, id, value); err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", id), postForm(id))
	}
	return backToQuestion(c, qid, fmt.Sprintf("post-%d", id))
}

// commentVoteSubmit votes a comment up from its button, and goes back to it. The form
// names the comment's post, for the way back.
func (s *Server) commentVoteSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	post, _ := strconv.ParseInt(c.FormValue("post"), 10, 64)
	qid, err := s.postQuestionID(c, post)
	if err != nil {
		return err
	}
	value := 1
	if c.FormValue("value") == "0" {
		value = 0
	}
	if _, err := s.qa.VoteComment(c.UserContext(), v.User, id, value); err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("comment-%d", id),
			map[string]string{"form": "comment-vote", "on": strconv.FormatInt(id, 10)})
	}
	return backToQuestion(c, qid, fmt.Sprintf("comment-%d", id))
}

func (s *Server) acceptSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	qid, err := s.postQuestionID(c, id)
	if err != nil {
		return err
	}
	if _, err := s.qa.Accept(c.UserContext(), v.User, id); err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", id), postForm(id))
	}
	return backToQuestion(c, qid, fmt.Sprintf("post-%d", id))
}

func (s *Server) deleteSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	p, err := s.qa.Post(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	if err := s.deletePost(c.UserContext(), v.User, id); err != nil {
		qid := p.ID
		if p.Kind == forum.KindAnswer {
			qid = p.QuestionID
		}
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", id), postForm(id))
	}
	if p.Kind == forum.KindAnswer {
		return doneAtQuestion(c, p.QuestionID, "deleted", "answers")
	}
	return c.Redirect("/?done=deleted", fiber.StatusSeeOther)
}

func (s *Server) undeleteSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	qid, err := s.postQuestionID(c, id)
	if err != nil {
		return err
	}
	if err := s.undeletePost(c.UserContext(), v.User, id); err != nil {
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", id), postForm(id))
	}
	return doneAtQuestion(c, qid, "undeleted", fmt.Sprintf("post-%d", id))
}

// tagsView is the data of the tags page.
type tagsView struct {
	Tags  []forum.Tag
	Query string
	Pages pager
}

func (s *Server) tagsPage(c *fiber.Ctx) error {
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	page = max(page, 1)
	q := c.Query("q")
	tags, total, err := s.qa.Tags(c.UserContext(), strings.ToLower(strings.TrimSpace(q)), page)
	if err != nil {
		return err
	}
	link := func(n int) string { return "/tags?" + url.Values{"q": {q}, "page": {strconv.Itoa(n)}}.Encode() }
	return s.render(c, fiber.StatusOK, "tags", s.page(c, "Tags", tagsView{Tags: tags, Query: q,
		Pages: newPager(page, forum.DefaultPageSize, total, link)}))
}

// describeTagSubmit saves a tag's description from its page.
func (s *Server) describeTagSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	excerpt := c.FormValue("excerpt")
	t, err := s.qa.DescribeTag(c.UserContext(), v.User, pathParam(c, "tag"), excerpt)
	if err != nil {
		if forum.KindOf(err) == forum.ENotFound {
			return err // no such tag: no page to go back to
		}
		// The form is on the tag's page, at this very address: back to it, which shows the
		// failure beside the description with the text as typed (formflash.go).
		return s.formFailed(c, err, failedForm{page: c.Path(), anchor: "describe-tag", values: map[string]string{"excerpt": excerpt},
			inPlace: func(ff *formFlash) error {
				t, err := s.qa.Tag(c.UserContext(), pathParam(c, "tag"))
				if err != nil {
					return err
				}
				return s.questionList(c, t, ff)
			}})
	}
	return c.Redirect("/tags/"+url.PathEscape(t.Name)+"?done=described", fiber.StatusSeeOther)
}

// tagPage shows a tag's description and its questions.
func (s *Server) tagPage(c *fiber.Ctx) error {
	t, err := s.qa.Tag(c.UserContext(), pathParam(c, "tag"))
	if err != nil {
		return err
	}
	return s.questionList(c, t, nil)
}

// postCtx is what the "post" template draws: one question or answer on its page. Reader
// is all that the block shows of its reader; the other fields are the same for everyone
// who reads the page (CSRF is the page cache's marker there), and
// TestReaderFactsKeyTheCache holds them to that.
type postCtx struct {
	Post     *forum.Post // as every reader sees it: the reader's own vote is Reader.MyVote
	Comments []commentNode
	Reader   postReader
	CSRF     string
	// Page is the whole page, for the failure of a form in the block (formOn); nil when
	// the block is drawn for the page cache, which never draws a failed form's page.
	Page *Page
}

// postReader is all that one post's block shows of its reader. It is both the template's
// input and, with the post's id, the page cache's key for the block (blockKey): a fact
// about the reader that the block draws is a field here, and so part of the key.
type postReader struct {
	SignedIn bool
	MyVote   int
	Can      forum.PostActions
	// UpvoteComments: the reader may vote comments up, so each comment gets its button.
	UpvoteComments bool
}

// Up is the vote-up button's state: it takes the reader's up vote back, or casts one.
func (r postReader) Up() forum.Allowance {
	if r.MyVote == 1 {
		return r.Can.Unvote
	}
	return r.Can.VoteUp
}

// Down is the vote-down button's state, as Up.
func (r postReader) Down() forum.Allowance {
	if r.MyVote == -1 {
		return r.Can.Unvote
	}
	return r.Can.VoteDown
}

// commentsCtx is one level of a comment list: the first Shown, then the Rest folded.
type commentsCtx struct {
	Block *postCtx
	Nodes []commentNode
	Shown int
	Rest  []commentNode
}

type commentCtx struct {
	Block *postCtx
	Node  commentNode
}

type commentFormCtx struct {
	CSRF             string
	PostID, ParentID int64
	Page             *Page // as postCtx.Page
}

// postFor is the post template's input for post drawn for v's reader with their vote on
// it; csrf is their token, or the cache's marker.
func (v *questionView) postFor(post *forum.Post, myVote int, csrf string) postCtx {
	return postCtx{Post: post, Comments: v.Threads[post.ID], CSRF: csrf,
		Reader: postReader{SignedIn: v.Reader.SignedIn, MyVote: myVote, Can: v.actor.Actions(v.Thread.Facts(post)),
			UpvoteComments: v.Reader.SignedIn && v.upvote}}
}

// shownComments is how many comments each level shows before "show N more", as on Stack
// Overflow; replies show fewer.
var shownComments = [...]int{5, 3}

// questionFuncs are the template helpers of the question page.
var questionFuncs = map[string]any{
	"post": func(p *Page, post *forum.Post) *postCtx {
		pc := p.Data.(*questionView).postFor(post, post.MyVote, p.CSRF)
		pc.Page = p
		return &pc
	},
	"comments": func(b *postCtx, nodes []commentNode, level int) commentsCtx {
		shown := shownComments[min(level, len(shownComments)-1)]
		c := commentsCtx{Block: b, Nodes: nodes, Shown: shown}
		if len(nodes) > shown {
			c.Rest = nodes[shown:]
		}
		return c
	},
	"comment": func(b *postCtx, n commentNode) commentCtx { return commentCtx{Block: b, Node: n} },
	"commentForm": func(b *postCtx, postID, parentID int64) commentFormCtx {
		return commentFormCtx{CSRF: b.CSRF, PostID: postID, ParentID: parentID, Page: b.Page}
	},
}
