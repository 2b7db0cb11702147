package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The notifications API: the inbox, marking read, follows and the mail settings.

// noticeJSON is a notification as the API, the inbox page's script and the
// notification.created event show it.
type noticeJSON struct {
	ID        int64        `json:"id"`
	Kind      string       `json:"kind"`
	Text      string       `json:"text"`
	Title     string       `json:"title"`
	URL       string       `json:"url"`
	Excerpt   string       `json:"excerpt,omitempty"`
	Count     int          `json:"count"`
	Actor     *userRefJSON `json:"actor"`
	Read      bool         `json:"read"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type userRefJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username,omitempty"`
	DisplayName string `json:"display_name"`
}

func presentNotice(n *forum.Notice) noticeJSON {
	j := noticeJSON{ID: n.ID, Kind: string(n.Kind), Text: n.Text(), Title: n.Title, URL: n.URL, Excerpt: n.Excerpt, Count: n.Count,
		Read: n.ReadAt != nil, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
	if n.Actor != nil {
		j.Actor = &userRefJSON{ID: n.Actor.ID, Username: n.Actor.Username, DisplayName: n.Actor.DisplayName}
	}
	return j
}

// noticeEventJSON is the data of notification.created.
type noticeEventJSON struct {
	noticeJSON
	Unread int `json:"unread"`
}

// notifyAPIRoutes registers the notifications API (nil service: none).
func (s *Server) notifyAPIRoutes(api fiber.Router) {
	if s.notes == nil {
		return
	}
	api.Get("/notifications", s.apiNotifications)
	api.Post("/notifications/read", s.apiMarkNotificationsRead)
	api.Get("/follows", s.apiFollows)
	api.Post("/follows", s.apiFollow)
	api.Delete("/follows", s.apiUnfollow)
	api.Get("/me/notification-settings", s.apiNotificationSettings)
	api.Put("/me/notification-settings", s.apiSetNotificationSettings)
	if s.accountMail != nil {
		api.Post("/me/verify-email", s.apiSendVerification)
	}
}

// apiNotifications is GET /api/v1/notifications: {items, unread}.
func (s *Server) apiNotifications(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	f := forum.NotificationFilter{Page: page}
	switch c.Query("unread") {
	case "", "0", "false":
	case "1", "true":
		f.UnreadOnly = true
	default:
		return forum.Invalid("unread", "invalid_unread", "unread must be 1 or 0.")
	}
	in, err := s.notes.Inbox(c.UserContext(), v.User, f)
	if err != nil {
		return err
	}
	items := make([]noticeJSON, 0, len(in.Items))
	for _, n := range in.Items {
		items = append(items, presentNotice(n))
	}
	return c.JSON(fiber.Map{"items": items, "unread": in.Unread, "page": in.Page, "more": in.More})
}

type markReadRequest struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// apiMarkNotificationsRead is POST /api/v1/notifications/read: 204; someone else's id is 404.
func (s *Server) apiMarkNotificationsRead(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req markReadRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.notes.MarkRead(c.UserContext(), v.User, req.IDs, req.All); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type followRequest struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
}

type followJSON struct {
	Kind      string    `json:"kind"`
	Target    string    `json:"target"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

// apiFollow is POST /api/v1/follows: 201 (200 when already followed).
func (s *Server) apiFollow(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req followRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	created, err := s.notes.Follow(c.UserContext(), v.User, req.Kind, req.Target)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !created {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(fiber.Map{"kind": req.Kind, "target": req.Target, "following": true})
}

// apiUnfollow is DELETE /api/v1/follows: 204.
func (s *Server) apiUnfollow(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req followRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.notes.Unfollow(c.UserContext(), v.User, req.Kind, req.Target); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiFollows is GET /api/v1/follows: {items}.
func (s *Server) apiFollows(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	fs, err := s.notes.Follows(c.UserContext(), v.User)
	if err != nil {
		return err
	}
	items := make([]followJSON, 0, len(fs))
	for _, f := range fs {
		items = append(items, followJSON{Kind: string(f.Kind), Target: f.Target, Title: f.Title, URL: f.URL, CreatedAt: f.CreatedAt})
	}
	return c.JSON(fiber.Map{"items": items})
}

// notificationSettingsJSON is GET/PUT /api/v1/me/notification-settings' answer.
type notificationSettingsJSON struct {
	Kinds map[string]string `json:"kinds"`
	// Mail says whether the site sends mail at all; Email's state says whether this
	// person's address can get it.
	Mail          bool       `json:"mail"`
	EmailVerified bool       `json:"email_verified"`
	EmailBounced  *time.Time `json:"email_bounced_at"`
}

func (s *Server) notificationSettings(c *fiber.Ctx, u *forum.User) error {
	settings, err := s.notes.MailModes(c.UserContext(), u)
	if err != nil {
		return err
	}
	j := notificationSettingsJSON{Kinds: map[string]string{}, Mail: s.accountMail != nil}
	for _, k := range settings {
		j.Kinds[string(k.Kind)] = string(k.Mode)
	}
	if s.mailStatus != nil {
		st, err := s.mailStatus.MailStatus(c.UserContext(), u.ID)
		if err != nil {
			return err
		}
		j.EmailVerified, j.EmailBounced = st.Verified, st.BouncedAt
	}
	return c.JSON(j)
}

func (s *Server) apiNotificationSettings(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	return s.notificationSettings(c, v.User)
}

type setNotificationSettingsRequest struct {
	Kinds map[string]string `json:"kinds"`
}

func (s *Server) apiSetNotificationSettings(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req setNotificationSettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.notes.SetMailModes(c.UserContext(), v.User, req.Kinds); err != nil {
		return err
	}
	return s.notificationSettings(c, v.User)
}

// apiSendVerification is POST /api/v1/me/verify-email: mails a new confirmation link (202).
func (s *Server) apiSendVerification(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if err := s.accountMail.SendVerification(c.UserContext(), v.User); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"message": "A confirmation link is on its way to " + v.User.Email + "."})
}
