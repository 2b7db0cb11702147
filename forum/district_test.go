package forum_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"staffroom/forum"
)

func wantField(t *testing.T, err error, code, field string) {
	t.Helper()
	e := forum.AsError(err)
	if e == nil || e.Kind != forum.EInvalid || e.Code != code || e.Field != field {
		t.Fatalf("error = %v, want invalid %s naming %s", err, code, field)
	}
}

func TestParseLocale(t *testing.T) {
	for in, want := range map[string]struct {
		l    forum.Locale
		code int
	}{
		"": {"", 0}, "city": {forum.LocaleCity, 0}, " Rural ": {forum.LocaleRural, 0}, "21": {forum.LocaleSuburb, 21},
		"43": {forum.LocaleRural, 43}, "32-Town: Distant": {forum.LocaleTown, 32}, "11 - City: Large": {forum.LocaleCity, 11},
		"Suburb: Midsize": {forum.LocaleSuburb, 22}, "town:remote": {forum.LocaleTown, 33},
	} {
		l, code, err := forum.ParseLocale("locale", in)
		if err != nil || l != want.l || code != want.code {
			t.Errorf("ParseLocale(%q) = %q %d %v, want %q %d", in, l, code, err, want.l, want.code)
		}
	}
	for _, in := range []string{"metro", "14", "44", "10", "99", "123", "Town: Large", "City: Fringe", "1"} {
		_, _, err := forum.ParseLocale("locale", in)
		wantField(t, err, "invalid_locale", "locale")
	}
	if got := forum.LocaleLabel(forum.LocaleRural, 43); got != "Rural: Remote (43)" {
		t.Errorf("label = %q", got)
	}
}

func TestSlugs(t *testing.T) {
	for in, want := range map[string]string{
		"Riverside Unified":                     "riverside-unified",
		"  Peñasco Independent Schools  ":       "penasco-independent-schools",
		"Sandhills Public Schools, District 71": "sandhills-public-schools-district-71",
		"St. Mary's -- Academy":                 "st-mary-s-academy",
		"東京":                                    "district",
		strings.Repeat("Long Name ", 10):        "long-name-long-name-long-name-long-name-long-name-long-name",
	} {
		if got := forum.Slugify(in, "district"); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if got := forum.Slugify(in, "district"); len(got) > forum.MaxSlugLen {
			t.Errorf("Slugify(%q) is %d long", in, len(got))
		}
	}
	var got []string
	for n := 0; n < 4; n++ {
		got = append(got, forum.SlugCandidate("springfield", "IL", n))
	}
	if want := []string{"springfield", "springfield-il", "springfield-il-2", "springfield-il-3"}; !slices.Equal(got, want) {
		t.Errorf("candidates = %v, want %v", got, want)
	}
	if got := forum.SlugCandidate("lakes", "", 1); got != "lakes-2" {
		t.Errorf("a cluster's second candidate = %q", got)
	}
	long := forum.Slugify(strings.Repeat("abcdefghij", 7), "x")
	if c := forum.SlugCandidate(long, "IL", 5); len(c) > forum.MaxSlugLen || !strings.HasSuffix(c, "-il-5") {
		t.Errorf("a long candidate = %q", c)
	}
	for _, ok := range []string{"riverside", "a1", "north-prairie", "Riverside"} {
		if _, err := forum.ParseSlug("slug", ok); err != nil {
			t.Errorf("ParseSlug(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "-river", "river-", "north--prairie", "north prairie", "ñu", strings.Repeat("a", 61)} {
		_, err := forum.ParseSlug("slug", bad)
		wantField(t, err, "invalid_slug", "slug")
	}
}

func TestStatesAndIDs(t *testing.T) {
	if s, err := forum.ParseState("state", " il "); err != nil || s != "IL" {
		t.Errorf("ParseState = %q %v", s, err)
	}
	for _, ok := range []string{"DC", "PR", "GU", "VI", "AS", "MP", "AE"} {
		if _, err := forum.ParseState("state", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ZZ", "Illinois", "I"} {
		_, err := forum.ParseState("state", bad)
		wantField(t, err, "invalid_state", "state")
	}
	for _, bad := range []string{"123456", "12345678", "12a4567", "１２３４５６７"} {
		_, err := forum.ParseNCESID("nces_id", bad)
		wantField(t, err, "invalid_nces_id", "nces_id")
	}
}

func TestProfileFieldsNormalize(t *testing.T) {
	p := func(s string) *string { return &s }
	upd := forum.ProfileFieldsUpdate{District: p(" Riverside "), Position: p(" District_Leader"),
		Subjects: &[]string{"SCIENCE", "math", "math", " "}, GradeBands: &[]string{"adult", "pre-k"}, TimeZone: p(" America/Chicago ")}
	if err := upd.Normalize(); err != nil {
		t.Fatal(err)
	}
	if *upd.District != "riverside" || *upd.Position != "district_leader" || !slices.Equal(*upd.Subjects, []string{"math", "science"}) ||
		!slices.Equal(*upd.GradeBands, []string{"pre-k", "adult"}) || *upd.TimeZone != "America/Chicago" {
		t.Fatalf("normalized = %s %s %v %v %s", *upd.District, *upd.Position, *upd.Subjects, *upd.GradeBands, *upd.TimeZone)
	}
	clear := forum.ProfileFieldsUpdate{District: p(""), Position: p(""), Subjects: &[]string{}, TimeZone: p("")}
	if err := clear.Normalize(); err != nil || *clear.Position != "" || len(*clear.Subjects) != 0 {
		t.Fatalf("clearing: %v", err)
	}
	for _, c := range []struct {
		upd         forum.ProfileFieldsUpdate
		code, field string
	}{
		{forum.ProfileFieldsUpdate{Position: p("superintendent")}, "invalid_position", "position"},
		{forum.ProfileFieldsUpdate{Subjects: &[]string{"latin"}}, "invalid_subject", "subjects"},
		{forum.ProfileFieldsUpdate{Subjects: &[]string{strings.Repeat("x", 10)}}, "invalid_subject", "subjects"},
		{forum.ProfileFieldsUpdate{Subjects: (func() *[]string { s := make([]string, 100); return &s })()}, "invalid_subject", "subjects"},
		{forum.ProfileFieldsUpdate{GradeBands: &[]string{"k-12"}}, "invalid_grade_band", "grade_bands"},
		{forum.ProfileFieldsUpdate{TimeZone: p("Nowhere/Special")}, "invalid_time_zone", "time_zone"},
		{forum.ProfileFieldsUpdate{TimeZone: p("Local")}, "invalid_time_zone", "time_zone"},
		{forum.ProfileFieldsUpdate{TimeZone: p("/etc/localtime")}, "invalid_time_zone", "time_zone"},
		{forum.ProfileFieldsUpdate{TimeZone: p("America/Chicago\x00")}, "invalid_time_zone", "time_zone"},
		{forum.ProfileFieldsUpdate{District: p("not a slug")}, "invalid_district", "district"},
	} {
		err := c.upd.Normalize()
		wantField(t, err, c.code, c.field)
	}
}

func TestReadDistrictCSV(t *testing.T) {
	t.Run("NCES columns in any case, a byte-order mark, quoted lines, blank lines", func(t *testing.T) {
		in := "\ufeffst,Lea_Name,OTHER,leaid\r\nAL,Albertville City,x,100005\r\n\r\nMO,\"Springfield\nR-XII\",y,2929280\nNE,Sandhills,z,3100042\n"
		rows, err := forum.ReadDistrictCSV(strings.NewReader(in))
		if err == nil {
			t.Fatalf("a name on two lines was accepted: %+v", rows)
		}
		var ie *forum.ImportError
		if !errors.As(err, &ie) || ie.Total != 1 || ie.Rows[0].Line != 4 || ie.Rows[0].Column != "Lea_Name" || !errors.Is(err, forum.ErrInvalid) {
			t.Fatalf("error = %v", err)
		}
		rows, err = forum.ReadDistrictCSV(strings.NewReader(strings.Replace(in, "Springfield\nR-XII", "Springfield R-XII", 1)))
		if err != nil || len(rows) != 3 {
			t.Fatalf("rows = %+v, %v", rows, err)
		}
		if rows[0].NCESID != "0100005" || rows[0].Line != 2 || rows[1].Line != 4 || rows[2].Line != 5 || rows[1].SlugBase != "springfield-r-xii" {
			t.Fatalf("rows = %+v (a 6-digit LEAID gets its leading zero back; lines count from the header's 1)", rows)
		}
	})
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "The file is empty"},
		{"no LEAID column", "LEA_NAME,ST\nx,AL\n", "it has no LEAID"},
		{"a column twice", "LEAID,LEA_NAME,ST,st\n", `names the column "st" twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := forum.ReadDistrictCSV(strings.NewReader(c.in))
			if e := forum.AsError(err); e == nil || e.Code != "bad_import" || !strings.Contains(e.Message, c.want) {
				t.Fatalf("error = %v, want bad_import %q", err, c.want)
			}
		})
	}
	t.Run("text that is not UTF-8 and a broken quote", func(t *testing.T) {
		_, err := forum.ReadDistrictCSV(strings.NewReader("LEAID,LEA_NAME,ST\n0100005,Pe\xf1asco,NM\n0100006,\"open,NM\n"))
		var ie *forum.ImportError
		if !errors.As(err, &ie) || ie.Total != 2 || !strings.Contains(ie.Rows[0].Message, "not UTF-8") || ie.Rows[1].Line != 3 {
			t.Fatalf("error = %v", err)
		}
	})
}
