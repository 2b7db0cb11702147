package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/sergi/go-diff/diffmatchpatch"

	"staffroom/forum"
)

type editRequest struct {
	Title    *string   `json:"title"`
	Body     *string   `json:"body"`
	Tags     *[]string `json:"tags"`
	Summary  string    `json:"summary"`
	Revision int       `json:"revision"` // the revision the edit started from; stale: 409
}

func (s *Server) apiEditPost(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req editRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, sug, err := s.qa.Propose(c.UserContext(), v.User, id, forum.PostEdit{Title: req.Title, Body: req.Body, Tags: req.Tags,
		Summary: req.Summary, BaseRevision: req.Revision})
	if err != nil {
		return err
	}
	if sug != nil { // below the edit privilege, or a curated answer: the edit waits for review
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"suggested_edit": presentSuggestion(sug)})
	}
	return c.JSON(presentPost(p, true))
}

type revisionJSON struct {
	Number    int        `json:"number"`
	PostID    int64      `json:"post_id"`
	Title     string     `json:"title,omitempty"`
	Body      string     `json:"body"`
	Tags      []string   `json:"tags,omitempty"`
	Summary   string     `json:"summary"`
	Editor    authorJSON `json:"editor"`
	CreatedAt time.Time  `json:"created_at"`
}

func (s *Server) apiRevisions(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	revs, err := s.qa.History(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	items := make([]revisionJSON, 0, len(revs))
	for _, r := range revs {
		items = append(items, revisionJSON{Number: r.Number, PostID: r.PostID, Title: r.Title, Body: r.Body, Tags: r.Tags,
			Summary: r.Summary, Editor: presentAuthor(r.Editor), CreatedAt: r.CreatedAt})
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *Server) apiRollback(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return forum.Errorf(forum.ENotFound, "There is no revision %q.", c.Params("n"))
	}
	p, err := s.qa.Rollback(c.UserContext(), v.User, id, n)
	if err != nil {
		return err
	}
	return c.JSON(presentPost(p, true))
}

// editView is the data of the edit page.
type editView struct {
	Post *forum.Post
}

func (s *Server) editPage(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	p, err := s.qa.Post(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	page := s.page(c, "Edit "+string(p.Kind), editView{Post: p})
	page.Form = map[string]string{"title": p.Title, "body": p.Body, "tags": strings.Join(p.Tags, " "),
		"revision": strconv.Itoa(p.Revision)}
	status := fiber.StatusOK
	if ff := s.formFlashFor(c); ff != nil {
		status = ff.show(c, page)
	}
	return s.render(c, status, "edit", page)
}

func (s *Server) editSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	p, err := s.qa.Post(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(c.FormValue("revision"))
	body := c.FormValue("body")
	e := forum.PostEdit{Body: &body, Summary: c.FormValue("summary"), BaseRevision: base}
	if p.Kind == forum.KindQuestion {
		title, tags := c.FormValue("title"), splitTags(c.FormValue("tags"))
		e.Title, e.Tags = &title, &tags
	}
	edited, sug, err := s.qa.Propose(c.UserContext(), v.User, id, e)
	if err != nil {
		form := map[string]string{"body": body, "summary": c.FormValue("summary"), "revision": c.FormValue("revision")}
		if p.Kind == forum.KindQuestion {
			form["title"], form["tags"] = c.FormValue("title"), c.FormValue("tags")
		}
		return s.formFailed(c, err, failedForm{page: fmt.Sprintf("/posts/%d/edit", id), values: form, inPlace: func(ff *formFlash) error {
			page := s.page(c, "Edit "+string(p.Kind), editView{Post: p})
			return s.render(c, ff.show(c, page), "edit", page)
		}})
	}
	if sug != nil {
		edited = p
	}
	qid := edited.ID
	if edited.Kind == forum.KindAnswer {
		qid = edited.QuestionID
	}
	if sug != nil {
		return doneAtQuestion(c, qid, "suggested", fmt.Sprintf("post-%d", edited.ID))
	}
	return doneAtQuestion(c, qid, "edited", fmt.Sprintf("post-%d", edited.ID))
}

// Limits of the revisions page.
const (
	diffTimeout       = 50 * time.Millisecond
	maxRevisionsShown = 50
)

// diffPart is one run of a diff: kept, added or removed text. Templates escape it like any
// other text; the diff never builds HTML itself.
type diffPart struct {
	Op   string // "same", "ins" or "del"
	Text string
}

// revisionDiff is one revision with what changed from the one before.
type revisionDiff struct {
	Rev   *forum.Revision
	Title []diffPart
	Body  []diffPart
	Tags  []diffPart
	First bool
}

// textDiff is a readable word-level diff of two texts.
func textDiff(dmp *diffmatchpatch.DiffMatchPatch, a, b string) []diffPart {
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(a, b, false))
	out := make([]diffPart, 0, len(diffs))
	for _, d := range diffs {
		op := "same"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "ins"
		case diffmatchpatch.DiffDelete:
			op = "del"
		}
		out = append(out, diffPart{Op: op, Text: d.Text})
	}
	return out
}

// revisionsView is the data of the revisions page.
type revisionsView struct {
	Post      *forum.Post
	Revisions []revisionDiff // newest first
	CanEdit   bool
}

func (s *Server) revisionsPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u := viewerUser(c)
	p, err := s.qa.Post(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	revs, err := s.qa.History(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	dmp := diffmatchpatch.New()
	// Diffs are worked out on every view: bound each, and show only the newest revisions,
	// so a post edited hundreds of times cannot make the page expensive.
	dmp.DiffTimeout = diffTimeout
	oldest := max(0, len(revs)-maxRevisionsShown)
	view := revisionsView{Post: p, CanEdit: u != nil && s.qa.Privileges.Rules().CheckEdit(u, p.Facts()) == nil}
	for i := len(revs) - 1; i >= oldest; i-- {
		r := revs[i]
		prev := &forum.Revision{}
		if i > 0 {
			prev = revs[i-1]
		}
		view.Revisions = append(view.Revisions, revisionDiff{Rev: r, First: r.Number == 1,
			Title: textDiff(dmp, prev.Title, r.Title), Body: textDiff(dmp, prev.Body, r.Body),
			Tags: textDiff(dmp, strings.Join(prev.Tags, " "), strings.Join(r.Tags, " "))})
	}
	page := s.page(c, "Revisions", view)
	page.Flash = s.flash(c)
	status := fiber.StatusOK
	if ff := s.formFlashFor(c); ff != nil {
		status = ff.show(c, page)
	}
	return s.render(c, status, "revisions", page)
}

func (s *Server) rollbackSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return forum.Errorf(forum.ENotFound, "There is no revision %q.", c.Params("n"))
	}
	if _, err := s.qa.Rollback(c.UserContext(), v.User, id, n); err != nil {
		if forum.KindOf(err) == forum.ENotFound {
			return err
		}
		return s.formFailed(c, err, failedForm{page: fmt.Sprintf("/posts/%d/revisions", id), anchor: fmt.Sprintf("revision-%d", n),
			inPlace: func(ff *formFlash) error { return err }})
	}
	return c.Redirect(fmt.Sprintf("/posts/%d/revisions?done=rollback", id), fiber.StatusSeeOther)
}
