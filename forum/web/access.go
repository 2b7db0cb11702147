package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// Who gets in: the read mode's gate, the pages and API of invitations and password reset
// links, and the admin area's routes.

// openPaths answer everyone on a members-only site: the ways in. Health, metrics, static
// files and the image proxy are routed before the gate and never reach it.
var openPaths = map[string]bool{
	"/login": true, "/signup": true, "/logout": true, "/password-reset": true,
	"/api/v1/auth/signup": true, "/api/v1/auth/login": true, "/api/v1/auth/logout": true,
	"/api/v1/auth/password-reset": true, "/api/v1/auth/password-reset/confirm": true,
}

// openPrefixes are the ways in that carry a token in their path.
var openPrefixes = []string{"/invite/", "/password-reset/", "/unsubscribe/", "/verify-email/"}

func isOpenPath(p string) bool {
	if openPaths[p] {
		return true
	}
	for _, prefix := range openPrefixes {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// requireReader enforces STAFFROOM_READ=members: an anonymous request for anything but a
// way in is sent to sign in (pages) or answered 401 (the API and the websocket). It runs
// before the caches, so no copy of a page reaches someone who may not read it.
func (s *Server) requireReader(c *fiber.Ctx) error {
	if viewer(c) != nil || s.site().Read != forum.ReadMembers || isOpenPath(c.Path()) {
		return c.Next()
	}
	if !wantsJSON(c) && (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	if e, ok := c.Locals(localSessionEnded).(*forum.Error); ok {
		return e
	}
	return forum.Coded(forum.EUnauthorized, "sign_in_required", "Sign in to read %s.", s.site().SiteName)
}

// site returns the site settings in force: one atomic load.
func (s *Server) site() *forum.EffectiveSettings { return s.settings.Current() }

// inviteURL is the address that accepts an invitation.
func (s *Server) inviteURL(token string) string { return s.baseURL() + "/invite/" + token }

// resetURL is the address that uses a password reset link.
func (s *Server) resetURL(token string) string { return s.baseURL() + "/password-reset/" + token }

// accessRoutes registers the pages of invitations, password reset and the admin area.
func (s *Server) accessRoutes(app *fiber.App) {
	app.Get("/invite/:token", s.invitePage)
	app.Post("/invite/:token", s.inviteSubmit)
	app.Get("/password-reset", s.resetRequestPage)
	app.Post("/password-reset", s.resetRequestSubmit)
	app.Get("/password-reset/:token", s.resetPage)
	app.Post("/password-reset/:token", s.resetSubmit)
	if s.admin == nil {
		return
	}
	app.Get("/admin", s.adminSettingsPage)
	app.Post("/admin/settings", s.adminSettingsSubmit)
	app.Get("/admin/people", s.adminPeoplePage)
	app.Post("/admin/people/:id/role", s.adminRoleSubmit)
	app.Post("/admin/people/:id/disable", s.adminDisableSubmit)
	app.Post("/admin/people/:id/enable", s.adminEnableSubmit)
	app.Post("/admin/people/:id/reset-link", s.adminResetLinkSubmit)
	app.Get("/admin/invites", s.adminInvitesPage)
	app.Post("/admin/invites", s.adminInviteSubmit)
	app.Post("/admin/invites/:id/withdraw", s.adminRevokeInviteSubmit)
	app.Get("/admin/tags", s.adminTagsPage)
	app.Post("/admin/tags", s.adminCreateTagSubmit)
	app.Post("/admin/tags/rename", s.adminRenameTagSubmit)
	app.Post("/admin/tags/merge", s.adminMergeTagSubmit)
	app.Post("/admin/tags/describe", s.adminDescribeTagSubmit)
}

// accessAPIRoutes registers the API of invitations, password reset and the admin area.
func (s *Server) accessAPIRoutes(api fiber.Router) {
	api.Post("/auth/password-reset", s.apiRequestReset)
	api.Post("/auth/password-reset/confirm", s.apiConfirmReset)
	if s.admin == nil {
		return
	}
	api.Post("/invites", s.apiCreateInvite)
	api.Get("/invites", s.apiInvites)
	api.Delete("/invites/:id", s.apiRevokeInvite)
	api.Get("/admin/settings", s.apiAdminSettings)
	api.Patch("/admin/settings", s.apiAdminUpdateSettings)
	api.Get("/admin/users", s.apiAdminUsers)
	api.Patch("/admin/users/:id", s.apiAdminUpdateUser)
	api.Post("/admin/users/:id/reset-link", s.apiAdminResetLink)
	api.Get("/admin/tags", s.apiAdminTags)
	api.Post("/admin/tags", s.apiAdminCreateTag)
	api.Post("/admin/tags/:name/rename", s.apiAdminRenameTag)
	api.Post("/admin/tags/:name/merge", s.apiAdminMergeTag)
}

// requireAdmin returns the signed-in admin, 401 for nobody, or not_found for anyone else.
func requireAdmin(c *fiber.Ctx) (*forum.Viewer, error) {
	v, err := requireViewer(c)
	if err != nil {
		return nil, err
	}
	if err := forum.CheckAdmin(v.User); err != nil {
		return nil, err
	}
	return v, nil
}
