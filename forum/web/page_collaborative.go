package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The collaboratives' pages: /c (the directory, with filters and "my collaboratives"),
// /c/new (start one), /c/{slug} (its home) and /c/{slug}/settings. Every form works
// without JavaScript; a failed one answers with post/redirect/get (formflash.go).

// collaborativesForm is the directory's filter form as the reader filled it in.
type collaborativesForm struct {
	Q, Cluster, District string
	Mine                 bool
}

// collaborativesView is the data of /c.
type collaborativesView struct {
	Items     []*forum.Collaborative
	Total     int
	Form      collaborativesForm
	Filtered  bool
	Clusters  []*forum.Cluster
	Districts []*forum.DistrictEntry
	Pages     pager
}

func (s *Server) collaborativesPage(c *fiber.Ctx) error {
	f, mine, err := collaborativeFilter(c)
	if err != nil {
		return err
	}
	v := viewerUser(c)
	if mine && v == nil {
		return c.Redirect("/login?next="+url.QueryEscape("/c?mine=1"), fiber.StatusSeeOther)
	}
	form := collaborativesForm{Q: strings.Clone(f.Query), Cluster: strings.Clone(f.Cluster), District: strings.Clone(f.District), Mine: mine}
	res, err := s.collaboratives.List(c.UserContext(), v, f, mine)
	if err != nil {
		return err
	}
	data := collaborativesView{Items: res.Items, Total: res.Total, Form: form, Filtered: form != collaborativesForm{}}
	if s.directory != nil {
		if data.Clusters, err = s.directory.Clusters(c.UserContext()); err != nil {
			return err
		}
		if data.Districts, _, err = s.directory.DistrictChoices(c.UserContext()); err != nil {
			return err
		}
	}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range map[string]string{"q": form.Q, "cluster": form.Cluster, "district": form.District} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if form.Mine {
			q.Set("mine", "1")
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return "/c"
		}
		return "/c?" + q.Encode()
	}
	data.Pages = newPager(res.Page, forum.CollaborativePageSize, res.Total, link)
	title := "Collaboratives"
	if mine {
		title = "My collaboratives"
	}
	return s.render(c, fiber.StatusOK, "collaboratives", s.page(c, title, data))
}

// collaborativeFormView is the data of the start and settings forms.
type collaborativeFormView struct {
	Slug      string // "" on the start form
	Name      string
	Clusters  []*forum.Cluster
	Districts []*forum.DistrictEntry
	Chosen    map[string]bool // the districts ticked
}

func (s *Server) collaborativeFormData(c *fiber.Ctx, chosen []string) (collaborativeFormView, error) {
	d := collaborativeFormView{Chosen: map[string]bool{}}
	for _, slug := range chosen {
		d.Chosen[slug] = true
	}
	if s.directory == nil {
		return d, nil
	}
	var err error
	if d.Clusters, err = s.directory.Clusters(c.UserContext()); err != nil {
		return d, err
	}
	d.Districts, _, err = s.directory.DistrictChoices(c.UserContext())
	return d, err
}

// formDistricts reads the districts ticked in a form (a select that takes several).
func formDistricts(c *fiber.Ctx) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti("districts") {
		out = append(out, string(v))
	}
	return out
}

func (s *Server) newCollaborativePage(c *fiber.Ctx) error {
	if viewer(c) == nil {
		return c.Redirect("/login?next=/c/new", fiber.StatusSeeOther)
	}
	data, err := s.collaborativeFormData(c, nil)
	if err != nil {
		return err
	}
	p := s.page(c, "Start a collaborative", data)
	p.Form = map[string]string{"visibility": "public"}
	if ff := s.formFlashFor(c); ff != nil {
		// The districts ticked come back as one comma-separated value.
		data.Chosen = map[string]bool{}
		for _, d := range strings.Split(ff.values["districts"], ",") {
			data.Chosen[d] = true
		}
		p.Data = data
	}
	return s.render(c, fiber.StatusOK, "collaborative_form", p)
}

func (s *Server) newCollaborativeSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	in := forum.CollaborativeInput{Slug: c.FormValue("slug"), Name: c.FormValue("name"), Description: c.FormValue("description"),
		Visibility: c.FormValue("visibility"), Cluster: c.FormValue("cluster"), Districts: formDistricts(c)}
	g, err := s.collaboratives.Create(c.UserContext(), v.User, in)
	if err != nil {
		values := map[string]string{"slug": in.Slug, "name": in.Name, "description": in.Description, "visibility": in.Visibility,
			"cluster": in.Cluster, "districts": strings.Join(in.Districts, ",")}
		return s.formFailed(c, err, failedForm{page: "/c/new", values: values, inPlace: func(ff *formFlash) error {
			data, derr := s.collaborativeFormData(c, in.Districts)
			if derr != nil {
				return derr
			}
			p := s.page(c, "Start a collaborative", data)
			return s.render(c, ff.show(c, p), "collaborative_form", p)
		}})
	}
	return c.Redirect(collaborativePath(g.Slug)+"?done=collab_created", fiber.StatusSeeOther)
}

// collaborativeFlashes are the messages a collaborative's home shows after a form
// (?done=...): fixed texts, so that no address can make the site say what it wants.
var collaborativeFlashes = map[string]string{
	"collab_created":   "Your collaborative is started, and you are its lead. Invite people to it below.",
	"collab_saved":     "The settings are saved.",
	"joined":           "You are a member now.",
	"join_requested":   "Your request to join is sent; a lead will answer it.",
	"left":             "You have left the collaborative.",
	"member_added":     "The person is a member now.",
	"member_removed":   "The person is no longer a member.",
	"role_changed":     "The role is changed.",
	"request_approved": "The request is approved: the person is a member now.",
	"request_declined": "The request is declined.",
	"invite_joined":    "Welcome: you are a member now.",
}

// collaborativeView is the data of a collaborative's home.
type collaborativeView struct {
	*forum.CollaborativeHome
	// Link is an invitation link just made, shown once.
	Link *adminLink
	// Export is the address of the export's download.
	Export string
}

// collaborativeHomePage draws a collaborative's home with status; link is an invitation
// just made, or nil.
func (s *Server) collaborativeHomePage(c *fiber.Ctx, status int, link *adminLink) error {
	h, err := s.collaboratives.Home(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	g := h.Access.Collaborative
	p := s.page(c, g.Name, collaborativeView{CollaborativeHome: h, Link: link, Export: collaborativePath(g.Slug) + "/export"})
	p.Flash = collaborativeFlashes[c.Query("done")]
	if h.Inside {
		p.Live = s.liveHead(c, forum.TopicCollaborative(g.Slug))
	}
	return s.render(c, status, "collaborative", p)
}

func (s *Server) collaborativePage(c *fiber.Ctx) error {
	return s.collaborativeHomePage(c, fiber.StatusOK, nil)
}

// collaborativeFormFailed answers a failed form of a collaborative's home: back to the
// home, at the form's anchor, which shows the failure; form names which one it was.
func (s *Server) collaborativeFormFailed(c *fiber.Ctx, err error, form string, values map[string]string) error {
	if values == nil {
		values = map[string]string{}
	}
	values["form"] = form
	slug := c.Params("slug")
	if e := forum.AsError(err); e != nil && e.Kind == forum.ENotFound {
		// One who may not see inside a private collaborative gets what a missing one
		// gets (404), never its home with the refusal on it.
		if a, aerr := s.collaboratives.Access(c.UserContext(), viewerUser(c), slug); aerr != nil || !a.CanSeeInside() {
			return err
		}
	}
	return s.formFailed(c, err, failedForm{page: collaborativePath(slug), anchor: form, values: values, inPlace: func(ff *formFlash) error {
		h, herr := s.collaboratives.Home(c.UserContext(), viewerUser(c), slug)
		if herr != nil {
			return herr
		}
		p := s.page(c, h.Access.Collaborative.Name, collaborativeView{CollaborativeHome: h})
		return s.render(c, ff.show(c, p), "collaborative", p)
	}})
}

// done redirects to the collaborative's home with a flash message.
func (s *Server) collaborativeDone(c *fiber.Ctx, slug, done, anchor string) error {
	to := collaborativePath(slug) + "?done=" + done
	if anchor != "" {
		to += "#" + anchor
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

func (s *Server) joinSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	out, err := s.collaboratives.Join(c.UserContext(), v.User, c.Params("slug"))
	if err != nil {
		return s.collaborativeFormFailed(c, err, "membership", nil)
	}
	done := "joined"
	if out == forum.JoinRequested {
		done = "join_requested"
	}
	return s.collaborativeDone(c, c.Params("slug"), done, "")
}

func (s *Server) leaveSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if err := s.collaboratives.RemoveMember(c.UserContext(), v.User, c.Params("slug"), v.User.ID); err != nil {
		return s.collaborativeFormFailed(c, err, "membership", nil)
	}
	return s.collaborativeDone(c, c.Params("slug"), "left", "")
}

func (s *Server) addMemberSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	username, role := c.FormValue("username"), c.FormValue("role")
	if _, err := s.collaboratives.AddMemberByName(c.UserContext(), v.User, c.Params("slug"), username, role); err != nil {
		return s.collaborativeFormFailed(c, err, "add-member", map[string]string{"username": username, "role": role})
	}
	return s.collaborativeDone(c, c.Params("slug"), "member_added", "members")
}

func (s *Server) memberRoleSubmit(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if _, err := s.collaboratives.SetRole(c.UserContext(), v.User, c.Params("slug"), id, c.FormValue("role")); err != nil {
		return s.collaborativeFormFailed(c, err, "members", nil)
	}
	return s.collaborativeDone(c, c.Params("slug"), "role_changed", "members")
}

func (s *Server) memberRemoveSubmit(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.collaboratives.RemoveMember(c.UserContext(), v.User, c.Params("slug"), id); err != nil {
		return s.collaborativeFormFailed(c, err, "members", nil)
	}
	return s.collaborativeDone(c, c.Params("slug"), "member_removed", "members")
}

func (s *Server) requestAnswerSubmit(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, id, err := viewerAndID(c)
		if err != nil {
			return err
		}
		if err := s.collaboratives.AnswerRequest(c.UserContext(), v.User, c.Params("slug"), id, approve); err != nil {
			return s.collaborativeFormFailed(c, err, "requests", nil)
		}
		done := "request_declined"
		if approve {
			done = "request_approved"
		}
		return s.collaborativeDone(c, c.Params("slug"), done, "requests")
	}
}

// collaborativeInviteSubmit makes an invitation link to the collaborative and shows it
// once, on the home (201): it is a secret, never put in an address.
func (s *Server) collaborativeInviteSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if s.invitations == nil {
		return forum.Coded(forum.ENotFound, "invite_not_found", "This site does not take invitations.")
	}
	in := forum.InviteInput{Email: c.FormValue("email"), Role: c.FormValue("role"), Collaborative: c.Params("slug")}
	inv, token, err := s.invitations.Create(c.UserContext(), v.User, in)
	if err != nil {
		return s.collaborativeFormFailed(c, err, "invite", map[string]string{"email": in.Email, "role": in.Role})
	}
	who := "anyone who opens it"
	if inv.Email != "" {
		who = inv.Email
	}
	link := &adminLink{Heading: "Invitation link", URL: s.inviteURL(token), ExpiresAt: inv.ExpiresAt, For: who}
	err = s.collaborativeHomePage(c, fiber.StatusCreated, link)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return err
}

func (s *Server) collaborativeSettingsPage(c *fiber.Ctx) error {
	// Signed out, the page asks for signing in, as every signed-in page does; a missing
	// and a private collaborative get the same redirect, so it tells nothing.
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	a, err := s.collaboratives.Access(c.UserContext(), v.User, c.Params("slug"))
	if err != nil {
		return err
	}
	if err := a.CheckManage(forum.NotFoundCollaborative(c.Params("slug"))); err != nil {
		return err
	}
	g := a.Collaborative
	var chosen []string
	for _, d := range g.Districts {
		chosen = append(chosen, d.Slug)
	}
	data, err := s.collaborativeFormData(c, chosen)
	if err != nil {
		return err
	}
	data.Slug, data.Name = g.Slug, g.Name
	p := s.page(c, "Settings: "+g.Name, data)
	p.Form = map[string]string{"name": g.Name, "description": g.Description, "visibility": string(g.Visibility)}
	if g.Cluster != nil {
		p.Form["cluster"] = g.Cluster.Slug
	}
	if ff := s.formFlashFor(c); ff != nil {
		data.Chosen = map[string]bool{}
		for _, d := range strings.Split(ff.values["districts"], ",") {
			data.Chosen[d] = true
		}
		p.Data = data
	}
	return s.render(c, fiber.StatusOK, "collaborative_form", p)
}

func (s *Server) collaborativeSettingsSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	slug := c.Params("slug")
	name, desc, vis, cluster := c.FormValue("name"), c.FormValue("description"), c.FormValue("visibility"), c.FormValue("cluster")
	districts := formDistricts(c)
	upd := forum.CollaborativeUpdate{Name: &name, Description: &desc, Visibility: &vis, Cluster: &cluster, Districts: &districts}
	if _, err := s.collaboratives.Update(c.UserContext(), v.User, slug, upd); err != nil {
		page := collaborativePath(slug) + "/settings"
		values := map[string]string{"name": name, "description": desc, "visibility": vis, "cluster": cluster,
			"districts": strings.Join(districts, ",")}
		return s.formFailed(c, err, failedForm{page: page, values: values, inPlace: func(ff *formFlash) error {
			data, derr := s.collaborativeFormData(c, districts)
			if derr != nil {
				return derr
			}
			data.Slug, data.Name = slug, name
			p := s.page(c, "Settings", data)
			return s.render(c, ff.show(c, p), "collaborative_form", p)
		}})
	}
	return s.collaborativeDone(c, slug, "collab_saved", "")
}

// inviteJoinSubmit accepts an invitation to a collaborative for the signed-in person.
func (s *Server) inviteJoinSubmit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if s.collaboratives == nil {
		return forum.Coded(forum.ENotFound, "invite_not_found", "This site does not take invitations to collaboratives.")
	}
	g, err := s.collaboratives.AcceptInvite(c.UserContext(), v.User, c.Params("token"))
	if forum.IsKind(err, forum.EGone) || forum.IsKind(err, forum.ENotFound) {
		p := s.page(c, "Accept your invitation", nil)
		return s.inviteProblem(c, p, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect(collaborativePath(g.Slug)+"?done=invite_joined", fiber.StatusSeeOther)
}

// collaborativeRoutes are the collaboratives' pages.
func (s *Server) collaborativeRoutes(app fiber.Router) {
	if s.collaboratives == nil {
		return
	}
	app.Get("/c", s.collaborativesPage)
	app.Get("/c/new", s.newCollaborativePage)
	app.Post("/c/new", s.newCollaborativeSubmit)
	app.Get("/c/:slug", s.collaborativePage)
	app.Post("/c/:slug/join", s.joinSubmit)
	app.Post("/c/:slug/leave", s.leaveSubmit)
	app.Post("/c/:slug/members", s.addMemberSubmit)
	app.Post("/c/:slug/members/:id/role", s.memberRoleSubmit)
	app.Post("/c/:slug/members/:id/remove", s.memberRemoveSubmit)
	app.Post("/c/:slug/requests/:id/approve", s.requestAnswerSubmit(true))
	app.Post("/c/:slug/requests/:id/decline", s.requestAnswerSubmit(false))
	app.Post("/c/:slug/invites", s.collaborativeInviteSubmit)
	app.Get("/c/:slug/settings", s.collaborativeSettingsPage)
	app.Post("/c/:slug/settings", s.collaborativeSettingsSubmit)
	app.Get("/c/:slug/export", s.apiExportCollaborative)
	app.Post("/invite/:token/join", s.inviteJoinSubmit)
}
