package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

func (s *Server) signupPage(c *fiber.Ctx) error {
	if viewer(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	data, err := s.signupData(c)
	if err != nil {
		return err
	}
	p := s.page(c, "Sign up", data)
	p.Form = map[string]string{}
	status := fiber.StatusOK
	if ff := s.formFlashFor(c); ff != nil {
		status = ff.show(c, p)
	}
	return s.render(c, status, "signup", p)
}

func (s *Server) signupSubmit(c *fiber.Ctx) error {
	in := forum.SignupInput{
		Username: c.FormValue("username"), Email: c.FormValue("email"),
		Password: c.FormValue("password"), DisplayName: c.FormValue("display_name"),
	}
	// Every field at once, the repeated password with the others.
	var fe forum.FieldErrors
	err := fe.Add(s.accounts.CheckSignup(in))
	if err == nil && c.FormValue("password_confirm") != in.Password {
		fe.Add(forum.Invalid("password_confirm", "password_mismatch", "The two passwords do not match."))
	}
	if err == nil {
		err = fe.Err()
	}
	var g *forum.Grant
	if err == nil {
		g, err = s.accounts.Signup(c.UserContext(), in, s.client(c))
	}
	if err != nil {
		form := map[string]string{"username": in.Username, "email": in.Email, "display_name": in.DisplayName}
		return s.formFailed(c, err, failedForm{page: "/signup", values: form, inPlace: func(ff *formFlash) error {
			data, err := s.signupData(c)
			if err != nil {
				return err
			}
			p := s.page(c, "Sign up", data)
			return s.render(c, ff.show(c, p), "signup", p)
		}})
	}
	s.setSessionCookie(c, g.SessionID)
	return c.Redirect("/?done=welcome", fiber.StatusSeeOther)
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if viewer(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	p := s.page(c, "Sign in", nil)
	p.Form = map[string]string{"next": next}
	p.Flash = s.flash(c)
	status := fiber.StatusOK
	if ff := s.formFlashFor(c); ff != nil {
		status = ff.show(c, p)
		p.Form["next"] = safeNext(p.Form["next"])
	}
	return s.render(c, status, "login", p)
}

func (s *Server) loginSubmit(c *fiber.Ctx) error {
	login, next := c.FormValue("login"), safeNext(c.FormValue("next"))
	g, err := s.signIn(c, login, c.FormValue("password"))
	if err != nil {
		form := map[string]string{"login": login, "next": next}
		return s.formFailed(c, err, failedForm{page: "/login", values: form, inPlace: func(ff *formFlash) error {
			p := s.page(c, "Sign in", nil)
			return s.render(c, ff.show(c, p), "login", p)
		}})
	}
	if v := viewer(c); v != nil && v.Session != nil {
		if err := s.accounts.Logout(c.UserContext(), v); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, g.SessionID)
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	if v := viewer(c); v != nil {
		if err := s.accounts.Logout(c.UserContext(), v); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect("/login?done=signedout", fiber.StatusSeeOther)
}

// profileView is the data of a profile page.
type profileView struct {
	User    *forum.User
	Self    bool
	Profile *forum.Profile
}

func (s *Server) profilePage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.accounts.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	v := viewer(c)
	prof, err := s.qa.Profile(c.UserContext(), viewerUser(c), u)
	if err != nil {
		return err
	}
	p := s.page(c, u.DisplayName, profileView{User: u, Self: v != nil && v.User.ID == u.ID, Profile: prof})
	return s.render(c, fiber.StatusOK, "profile", p)
}

// settingsView is the data of the settings page.
type settingsView struct {
	Sessions []sessionJSON
	Tokens   []tokenJSON
	NewToken *tokenJSON
	Profile  *profileFormView
}

// requirePageViewer sends an anonymous visitor to sign in and come back.
func requirePageViewer(c *fiber.Ctx) (*forum.Viewer, bool) {
	if v := viewer(c); v != nil {
		return v, true
	}
	c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	return nil, false
}

func (s *Server) settingsData(c *fiber.Ctx, v *forum.Viewer) (*settingsView, error) {
	ss, err := s.accounts.ListSessions(c.UserContext(), v)
	if err != nil {
		return nil, err
	}
	ts, err := s.accounts.ListTokens(c.UserContext(), v)
	if err != nil {
		return nil, err
	}
	profile, err := s.profileFormFor(c, v)
	if err != nil {
		return nil, err
	}
	return &settingsView{Sessions: presentSessions(ss, v), Tokens: presentTokens(ts, v), Profile: profile}, nil
}

// settingsPageFor builds the settings page; form failures re-render it with their error.
func (s *Server) settingsPageFor(c *fiber.Ctx, v *forum.Viewer) (*Page, error) {
	data, err := s.settingsData(c, v)
	if err != nil {
		return nil, err
	}
	p := s.page(c, "Settings", data)
	p.Form = map[string]string{"display_name": v.User.DisplayName, "email": v.User.Email}
	p.Flash = s.flash(c)
	return p, nil
}

func (s *Server) settingsPage(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	p, err := s.settingsPageFor(c, v)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if ff := s.formFlashFor(c); ff != nil {
		status = ff.show(c, p)
	}
	if made := s.onceFor(c); made != nil {
		p.Data.(*settingsView).NewToken = &tokenJSON{Name: made["name"], Token: made["token"]}
	}
	return s.render(c, status, "settings", p)
}

// settingsFailed answers a failed settings form: the settings page again, at the form.
func (s *Server) settingsFailed(c *fiber.Ctx, v *forum.Viewer, err error, anchor string, values map[string]string) error {
	return s.formFailed(c, err, failedForm{page: "/settings", anchor: anchor, values: values, inPlace: func(ff *formFlash) error {
		p, err := s.settingsPageFor(c, v)
		if err != nil {
			return err
		}
		return s.render(c, ff.show(c, p), "settings", p)
	}})
}

func (s *Server) settingsProfileSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	name, email := c.FormValue("display_name"), c.FormValue("email")
	_, err := s.accounts.UpdateProfile(c.UserContext(), v, forum.UserUpdate{DisplayName: &name, Email: &email, Profile: profileFieldsForm(c)})
	if err != nil {
		return s.settingsFailed(c, v, err, "profile", keepProfileFields(c, map[string]string{"display_name": name, "email": email}))
	}
	return c.Redirect("/settings?done=profile", fiber.StatusSeeOther)
}

func (s *Server) settingsPasswordSubmit(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	var err error
	if c.FormValue("new_password_confirm") != next {
		// Every field at once: what the change itself would say, and the repeated one.
		err = s.accounts.CheckPasswordChange(c.UserContext(), v, current, next)
		if fe := forum.FieldErrorsOf(err); err == nil || fe != nil { // a refusal (rate_limited, busy) stands alone
			fe.Add(forum.Invalid("new_password_confirm", "password_mismatch", "The two new passwords do not match."))
			err = fe.Err()
		}
	} else {
		err = s.accounts.ChangePassword(c.UserContext(), v, current, next)
	}
	if err != nil {
		return s.settingsFailed(c, v, err, "password", nil)
	}
	return c.Redirect("/settings?done=password#password", fiber.StatusSeeOther)
}

func (s *Server) settingsRevokeSession(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	if err := s.accounts.RevokeSession(c.UserContext(), v, id); err != nil {
		return s.settingsFailed(c, v, err, "sessions", nil)
	}
	if v.Session != nil && v.Session.ID == id {
		s.clearSessionCookie(c)
		return c.Redirect("/login?done=signedout", fiber.StatusSeeOther)
	}
	return c.Redirect("/settings?done=session#sessions", fiber.StatusSeeOther)
}

func (s *Server) settingsCreateToken(c *fiber.Ctx) error {
	v, ok := requirePageViewer(c)
	if !ok {
		return nil
	}
	name := c.FormValue("name")
	secret, t, err := s.accounts.CreateToken(c.UserContext(), v, name)
	if err != nil {
		return s.settingsFailed(c, v, err, "tokens", map[string]string{"name": name})
	}
	// The secret waits for the settings page's next GET, which shows it once (doneOnce);
	// it is not kept anywhere to show again.
	return s.doneOnce(c, "/settings", "tokens", map[string]string{"name": t.Name, "token": secret})
}

func (s *Server) settingsRevokeToken(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	if err := s.accounts.RevokeToken(c.UserContext(), v, id); err != nil {
		return s.settingsFailed(c, v, err, "tokens", nil)
	}
	return c.Redirect("/settings?done=token#tokens", fiber.StatusSeeOther)
}

// shortAgent names the browser and system of a user agent string for the sessions list.
func shortAgent(ua string) string {
	browser := "Unknown browser"
	for _, b := range []string{"Edg/", "Firefox/", "Chrome/", "Safari/", "curl/"} {
		if strings.Contains(ua, b) {
			browser = map[string]string{"Edg/": "Edge", "Firefox/": "Firefox", "Chrome/": "Chrome", "Safari/": "Safari", "curl/": "curl"}[b]
			break
		}
	}
	system := ""
	for _, o := range []string{"Windows", "Mac OS X", "iPhone", "iPad", "Android", "CrOS", "Linux"} {
		if strings.Contains(ua, o) {
			system = map[string]string{"Mac OS X": "macOS", "CrOS": "ChromeOS"}[o]
			if system == "" {
				system = o
			}
			break
		}
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}
