package web

import (
	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The district directory's API: reading is open to everyone, writing to administrators
// (forum.CanManageDirectory).

// districtFilter reads the directory's query parameters.
func districtFilter(c *fiber.Ctx) (forum.DistrictFilter, error) {
	page, err := queryPage(c)
	if err != nil {
		return forum.DistrictFilter{}, err
	}
	return forum.DistrictFilter{Query: c.Query("q"), State: c.Query("state"), Cluster: c.Query("cluster"),
		Locale: c.Query("locale"), Page: page}, nil
}

func (s *Server) apiDistricts(c *fiber.Ctx) error {
	f, err := districtFilter(c)
	if err != nil {
		return err
	}
	res, err := s.directory.Districts(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]districtItemJSON, 0, len(res.Items))
	for _, d := range res.Items {
		items = append(items, presentDistrictItem(d))
	}
	return c.JSON(listResponse[districtItemJSON]{Items: items, Total: res.Total, Page: res.Page})
}

func (s *Server) apiDistrict(c *fiber.Ctx) error {
	d, err := s.directory.District(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(presentDistrictDetail(d))
}

// districtRequest is POST /api/v1/districts.
type districtRequest struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	State      string `json:"state"`
	NCESID     string `json:"nces_id"`
	Enrollment *int   `json:"enrollment"`
	Locale     string `json:"locale"`
	Profile    string `json:"profile"`
	Cluster    string `json:"cluster"`
}

func (s *Server) apiCreateDistrict(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req districtRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.directory.CreateDistrict(c.UserContext(), v.User, forum.DistrictInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentDistrict(d))
}

// districtPatch is PATCH /api/v1/districts/{slug}: a field left out stays as it is; null
// empties nces_id, enrollment, locale, profile and cluster.
type districtPatch struct {
	Slug       nullable[string] `json:"slug"`
	Name       nullable[string] `json:"name"`
	State      nullable[string] `json:"state"`
	NCESID     nullable[string] `json:"nces_id"`
	Enrollment nullable[int]    `json:"enrollment"`
	Locale     nullable[string] `json:"locale"`
	Profile    nullable[string] `json:"profile"`
	Cluster    nullable[string] `json:"cluster"`
}

func (s *Server) apiUpdateDistrict(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req districtPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.directory.UpdateDistrict(c.UserContext(), v.User, c.Params("slug"), forum.DistrictUpdate{
		Slug: req.Slug.orEmpty(), Name: req.Name.orEmpty(), State: req.State.orEmpty(), NCESID: req.NCESID.orEmpty(),
		Enrollment: req.Enrollment.orNil(), Locale: req.Locale.orEmpty(), Profile: req.Profile.orEmpty(), Cluster: req.Cluster.orEmpty(),
	})
	if err != nil {
		return err
	}
	return c.JSON(presentDistrict(d))
}

func (s *Server) apiClusters(c *fiber.Ctx) error {
	cs, err := s.directory.Clusters(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]clusterJSON, 0, len(cs))
	for _, cl := range cs {
		items = append(items, presentCluster(cl))
	}
	// Clusters are few (a network has a handful): one page holds them all.
	return c.JSON(listResponse[clusterJSON]{Items: items, Total: len(items), Page: 1})
}

func (s *Server) apiCluster(c *fiber.Ctx) error {
	d, err := s.directory.Cluster(c.UserContext(), viewerUser(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(presentClusterDetail(d))
}

// clusterRequest is POST /api/v1/clusters.
type clusterRequest struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) apiCreateCluster(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req clusterRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cl, err := s.directory.CreateCluster(c.UserContext(), v.User, forum.ClusterInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(presentCluster(cl))
}

// clusterPatch is PATCH /api/v1/clusters/{slug}; null empties the description.
type clusterPatch struct {
	Slug        nullable[string] `json:"slug"`
	Name        nullable[string] `json:"name"`
	Description nullable[string] `json:"description"`
}

func (s *Server) apiUpdateCluster(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	var req clusterPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cl, err := s.directory.UpdateCluster(c.UserContext(), v.User, c.Params("slug"), forum.ClusterUpdate{
		Slug: req.Slug.orEmpty(), Name: req.Name.orEmpty(), Description: req.Description.orEmpty(),
	})
	if err != nil {
		return err
	}
	return c.JSON(presentCluster(cl))
}

// directoryAPIRoutes are the directory's endpoints under /api/v1.
func (s *Server) directoryAPIRoutes(api fiber.Router) {
	if s.directory == nil {
		return
	}
	api.Get("/districts", s.apiDistricts)
	api.Post("/districts", requireDirectoryAdmin, s.idempotent, s.apiCreateDistrict)
	api.Get("/districts/:slug", s.apiDistrict)
	api.Patch("/districts/:slug", requireDirectoryAdmin, s.apiUpdateDistrict)
	api.Get("/clusters", s.apiClusters)
	api.Post("/clusters", requireDirectoryAdmin, s.idempotent, s.apiCreateCluster)
	api.Get("/clusters/:slug", s.apiCluster)
	api.Patch("/clusters/:slug", requireDirectoryAdmin, s.apiUpdateCluster)
}

// requireDirectoryAdmin answers 401 or 403 before a write's body is read, so that who may
// not write learns that first, whatever they sent. The service checks again.
func requireDirectoryAdmin(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if err := forum.CanManageDirectory(v.User); err != nil {
		return err
	}
	return c.Next()
}
