package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/moderation"
)

// The moderation API: flags, the review queue, curated answers and moderators' actions.
// Each handler parses, calls forum.Moderation and presents what it returns.

// moderationAPIRoutes adds the moderation API (nothing without the service).
func (s *Server) moderationAPIRoutes(api fiber.Router) {
	if s.moderation == nil {
		return
	}
	api.Post("/posts/:id/flags", s.meter(moderation.ActionFlag), s.apiFlagPost)
	api.Post("/comments/:id/flags", s.meter(moderation.ActionFlag), s.apiFlagComment)
	api.Post("/messages/:id/flags", s.meter(moderation.ActionFlag), s.apiFlagMessage)
	api.Get("/me/flags", s.apiMyFlags)
	api.Get("/me/moderator-messages", s.apiMyModMessages)
	api.Get("/moderation/queue", s.apiQueue)
	api.Get("/moderation/queue/:id", s.apiQueueItem)
	api.Post("/moderation/queue/:id/claim", s.apiClaim)
	api.Post("/moderation/queue/:id/resolve", s.apiResolve)
	api.Post("/posts/:id/curate", s.apiCurate)
	api.Delete("/posts/:id/curate", s.apiUncurate)
	api.Get("/tags/:name/curated", s.apiCurated)
	for _, action := range []string{forum.ModHide, forum.ModUnhide, forum.ModLock, forum.ModUnlock} {
		api.Post("/posts/:id/"+action, s.apiModeratePost(action))
	}
	api.Post("/questions/:id/merge", s.apiMerge)
	api.Post("/answers/:id/convert-to-comment", s.apiConvert)
	api.Post("/moderation/users/:id/messages", s.apiModMessage)
	api.Post("/moderation/users/:id/delete-spammer", s.apiDeleteSpammer)
	api.Get("/moderation/recent", s.apiRecentActions)
}

type flagRequest struct {
	Reason      string `json:"reason"`
	Note        string `json:"note"`
	DuplicateOf int64  `json:"duplicate_of"`
}

type flagJSON struct {
	ID          int64      `json:"id"`
	TargetKind  string     `json:"target_kind"`
	TargetID    int64      `json:"target_id"`
	PostID      int64      `json:"post_id,omitempty"`
	QuestionID  int64      `json:"question_id,omitempty"`
	Reason      string     `json:"reason"`
	Note        string     `json:"note,omitempty"`
	DuplicateOf int64      `json:"duplicate_of,omitempty"`
	Weight      float64    `json:"weight"`
	Status      string     `json:"status"` // open, helpful, declined
	CreatedAt   time.Time  `json:"created_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	// What the flags on the target did when this one was cast.
	Hidden  bool `json:"hidden,omitempty"`
	Deleted bool `json:"deleted,omitempty"`
}

func presentFlag(f *forum.Flag) flagJSON {
	return flagJSON{ID: f.ID, TargetKind: f.TargetKind, TargetID: f.TargetID, PostID: f.PostID, QuestionID: f.QuestionID, Reason: f.Reason,
		Note: f.Note, DuplicateOf: f.DuplicateOf, Weight: f.Weight, Status: f.Status, CreatedAt: f.CreatedAt, ResolvedAt: f.ResolvedAt}
}

func presentFlags(fs []*forum.Flag) []flagJSON {
	out := make([]flagJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, presentFlag(f))
	}
	return out
}

func (s *Server) apiFlagPost(c *fiber.Ctx) error    { return s.apiFlag(c, forum.FlagOnPost) }
func (s *Server) apiFlagComment(c *fiber.Ctx) error { return s.apiFlag(c, forum.FlagOnComment) }
func (s *Server) apiFlagMessage(c *fiber.Ctx) error { return s.apiFlag(c, forum.FlagOnMessage) }

func (s *Server) apiFlag(c *fiber.Ctx, kind string) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req flagRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := forum.FlagInput{Reason: req.Reason, Note: req.Note, DuplicateOf: req.DuplicateOf}
	var f *forum.Flag
	var d forum.FlagDecision
	switch kind {
	case forum.FlagOnComment:
		f, d, err = s.moderation.FlagComment(c.UserContext(), v.User, id, in)
	case forum.FlagOnMessage:
		f, d, err = s.moderation.FlagMessage(c.UserContext(), v.User, id, in)
	default:
		f, d, err = s.moderation.FlagPost(c.UserContext(), v.User, id, in)
	}
	if err != nil {
		return err
	}
	j := presentFlag(f)
	j.Hidden, j.Deleted = d.Hide, d.Delete
	return c.Status(fiber.StatusCreated).JSON(j)
}

func (s *Server) apiMyFlags(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	fs, rec, err := s.moderation.MyFlags(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": presentFlags(fs), "helpful": rec.Helpful, "declined": rec.Declined, "weight": forum.FlagWeight(rec)})
}

type suggestedEditJSON struct {
	ID           int64       `json:"id"`
	PostID       int64       `json:"post_id"`
	Author       *authorJSON `json:"author,omitempty"`
	Title        *string     `json:"title,omitempty"`
	Body         *string     `json:"body,omitempty"`
	BodyHTML     string      `json:"body_html,omitempty"`
	Tags         []string    `json:"tags,omitempty"`
	Summary      string      `json:"summary"`
	BaseRevision int         `json:"base_revision"`
	Status       string      `json:"status"`
	Reason       string      `json:"reason,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
}

func presentSuggestion(sg *forum.SuggestedEdit) suggestedEditJSON {
	j := suggestedEditJSON{ID: sg.ID, PostID: sg.PostID, Title: sg.Title, Body: sg.Body, BodyHTML: sg.BodyHTML, Tags: sg.Tags,
		Summary: sg.Summary, BaseRevision: sg.BaseRevision, Status: sg.Status, Reason: sg.Reason, CreatedAt: sg.CreatedAt}
	if sg.Author != nil {
		a := presentAuthor(sg.Author)
		j.Author = &a
	}
	return j
}

type curationJSON struct {
	PostID    int64       `json:"post_id"`
	Note      string      `json:"note"`
	ReviewBy  string      `json:"review_by"` // YYYY-MM-DD
	CuratedBy *authorJSON `json:"curated_by,omitempty"`
	CuratedAt time.Time   `json:"curated_at"`
}

func presentCuration(cu *forum.Curation) curationJSON {
	j := curationJSON{PostID: cu.PostID, Note: cu.Note, ReviewBy: cu.ReviewBy.Format(time.DateOnly), CuratedAt: cu.CuratedAt}
	if cu.Curator != nil {
		a := presentAuthor(cu.Curator)
		j.CuratedBy = &a
	}
	return j
}

type itemJSON struct {
	ID           int64                  `json:"id"`
	Kind         string                 `json:"kind"`
	TargetKind   string                 `json:"target_kind"`
	TargetID     int64                  `json:"target_id"`
	PostID       int64                  `json:"post_id,omitempty"`
	Status       string                 `json:"status"`
	ClaimedBy    int64                  `json:"claimed_by,omitempty"`
	ClaimExpires *time.Time             `json:"claim_expires,omitempty"`
	CreatedAt    time.Time              `json:"created_at"`
	ResolvedAt   *time.Time             `json:"resolved_at,omitempty"`
	Action       string                 `json:"action,omitempty"`
	Reason       string                 `json:"reason,omitempty"`
	Post         *postJSON              `json:"post,omitempty"`
	Question     *postJSON              `json:"question,omitempty"`
	Comment      *commentJSON           `json:"comment,omitempty"`
	Message      *messageJSON           `json:"message,omitempty"`
	Flags        []flagJSON             `json:"flags,omitempty"`
	Suggestion   *suggestedEditJSON     `json:"suggested_edit,omitempty"`
	Curation     *curationJSON          `json:"curation,omitempty"`
	CloseVotes   []forum.CloseVoteShown `json:"close_votes,omitempty"`
	History      []revisionJSON         `json:"history"`
	Actions      []string               `json:"actions"` // what the reader may do now ([] while another holds it)
}

func presentItem(it *forum.ReviewItem) itemJSON {
	j := itemJSON{ID: it.ID, Kind: it.Kind, TargetKind: it.TargetKind, TargetID: it.TargetID, PostID: it.PostID, Status: it.Status,
		ClaimedBy: it.ClaimedBy, ClaimExpires: it.ClaimExpires, CreatedAt: it.CreatedAt, ResolvedAt: it.ResolvedAt, Action: it.Action,
		Reason: it.Reason, CloseVotes: it.CloseVotes, Actions: it.Actions, History: []revisionJSON{}}
	if j.Actions == nil {
		j.Actions = []string{}
	}
	if it.Post != nil {
		p := presentPost(it.Post, true)
		j.Post = &p
	}
	if it.Question != nil {
		q := presentPost(it.Question, false)
		j.Question = &q
	}
	if it.Comment != nil {
		cm := presentComment(it.Comment)
		j.Comment = &cm
	}
	if it.Message != nil {
		m := presentMessage(it.Message)
		j.Message = &m
	}
	if len(it.Flags) > 0 {
		j.Flags = presentFlags(it.Flags)
	}
	if it.Suggestion != nil {
		sg := presentSuggestion(it.Suggestion)
		j.Suggestion = &sg
	}
	if it.Curation != nil {
		cu := presentCuration(it.Curation)
		j.Curation = &cu
	}
	for _, r := range it.Revisions {
		j.History = append(j.History, revisionJSON{Number: r.Number, PostID: r.PostID, Title: r.Title, Body: r.Body, Tags: r.Tags,
			Summary: r.Summary, Editor: presentAuthor(r.Editor), CreatedAt: r.CreatedAt})
	}
	return j
}

func (s *Server) apiQueue(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	page, err := s.moderation.Queue(c.UserContext(), v.User, strings.Clone(c.Query("kind")), limit)
	if err != nil {
		return err
	}
	items := make([]itemJSON, 0, len(page.Items))
	for _, it := range page.Items {
		items = append(items, presentItem(it))
	}
	return c.JSON(fiber.Map{"items": items, "counts": page.Counts})
}

func (s *Server) apiQueueItem(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	it, err := s.moderation.Item(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(presentItem(it))
}

func (s *Server) apiClaim(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	it, err := s.moderation.Claim(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(presentItem(it))
}

type resolveRequest struct {
	Action      string    `json:"action"`
	Reason      string    `json:"reason"`
	Title       *string   `json:"title"`
	Body        *string   `json:"body"`
	Tags        *[]string `json:"tags"`
	Note        *string   `json:"note"`
	ReviewBy    string    `json:"review_by"`
	CloseReason string    `json:"close_reason"`
}

func (s *Server) apiResolve(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req resolveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.moderation.Resolve(c.UserContext(), v.User, id, forum.ResolveInput{Action: req.Action, Reason: req.Reason, Title: req.Title,
		Body: req.Body, Tags: req.Tags, Note: req.Note, ReviewBy: req.ReviewBy, CloseReason: req.CloseReason})
	if err != nil {
		return err
	}
	return c.JSON(presentItem(it))
}

type curateRequest struct {
	Note     string `json:"note"`
	ReviewBy string `json:"review_by"`
}

func (s *Server) apiCurate(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req curateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cu, err := s.moderation.Curate(c.UserContext(), v.User, id, req.Note, req.ReviewBy)
	if err != nil {
		return err
	}
	return c.JSON(presentCuration(cu))
}

func (s *Server) apiUncurate(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.moderation.Uncurate(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiCurated(c *fiber.Ctx) error {
	posts, err := s.moderation.Curated(c.UserContext(), pathParam(c, "name"))
	if err != nil {
		return err
	}
	items := make([]postJSON, 0, len(posts))
	for _, p := range posts {
		j := presentPost(p, false)
		j.Title = p.QuestionTitle
		items = append(items, j)
	}
	return c.JSON(fiber.Map{"items": items})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

// decodeOptionalJSON reads a JSON body when there is one: actions whose body is optional
// (a reason) may be sent without any.
func decodeOptionalJSON(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

func (s *Server) apiModeratePost(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, id, err := viewerAndID(c)
		if err != nil {
			return err
		}
		var req reasonRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			return err
		}
		if err := s.moderation.ModeratePost(c.UserContext(), v.User, id, action, req.Reason); err != nil {
			return err
		}
		p, err := s.qa.Post(c.UserContext(), v.User, id)
		if err != nil {
			return err
		}
		return c.JSON(presentPost(p, true))
	}
}

type mergeRequest struct {
	Into   int64  `json:"into"`
	Reason string `json:"reason"`
}

func (s *Server) apiMerge(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req mergeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.moderation.Merge(c.UserContext(), v.User, id, req.Into, req.Reason); err != nil {
		return err
	}
	p, err := s.qa.Post(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(presentPost(p, true))
}

func (s *Server) apiConvert(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	cm, err := s.moderation.ConvertToComment(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.JSON(presentComment(cm))
}

type modMessageJSON struct {
	ID        int64       `json:"id"`
	UserID    int64       `json:"user_id"`
	From      *authorJSON `json:"from,omitempty"`
	Body      string      `json:"body"`
	BodyHTML  string      `json:"body_html"`
	CreatedAt time.Time   `json:"created_at"`
}

func presentModMessage(m *forum.ModeratorMessage) modMessageJSON {
	j := modMessageJSON{ID: m.ID, UserID: m.UserID, Body: m.Body, BodyHTML: m.BodyHTML, CreatedAt: m.CreatedAt}
	if m.From != nil {
		a := presentAuthor(m.From)
		j.From = &a
	}
	return j
}

func (s *Server) apiModMessage(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req bodyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.moderation.SendMessage(c.UserContext(), v.User, id, req.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentModMessage(m))
}

func (s *Server) apiMyModMessages(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	ms, err := s.moderation.Messages(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	items := make([]modMessageJSON, 0, len(ms))
	for _, m := range ms {
		items = append(items, presentModMessage(m))
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *Server) apiDeleteSpammer(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := decodeOptionalJSON(c, &req); err != nil {
		return err
	}
	n, err := s.moderation.DeleteSpammer(c.UserContext(), v.User, id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user_id": id, "deleted_posts": n, "disabled": true})
}

func (s *Server) apiRecentActions(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	es, err := s.moderation.RecentActions(c.UserContext(), v.User, 50)
	if err != nil {
		return err
	}
	items := make([]auditJSON, 0, len(es))
	for _, e := range es {
		j := auditJSON{ID: e.ID, Action: e.Action, TargetKind: e.TargetKind, TargetID: e.TargetID,
			Before: rawOrNull(e.Before), After: rawOrNull(e.After), Reason: e.Reason, At: e.At}
		if e.ActorID != 0 {
			j.Actor = &actorJSON{ID: e.ActorID}
		}
		items = append(items, j)
	}
	return c.JSON(fiber.Map{"items": items})
}
