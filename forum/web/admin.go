package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The admin area's pages: site settings, people, invitations and tags. Admins only; to
// anyone else signed in they do not exist (404), and a visitor is asked to sign in. Each
// form calls the same forum service as the admin API (api_admin.go) and works without
// JavaScript: success redirects with a message, failure shows the page again with the
// error beside its field.

// adminFlashes are the messages an admin page shows after a redirect (?done=...).
var adminFlashes = map[string]string{
	"settings":  "The settings are saved and in force.",
	"role":      "The role is changed.",
	"disabled":  "The account is disabled: it cannot sign in, and its sessions and API tokens have ended.",
	"enabled":   "The account is enabled again.",
	"revoked":   "The invitation is withdrawn; its link no longer works.",
	"created":   "The tag is created.",
	"renamed":   "The tag is renamed on every question that carries it.",
	"merged":    "The tags are merged.",
	"described": "The tag's description is saved.",
	"spam":      "The blocked words and domains are saved and in force.",
}

// adminSections are the admin area's pages, in the order its menu lists them.
var adminSections = []struct{ Path, Name string }{
	{"/admin", "Settings"}, {"/admin/people", "People"}, {"/admin/invites", "Invitations"}, {"/admin/tags", "Tags"}, {"/admin/spam", "Spam"},
}

// adminView is what every admin page shows around its own data.
type adminView struct {
	Path     string // the section's path, for the menu
	Sections []struct{ Path, Name string }
	Data     any
}

// adminPage starts an admin page for the signed-in admin. ok is false when the request
// has been answered: sent to sign in, or not_found for anyone but an admin.
func (s *Server) adminPage(c *fiber.Ctx, section, title string, data any) (*forum.Viewer, *Page, error) {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil, nil, nil
	}
	if err := forum.CheckAdmin(v.User); err != nil {
		return nil, nil, err
	}
	p := s.page(c, title, adminView{Path: section, Sections: adminSections, Data: data})
	p.Flash = adminFlashes[c.Query("done")]
	p.Form = map[string]string{}
	return v, p, nil
}

// adminOption is one choice of a settings select.
type adminOption struct{ Value, Label string }

// adminSettingsView is the data of the settings form.
type adminSettingsView struct {
	Fixed       map[string]bool
	SignupModes []adminOption
	Presets     []adminOption
	ReadModes   []adminOption
}

var adminSettingsChoices = adminSettingsView{
	SignupModes: []adminOption{
		{"open", "Open: anyone may sign up"},
		{"domains", "Domains: addresses at the allowed domains, who are known members"},
		{"invite", "Invitation only"},
		{"closed", "Closed: only with an invitation, and the sign-up page says so"},
	},
	Presets: []adminOption{
		{"open", "Open: every privilege but moderation from the start"},
		{"moderate", "Moderate: voting up at 15 reputation, down at 125, closing at 500"},
		{"strict", "Strict: Stack Overflow's levels"},
	},
	ReadModes: []adminOption{
		{"public", "Public: anyone may read"},
		{"members", "Members: only signed-in people may read"},
	},
}

// settingsForm fills the settings form with the settings in force.
func settingsForm(e *forum.EffectiveSettings) map[string]string {
	return map[string]string{
		forum.SettingSiteName: e.SiteName, forum.SettingSignup: string(e.Signup),
		forum.SettingSignupDomains: strings.Join(e.SignupDomains, ", "),
		forum.SettingPrivileges:    e.Privileges, forum.SettingRead: string(e.Read),
	}
}

func (s *Server) adminSettingsPage(c *fiber.Ctx) error {
	e := s.site()
	data := adminSettingsChoices
	data.Fixed = e.Fixed
	_, p, err := s.adminPage(c, "/admin", "Admin: settings", data)
	if p == nil {
		return err
	}
	p.Form = settingsForm(e)
	return s.render(c, fiber.StatusOK, "admin", p)
}

func (s *Server) adminSettingsSubmit(c *fiber.Ctx) error {
	e := s.site()
	data := adminSettingsChoices
	data.Fixed = e.Fixed
	v, p, err := s.adminPage(c, "/admin", "Admin: settings", data)
	if p == nil {
		return err
	}
	// Fields the environment fixes are disabled in the form, so browsers leave them out.
	upd := forum.SettingsUpdate{}
	p.Form = settingsForm(e)
	for name, field := range map[string]**string{
		forum.SettingSiteName: &upd.SiteName, forum.SettingSignup: &upd.Signup, forum.SettingSignupDomains: &upd.SignupDomains,
		forum.SettingPrivileges: &upd.Privileges, forum.SettingRead: &upd.Read,
	} {
		if e.Fixed[name] || !formHas(c, name) {
			continue
		}
		value := c.FormValue(name)
		*field = &value
		p.Form[name] = value
	}
	if _, err := s.settings.Update(c.UserContext(), v.User, upd); err != nil {
		return s.formFailure(c, "admin", p, err)
	}
	return c.Redirect("/admin?done=settings", fiber.StatusSeeOther)
}

// formHas reports whether the posted form has the field at all (empty or not).
func formHas(c *fiber.Ctx, name string) bool {
	if c.Request().PostArgs().Has(name) {
		return true
	}
	if mf, err := c.MultipartForm(); err == nil {
		_, ok := mf.Value[name]
		return ok
	}
	return false
}

// adminLink is a single-use link just made, shown once for the admin to pass on.
type adminLink struct {
	Heading   string // what the link is, e.g. "Password reset link"
	URL       string
	ExpiresAt time.Time
	For       string // whom it is for, in words
}

// adminPeopleView is the data of the people list.
type adminPeopleView struct {
	Query  string
	People []*forum.User
	Total  int
	Pages  pager
	Roles  []forum.Role
	Me     int64
	Link   *adminLink
}

// peopleData reads the people list for the query and page in the address.
func (s *Server) peopleData(c *fiber.Ctx, u *forum.User) (*adminPeopleView, error) {
	page, err := queryPage(c)
	if err != nil {
		return nil, err
	}
	page = max(page, 1)
	q := c.Query("q")
	people, total, err := s.admin.ListPeople(c.UserContext(), u, q, page)
	if err != nil {
		return nil, err
	}
	link := func(n int) string { return "/admin/people?" + url.Values{"q": {q}, "page": {strconv.Itoa(n)}}.Encode() }
	return &adminPeopleView{Query: q, People: people, Total: total, Pages: newPager(page, forum.AdminPageSize, total, link),
		Roles: []forum.Role{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin}, Me: u.ID}, nil
}

func (s *Server) adminPeoplePage(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/people", "Admin: people", nil)
	if p == nil {
		return err
	}
	data, err := s.peopleData(c, v.User)
	if err != nil {
		return err
	}
	p.Data = adminView{Path: "/admin/people", Sections: adminSections, Data: data}
	return s.render(c, fiber.StatusOK, "admin_people", p)
}

// peopleAction runs an action on one person from the people list and goes back to the
// list (with its search) saying it is done, or shows the list with the refusal.
func (s *Server) peopleAction(c *fiber.Ctx, done string, act func(admin *forum.User, id int64) error) error {
	v, p, err := s.adminPage(c, "/admin/people", "Admin: people", nil)
	if p == nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	back := "/admin/people?" + url.Values{"q": {c.FormValue("q")}, "done": {done}}.Encode()
	if err := act(v.User, id); err != nil {
		data, derr := s.peopleData(c, v.User)
		if derr != nil {
			return derr
		}
		p.Data = adminView{Path: "/admin/people", Sections: adminSections, Data: data}
		return s.formFailure(c, "admin_people", p, pageLevel(err))
	}
	return c.Redirect(back+"#user-"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// pageLevel shows an error at the top of a page rather than beside a field: the page's
// forms share their field names.
func pageLevel(err error) error {
	if e := forum.AsError(err); e != nil && e.Field != "" {
		return e.WithField("")
	}
	return err
}

func (s *Server) adminRoleSubmit(c *fiber.Ctx) error {
	return s.peopleAction(c, "role", func(admin *forum.User, id int64) error {
		role, err := forum.ParseRole(c.FormValue("role"))
		if err != nil {
			return err
		}
		_, err = s.admin.SetRole(c.UserContext(), admin, id, role)
		return err
	})
}

func (s *Server) adminDisableSubmit(c *fiber.Ctx) error {
	return s.peopleAction(c, "disabled", func(admin *forum.User, id int64) error {
		_, err := s.admin.SetDisabled(c.UserContext(), admin, id, true)
		return err
	})
}

func (s *Server) adminEnableSubmit(c *fiber.Ctx) error {
	return s.peopleAction(c, "enabled", func(admin *forum.User, id int64) error {
		_, err := s.admin.SetDisabled(c.UserContext(), admin, id, false)
		return err
	})
}

// adminResetLinkSubmit makes a reset link and shows it once, on the people list.
func (s *Server) adminResetLinkSubmit(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/people", "Admin: people", nil)
	if p == nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	token, r, err := s.accounts.CreateResetLink(c.UserContext(), v.User, id)
	data, derr := s.peopleData(c, v.User)
	if derr != nil {
		return derr
	}
	p.Data = adminView{Path: "/admin/people", Sections: adminSections, Data: data}
	if err != nil {
		return s.formFailure(c, "admin_people", p, pageLevel(err))
	}
	u, err := s.admin.Users.UserByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	data.Link = &adminLink{Heading: "Password reset link", URL: s.resetURL(token), ExpiresAt: r.ExpiresAt, For: u.DisplayName + " (" + u.Username + ")"}
	return s.render(c, fiber.StatusCreated, "admin_people", p)
}

// adminInvitesView is the data of the invitations page.
type adminInvitesView struct {
	Invites []inviteJSON
	Link    *adminLink
	TTLs    []adminOption
}

var inviteTTLs = []adminOption{{"1", "1 day"}, {"3", "3 days"}, {"7", "7 days"}, {"14", "14 days"}, {"30", "30 days"}}

func (s *Server) invitesData(c *fiber.Ctx, u *forum.User) (*adminInvitesView, error) {
	list, err := s.invitations.Pending(c.UserContext(), u)
	if err != nil {
		return nil, err
	}
	data := &adminInvitesView{TTLs: inviteTTLs}
	for _, inv := range list {
		data.Invites = append(data.Invites, presentInvite(inv, s.now()))
	}
	return data, nil
}

func (s *Server) adminInvitesPage(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/invites", "Admin: invitations", nil)
	if p == nil {
		return err
	}
	data, err := s.invitesData(c, v.User)
	if err != nil {
		return err
	}
	p.Data = adminView{Path: "/admin/invites", Sections: adminSections, Data: data}
	p.Form = map[string]string{"expires_in": "7", "role": "member"}
	return s.render(c, fiber.StatusOK, "admin_invites", p)
}

// adminInviteSubmit makes an invitation and shows its link once.
func (s *Server) adminInviteSubmit(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/invites", "Admin: invitations", nil)
	if p == nil {
		return err
	}
	in := forum.InviteInput{Email: c.FormValue("email"), Role: c.FormValue("role")}
	p.Form = map[string]string{"email": in.Email, "role": in.Role, "expires_in": c.FormValue("expires_in")}
	days, err := strconv.Atoi(c.FormValue("expires_in", "7"))
	if err != nil || days < 1 {
		err = forum.Invalid("expires_in", "invalid_expiry", "Choose how long the link works.")
	} else {
		in.TTL = time.Duration(days) * 24 * time.Hour
	}
	var inv *forum.Invite
	var token string
	if err == nil {
		inv, token, err = s.invitations.Create(c.UserContext(), v.User, in)
	}
	data, derr := s.invitesData(c, v.User)
	if derr != nil {
		return derr
	}
	p.Data = adminView{Path: "/admin/invites", Sections: adminSections, Data: data}
	if err != nil {
		if e := forum.AsError(err); e != nil && e.Field == "expires_in_hours" {
			err = e.WithField("expires_in")
		}
		return s.formFailure(c, "admin_invites", p, err)
	}
	who := "anyone who opens it"
	if inv.Email != "" {
		who = inv.Email
	}
	data.Link = &adminLink{Heading: "Invitation link", URL: s.inviteURL(token), ExpiresAt: inv.ExpiresAt, For: who}
	p.Form = map[string]string{"expires_in": "7", "role": "member"}
	return s.render(c, fiber.StatusCreated, "admin_invites", p)
}

func (s *Server) adminRevokeInviteSubmit(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/invites", "Admin: invitations", nil)
	if p == nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := s.invitations.Revoke(c.UserContext(), v.User, id); err != nil {
		data, derr := s.invitesData(c, v.User)
		if derr != nil {
			return derr
		}
		p.Data = adminView{Path: "/admin/invites", Sections: adminSections, Data: data}
		return s.formFailure(c, "admin_invites", p, pageLevel(err))
	}
	return c.Redirect("/admin/invites?done=revoked", fiber.StatusSeeOther)
}

// adminTagsView is the data of the tags page.
type adminTagsView struct {
	Query string
	Tags  []forum.Tag
	Total int
	Pages pager
}

func (s *Server) tagsData(c *fiber.Ctx, u *forum.User) (*adminTagsView, error) {
	page, err := queryPage(c)
	if err != nil {
		return nil, err
	}
	page = max(page, 1)
	q := c.Query("q")
	tags, total, err := s.admin.ListTags(c.UserContext(), u, q, page)
	if err != nil {
		return nil, err
	}
	link := func(n int) string { return "/admin/tags?" + url.Values{"q": {q}, "page": {strconv.Itoa(n)}}.Encode() }
	return &adminTagsView{Query: q, Tags: tags, Total: total, Pages: newPager(page, forum.AdminPageSize, total, link)}, nil
}

func (s *Server) adminTagsPage(c *fiber.Ctx) error {
	v, p, err := s.adminPage(c, "/admin/tags", "Admin: tags", nil)
	if p == nil {
		return err
	}
	data, err := s.tagsData(c, v.User)
	if err != nil {
		return err
	}
	p.Data = adminView{Path: "/admin/tags", Sections: adminSections, Data: data}
	return s.render(c, fiber.StatusOK, "admin_tags", p)
}

// tagAction runs one of the tags page's forms. Its fields are named prefix_field (the
// page has four forms), and so are the errors put beside them.
func (s *Server) tagAction(c *fiber.Ctx, prefix string, fields []string, done string, act func(admin *forum.User) error) error {
	v, p, err := s.adminPage(c, "/admin/tags", "Admin: tags", nil)
	if p == nil {
		return err
	}
	for _, f := range fields {
		p.Form[prefix+"_"+f] = c.FormValue(prefix + "_" + f)
	}
	if err := act(v.User); err != nil {
		data, derr := s.tagsData(c, v.User)
		if derr != nil {
			return derr
		}
		p.Data = adminView{Path: "/admin/tags", Sections: adminSections, Data: data}
		if e := forum.AsError(err); e != nil && e.Field != "" {
			err = e.WithField(prefix + "_" + e.Field)
		}
		return s.formFailure(c, "admin_tags", p, err)
	}
	return c.Redirect("/admin/tags?done="+done, fiber.StatusSeeOther)
}

func (s *Server) adminCreateTagSubmit(c *fiber.Ctx) error {
	return s.tagAction(c, "create", []string{"name", "excerpt"}, "created", func(admin *forum.User) error {
		_, err := s.admin.CreateTag(c.UserContext(), admin, c.FormValue("create_name"), c.FormValue("create_excerpt"))
		return err
	})
}

func (s *Server) adminRenameTagSubmit(c *fiber.Ctx) error {
	return s.tagAction(c, "rename", []string{"tag", "name"}, "renamed", func(admin *forum.User) error {
		return s.admin.RenameTag(c.UserContext(), admin, c.FormValue("rename_tag"), c.FormValue("rename_name"))
	})
}

func (s *Server) adminMergeTagSubmit(c *fiber.Ctx) error {
	return s.tagAction(c, "merge", []string{"tag", "into"}, "merged", func(admin *forum.User) error {
		_, err := s.admin.MergeTags(c.UserContext(), admin, c.FormValue("merge_tag"), c.FormValue("merge_into"))
		return err
	})
}

func (s *Server) adminDescribeTagSubmit(c *fiber.Ctx) error {
	return s.tagAction(c, "describe", []string{"tag", "excerpt"}, "described", func(admin *forum.User) error {
		_, err := s.admin.DescribeTag(c.UserContext(), admin, c.FormValue("describe_tag"), c.FormValue("describe_excerpt"))
		return err
	})
}
