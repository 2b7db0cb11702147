package web

import (
	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// inviteView is the data of the page that accepts an invitation.
type inviteView struct {
	Token       string
	Invite      *forum.Invite
	LockedEmail string // the invitation names the address: shown, not editable
	// Problem is set when the link cannot be used (unknown, used, expired, withdrawn):
	// the page says so instead of showing the form.
	Problem string
}

// invitePage shows the sign-up form of an invitation, or says clearly why the link does
// not work (404 unknown, 410 used, expired or withdrawn).
func (s *Server) invitePage(c *fiber.Ctx) error {
	token := c.Params("token")
	p := s.page(c, "Accept your invitation", nil)
	p.Form = map[string]string{}
	inv, err := s.lookupInvite(c, token)
	if err != nil {
		return s.inviteProblem(c, p, err)
	}
	if v := viewer(c); v != nil && inv.Collaborative == "" {
		p.Error = "You are signed in as " + v.User.Username + ". Sign out first to create a new account with this invitation."
	}
	p.Data = inviteView{Token: token, Invite: inv, LockedEmail: inv.Email}
	p.Form["email"] = inv.Email
	return s.renderPrivate(c, fiber.StatusOK, "invite", p)
}

// inviteSubmit creates the account and signs it in; failures show the form again with
// each error beside its field.
func (s *Server) inviteSubmit(c *fiber.Ctx) error {
	token := c.Params("token")
	in := forum.SignupInput{
		Username: c.FormValue("username"), Email: c.FormValue("email"),
		Password: c.FormValue("password"), DisplayName: c.FormValue("display_name"),
	}
	p := s.page(c, "Accept your invitation", nil)
	inv, err := s.lookupInvite(c, token)
	if err != nil {
		return s.inviteProblem(c, p, err)
	}
	p.Data = inviteView{Token: token, Invite: inv, LockedEmail: inv.Email}
	p.Form = map[string]string{"username": in.Username, "email": in.Email, "display_name": in.DisplayName}
	if inv.Email != "" {
		p.Form["email"] = inv.Email
	}
	if c.FormValue("password_confirm") != in.Password {
		return s.formFailure(c, "invite", p, forum.Invalid("password_confirm", "password_mismatch", "The two passwords do not match."))
	}
	g, err := s.accounts.AcceptInvite(c.UserContext(), token, in, s.client(c))
	if forum.IsKind(err, forum.EGone) || forum.IsKind(err, forum.ENotFound) {
		return s.inviteProblem(c, p, err) // used by someone else a moment ago
	} else if err != nil {
		return s.formFailure(c, "invite", p, err)
	}
	if v := viewer(c); v != nil && v.Session != nil {
		if err := s.accounts.Logout(c.UserContext(), v); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, g.SessionID)
	return c.Redirect("/?done=welcome", fiber.StatusSeeOther)
}

func (s *Server) lookupInvite(c *fiber.Ctx, token string) (*forum.Invite, error) {
	if s.invitations == nil {
		return nil, forum.Coded(forum.ENotFound, "invite_not_found", "This site does not take invitations.")
	}
	return s.invitations.Lookup(c.UserContext(), token)
}

// renderPrivate renders a page that carries a link's token or the address an invitation
// names: no cache keeps it, the browser's included.
func (s *Server) renderPrivate(c *fiber.Ctx, status int, name string, p *Page) error {
	err := s.render(c, status, name, p)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return err
}

// inviteProblem answers with the invitation page saying why the link cannot be used; other
// errors go to the error handler.
func (s *Server) inviteProblem(c *fiber.Ctx, p *Page, err error) error {
	e := forum.AsError(err)
	if e == nil || (e.Kind != forum.EGone && e.Kind != forum.ENotFound) {
		return err
	}
	p.Title = "Invitation not valid"
	p.Data = inviteView{Problem: e.Message}
	return s.render(c, statusOf[e.Kind], "invite", p)
}

// resetView is the data of the password reset pages.
type resetView struct {
	Token   string
	User    *forum.User
	Problem string
	// MailOn says whether "Forgot password?" can mail a link; Sent, that the form was sent.
	MailOn, Sent bool
}

// resetRequestPage is "Forgot your password?": with mail on, a form that mails a link;
// without, the way back in through an administrator.
func (s *Server) resetRequestPage(c *fiber.Ctx) error {
	p := s.page(c, "Forgot your password?", resetView{MailOn: s.accounts.ResetMail != nil})
	p.Form = map[string]string{}
	return s.render(c, fiber.StatusOK, "reset_request", p)
}

// resetRequestSubmit answers the same whether or not the address has an account.
func (s *Server) resetRequestSubmit(c *fiber.Ctx) error {
	if err := s.requestReset(c, c.FormValue("email")); err != nil {
		return err
	}
	p := s.page(c, "Forgot your password?", resetView{MailOn: s.accounts.ResetMail != nil, Sent: true})
	p.Form = map[string]string{}
	return s.render(c, fiber.StatusAccepted, "reset_request", p)
}

// requestReset asks for a mailed link and logs the outcome for the operator, never for
// the person asking.
func (s *Server) requestReset(c *fiber.Ctx, email string) error {
	sent, err := s.accounts.RequestPasswordReset(c.UserContext(), email)
	if err != nil {
		return err
	}
	if s.accounts.ResetMail == nil {
		s.log.Info("password reset asked for by email, but mail is off: an admin can make a reset link in the admin area",
			"request_id", requestID(c))
	} else {
		s.log.Info("password reset asked for by email", "request_id", requestID(c), "sent", sent)
	}
	return nil
}

// resetPage asks for the new password, or says why the link does not work.
func (s *Server) resetPage(c *fiber.Ctx) error {
	token := c.Params("token")
	p := s.page(c, "Choose a new password", nil)
	p.Form = map[string]string{}
	u, _, err := s.accounts.ResetLink(c.UserContext(), token)
	if err != nil {
		return s.resetProblem(c, p, err)
	}
	p.Data = resetView{Token: token, User: u}
	return s.renderPrivate(c, fiber.StatusOK, "reset", p)
}

// resetSubmit sets the new password, ends every sign-in of the account, and sends the
// person to sign in with it.
func (s *Server) resetSubmit(c *fiber.Ctx) error {
	token := c.Params("token")
	p := s.page(c, "Choose a new password", nil)
	p.Form = map[string]string{}
	u, _, err := s.accounts.ResetLink(c.UserContext(), token)
	if err != nil {
		return s.resetProblem(c, p, err)
	}
	p.Data = resetView{Token: token, User: u}
	password := c.FormValue("password")
	if c.FormValue("password_confirm") != password {
		return s.formFailure(c, "reset", p, forum.Invalid("password_confirm", "password_mismatch", "The two passwords do not match."))
	}
	if _, err := s.accounts.ResetPasswordWithLink(c.UserContext(), token, password); err != nil {
		if forum.IsKind(err, forum.EGone) || forum.IsKind(err, forum.ENotFound) {
			return s.resetProblem(c, p, err)
		}
		return s.formFailure(c, "reset", p, err)
	}
	if v := viewer(c); v != nil && v.User.ID == u.ID {
		s.clearSessionCookie(c) // that session ended with the others
	}
	return c.Redirect("/login?done=reset", fiber.StatusSeeOther)
}

// resetProblem answers with the reset page saying why the link cannot be used.
func (s *Server) resetProblem(c *fiber.Ctx, p *Page, err error) error {
	e := forum.AsError(err)
	if e == nil || (e.Kind != forum.EGone && e.Kind != forum.ENotFound) {
		return err
	}
	p.Title = "Reset link not valid"
	p.Data = resetView{Problem: e.Message}
	return s.render(c, statusOf[e.Kind], "reset", p)
}

// signupView is the data of the sign-up page: what the sign-up mode allows.
type signupView struct {
	Mode    forum.SignupMode
	Domains []string
	// Closed hides the form: sign-up is by invitation only, and the site has its admin.
	Closed bool
	// First: nobody has an account yet, and whoever signs up runs the site.
	First bool
}

// signupData reads what the sign-up page shows under the settings in force.
func (s *Server) signupData(c *fiber.Ctx) (signupView, error) {
	st := s.site()
	v := signupView{Mode: st.Signup, Domains: st.SignupDomains}
	has, err := s.accounts.Users.HasFirstAccount(c.UserContext())
	if err != nil {
		return v, err
	}
	v.First = !has
	v.Closed = has && (st.Signup == forum.SignupInvite || st.Signup == forum.SignupClosed)
	return v, nil
}
