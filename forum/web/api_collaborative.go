package web

import (
	"bytes"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The collaboratives' API: the directory, a collaborative, its settings, its members and
// requests to join, and its export. Each handler calls the same forum.Collaboratives
// method as the pages (page_collaborative.go).

// collaborativeFilter reads the directory's query parameters; mine is ?mine=1.
func collaborativeFilter(c *fiber.Ctx) (f forum.CollaborativeFilter, mine bool, err error) {
	page, err := queryPage(c)
	if err != nil {
		return f, false, err
	}
	switch c.Query("mine") {
	case "", "0", "false":
	case "1", "true":
		mine = true
	default:
		return f, false, forum.Invalid("mine", "invalid_mine", "mine must be 1 or left out.")
	}
	return forum.CollaborativeFilter{Query: c.Query("q"), Cluster: c.Query("cluster"), District: c.Query("district"), Page: page}, mine, nil
}

func (s *Server) apiCollaboratives(c *fiber.Ctx) error {
	f, mine, err := collaborativeFilter(c)
	if err != nil {
		return err
	}
	v := viewerUser(c)
	res, err := s.collaboratives.List(c.UserContext(), v, f, mine)
	if err != nil {
		return err
	}
	items := make([]collaborativeJSON, 0, len(res.Items))
	for _, g := range res.Items {
		items = append(items, presentCollaborativeItem(g))
	}
	return c.JSON(listResponse[collaborativeJSON]{Items: items, Total: res.Total, Page: res.Page})
}

// collaborativeRequest is POST /api/v1/collaboratives.
type collaborativeRequest struct {
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Visibility  string   `json:"visibility"`
	Districts   []string `json:"districts"`
	Cluster     string   `json:"cluster"`
}

func (s *Server) apiCreateCollaborative(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req collaborativeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.collaboratives.Create(c.UserContext(), v.User, forum.CollaborativeInput(req))
	if err != nil {
		return err
	}
	h, err := s.collaboratives.Home(c.UserContext(), v.User, g.Slug)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentCollaborativeHome(h))
}

func (s *Server) apiCollaborative(c *fiber.Ctx) error {
	h, err := s.collaboratives.Home(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(presentCollaborativeHome(h))
}

// collaborativePatch is PATCH /api/v1/collaboratives/{slug}: a field left out stays as
// it is; null (or "") takes it out of its cluster, null (or []) out of its districts.
type collaborativePatch struct {
	Name        nullable[string]   `json:"name"`
	Description nullable[string]   `json:"description"`
	Visibility  nullable[string]   `json:"visibility"`
	Cluster     nullable[string]   `json:"cluster"`
	Districts   nullable[[]string] `json:"districts"`
}

func (s *Server) apiUpdateCollaborative(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req collaborativePatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name.Set && req.Name.Value == nil {
		return forum.Invalid("name", "too_short", "A collaborative needs a name.")
	}
	if req.Visibility.Set && req.Visibility.Value == nil {
		return forum.Invalid("visibility", "invalid_visibility", "Visibility must be public or private.")
	}
	upd := forum.CollaborativeUpdate{Name: req.Name.orEmpty(), Description: req.Description.orEmpty(),
		Visibility: req.Visibility.orEmpty(), Cluster: req.Cluster.orEmpty(), Districts: req.Districts.orEmpty()}
	if _, err := s.collaboratives.Update(c.UserContext(), v.User, c.Params("slug"), upd); err != nil {
		return err
	}
	h, err := s.collaboratives.Home(c.UserContext(), v.User, c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(presentCollaborativeHome(h))
}

// joinJSON is the answer to joining: 200 joined, 202 requested.
type joinJSON struct {
	Status string `json:"status"`
	Role   string `json:"role,omitempty"`
}

func (s *Server) apiJoinCollaborative(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	out, err := s.collaboratives.Join(c.UserContext(), v.User, c.Params("slug"))
	if err != nil {
		return err
	}
	if out == forum.JoinRequested {
		return c.Status(fiber.StatusAccepted).JSON(joinJSON{Status: string(out)})
	}
	return c.JSON(joinJSON{Status: string(out), Role: string(forum.MemberRoleMember)})
}

// apiCollaborativeMembers lists the members, for whoever may see inside.
func (s *Server) apiCollaborativeMembers(c *fiber.Ctx) error {
	h, err := s.collaboratives.Home(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	if !h.Inside {
		return forum.NotFoundCollaborative(c.Params("slug"))
	}
	items := presentMembers(h.Members)
	return c.JSON(listResponse[memberJSON]{Items: items, Total: h.MembersTotal, Page: 1})
}

// memberRequest is POST .../members: the person by user_id (or username), and the role.
type memberRequest struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

func (s *Server) apiAddMember(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req memberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var m *forum.Member
	if req.UserID == 0 && req.Username != "" {
		m, err = s.collaboratives.AddMemberByName(c.UserContext(), v.User, c.Params("slug"), req.Username, req.Role)
	} else {
		m, err = s.collaboratives.AddMember(c.UserContext(), v.User, c.Params("slug"), req.UserID, req.Role)
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentMember(*m))
}

// roleRequest is PATCH .../members/{user_id}.
type roleRequest struct {
	Role string `json:"role"`
}

func (s *Server) apiSetMemberRole(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req roleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.collaboratives.SetRole(c.UserContext(), v.User, c.Params("slug"), id, req.Role)
	if err != nil {
		return err
	}
	return c.JSON(presentMember(*m))
}

func (s *Server) apiRemoveMember(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.collaboratives.RemoveMember(c.UserContext(), v.User, c.Params("slug"), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiJoinRequests(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	reqs, err := s.collaboratives.Requests(c.UserContext(), v.User, c.Params("slug"))
	if err != nil {
		return err
	}
	items := make([]joinRequestJSON, 0, len(reqs))
	for _, r := range reqs {
		items = append(items, joinRequestJSON{User: presentUser(r.User, false), RequestedAt: r.RequestedAt})
	}
	return c.JSON(listResponse[joinRequestJSON]{Items: items, Total: len(items), Page: 1})
}

// apiAnswerRequest is POST .../requests/{user_id}/approve and .../decline.
func (s *Server) apiAnswerRequest(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, id, err := viewerAndID(c)
		if err != nil {
			return err
		}
		if err := s.collaboratives.AnswerRequest(c.UserContext(), v.User, c.Params("slug"), id, approve); err != nil {
			return err
		}
		status := "declined"
		if approve {
			status = "approved"
		}
		return c.JSON(fiber.Map{"status": status})
	}
}

// apiExportCollaborative is GET .../export: the collaborative's record as a zip.
func (s *Server) apiExportCollaborative(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	slug := c.Params("slug")
	var buf bytes.Buffer
	if err := s.collaboratives.Export(c.UserContext(), v.User, slug, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+forum.ExportName(strings.Clone(slug), s.now())+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// collaborativeAPIRoutes are the collaboratives' endpoints under /api/v1.
func (s *Server) collaborativeAPIRoutes(api fiber.Router) {
	if s.collaboratives == nil {
		return
	}
	api.Get("/collaboratives", s.apiCollaboratives)
	api.Post("/collaboratives", s.idempotent, s.apiCreateCollaborative)
	api.Get("/collaboratives/:slug", s.apiCollaborative)
	api.Patch("/collaboratives/:slug", s.apiUpdateCollaborative)
	api.Post("/collaboratives/:slug/join", s.apiJoinCollaborative)
	api.Get("/collaboratives/:slug/members", s.apiCollaborativeMembers)
	api.Post("/collaboratives/:slug/members", s.idempotent, s.apiAddMember)
	api.Patch("/collaboratives/:slug/members/:id", s.apiSetMemberRole)
	api.Delete("/collaboratives/:slug/members/:id", s.apiRemoveMember)
	api.Get("/collaboratives/:slug/requests", s.apiJoinRequests)
	api.Post("/collaboratives/:slug/requests/:id/approve", s.apiAnswerRequest(true))
	api.Post("/collaboratives/:slug/requests/:id/decline", s.apiAnswerRequest(false))
	api.Get("/collaboratives/:slug/export", s.apiExportCollaborative)
}

// Presentation.

// collaborativeJSON is a collaborative as the directory lists it, and the start of one
// shown alone. A private one shows everyone its name, description and leads only.
type collaborativeJSON struct {
	Slug            string      `json:"slug"`
	Name            string      `json:"name"`
	Description     string      `json:"description"`
	DescriptionHTML string      `json:"description_html"`
	Visibility      string      `json:"visibility"`
	Leads           []userJSON  `json:"leads"`
	URL             string      `json:"url"`
	Cluster         *clusterRef `json:"cluster,omitempty"`
	Districts       *[]dirRef   `json:"districts,omitempty"`
	MemberCount     *int        `json:"member_count,omitempty"`
	CreatedAt       *time.Time  `json:"created_at,omitempty"`
}

type clusterRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type dirRef = clusterRef

func collaborativePath(slug string) string { return "/c/" + slug }

// presentCollaborativeItem is a listed collaborative: a public one whole, a private one
// by name, description and leads.
func presentCollaborativeItem(g *forum.Collaborative) collaborativeJSON {
	j := presentCollaborativeOutside(g, g.Leads)
	if !g.Private() {
		presentCollaborativeInside(&j, g)
	}
	return j
}

func presentCollaborativeOutside(g *forum.Collaborative, leads []*forum.User) collaborativeJSON {
	j := collaborativeJSON{Slug: g.Slug, Name: g.Name, Description: g.Description, DescriptionHTML: g.DescriptionHTML,
		Visibility: string(g.Visibility), URL: collaborativePath(g.Slug), Leads: make([]userJSON, 0, len(leads))}
	for _, u := range leads {
		j.Leads = append(j.Leads, presentUser(u, false))
	}
	return j
}

// presentCollaborativeInside adds what only those who see inside get.
func presentCollaborativeInside(j *collaborativeJSON, g *forum.Collaborative) {
	if g.Cluster != nil {
		j.Cluster = &clusterRef{Slug: g.Cluster.Slug, Name: g.Cluster.Name}
	}
	districts := make([]dirRef, 0, len(g.Districts))
	for _, d := range g.Districts {
		districts = append(districts, dirRef{Slug: d.Slug, Name: d.Name})
	}
	j.Districts = &districts
	n := g.Members
	j.MemberCount, j.CreatedAt = &n, &g.CreatedAt
}

type memberJSON struct {
	User     userJSON  `json:"user"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

func presentMember(m forum.Member) memberJSON {
	return memberJSON{User: presentUser(m.User, false), Role: string(m.Role), JoinedAt: m.JoinedAt}
}

func presentMembers(ms []forum.Member) []memberJSON {
	out := make([]memberJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, presentMember(m))
	}
	return out
}

type joinRequestJSON struct {
	User        userJSON  `json:"user"`
	RequestedAt time.Time `json:"requested_at"`
}

type channelSummaryJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Topic    string `json:"topic"`
	Archived bool   `json:"archived"`
	Unread   int    `json:"unread"`
}

// collaborativeHomeJSON is GET /api/v1/collaboratives/{slug}: for whoever may see inside
// also its members and channels; my_role and requested say where the viewer stands.
type collaborativeHomeJSON struct {
	collaborativeJSON
	Members   *[]memberJSON         `json:"members,omitempty"`
	Channels  *[]channelSummaryJSON `json:"channels,omitempty"`
	MyRole    *string               `json:"my_role"`
	Requested bool                  `json:"requested"`
	CanManage bool                  `json:"can_manage"`
}

func presentCollaborativeHome(h *forum.CollaborativeHome) collaborativeHomeJSON {
	g := h.Access.Collaborative
	leads := make([]*forum.User, 0, len(h.Leads))
	for _, m := range h.Leads {
		leads = append(leads, m.User)
	}
	j := collaborativeHomeJSON{collaborativeJSON: presentCollaborativeOutside(g, leads), Requested: h.Requested,
		CanManage: h.Access.CanManage()}
	if h.Access.Member() {
		r := string(h.Access.Role)
		j.MyRole = &r
	}
	if !h.Inside {
		return j
	}
	presentCollaborativeInside(&j.collaborativeJSON, g)
	members := presentMembers(h.Members)
	channels := make([]channelSummaryJSON, 0, len(h.Channels))
	for _, ch := range h.Channels {
		channels = append(channels, channelSummaryJSON{ID: ch.ID, Name: ch.Name, Topic: ch.Topic, Archived: ch.Archived, Unread: ch.Unread})
	}
	j.Members, j.Channels = &members, &channels
	return j
}
