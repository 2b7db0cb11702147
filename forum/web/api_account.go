package web

import (
	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

type signupRequest struct {
	Username    string `json:"username"`
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	// Invite is an invitation's token (the last part of its link): the account is made
	// with it, whatever the sign-up mode.
	Invite string `json:"invite"`
}

type grantResponse struct {
	User      userJSON `json:"user"`
	Token     string   `json:"token"`
	CSRFToken string   `json:"csrf_token"`
}

// client describes the caller; API requests (under /api/) get a bearer token on sign-in.
func (s *Server) client(c *fiber.Ctx) forum.Client {
	return forum.Client{IP: s.clientIP(c), UserAgent: c.Get(fiber.HeaderUserAgent), API: wantsJSON(c)}
}

func (s *Server) apiSignup(c *fiber.Ctx) error {
	var req signupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := forum.SignupInput{Username: req.Username, Email: req.Email, Password: req.Password, DisplayName: req.DisplayName}
	var g *forum.Grant
	var err error
	if req.Invite != "" {
		g, err = s.accounts.AcceptInvite(c.UserContext(), req.Invite, in, s.client(c))
	} else {
		g, err = s.accounts.Signup(c.UserContext(), in, s.client(c))
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(c, g.SessionID)
	return c.Status(fiber.StatusCreated).JSON(grantResponse{User: presentUser(g.User, true), Token: g.Token, CSRFToken: g.Session.CSRFToken})
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) apiLogin(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.signIn(c, req.Login, req.Password)
	if err != nil {
		return err
	}
	if v := viewer(c); v != nil && v.Session != nil {
		// Signing in again replaces the old session rather than leaving it behind.
		if err := s.accounts.Logout(c.UserContext(), v); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, g.SessionID)
	return c.JSON(grantResponse{User: presentUser(g.User, true), Token: g.Token, CSRFToken: g.Session.CSRFToken})
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if err := s.accounts.Logout(c.UserContext(), v); err != nil {
		return err
	}
	if v.Session != nil {
		s.clearSessionCookie(c)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type meResponse struct {
	User      userJSON `json:"user"`
	CSRFToken string   `json:"csrf_token"`
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	u, err := s.accounts.User(c.UserContext(), v.User.ID) // whole: with the profile fields
	if err != nil {
		return err
	}
	resp := meResponse{User: presentUser(u, true)}
	if v.Session != nil {
		resp.CSRFToken = v.Session.CSRFToken
	}
	return c.JSON(resp)
}

// updateMeRequest is PATCH /api/v1/me. A profile field left out stays as it is; null or an
// empty value clears it.
type updateMeRequest struct {
	DisplayName *string            `json:"display_name"`
	Email       *string            `json:"email"`
	District    nullable[string]   `json:"district"`
	Position    nullable[string]   `json:"position"`
	Subjects    nullable[[]string] `json:"subjects"`
	GradeBands  nullable[[]string] `json:"grade_bands"`
	TimeZone    nullable[string]   `json:"time_zone"`
}

func (s *Server) apiUpdateMe(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req updateMeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.UpdateProfile(c.UserContext(), v, forum.UserUpdate{DisplayName: req.DisplayName, Email: req.Email,
		Profile: req.profileUpdate()})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": presentUser(u, true)})
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) apiChangePassword(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.accounts.ChangePassword(c.UserContext(), v, req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiSessions(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	ss, err := s.accounts.ListSessions(c.UserContext(), v)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": presentSessions(ss, v)})
}

func (s *Server) apiRevokeSession(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeSession(c.UserContext(), v, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiTokens(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	ts, err := s.accounts.ListTokens(c.UserContext(), v)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": presentTokens(ts, v)})
}

type createTokenRequest struct {
	Name string `json:"name"`
}

func (s *Server) apiCreateToken(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req createTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	secret, t, err := s.accounts.CreateToken(c.UserContext(), v, req.Name)
	if err != nil {
		return err
	}
	j := presentTokens([]*forum.APIToken{t}, v)[0]
	j.Token = secret
	return c.Status(fiber.StatusCreated).JSON(j)
}

func (s *Server) apiRevokeToken(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeToken(c.UserContext(), v, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiUser(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.accounts.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	v := viewer(c)
	return c.JSON(presentUser(u, v != nil && v.User.ID == u.ID))
}

func (s *Server) apiUserPosts(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.accounts.User(c.UserContext(), id); err != nil {
		return err
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	kind := forum.PostKind(c.Query("type", "question"))
	posts, total, err := s.qa.UserPosts(c.UserContext(), viewerUser(c), id, kind, page)
	if err != nil {
		return err
	}
	items := make([]postJSON, 0, len(posts))
	for _, p := range posts {
		j := presentPost(p, false)
		if p.Kind == forum.KindAnswer {
			j.Title = p.QuestionTitle // so a list of answers says what each answers
		}
		items = append(items, j)
	}
	return c.JSON(listResponse[postJSON]{Items: items, Total: total, Page: max(page, 1)})
}
