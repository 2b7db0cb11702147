package web

import (
	"html/template"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The directory's pages: /districts (filters, search, pages), /districts/{slug} and
// /clusters/{slug}. They work without JavaScript and show nobody's email.

// directoryFuncs are the template helpers of the directory and of profile fields.
var directoryFuncs = template.FuncMap{
	"districtPath":   districtPath,
	"clusterPath":    clusterPath,
	"stateName":      forum.StateName,
	"localeLabel":    func(l forum.Locale, code int) string { return forum.LocaleLabel(l, code) },
	"positionLabel":  func(v string) string { return forum.TermLabel(forum.Positions, v) },
	"subjectLabel":   func(v string) string { return forum.TermLabel(forum.Subjects, v) },
	"gradeBandLabel": func(v string) string { return forum.TermLabel(forum.GradeBands, v) },
	"thousands":      thousands,
}

// thousands writes a count with thousands separators: 18,400.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// districtsForm is the directory's filter form as the reader filled it in.
type districtsForm struct {
	Q, State, Cluster, Locale string
}

// districtsView is the data of /districts.
type districtsView struct {
	Districts []*forum.DistrictEntry
	Total     int
	Form      districtsForm
	Filtered  bool
	States    []forum.StateCount
	Clusters  []*forum.Cluster
	Locales   []forum.Term
	Pages     pager
}

func (s *Server) districtsPage(c *fiber.Ctx) error {
	f, err := districtFilter(c)
	if err != nil {
		return err
	}
	form := districtsForm{Q: f.Query, State: f.State, Cluster: f.Cluster, Locale: f.Locale}
	res, err := s.directory.Districts(c.UserContext(), f)
	if err != nil {
		return err
	}
	states, err := s.directory.States(c.UserContext())
	if err != nil {
		return err
	}
	clusters, err := s.directory.Clusters(c.UserContext())
	if err != nil {
		return err
	}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range map[string]string{"q": form.Q, "state": form.State, "cluster": form.Cluster, "locale": form.Locale} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return "/districts"
		}
		return "/districts?" + q.Encode()
	}
	return s.render(c, fiber.StatusOK, "districts", s.page(c, "Districts", districtsView{
		Districts: res.Items, Total: res.Total, Form: form, Filtered: form != districtsForm{},
		States: states, Clusters: clusters, Locales: forum.Locales,
		Pages: newPager(res.Page, forum.DirectoryPageSize, res.Total, link),
	}))
}

func (s *Server) districtPage(c *fiber.Ctx) error {
	d, err := s.directory.District(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "district", s.page(c, d.District.Name, d))
}

func (s *Server) clusterPage(c *fiber.Ctx) error {
	d, err := s.directory.Cluster(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "cluster", s.page(c, d.Cluster.Name, d))
}

// directoryRoutes are the directory's pages.
func (s *Server) directoryRoutes(app fiber.Router) {
	if s.directory == nil {
		return
	}
	app.Get("/districts", s.districtsPage)
	app.Get("/districts/:slug", s.districtPage)
	app.Get("/clusters/:slug", s.clusterPage)
}
