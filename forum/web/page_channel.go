package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
	"staffroom/moderation"
)

// The channel's page, /c/{slug}/channels/{id}: its history (newest at the bottom, older
// pages by ?before=), a form to post, threads at /c/{slug}/channels/{id}/threads/{mid},
// reactions, pins and deletion as forms. All of it works without JavaScript;
// assets/static/js/channel.js makes it live over the channel's topic.

// quickReactions are the reactions the page offers as buttons; the API takes any emoji.
var quickReactions = []string{"👍", "🎉", "❤️", "👀", "✅"}

// channelView is the data of the channel's page.
type channelView struct {
	*forum.ChannelView
	Channel       *forum.Channel
	Collaborative *forum.Collaborative
	Path          string // the channel's page
	Older         string // the page of older messages, "" when none
	Newest        bool   // this page ends with the newest message
	CanWrite      bool
	WriteRefusal  string // why the form is not offered, when it is not
	CanManage     bool
	CanFlag       bool                 // the viewer holds the flag privilege: messages offer the flag dialog
	Thread        *forum.MessageThread // the open thread, nil when none
	ThreadPath    string
	Reactions     []string
	ViewerID      int64
	Topic         string // the live topic and its head when the page's data was read
	Seq           int64
	CSRF          string // for the forms drawn per message
}

func (s *Server) channelRoutes(app *fiber.App) {
	if s.channels == nil {
		return
	}
	app.Get("/c/:slug/channels/:id", s.channelPage)
	app.Get("/c/:slug/channels/:id/threads/:mid", s.channelPage)
	app.Post("/c/:slug/channels/:id/messages", s.meter(moderation.ActionMessage), s.messageSubmit)
	app.Post("/c/:slug/channels/:id/messages/:mid/reactions", s.reactionSubmit)
	app.Post("/c/:slug/channels/:id/messages/:mid/pin", s.pinSubmit)
	app.Post("/c/:slug/channels/:id/messages/:mid/delete", s.messageDeleteSubmit)
}

func (s *Server) channelPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var before int64
	if b := c.Query("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before < 1 {
			return forum.Invalid("before", "invalid_before", "before must be a message id.")
		}
	}
	slug := pathParam(c, "slug")
	u := viewerUser(c)
	topic := forum.TopicChannel(id)
	// The head is read before the data, so that the script's resume misses nothing. It is
	// read only for a channel the reader may see (below): a refusal must not differ.
	var seq int64
	if s.events != nil && s.live != nil {
		if seq, err = s.events.TopicHead(c.UserContext(), topic); err != nil {
			return err
		}
	}
	cv, err := s.channels.View(c.UserContext(), u, slug, id, before)
	if err != nil {
		return err
	}
	a := cv.Access
	v := &channelView{ChannelView: cv, Channel: a.Channel, Collaborative: a.Collaborative, Path: channelPath(slug, id),
		Newest: before == 0, CanManage: a.CanManage(), Reactions: quickReactions}
	if s.events != nil && s.live != nil {
		v.Topic, v.Seq = topic, seq
	}
	if u != nil {
		v.ViewerID = u.ID
		v.CanFlag = s.moderation != nil && s.moderation.CanFlag(u)
	}
	if err := a.CheckWrite(); err != nil {
		v.WriteRefusal = forum.AsError(err).Message
	} else {
		v.CanWrite = true
	}
	if cv.Page.More && len(cv.Page.Items) > 0 {
		v.Older = v.Path + "?before=" + strconv.FormatInt(cv.Page.Items[0].ID, 10)
	}
	if c.Params("mid") != "" {
		mid, err := paramID(c, "mid")
		if err != nil {
			return err
		}
		th, ta, err := s.channels.Thread(c.UserContext(), u, mid)
		if err != nil {
			return err
		}
		if ta.Channel.ID != id {
			return forum.NotFoundMessage(mid)
		}
		v.Thread, v.ThreadPath = th, v.Path+"/threads/"+strconv.FormatInt(th.Parent.ID, 10)
	}
	title := "#" + a.Channel.Name + " · " + a.Collaborative.Name
	p := s.page(c, title, v)
	v.CSRF = p.CSRF
	return s.render(c, fiber.StatusOK, "channel", p)
}

func messageAnchor(id int64, inThread bool) string {
	if inThread {
		return "t" + strconv.FormatInt(id, 10)
	}
	return "m" + strconv.FormatInt(id, 10)
}

// channelFormTarget is where a channel form goes back to: the thread it was sent from, or
// the channel.
func channelFormTarget(c *fiber.Ctx, channel string) string {
	if t := c.FormValue("thread"); t != "" {
		if id, err := strconv.ParseInt(t, 10, 64); err == nil && id > 0 {
			return channel + "/threads/" + strconv.FormatInt(id, 10)
		}
	}
	return channel
}

func (s *Server) messageSubmit(c *fiber.Ctx) error {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return err
	}
	page := channelFormTarget(c, channelPath(pathParam(c, "slug"), id))
	var parent int64
	if p := c.FormValue("parent_id"); p != "" {
		if parent, err = strconv.ParseInt(p, 10, 64); err != nil {
			parent = -1 // refused by the service as bad_parent
		}
	}
	body := c.FormValue("body")
	m, err := s.channels.Post(c.UserContext(), v.User, id, parent, body)
	if err != nil {
		form := "message"
		if parent != 0 {
			form = "reply"
		}
		return s.formFailed(c, err, failedForm{page: page, anchor: form + "-form", values: map[string]string{"form": form, "body": body},
			inPlace: func(ff *formFlash) error { return s.renderError(c, ff.status, forum.AsError(err)) }})
	}
	return c.Redirect(page+"#"+messageAnchor(m.ID, parent != 0), fiber.StatusSeeOther)
}

// messageForm reads a message form's ids: the viewer, the channel and the message.
func messageForm(c *fiber.Ctx) (*forum.Viewer, string, int64, error) {
	v, id, err := pageViewerAndID(c)
	if v == nil || err != nil {
		return nil, "", 0, err
	}
	mid, err := paramID(c, "mid")
	if err != nil {
		return nil, "", 0, err
	}
	return v, channelFormTarget(c, channelPath(pathParam(c, "slug"), id)), mid, nil
}

// channelActionFailed answers a failed reaction, pin or deletion form: back to the page,
// which shows why.
func (s *Server) channelActionFailed(c *fiber.Ctx, page string, err error) error {
	return s.formFailed(c, err, failedForm{page: page, values: map[string]string{"form": "action"},
		inPlace: func(ff *formFlash) error { return s.renderError(c, ff.status, forum.AsError(err)) }})
}

func (s *Server) reactionSubmit(c *fiber.Ctx) error {
	v, page, mid, err := messageForm(c)
	if v == nil || err != nil {
		return err
	}
	if _, err := s.channels.React(c.UserContext(), v.User, mid, c.FormValue("emoji"), c.FormValue("remove") == ""); err != nil {
		return s.channelActionFailed(c, page, err)
	}
	return c.Redirect(page+"#"+messageAnchor(mid, c.FormValue("thread") != ""), fiber.StatusSeeOther)
}

func (s *Server) pinSubmit(c *fiber.Ctx) error {
	v, page, mid, err := messageForm(c)
	if v == nil || err != nil {
		return err
	}
	if _, err := s.channels.Pin(c.UserContext(), v.User, mid, c.FormValue("unpin") == ""); err != nil {
		return s.channelActionFailed(c, page, err)
	}
	return c.Redirect(page+"#"+messageAnchor(mid, c.FormValue("thread") != ""), fiber.StatusSeeOther)
}

func (s *Server) messageDeleteSubmit(c *fiber.Ctx) error {
	v, page, mid, err := messageForm(c)
	if v == nil || err != nil {
		return err
	}
	if err := s.channels.Delete(c.UserContext(), v.User, mid); err != nil {
		return s.channelActionFailed(c, page, err)
	}
	return c.Redirect(page, fiber.StatusSeeOther)
}

// channelFuncs are the channel page's template helpers.
var channelFuncs = map[string]any{
	"channelPath": channelPath,
	// reacted reports whether the reader is among a reaction's people.
	"reacted": func(r forum.Reaction, viewerID int64) bool {
		for _, id := range r.Users {
			if id == viewerID {
				return true
			}
		}
		return false
	},
	// messageAnchor is a message's id on the page: m{id} in the history, t{id} in the
	// thread panel (a thread's parent shows in both).
	"messageAnchor": messageAnchor,
	// canDelete reports whether the reader may delete the message (the form is offered).
	"canDelete": func(a forum.ChannelAccess, m *forum.Message) bool {
		_, err := a.CheckDeleteMessage(m)
		return err == nil
	},
}

// messageItem is one message as the page's "channel-message" template draws it.
type messageItem struct {
	M        *forum.Message
	V        *channelView
	InThread bool // drawn in the thread panel: no "reply" link, forms come back to the thread
}

func init() {
	channelFuncs["item"] = func(v *channelView, m *forum.Message, inThread bool) messageItem {
		return messageItem{M: m, V: v, InThread: inThread}
	}
}
