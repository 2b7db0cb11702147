package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/moderation"
)

// The moderation pages: the dashboard (/moderation: the queues with their counts, the items
// of one queue with their actions, the recent audited actions), a person's flags and
// moderator messages (/flags), a tag's curated answers (/tags/{tag}/curated), and the
// forms of the flag dialog and the moderators' controls on every post. Every form works
// without JavaScript: post, then redirect.

func (s *Server) moderationRoutes(app *fiber.App) {
	if s.moderation == nil {
		return
	}
	app.Get("/moderation", s.moderationPage)
	app.Post("/moderation/queue/:id/claim", s.claimSubmit)
	app.Post("/moderation/queue/:id/resolve", s.resolveSubmit)
	app.Get("/flags", s.flagsPage)
	app.Get("/tags/:tag/curated", s.curatedPage)
	app.Post("/posts/:id/flags", s.meter(moderation.ActionFlag), s.flagSubmit)
	app.Post("/comments/:id/flags", s.meter(moderation.ActionFlag), s.commentFlagSubmit)
	if s.channels != nil {
		app.Post("/c/:slug/channels/:id/messages/:mid/flags", s.meter(moderation.ActionFlag), s.messageFlagSubmit)
	}
	app.Post("/posts/:id/moderate", s.moderateSubmit)
	app.Post("/posts/:id/curate", s.curateSubmit)
}

// queueTab is one queue on the dashboard.
type queueTab struct {
	Kind, Name string
	Count      int
	Current    bool
}

type moderationView struct {
	Kind      string
	KindName  string
	Tabs      []queueTab
	Items     []*forum.ReviewItem
	Recent    []forum.AuditEntry // moderators only
	Moderator bool
	ViewerID  int64
	Reasons   map[string]string // close reasons, for the close queue's form
}

func (s *Server) moderationPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	u := v.User
	kind := strings.Clone(c.Query("kind"))
	page, err := s.moderation.Queue(c.UserContext(), u, kind, 20)
	if err != nil {
		return err
	}
	view := &moderationView{Kind: kind, KindName: forum.QueueNames[kind], Items: page.Items, Moderator: u.Role.IsModerator(), ViewerID: u.ID,
		Reasons: forum.CloseReasonText}
	if kind == "" {
		view.KindName = "Every queue"
	}
	for _, k := range forum.QueueKinds {
		if n, ok := page.Counts[k]; ok {
			view.Tabs = append(view.Tabs, queueTab{Kind: k, Name: forum.QueueNames[k], Count: n, Current: k == kind})
		}
	}
	if view.Moderator {
		if view.Recent, err = s.moderation.RecentActions(c.UserContext(), u, 20); err != nil {
			return err
		}
	}
	p := s.page(c, "Moderation", view)
	p.Flash = s.flash(c)
	return s.render(c, fiber.StatusOK, "moderation", p)
}

// backToQueue redirects to the dashboard at an item, showing its queue.
func backToQueue(c *fiber.Ctx, kind string, id int64, done string) error {
	to := "/moderation"
	if kind != "" {
		to += "?kind=" + kind
		if done != "" {
			to += "&done=" + done
		}
	} else if done != "" {
		to += "?done=" + done
	}
	return c.Redirect(to+"#item-"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// queueFormFailed shows a failed queue form on the dashboard, beside its item.
func (s *Server) queueFormFailed(c *fiber.Ctx, id int64, err error) error {
	return s.formFailed(c, err, failedForm{page: "/moderation", anchor: fmt.Sprintf("item-%d", id),
		values: map[string]string{"form": "item", "on": strconv.FormatInt(id, 10)}, inPlace: func(ff *formFlash) error {
			p := s.page(c, "Moderation", &moderationView{})
			p.Error = ff.message
			return s.render(c, ff.status, "moderation", p)
		}})
}

func (s *Server) claimSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	if _, err := s.moderation.Claim(c.UserContext(), v.User, id); err != nil {
		return s.queueFormFailed(c, id, err)
	}
	return backToQueue(c, strings.Clone(c.FormValue("kind")), id, "")
}

func (s *Server) resolveSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	in := forum.ResolveInput{Action: c.FormValue("action"), Reason: c.FormValue("reason"), ReviewBy: c.FormValue("review_by"),
		CloseReason: c.FormValue("close_reason")}
	if body := c.FormValue("body"); body != "" {
		in.Body = &body
	}
	if note := c.FormValue("note"); note != "" {
		in.Note = &note
	}
	if _, err := s.moderation.Resolve(c.UserContext(), v.User, id, in); err != nil {
		return s.queueFormFailed(c, id, err)
	}
	return backToQueue(c, strings.Clone(c.FormValue("kind")), id, "moderated")
}

type flagsView struct {
	Flags    []*forum.Flag
	Record   forum.FlagRecord
	Weight   float64
	Messages []*forum.ModeratorMessage
	Reasons  map[string]string
}

func (s *Server) flagsPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	fs, rec, err := s.moderation.MyFlags(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	ms, err := s.moderation.Messages(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	p := s.page(c, "Your flags and moderator messages", &flagsView{Flags: fs, Record: rec, Weight: forum.FlagWeight(rec), Messages: ms,
		Reasons: forum.FlagReasonText})
	return s.render(c, fiber.StatusOK, "flags", p)
}

type curatedView struct {
	Tag   string
	Posts []*forum.Post
}

func (s *Server) curatedPage(c *fiber.Ctx) error {
	tag := pathParam(c, "tag")
	posts, err := s.moderation.Curated(c.UserContext(), tag)
	if err != nil {
		return err
	}
	t, _ := forum.NormalizeTag(tag)
	p := s.page(c, "Curated answers in "+t, &curatedView{Tag: t, Posts: posts})
	return s.render(c, fiber.StatusOK, "curated", p)
}

// postFormFailed shows a failed form of a post's block beside the post.
func (s *Server) postFormFailed(c *fiber.Ctx, id int64, err error) error {
	qid, qerr := s.postQuestionID(c, id)
	if qerr != nil {
		return err
	}
	return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", id), postForm(id))
}

// afterPostForm goes back to the post's question (or home when the reader can no longer
// see it: a moderator's flag may have deleted it).
func (s *Server) afterPostForm(c *fiber.Ctx, id int64, done string) error {
	qid, err := s.postQuestionID(c, id)
	if err != nil {
		return c.Redirect("/?done="+done, fiber.StatusSeeOther)
	}
	return doneAtQuestion(c, qid, done, fmt.Sprintf("post-%d", id))
}

func (s *Server) flagSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	dup, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue("duplicate_of")), 10, 64)
	if _, _, err := s.moderation.FlagPost(c.UserContext(), v.User, id, forum.FlagInput{Reason: c.FormValue("reason"),
		Note: c.FormValue("note"), DuplicateOf: dup}); err != nil {
		qid, qerr := s.postQuestionID(c, id)
		if qerr != nil {
			return err
		}
		return s.questionFormFailed(c, qid, err, fmt.Sprintf("post-%d", id), map[string]string{"form": "flag", "on": strconv.FormatInt(id, 10),
			"reason": c.FormValue("reason"), "note": c.FormValue("note"), "duplicate_of": c.FormValue("duplicate_of")})
	}
	return s.afterPostForm(c, id, "flagged")
}

// commentFlagSubmit is a comment's flag dialog on the question page: back to the comment,
// or to the page with the dialog open and why the flag was refused.
func (s *Server) commentFlagSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	post, _ := strconv.ParseInt(c.FormValue("post"), 10, 64)
	qid, err := s.postQuestionID(c, post)
	if err != nil {
		return err
	}
	anchor := fmt.Sprintf("comment-%d", id)
	if _, _, err := s.moderation.FlagComment(c.UserContext(), v.User, id, forum.FlagInput{Reason: c.FormValue("reason"),
		Note: c.FormValue("note")}); err != nil {
		return s.questionFormFailed(c, qid, err, anchor, map[string]string{"form": "comment-flag", "on": strconv.FormatInt(id, 10),
			"reason": c.FormValue("reason"), "note": c.FormValue("note")})
	}
	return doneAtQuestion(c, qid, "flagged", anchor)
}

// messageFlagSubmit is the channel page's flag dialog: back to the message, or to the
// page, which says why the flag was refused.
func (s *Server) messageFlagSubmit(c *fiber.Ctx) error {
	v, page, mid, err := messageForm(c)
	if v == nil || err != nil {
		return err
	}
	if _, _, err := s.moderation.FlagMessage(c.UserContext(), v.User, mid, forum.FlagInput{Reason: c.FormValue("reason"),
		Note: c.FormValue("note")}); err != nil {
		return s.channelActionFailed(c, page, err)
	}
	return c.Redirect(page+"#"+messageAnchor(mid, c.FormValue("thread") != ""), fiber.StatusSeeOther)
}

func (s *Server) moderateSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	if err := s.moderation.ModeratePost(c.UserContext(), v.User, id, c.FormValue("action"), c.FormValue("reason")); err != nil {
		return s.postFormFailed(c, id, err)
	}
	return s.afterPostForm(c, id, "moderated")
}

func (s *Server) curateSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	if c.FormValue("action") == "uncurate" {
		err = s.moderation.Uncurate(c.UserContext(), v.User, id)
	} else {
		_, err = s.moderation.Curate(c.UserContext(), v.User, id, c.FormValue("note"), c.FormValue("review_by"))
	}
	if err != nil {
		return s.postFormFailed(c, id, err)
	}
	return s.afterPostForm(c, id, "moderated")
}

// reviewItemCtx is one item of the dashboard, with what its forms need of the page.
type reviewItemCtx struct {
	Item     *forum.ReviewItem
	Kind     string // the queue shown, to come back to it
	ViewerID int64
	CSRF     string
}

// moderationFuncs are the dashboard's template helpers.
var moderationFuncs = map[string]any{
	"reviewItem": func(p *Page, it *forum.ReviewItem) reviewItemCtx {
		d := p.Data.(*moderationView)
		return reviewItemCtx{Item: it, Kind: d.Kind, ViewerID: d.ViewerID, CSRF: p.CSRF}
	},
	"queueName":    func(kind string) string { return forum.QueueNames[kind] },
	"actionName":   func(a string) string { return actionNames[a] },
	"claimMinutes": func() int { return int(forum.ClaimTTL.Minutes()) },
}

// actionNames say each review action in words.
var actionNames = map[string]string{
	forum.ActionDelete: "Delete", forum.ActionRestore: "Restore (decline the flags)", forum.ActionHelpful: "Helpful (leave as is)",
	forum.ActionLooksOK: "Looks OK", forum.ActionApprove: "Approve", forum.ActionReject: "Reject", forum.ActionImprove: "Improve",
	forum.ActionClose: "Close", forum.ActionReopen: "Reopen", forum.ActionLeave: "Leave as is", forum.ActionRenew: "Renew for a year",
	forum.ActionUpdate: "Update", forum.ActionUncurate: "Uncurate", forum.ActionSkip: "Skip",
}

// ownHiddenIn reports whether the reader wrote a post in the question's thread that is
// hidden pending review: they still see it, marked (forum.PostVisible), so their page is
// drawn for them alone rather than from the shared cache, which holds what everyone sees.
func (s *Server) ownHiddenIn(c *fiber.Ctx, questionID int64) bool {
	if s.moderation == nil {
		return false
	}
	yes, err := s.moderation.SeesOwnHidden(c.UserContext(), viewerUser(c), questionID)
	if err != nil {
		s.log.Warn("hidden posts in thread", "question", questionID, "err", err)
		return true // drawn whole: slower, never wrong
	}
	return yes
}
