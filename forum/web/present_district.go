package web

import (
	"time"

	"staffroom/forum"
)

// profileFieldsJSON are the facts a person states about their work. They appear, flat
// beside the rest of the person, when the person was read whole (GET /users/{id}, /me).
type profileFieldsJSON struct {
	Position   *string  `json:"position"`
	Subjects   []string `json:"subjects"`
	GradeBands []string `json:"grade_bands"`
	TimeZone   *string  `json:"time_zone"`
}

func presentProfileFields(p *forum.ProfileFields) *profileFieldsJSON {
	if p == nil {
		return nil
	}
	j := &profileFieldsJSON{Subjects: p.Subjects, GradeBands: p.GradeBands}
	if p.Position != "" {
		j.Position = &p.Position
	}
	if p.TimeZone != "" {
		j.TimeZone = &p.TimeZone
	}
	if j.Subjects == nil {
		j.Subjects = []string{}
	}
	if j.GradeBands == nil {
		j.GradeBands = []string{}
	}
	return j
}

// districtItemJSON is a district in the directory's list (GET /api/v1/districts).
type districtItemJSON struct {
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	NCESID      *string `json:"nces_id"`
	Enrollment  *int    `json:"enrollment"`
	Locale      *string `json:"locale"`
	LocaleCode  *int    `json:"locale_code"`
	Cluster     *string `json:"cluster"` // the cluster's slug
	ClusterName string  `json:"cluster_name,omitempty"`
	PeopleCount int     `json:"people_count"`
	URL         string  `json:"url"`
}

func presentDistrictItem(d *forum.DistrictEntry) districtItemJSON {
	j := districtItemJSON{Slug: d.Slug, Name: d.Name, State: d.State, Enrollment: d.Enrollment, PeopleCount: d.People,
		URL: districtPath(d.Slug)}
	if d.NCESID != "" {
		j.NCESID = &d.NCESID
	}
	if d.Locale != "" {
		l := string(d.Locale)
		j.Locale = &l
	}
	if d.LocaleCode != 0 {
		j.LocaleCode = &d.LocaleCode
	}
	if d.Cluster != nil {
		j.Cluster, j.ClusterName = &d.Cluster.Slug, d.Cluster.Name
	}
	return j
}

// districtFullJSON is one district: the list's fields with its profile.
type districtFullJSON struct {
	districtItemJSON
	Profile     string    `json:"profile"`
	ProfileHTML string    `json:"profile_html"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func presentDistrict(d *forum.DistrictEntry) districtFullJSON {
	return districtFullJSON{districtItemJSON: presentDistrictItem(d), Profile: d.Profile, ProfileHTML: d.ProfileHTML,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// collaborativeRefJSON is a collaborative as a district or cluster lists it.
type collaborativeRefJSON struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Visibility  string `json:"visibility"`
}

func presentCollaboratives(cs []forum.CollaborativeRef) []collaborativeRefJSON {
	out := make([]collaborativeRefJSON, 0, len(cs))
	for _, c := range cs {
		v := "public"
		if c.Private {
			v = "private"
		}
		out = append(out, collaborativeRefJSON{Slug: c.Slug, Name: c.Name, Description: c.Description, Visibility: v})
	}
	return out
}

// people shows the people of a district or cluster: what anyone may see of them (never
// their email), with their profile fields.
func presentPeople(us []*forum.User) []userJSON {
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		out = append(out, presentUser(u, false))
	}
	return out
}

func presentQuestionList(ps []*forum.Post) []postJSON {
	out := make([]postJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, presentPost(p, false))
	}
	return out
}

// districtDetailJSON is GET /api/v1/districts/{slug}.
type districtDetailJSON struct {
	districtFullJSON
	People         []userJSON             `json:"people"`
	PeopleTotal    int                    `json:"people_total"`
	Questions      []postJSON             `json:"questions"`
	Collaboratives []collaborativeRefJSON `json:"collaboratives"`
}

func presentDistrictDetail(d *forum.DistrictDetail) districtDetailJSON {
	return districtDetailJSON{districtFullJSON: presentDistrict(d.District), People: presentPeople(d.People),
		PeopleTotal: d.PeopleTotal, Questions: presentQuestionList(d.Questions), Collaboratives: presentCollaboratives(d.Collaboratives)}
}

// clusterJSON is a cluster in the list and on its own.
type clusterJSON struct {
	Slug            string    `json:"slug"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	DescriptionHTML string    `json:"description_html"`
	DistrictCount   int       `json:"district_count"`
	PeopleCount     int       `json:"people_count"`
	URL             string    `json:"url"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func presentCluster(c *forum.Cluster) clusterJSON {
	return clusterJSON{Slug: c.Slug, Name: c.Name, Description: c.Description, DescriptionHTML: c.DescriptionHTML,
		DistrictCount: c.Districts, PeopleCount: c.People, URL: clusterPath(c.Slug), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// clusterDetailJSON is GET /api/v1/clusters/{slug}.
type clusterDetailJSON struct {
	clusterJSON
	Districts      []districtItemJSON     `json:"districts"`
	DistrictsTotal int                    `json:"districts_total"` // the rest: GET /districts?cluster=
	People         []userJSON             `json:"people"`
	PeopleTotal    int                    `json:"people_total"`
	Questions      []postJSON             `json:"questions"`
	Collaboratives []collaborativeRefJSON `json:"collaboratives"`
}

func presentClusterDetail(d *forum.ClusterDetail) clusterDetailJSON {
	j := clusterDetailJSON{clusterJSON: presentCluster(d.Cluster), DistrictsTotal: d.DistrictsTotal, People: presentPeople(d.People), PeopleTotal: d.PeopleTotal,
		Questions: presentQuestionList(d.Questions), Collaboratives: presentCollaboratives(d.Collaboratives),
		Districts: make([]districtItemJSON, 0, len(d.Districts))}
	for _, dist := range d.Districts {
		j.Districts = append(j.Districts, presentDistrictItem(dist))
	}
	return j
}

// districtPath and clusterPath are the pages of a district and a cluster; slugs are
// [a-z0-9-], which need no escaping.
func districtPath(slug string) string { return "/districts/" + slug }
func clusterPath(slug string) string  { return "/clusters/" + slug }

// profileUpdate is the profile fields' part of PATCH /api/v1/me; nil when it has none.
func (r updateMeRequest) profileUpdate() *forum.ProfileFieldsUpdate {
	upd := &forum.ProfileFieldsUpdate{District: r.District.orEmpty(), Position: r.Position.orEmpty(),
		Subjects: r.Subjects.orEmpty(), GradeBands: r.GradeBands.orEmpty(), TimeZone: r.TimeZone.orEmpty()}
	if upd.Empty() {
		return nil
	}
	return upd
}
