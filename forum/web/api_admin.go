package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The JSON API of invitations, password reset links and the admin area. Each handler
// calls the same forum service as the admin pages (admin.go).

// linkJSON is a single-use link made for someone to pass on.
type linkJSON struct {
	ID        int64     `json:"id,omitempty"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

type inviteRequest struct {
	Email         string `json:"email"`
	Collaborative string `json:"collaborative"`
	Role          string `json:"role"`
	// ExpiresInHours shortens or lengthens the link's life (default 168, a week).
	ExpiresInHours int `json:"expires_in_hours"`
}

type inviteJSON struct {
	ID        int64      `json:"id"`
	Email     string     `json:"email"`
	Role      forum.Role `json:"role"`
	CreatedBy *userJSON  `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	State     string     `json:"state"`
}

func presentInvite(inv *forum.Invite, now time.Time) inviteJSON {
	j := inviteJSON{ID: inv.ID, Email: inv.Email, Role: inv.Role, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, State: inv.State(now)}
	if inv.CreatedBy != nil {
		u := presentUser(inv.CreatedBy, false)
		j.CreatedBy = &u
	}
	return j
}

// apiCreateInvite is POST /api/v1/invites: 201 {url, expires_at}. Admins invite to the
// site; an invitation naming a collaborative may come from its leads too (the service
// checks who may).
func (s *Server) apiCreateInvite(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req inviteRequest
	if len(c.Body()) > 0 { // every field is optional: no body is an invitation for anyone
		if err := decodeJSON(c, &req); err != nil {
			if forum.CheckAdmin(v.User) != nil && s.collaboratives == nil {
				return forum.CheckAdmin(v.User)
			}
			return err
		}
	}
	in := forum.InviteInput{Email: req.Email, Role: req.Role, Collaborative: req.Collaborative, TTL: time.Duration(req.ExpiresInHours) * time.Hour}
	if req.ExpiresInHours < 0 {
		return forum.Invalid("expires_in_hours", "invalid_expiry", "expires_in_hours must be a positive number of hours.")
	}
	inv, token, err := s.invitations.Create(c.UserContext(), v.User, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(linkJSON{ID: inv.ID, URL: s.inviteURL(token), ExpiresAt: inv.ExpiresAt})
}

// apiInvites is GET /api/v1/invites: the pending invitations.
func (s *Server) apiInvites(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	list, err := s.invitations.Pending(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	items := make([]inviteJSON, 0, len(list))
	for _, inv := range list {
		items = append(items, presentInvite(inv, s.now()))
	}
	return c.JSON(fiber.Map{"items": items})
}

// apiRevokeInvite is DELETE /api/v1/invites/{id}: 204.
func (s *Server) apiRevokeInvite(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := s.invitations.Revoke(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type resetRequest struct {
	Email string `json:"email"`
}

// apiRequestReset is POST /api/v1/auth/password-reset: 202 whatever the address, so that
// nobody learns from it who has an account.
func (s *Server) apiRequestReset(c *fiber.Ctx) error {
	var req resetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.requestReset(c, req.Email); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{
		"message": "If an account has that address, a link to choose a new password is on its way.",
	})
}

type confirmResetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// apiConfirmReset is POST /api/v1/auth/password-reset/confirm: 204, and every session and
// token of the person ends.
func (s *Server) apiConfirmReset(c *fiber.Ctx) error {
	var req confirmResetRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.ResetPasswordWithLink(c.UserContext(), req.Token, req.Password)
	if err != nil {
		return err
	}
	if v := viewer(c); v != nil && v.User.ID == u.ID && v.Session != nil {
		s.clearSessionCookie(c)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// settingsJSON shows the settings in force and which the environment fixes.
type settingsJSON struct {
	SiteName      string   `json:"site_name"`
	Signup        string   `json:"signup"`
	SignupDomains []string `json:"signup_domains"`
	Privileges    string   `json:"privileges"`
	Read          string   `json:"read"`
	// Fixed names the settings the environment sets: they cannot be changed here.
	Fixed []string `json:"fixed"`
}

func presentSettings(e *forum.EffectiveSettings) settingsJSON {
	j := settingsJSON{SiteName: e.SiteName, Signup: string(e.Signup), SignupDomains: e.SignupDomains,
		Privileges: e.Privileges, Read: string(e.Read), Fixed: []string{}}
	if j.SignupDomains == nil {
		j.SignupDomains = []string{}
	}
	for _, name := range []string{forum.SettingSiteName, forum.SettingSignup, forum.SettingSignupDomains, forum.SettingPrivileges, forum.SettingRead} {
		if e.Fixed[name] {
			j.Fixed = append(j.Fixed, name)
		}
	}
	return j
}

func (s *Server) apiAdminSettings(c *fiber.Ctx) error {
	if _, err := requireAdmin(c); err != nil {
		return err
	}
	return c.JSON(presentSettings(s.site()))
}

type settingsRequest struct {
	SiteName      *string   `json:"site_name"`
	Signup        *string   `json:"signup"`
	SignupDomains *[]string `json:"signup_domains"`
	Privileges    *string   `json:"privileges"`
	Read          *string   `json:"read"`
}

func (s *Server) apiAdminUpdateSettings(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	var req settingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	upd := forum.SettingsUpdate{SiteName: req.SiteName, Signup: req.Signup, Privileges: req.Privileges, Read: req.Read}
	if req.SignupDomains != nil {
		joined := strings.Join(*req.SignupDomains, ",")
		upd.SignupDomains = &joined
	}
	e, err := s.settings.Update(c.UserContext(), v.User, upd)
	if err != nil {
		return err
	}
	return c.JSON(presentSettings(e))
}

// adminUserJSON is a person as the admin area shows them: with how they joined, and
// whether their account is disabled.
type adminUserJSON struct {
	userJSON
	JoinedVia  string     `json:"joined_via"`
	Known      bool       `json:"known"`
	Demo       bool       `json:"demo"`
	DisabledAt *time.Time `json:"disabled_at"`
}

func presentAdminUser(u *forum.User) adminUserJSON {
	return adminUserJSON{userJSON: presentUser(u, true), JoinedVia: u.JoinedVia, Known: u.Known, Demo: u.Demo, DisabledAt: u.DisabledAt}
}

func (s *Server) apiAdminUsers(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	people, total, err := s.admin.ListPeople(c.UserContext(), v.User, c.Query("q"), page)
	if err != nil {
		return err
	}
	items := make([]adminUserJSON, 0, len(people))
	for _, u := range people {
		items = append(items, presentAdminUser(u))
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": max(page, 1)})
}

type adminUserRequest struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

// apiAdminUpdateUser is PATCH /api/v1/admin/users/{id}: a new role, disabled or enabled.
func (s *Server) apiAdminUpdateUser(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var req adminUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var role forum.Role
	if req.Role != nil {
		if role, err = forum.ParseRole(*req.Role); err != nil {
			return err
		}
	}
	u, err := s.admin.Users.UserByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	if req.Disabled != nil {
		if u, err = s.admin.SetDisabled(c.UserContext(), v.User, id, *req.Disabled); err != nil {
			return err
		}
	}
	if req.Role != nil {
		if u, err = s.admin.SetRole(c.UserContext(), v.User, id, role); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"user": presentAdminUser(u)})
}

// apiAdminResetLink is POST /api/v1/admin/users/{id}/reset-link: 201 {url, expires_at}.
func (s *Server) apiAdminResetLink(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	token, r, err := s.accounts.CreateResetLink(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(linkJSON{URL: s.resetURL(token), ExpiresAt: r.ExpiresAt})
}

func (s *Server) apiAdminTags(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	tags, total, err := s.admin.ListTags(c.UserContext(), v.User, c.Query("q"), page)
	if err != nil {
		return err
	}
	items := make([]tagJSON, 0, len(tags))
	for _, t := range tags {
		items = append(items, presentTag(t))
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "page": max(page, 1)})
}

type tagRequest struct {
	Name    string `json:"name"`
	Excerpt string `json:"excerpt"`
	Into    string `json:"into"`
}

func (s *Server) apiAdminCreateTag(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	var req tagRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.admin.CreateTag(c.UserContext(), v.User, req.Name, req.Excerpt)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentTag(*t))
}

// apiAdminRenameTag is POST /api/v1/admin/tags/{name}/rename {name}.
func (s *Server) apiAdminRenameTag(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	var req tagRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.admin.RenameTag(c.UserContext(), v.User, pathParam(c, "name"), req.Name); err != nil {
		return err
	}
	return s.apiTagNamed(c, req.Name)
}

// apiAdminMergeTag is POST /api/v1/admin/tags/{name}/merge {into}: the tag's questions
// move to into, and the tag goes.
func (s *Server) apiAdminMergeTag(c *fiber.Ctx) error {
	v, err := requireAdmin(c)
	if err != nil {
		return err
	}
	var req tagRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	moved, err := s.admin.MergeTags(c.UserContext(), v.User, pathParam(c, "name"), req.Into)
	if err != nil {
		return err
	}
	t, err := s.qa.Tag(c.UserContext(), req.Into)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"moved": moved, "tag": presentTag(*t)})
}

func (s *Server) apiTagNamed(c *fiber.Ctx, name string) error {
	t, err := s.qa.Tag(c.UserContext(), name)
	if err != nil {
		return err
	}
	return c.JSON(presentTag(*t))
}
