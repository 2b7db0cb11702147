package forum

import (
	"context"
	"fmt"
	"time"
)

// The demo's directory: two clusters, the demo districts' facts (and two districts nobody
// from the demo belongs to yet), and what the demo people say about their work. The demo
// districts are fictional, so they carry no NCES id.

// DemoCluster is a cluster of the demo.
type DemoCluster struct {
	Slug, Name, Description string
}

// DemoDistrictFacts fills in a demo district's directory entry; a slug that SeedDemo did
// not create is a new district.
type DemoDistrictFacts struct {
	Slug, Name, State string
	Enrollment        int
	Locale            string // an NCES locale code or type
	Cluster, Profile  string
}

// DemoProfile is what a demo person states on their profile.
type DemoProfile struct {
	Username, Position   string
	Subjects, GradeBands []string
	TimeZone             string
}

// DemoDirectory is the demo's directory.
var DemoDirectory = struct {
	Clusters  []DemoCluster
	Districts []DemoDistrictFacts
	People    []DemoProfile
}{
	Clusters: []DemoCluster{
		{"great-lakes", "Great Lakes Innovation Cluster",
			"Districts around the lakes working on **computational thinking** across subjects and on new-teacher induction. Meets each spring and fall."},
		{"prairie-plains", "Prairie & Plains Rural Network",
			"Small and rural districts sharing staff development, **dual-credit courses** and the work of serving English-language learners across long distances."},
	},
	Districts: []DemoDistrictFacts{
		{"riverside", "Riverside Unified", "MI", 18400, "21", "great-lakes",
			"A suburban district of 24 schools on the Grand River. Working on standards-based grading in the middle grades and a K-12 computer science pathway."},
		{"harbor-point", "Harbor Point Public Schools", "WI", 9100, "13", "great-lakes",
			"A small-city district on the lake. Dual-language programs in six elementary schools; a math coaching model teachers ask about."},
		{"lakeshore", "Lakeshore Community Schools", "MI", 4300, "32", "great-lakes",
			"Four schools along the shore. Piloting 1:1 devices in grades 6-12."},
		{"maple-ridge", "Maple Ridge Area Schools", "MI", 2600, "33", "great-lakes",
			"A town district new to the network."},
		{"cedar-valley", "Cedar Valley Schools", "IA", 6200, "31", "prairie-plains",
			"Growing fast, with newcomer families from many countries: an ELL program built with neighbouring districts."},
		{"north-prairie", "North Prairie School District", "NE", 1100, "42", "prairie-plains",
			"Three schools, 600 square miles. Shares teachers and courses with its neighbours over video."},
		{"sandhills", "Sandhills Consolidated Schools", "NE", 310, "43", "prairie-plains",
			"One K-12 building serving the ranches of four counties."},
	},
	People: []DemoProfile{
		{"mrivera", "coach", []string{"math"}, []string{"6-8", "9-12"}, "America/Detroit"},
		{"dokafor", "principal", nil, []string{"6-8"}, "America/Chicago"},
		{"jchen.math", "teacher", []string{"math"}, []string{"9-12"}, "America/Chicago"},
		{"tkowalski", "district_leader", []string{"cs"}, []string{"k-2", "3-5", "6-8", "9-12"}, "America/Chicago"},
		{"aisha_b", "teacher", []string{"science"}, []string{"6-8"}, "America/Detroit"},
		{"sam.nguyen", "teacher", []string{"cs", "math"}, []string{"9-12"}, "America/Detroit"},
		{"lgarcia-ell", "teacher", []string{"ell"}, []string{"k-2", "3-5"}, "America/Chicago"},
		{"pwhitfield", "coach", []string{"ela"}, []string{"3-5", "6-8"}, "America/Chicago"},
		{"coach_ben", "coach", []string{"pe-health"}, []string{"6-8", "9-12"}, "America/Chicago"},
		{"hmorrison", "principal", nil, []string{"k-2", "3-5"}, "America/Detroit"},
		{"rfitzgerald", "researcher", []string{"math", "cs"}, nil, "America/Detroit"},
		{"kyamamoto", "teacher", []string{"arts"}, []string{"3-5"}, "America/Chicago"},
		{"olu.cs", "teacher", []string{"cs"}, []string{"9-12"}, "America/Chicago"},
		{"elena.p", "partner", []string{"special-education"}, []string{"pre-k", "k-2"}, "America/Chicago"},
	},
}

// SeedDemoDirectory stores the demo's directory, after SeedDemo: its clusters, the demo
// districts' facts, two more districts and the demo people's profile fields. It goes
// through the stores' own methods, so the demo is made as an administrator would make it.
func SeedDemoDirectory(ctx context.Context, dir DirectoryStore, users UserStore, render Renderer, now time.Time) error {
	for _, c := range DemoDirectory.Clusters {
		html, err := render.Body(c.Description)
		if err != nil {
			return err
		}
		if _, err := dir.CreateCluster(ctx, NewCluster{Slug: c.Slug, Name: c.Name, Description: Rendered{c.Description, html}, Now: now}); err != nil {
			return fmt.Errorf("demo cluster %s: %w", c.Slug, err)
		}
	}
	for _, f := range DemoDirectory.Districts {
		var l LocaleValue
		var err error
		if l.Locale, l.Code, err = ParseLocale("locale", f.Locale); err != nil {
			return err
		}
		html, err := render.Body(f.Profile)
		if err != nil {
			return err
		}
		enrollment := &f.Enrollment
		ch := DistrictChanges{Name: &f.Name, State: &f.State, Enrollment: &enrollment, Locale: &l, Profile: &Rendered{f.Profile, html},
			Cluster: &f.Cluster, Now: now}
		_, err = dir.UpdateDistrict(ctx, f.Slug, ch)
		if KindOf(err) == ENotFound {
			_, err = dir.CreateDistrict(ctx, NewDistrict{Slug: f.Slug, Name: f.Name, State: f.State, Enrollment: &f.Enrollment,
				Locale: l, Profile: Rendered{f.Profile, html}, Cluster: f.Cluster, Now: now})
		}
		if err != nil {
			return fmt.Errorf("demo district %s: %w", f.Slug, err)
		}
	}
	for _, p := range DemoDirectory.People {
		u, err := users.UserByLogin(ctx, p.Username)
		if err != nil {
			return fmt.Errorf("demo person %s: %w", p.Username, err)
		}
		subjects, bands := append([]string{}, p.Subjects...), append([]string{}, p.GradeBands...)
		upd := &ProfileFieldsUpdate{Position: &p.Position, Subjects: &subjects, GradeBands: &bands, TimeZone: &p.TimeZone}
		if err := upd.Normalize(); err != nil {
			return fmt.Errorf("demo person %s: %w", p.Username, err)
		}
		if _, err := users.UpdateUser(ctx, u.ID, UserUpdate{Profile: upd}); err != nil {
			return fmt.Errorf("demo person %s: %w", p.Username, err)
		}
	}
	return nil
}
