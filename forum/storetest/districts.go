package storetest

import (
	"context"
	"html"
	"slices"
	"testing"

	"staffroom/forum"
)

// The district directory (forum.DirectoryStore) and people's profile fields
// (forum.UserUpdate.Profile, read back by UserByID).

func mustCluster(t *testing.T, s forum.DirectoryStore, slug, name string) *forum.Cluster {
	t.Helper()
	c, err := s.CreateCluster(context.Background(), forum.NewCluster{Slug: slug, Name: name, Now: t0})
	if err != nil {
		t.Fatalf("create cluster %s: %v", slug, err)
	}
	return c
}

func mustDistrict(t *testing.T, s forum.DirectoryStore, nd forum.NewDistrict) *forum.DistrictEntry {
	t.Helper()
	if nd.Now.IsZero() {
		nd.Now = t0
	}
	if nd.Slug == "" && nd.SlugBase == "" {
		nd.SlugBase = forum.Slugify(nd.Name, "district")
	}
	d, err := s.CreateDistrict(context.Background(), nd)
	if err != nil {
		t.Fatalf("create district %s: %v", nd.Name, err)
	}
	return d
}

func setProfile(t *testing.T, s forum.UserStore, u *forum.User, upd forum.ProfileFieldsUpdate) *forum.User {
	t.Helper()
	if err := upd.Normalize(); err != nil {
		t.Fatal(err)
	}
	got, err := s.UpdateUser(context.Background(), u.ID, forum.UserUpdate{Profile: &upd})
	if err != nil {
		t.Fatalf("update %s's profile: %v", u.Username, err)
	}
	return got
}

func ptr[T any](v T) *T { return &v }

func districtSlugs(ds []*forum.DistrictEntry) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Slug)
	}
	return out
}

func testClusters(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("create, read, list and update", func(t *testing.T) {
		s := open(t)
		c, err := s.CreateCluster(ctx, forum.NewCluster{Slug: "great-lakes", Name: "Great Lakes",
			Description: forum.Rendered{Text: "*Lakes*", HTML: "<p><em>Lakes</em></p>"}, Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		if c.Slug != "great-lakes" || c.Name != "Great Lakes" || c.DescriptionHTML != "<p><em>Lakes</em></p>" || !c.CreatedAt.Equal(t0) {
			t.Fatalf("created %+v", c)
		}
		mustCluster(t, s, "appalachia", "Appalachian Network")
		list, err := s.Clusters(ctx)
		if err != nil || len(list) != 2 || list[0].Slug != "appalachia" {
			t.Fatalf("clusters by name = %v, %v", list, err)
		}
		later := t0.Add(3600e9)
		got, err := s.UpdateCluster(ctx, "great-lakes", forum.ClusterChanges{Name: ptr("Great Lakes Cluster"), Slug: ptr("lakes"), Now: later})
		if err != nil || got.Slug != "lakes" || got.Name != "Great Lakes Cluster" || got.Description != "*Lakes*" || !got.UpdatedAt.Equal(later) {
			t.Fatalf("updated %+v, %v", got, err)
		}
		_, err = s.ClusterBySlug(ctx, "great-lakes")
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("a taken slug is a conflict; a derived one finds a free form", func(t *testing.T) {
		s := open(t)
		mustCluster(t, s, "lakes", "Lakes")
		_, err := s.CreateCluster(ctx, forum.NewCluster{Slug: "lakes", Name: "Other", Now: t0})
		wantCode(t, err, forum.EConflict, "slug_taken")
		c, err := s.CreateCluster(ctx, forum.NewCluster{SlugBase: "lakes", Name: "Lakes again", Now: t0})
		if err != nil || c.Slug != "lakes-2" {
			t.Fatalf("derived slug = %v, %v; want lakes-2", c, err)
		}
		mustCluster(t, s, "plains", "Plains")
		_, err = s.UpdateCluster(ctx, "plains", forum.ClusterChanges{Slug: ptr("lakes"), Now: t0})
		wantCode(t, err, forum.EConflict, "slug_taken")
		_, err = s.UpdateCluster(ctx, "nowhere", forum.ClusterChanges{Name: ptr("X"), Now: t0})
		wantCode(t, err, forum.ENotFound, "")
	})
}

func testDistricts(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("create and read every fact", func(t *testing.T) {
		s := open(t)
		mustCluster(t, s, "lakes", "Lakes")
		d, err := s.CreateDistrict(ctx, forum.NewDistrict{Slug: "riverside", Name: "Riverside Unified", State: "MI", NCESID: "2629940",
			Enrollment: ptr(18400), Locale: forum.LocaleValue{Locale: forum.LocaleSuburb, Code: 21},
			Profile: forum.Rendered{Text: "Hi", HTML: "<p>Hi</p>"}, Cluster: "lakes", Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		if d.Slug != "riverside" || d.State != "MI" || d.NCESID != "2629940" || d.Enrollment == nil || *d.Enrollment != 18400 ||
			d.Locale != forum.LocaleSuburb || d.LocaleCode != 21 || d.ProfileHTML != "<p>Hi</p>" || d.Cluster == nil ||
			d.Cluster.Slug != "lakes" || d.People != 0 || !d.CreatedAt.Equal(t0) {
			t.Fatalf("created %+v", d)
		}
		bare := mustDistrict(t, s, forum.NewDistrict{Name: "Plain District", State: "IA"})
		if bare.NCESID != "" || bare.Enrollment != nil || bare.Locale != "" || bare.LocaleCode != 0 || bare.Cluster != nil {
			t.Fatalf("a district with only a name and state: %+v", bare)
		}
		c, _ := s.ClusterBySlug(ctx, "lakes")
		if c.Districts != 1 {
			t.Errorf("cluster counts %d districts, want 1", c.Districts)
		}
	})
	t.Run("duplicates, unknown clusters", func(t *testing.T) {
		s := open(t)
		mustDistrict(t, s, forum.NewDistrict{Slug: "riverside", Name: "Riverside", State: "MI", NCESID: "2629940"})
		_, err := s.CreateDistrict(ctx, forum.NewDistrict{Slug: "riverside", Name: "Riverside 2", State: "CA", Now: t0})
		wantCode(t, err, forum.EConflict, "slug_taken")
		_, err = s.CreateDistrict(ctx, forum.NewDistrict{Slug: "other", Name: "Other", State: "MI", NCESID: "2629940", Now: t0})
		wantCode(t, err, forum.EConflict, "nces_id_taken")
		_, err = s.CreateDistrict(ctx, forum.NewDistrict{Slug: "third", Name: "Third", State: "MI", Cluster: "nope", Now: t0})
		wantCode(t, err, forum.EInvalid, "unknown_cluster")
		if e := forum.AsError(err); e.Field != "cluster" {
			t.Errorf("unknown cluster names field %q", e.Field)
		}
		if _, n, _ := s.Districts(ctx, forum.DistrictFilter{}); n != 1 {
			t.Errorf("refused districts were stored: %d districts", n)
		}
	})
	t.Run("derived slugs: the name, then with the state, then numbered", func(t *testing.T) {
		s := open(t)
		var got []string
		for _, st := range []string{"IL", "MO", "IL", "IL"} {
			got = append(got, mustDistrict(t, s, forum.NewDistrict{Name: "Springfield Public Schools", State: st}).Slug)
		}
		want := []string{"springfield-public-schools", "springfield-public-schools-mo", "springfield-public-schools-il", "springfield-public-schools-il-2"}
		if !slices.Equal(got, want) {
			t.Fatalf("slugs = %v, want %v", got, want)
		}
	})
	t.Run("update sets and clears facts", func(t *testing.T) {
		s := open(t)
		mustCluster(t, s, "lakes", "Lakes")
		mustCluster(t, s, "plains", "Plains")
		mustDistrict(t, s, forum.NewDistrict{Slug: "riverside", Name: "Riverside", State: "MI", NCESID: "2629940", Enrollment: ptr(100),
			Locale: forum.LocaleValue{Locale: forum.LocaleCity, Code: 11}, Cluster: "lakes"})
		mustDistrict(t, s, forum.NewDistrict{Slug: "taken", Name: "Taken", State: "MI", NCESID: "2600001"})
		later := t0.Add(7200e9)
		var noEnrollment *int
		d, err := s.UpdateDistrict(ctx, "riverside", forum.DistrictChanges{Name: ptr("Riverside Unified"), State: ptr("WI"),
			NCESID: ptr(""), Enrollment: &noEnrollment, Locale: &forum.LocaleValue{Locale: forum.LocaleRural},
			Cluster: ptr("plains"), Profile: &forum.Rendered{Text: "x", HTML: "<p>x</p>"}, Slug: ptr("riverside-unified"), Now: later})
		if err != nil {
			t.Fatal(err)
		}
		if d.Slug != "riverside-unified" || d.Name != "Riverside Unified" || d.State != "WI" || d.NCESID != "" || d.Enrollment != nil ||
			d.Locale != forum.LocaleRural || d.LocaleCode != 0 || d.Cluster.Slug != "plains" || d.Profile != "x" || !d.UpdatedAt.Equal(later) {
			t.Fatalf("updated %+v", d)
		}
		d, err = s.UpdateDistrict(ctx, "riverside-unified", forum.DistrictChanges{Cluster: ptr(""), Locale: &forum.LocaleValue{}, Now: later})
		if err != nil || d.Cluster != nil || d.Locale != "" || d.Name != "Riverside Unified" {
			t.Fatalf("cleared: %+v, %v", d, err)
		}
		_, err = s.UpdateDistrict(ctx, "riverside-unified", forum.DistrictChanges{NCESID: ptr("2600001"), Now: later})
		wantCode(t, err, forum.EConflict, "nces_id_taken")
		_, err = s.UpdateDistrict(ctx, "riverside-unified", forum.DistrictChanges{Slug: ptr("taken"), Now: later})
		wantCode(t, err, forum.EConflict, "slug_taken")
		_, err = s.UpdateDistrict(ctx, "riverside-unified", forum.DistrictChanges{Cluster: ptr("nope"), Name: ptr("Changed"), Now: later})
		wantCode(t, err, forum.EInvalid, "unknown_cluster")
		if d, _ := s.DistrictBySlug(ctx, "riverside-unified"); d.Name != "Riverside Unified" {
			t.Errorf("a refused update changed the name to %q", d.Name)
		}
		_, err = s.UpdateDistrict(ctx, "nowhere", forum.DistrictChanges{Name: ptr("X"), Now: later})
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("the directory filters, pages and counts", func(t *testing.T) {
		s := open(t)
		mustCluster(t, s, "lakes", "Lakes")
		for _, d := range []forum.NewDistrict{
			{Name: "Ámbar Valley Schools", State: "MI", Locale: forum.LocaleValue{Locale: forum.LocaleRural, Code: 42}, Cluster: "lakes"},
			{Name: "Bay City Schools", State: "MI", Locale: forum.LocaleValue{Locale: forum.LocaleCity}},
			{Name: "Cedar Valley Schools", State: "IA", Locale: forum.LocaleValue{Locale: forum.LocaleTown}, Cluster: "lakes"},
			{Name: "Dune Schools", State: "IN"},
		} {
			mustDistrict(t, s, d)
		}
		for _, c := range []struct {
			f    forum.DistrictFilter
			want []string
		}{
			{forum.DistrictFilter{}, []string{"ambar-valley-schools", "bay-city-schools", "cedar-valley-schools", "dune-schools"}},
			{forum.DistrictFilter{Query: "VALLEY"}, []string{"ambar-valley-schools", "cedar-valley-schools"}},
			{forum.DistrictFilter{Query: "ámbar"}, []string{"ambar-valley-schools"}},
			{forum.DistrictFilter{State: "mi"}, []string{"ambar-valley-schools", "bay-city-schools"}},
			{forum.DistrictFilter{Cluster: "lakes", Locale: "town"}, []string{"cedar-valley-schools"}},
			{forum.DistrictFilter{Cluster: "no-such-cluster"}, []string{}},
			{forum.DistrictFilter{PageSize: 3, Page: 2}, []string{"dune-schools"}},
		} {
			got, total, err := s.Districts(ctx, c.f)
			if err != nil || !slices.Equal(districtSlugs(got), c.want) {
				t.Errorf("%+v: %v, %v; want %v", c.f, districtSlugs(got), err, c.want)
			}
			if c.f.PageSize == 3 && total != 4 {
				t.Errorf("a later page's total = %d, want 4", total)
			}
		}
		states, err := s.DistrictStates(ctx)
		if err != nil || len(states) != 3 {
			t.Fatalf("states = %v, %v", states, err)
		}
		for _, st := range states {
			if st.Code == "MI" && st.Districts != 2 {
				t.Errorf("MI has %d districts, want 2", st.Districts)
			}
		}
		choices, err := s.DistrictChoices(ctx, 3)
		if err != nil || len(choices) != 3 || choices[0].State != "IA" || choices[0].Name != "Cedar Valley Schools" {
			t.Fatalf("choices = %v, %v; want 3, by state then name", choices, err)
		}
	})
}

func testProfileFields(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("set, read back whole, clear", func(t *testing.T) {
		s := open(t)
		mustDistrict(t, s, forum.NewDistrict{Slug: "riverside", Name: "Riverside", State: "MI"})
		u := MustCreateUser(t, s, "teacher1")
		if u.Profile == nil || u.Profile.Position != "" || u.Profile.Subjects == nil || len(u.Profile.Subjects) != 0 {
			t.Fatalf("a new account's profile fields: %+v", u.Profile)
		}
		got := setProfile(t, s, u, forum.ProfileFieldsUpdate{District: ptr("riverside"), Position: ptr("coach"),
			Subjects: &[]string{"science", "math"}, GradeBands: &[]string{"9-12", "6-8"}, TimeZone: ptr("America/Detroit")})
		p := got.Profile
		if got.District == nil || got.District.Slug != "riverside" || p.Position != "coach" || p.TimeZone != "America/Detroit" ||
			!slices.Equal(p.Subjects, []string{"math", "science"}) || !slices.Equal(p.GradeBands, []string{"6-8", "9-12"}) {
			t.Fatalf("profile = district %v, %+v", got.District, p)
		}
		again, _ := s.UserByID(ctx, u.ID)
		if again.Profile.Position != "coach" || len(again.Profile.Subjects) != 2 {
			t.Fatalf("read back: %+v", again.Profile)
		}
		got = setProfile(t, s, u, forum.ProfileFieldsUpdate{Subjects: &[]string{"cs"}})
		if !slices.Equal(got.Profile.Subjects, []string{"cs"}) || got.Profile.Position != "coach" || len(got.Profile.GradeBands) != 2 {
			t.Fatalf("changing subjects alone: %+v", got.Profile)
		}
		got = setProfile(t, s, u, forum.ProfileFieldsUpdate{District: ptr(""), Position: ptr(""), Subjects: &[]string{},
			GradeBands: &[]string{}, TimeZone: ptr("")})
		if got.District != nil || got.Profile.Position != "" || len(got.Profile.Subjects)+len(got.Profile.GradeBands) != 0 || got.Profile.TimeZone != "" {
			t.Fatalf("cleared: district %v, %+v", got.District, got.Profile)
		}
	})
	t.Run("an unknown district refuses the whole update", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "teacher2")
		name := "New Name"
		_, err := s.UpdateUser(ctx, u.ID, forum.UserUpdate{DisplayName: &name,
			Profile: &forum.ProfileFieldsUpdate{District: ptr("atlantis"), Position: ptr("teacher")}})
		wantCode(t, err, forum.EInvalid, "unknown_district")
		if e := forum.AsError(err); e.Field != "district" {
			t.Errorf("field = %q, want district", e.Field)
		}
		got, _ := s.UserByID(ctx, u.ID)
		if got.DisplayName == name || got.Profile.Position != "" {
			t.Fatalf("a refused update was half applied: %q, %+v", got.DisplayName, got.Profile)
		}
	})
}

func testDirectoryPeople(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	mustCluster(t, s, "lakes", "Lakes")
	mustDistrict(t, s, forum.NewDistrict{Slug: "riverside", Name: "Riverside", State: "MI", Cluster: "lakes"})
	mustDistrict(t, s, forum.NewDistrict{Slug: "harbor", Name: "Harbor", State: "WI", Cluster: "lakes"})
	mustDistrict(t, s, forum.NewDistrict{Slug: "faraway", Name: "Faraway", State: "NE"})
	ana := setProfile(t, s, MustCreateUser(t, s, "ana"), forum.ProfileFieldsUpdate{District: ptr("riverside"), Position: ptr("teacher"), Subjects: &[]string{"math"}})
	ben := setProfile(t, s, MustCreateUser(t, s, "ben"), forum.ProfileFieldsUpdate{District: ptr("harbor")})
	cy := setProfile(t, s, MustCreateUser(t, s, "cy"), forum.ProfileFieldsUpdate{District: ptr("faraway")})

	people, total, err := s.DirectoryPeople(ctx, forum.DirectoryScope{DistrictID: ana.District.ID}, 10)
	if err != nil || total != 1 || len(people) != 1 || people[0].ID != ana.ID || people[0].Profile == nil ||
		people[0].Profile.Position != "teacher" || !slices.Equal(people[0].Profile.Subjects, []string{"math"}) {
		t.Fatalf("district people = %v (%d), %v", people, total, err)
	}
	c, _ := s.ClusterBySlug(ctx, "lakes")
	if c.People != 2 {
		t.Errorf("cluster counts %d people, want 2", c.People)
	}
	people, total, err = s.DirectoryPeople(ctx, forum.DirectoryScope{ClusterID: c.ID}, 1)
	if err != nil || total != 2 || len(people) != 1 {
		t.Fatalf("cluster people = %d of %d, %v; want 1 of 2", len(people), total, err)
	}
	if d, _ := s.DistrictBySlug(ctx, "riverside"); d.People != 1 {
		t.Errorf("district counts %d people", d.People)
	}

	qa := MustAsk(t, s, ana, "How do you pace algebra in grade eight?", "algebra")
	qb := MustAsk(t, s, ben, "How do you schedule coaching cycles each term?", "coaching")
	MustAsk(t, s, cy, "Which bus routes work in the snow for rural schools?", "transport")
	gone := MustAsk(t, s, ana, "A question that its author will delete soon", "misc")
	if err := s.DeletePost(ctx, gone.ID, ana, t0.Add(1e9)); err != nil {
		t.Fatal(err)
	}
	qs, err := s.DirectoryQuestions(ctx, forum.DirectoryScope{ClusterID: c.ID}, 10, 0)
	if err != nil || len(qs) != 2 || !slices.ContainsFunc(qs, func(p *forum.Post) bool { return p.ID == qa.ID }) ||
		!slices.ContainsFunc(qs, func(p *forum.Post) bool { return p.ID == qb.ID }) {
		t.Fatalf("cluster questions = %v, %v; want the two live ones of its people", qs, err)
	}
	qs, err = s.DirectoryQuestions(ctx, forum.DirectoryScope{DistrictID: ana.District.ID}, 10, ben.ID)
	if err != nil || len(qs) != 1 || qs[0].ID != qa.ID || qs[0].Author.ID != ana.ID || qs[0].Title == "" {
		t.Fatalf("district questions = %v, %v", qs, err)
	}
}

func testDistrictImport(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("creates, then updates by NCES id and never duplicates", func(t *testing.T) {
		s := open(t)
		mustCluster(t, s, "lakes", "Lakes")
		mustDistrict(t, s, forum.NewDistrict{Slug: "springfield", Name: "Springfield", State: "IL"})
		rows := []forum.DistrictImport{
			{Line: 2, NCESID: "1737770", Name: "Springfield", SlugBase: "springfield", State: "MO", Enrollment: ptr(24000),
				Locale: &forum.LocaleValue{Locale: forum.LocaleCity, Code: 12}, Cluster: "lakes"},
			{Line: 3, NCESID: "0100005", Name: "Albertville City", SlugBase: "albertville-city", State: "AL"},
		}
		res, err := s.ImportDistricts(ctx, rows, t0)
		if err != nil || *res != (forum.ImportResult{Created: 2}) {
			t.Fatalf("first import = %+v, %v", res, err)
		}
		d, err := s.DistrictBySlug(ctx, "springfield-mo")
		if err != nil || d.NCESID != "1737770" || *d.Enrollment != 24000 || d.LocaleCode != 12 || d.Cluster.Slug != "lakes" {
			t.Fatalf("imported %+v, %v", d, err)
		}
		res, err = s.ImportDistricts(ctx, rows, t0)
		if err != nil || *res != (forum.ImportResult{Unchanged: 2}) {
			t.Fatalf("the same import again = %+v, %v", res, err)
		}
		rows[0].Name, rows[0].Enrollment, rows[0].Locale, rows[0].Cluster = "Springfield R-XII", nil, nil, ""
		rows[1].Enrollment = ptr(4000)
		res, err = s.ImportDistricts(ctx, rows, t0.Add(1e9))
		if err != nil || *res != (forum.ImportResult{Updated: 2}) {
			t.Fatalf("changed import = %+v, %v", res, err)
		}
		d, _ = s.DistrictBySlug(ctx, "springfield-mo")
		if d.Name != "Springfield R-XII" || d.Enrollment == nil || *d.Enrollment != 24000 || d.LocaleCode != 12 || d.Cluster == nil {
			t.Fatalf("a row that leaves facts out must keep them (and the slug): %+v", d)
		}
		if _, total, _ := s.Districts(ctx, forum.DistrictFilter{}); total != 3 {
			t.Fatalf("%d districts after three imports, want 3", total)
		}
	})
	t.Run("an unknown cluster imports nothing", func(t *testing.T) {
		s := open(t)
		rows := []forum.DistrictImport{
			{Line: 2, NCESID: "1737770", Name: "Springfield", SlugBase: "springfield", State: "MO"},
			{Line: 3, NCESID: "0100005", Name: "Albertville", SlugBase: "albertville", State: "AL", Cluster: "nope"},
		}
		_, err := s.ImportDistricts(ctx, rows, t0)
		wantCode(t, err, forum.EInvalid, "unknown_cluster")
		if _, total, _ := s.Districts(ctx, forum.DistrictFilter{}); total != 0 {
			t.Fatalf("%d districts half imported", total)
		}
	})
}

// escapeRenderer renders markdown as escaped text: the store keeps what it is given.
type escapeRenderer struct{}

func (escapeRenderer) Body(md string) (string, error) {
	return "<p>" + html.EscapeString(md) + "</p>", nil
}
func (escapeRenderer) Comment(md string) (string, error) { return html.EscapeString(md), nil }
func (escapeRenderer) Links(string) []string             { return nil }

func testDemoDirectory(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.SeedDemo(ctx, forum.Demo, t0); err != nil {
		t.Fatal(err)
	}
	if err := forum.SeedDemoDirectory(ctx, s, s, escapeRenderer{}, t0); err != nil {
		t.Fatal(err)
	}
	clusters, err := s.Clusters(ctx)
	if err != nil || len(clusters) != len(forum.DemoDirectory.Clusters) {
		t.Fatalf("clusters = %v, %v", clusters, err)
	}
	_, total, _ := s.Districts(ctx, forum.DistrictFilter{})
	if total != len(forum.DemoDirectory.Districts) {
		t.Fatalf("%d districts, want %d", total, len(forum.DemoDirectory.Districts))
	}
	for _, c := range clusters {
		if c.Districts == 0 || c.People == 0 {
			t.Errorf("demo cluster %s has %d districts and %d people", c.Slug, c.Districts, c.People)
		}
	}
	for _, p := range forum.DemoDirectory.People {
		u, err := s.UserByLogin(ctx, p.Username)
		if err != nil {
			t.Fatal(err)
		}
		u, _ = s.UserByID(ctx, u.ID)
		if u.Profile.Position != p.Position || u.Profile.TimeZone != p.TimeZone || u.District == nil {
			t.Errorf("demo person %s: %+v", p.Username, u.Profile)
		}
	}
	d, _ := s.DistrictBySlug(ctx, "riverside")
	if d.State == "" || d.Enrollment == nil || d.Locale == "" || d.Cluster == nil || d.ProfileHTML == "" {
		t.Errorf("demo district riverside: %+v", d)
	}
}

// testDirectory runs the directory's tests.
func testDirectory(t *testing.T, open Opener) {
	t.Run("clusters", func(t *testing.T) { testClusters(t, open) })
	t.Run("districts", func(t *testing.T) { testDistricts(t, open) })
	t.Run("profile fields", func(t *testing.T) { testProfileFields(t, open) })
	t.Run("people and questions", func(t *testing.T) { testDirectoryPeople(t, open) })
	t.Run("import", func(t *testing.T) { testDistrictImport(t, open) })
	t.Run("demo", func(t *testing.T) { testDemoDirectory(t, open) })
}
