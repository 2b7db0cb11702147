package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// Tag synonyms: GET, POST /api/v1/tags/{name}/synonyms.

type synonymJSON struct {
	Synonym   string    `json:"synonym"`
	Master    string    `json:"master"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func presentSynonym(s forum.TagSynonym) synonymJSON {
	return synonymJSON{Synonym: s.Synonym, Master: s.Master, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt}
}

func (s *Server) apiTagSynonyms(c *fiber.Ctx) error {
	list, err := s.synonyms.List(c.UserContext(), pathParam(c, "name"))
	if err != nil {
		return err
	}
	items := make([]synonymJSON, 0, len(list))
	for _, ts := range list {
		items = append(items, presentSynonym(ts))
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *Server) apiAddTagSynonym(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var in struct {
		Synonym string `json:"synonym"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ts, err := s.synonyms.Add(c.UserContext(), v.User, pathParam(c, "name"), in.Synonym)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentSynonym(*ts))
}
