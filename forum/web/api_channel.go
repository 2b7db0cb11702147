package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/moderation"
)

// The channels API: a collaborative's channels, their messages, threads, reactions, pins
// and read markers. Every handler parses, calls forum.Channels and presents; who may do
// what is decided in the store's query or transaction (forum.ChannelAccess), so that a
// private collaborative's channel answers a non-member 404 on every route.

func (s *Server) channelAPIRoutes(api fiber.Router) {
	if s.channels == nil {
		return
	}
	api.Get("/collaboratives/:slug/channels", s.apiChannels)
	api.Post("/collaboratives/:slug/channels", s.idempotent, s.apiCreateChannel)
	api.Get("/channels/:id", s.apiChannel)
	api.Patch("/channels/:id", s.apiUpdateChannel)
	api.Get("/channels/:id/messages", s.apiMessages)
	api.Post("/channels/:id/messages", s.meter(moderation.ActionMessage), s.idempotent, s.apiPostMessage)
	api.Get("/channels/:id/pins", s.apiPins)
	api.Post("/channels/:id/read", s.apiMarkRead)
	api.Get("/messages/:id", s.apiMessage)
	api.Patch("/messages/:id", s.apiEditMessage)
	api.Delete("/messages/:id", s.apiDeleteMessage)
	api.Get("/messages/:id/thread", s.apiThread)
	api.Get("/messages/:id/revisions", s.apiMessageRevisions)
	api.Post("/messages/:id/reactions/:emoji", s.apiReact(true))
	api.Delete("/messages/:id/reactions/:emoji", s.apiReact(false))
	api.Post("/messages/:id/pin", s.apiPin(true))
	api.Delete("/messages/:id/pin", s.apiPin(false))
}

func (s *Server) apiChannels(c *fiber.Ctx) error {
	_, chs, err := s.channels.List(c.UserContext(), viewerUser(c), pathParam(c, "slug"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": presentChannels(chs)})
}

type channelRequest struct {
	Name     *string `json:"name"`
	Topic    *string `json:"topic"`
	Archived *bool   `json:"archived"`
}

func (s *Server) apiCreateChannel(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.channels.Create(c.UserContext(), v.User, pathParam(c, "slug"), deref(req.Name), deref(req.Topic))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentChannel(ch))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Server) apiChannel(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.channels.Channel(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(presentChannel(a.Channel))
}

func (s *Server) apiUpdateChannel(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.channels.Update(c.UserContext(), v.User, id, forum.ChannelUpdate{Name: req.Name, Topic: req.Topic, Archived: req.Archived})
	if err != nil {
		return err
	}
	return c.JSON(presentChannel(ch))
}

// messagesResponse is a page of history, oldest first, with the way to the page before.
type messagesResponse struct {
	Items []messageJSON `json:"items"`
	More  bool          `json:"more"`           // older messages exist
	Prev  string        `json:"prev,omitempty"` // the URL of the page of older messages
}

// historyQuery reads before and limit.
func historyQuery(c *fiber.Ctx) (before int64, limit int, err error) {
	if b := c.Query("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before < 1 {
			return 0, 0, forum.Invalid("before", "invalid_before", "before must be a message id (a whole number of 1 or more).")
		}
	}
	if l := c.Query("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			return 0, 0, forum.Invalid("limit", "invalid_limit", "limit must be a whole number from 1 to %d.", forum.MaxMessagePage)
		}
	}
	return before, limit, nil
}

func (s *Server) apiMessages(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	before, limit, err := historyQuery(c)
	if err != nil {
		return err
	}
	_, page, err := s.channels.Messages(c.UserContext(), viewerUser(c), id, before, limit)
	if err != nil {
		return err
	}
	res := messagesResponse{Items: presentMessages(page.Items), More: page.More}
	if page.More && len(page.Items) > 0 {
		res.Prev = "/api/v1/channels/" + strconv.FormatInt(id, 10) + "/messages?before=" + strconv.FormatInt(page.Items[0].ID, 10)
		if limit != 0 {
			res.Prev += "&limit=" + strconv.Itoa(limit)
		}
	}
	return c.JSON(res)
}

type messageRequest struct {
	Body     string `json:"body"`
	ParentID int64  `json:"parent_id"`
}

func (s *Server) apiPostMessage(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req messageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.channels.Post(c.UserContext(), v.User, id, req.ParentID, req.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentMessage(m))
}

func (s *Server) apiPins(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	pins, err := s.channels.Pinned(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": presentMessages(pins)})
}

func (s *Server) apiMarkRead(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		MessageID int64 `json:"message_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.channels.MarkRead(c.UserContext(), v.User, id, req.MessageID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiMessage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	m, _, err := s.channels.Message(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(presentMessage(m))
}

func (s *Server) apiEditMessage(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	var req messageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.channels.Edit(c.UserContext(), v.User, id, req.Body)
	if err != nil {
		return err
	}
	return c.JSON(presentMessage(m))
}

func (s *Server) apiDeleteMessage(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := s.channels.Delete(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiThread(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	th, _, err := s.channels.Thread(c.UserContext(), viewerUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"parent": presentMessage(th.Parent), "items": presentMessages(th.Items)})
}

func (s *Server) apiMessageRevisions(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	revs, err := s.channels.Revisions(c.UserContext(), v.User, id)
	if err != nil {
		return err
	}
	type revisionJSON struct {
		ID       int64     `json:"id"`
		Body     string    `json:"body"`
		EditedBy int64     `json:"edited_by"`
		EditedAt time.Time `json:"edited_at"`
	}
	items := make([]revisionJSON, len(revs))
	for i, r := range revs {
		items[i] = revisionJSON{r.ID, r.Body, r.EditedBy, r.EditedAt}
	}
	return c.JSON(fiber.Map{"items": items})
}

// apiReact adds (POST: 200 with the message) or takes back (DELETE: 204) a reaction.
func (s *Server) apiReact(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, id, err := viewerAndID(c)
		if err != nil {
			return err
		}
		m, err := s.channels.React(c.UserContext(), v.User, id, pathParam(c, "emoji"), on)
		if err != nil {
			return err
		}
		if !on {
			return c.SendStatus(fiber.StatusNoContent)
		}
		return c.JSON(presentMessage(m))
	}
}

// apiPin pins (POST: 200 with the message) or unpins (DELETE: 204) a message.
func (s *Server) apiPin(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, id, err := viewerAndID(c)
		if err != nil {
			return err
		}
		m, err := s.channels.Pin(c.UserContext(), v.User, id, on)
		if err != nil {
			return err
		}
		if !on {
			return c.SendStatus(fiber.StatusNoContent)
		}
		return c.JSON(presentMessage(m))
	}
}
