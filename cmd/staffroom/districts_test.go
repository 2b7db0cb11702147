package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

// TestDistrictsImport loads an NCES-shaped file (byte-order mark, NCES's own columns and
// more, the optional ones in another case), refuses a file with bad rows as a whole with
// each row's line and reason, and re-imports by LEAID without duplicating anything.
func TestDistrictsImport(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "districts.db")
	store, err := openMigrated(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateCluster(ctx, forum.NewCluster{Slug: "great-lakes", Name: "Great Lakes", Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	districts := func() []*forum.DistrictEntry {
		t.Helper()
		s, err := openMigrated(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ds, _, err := s.Districts(ctx, forum.DistrictFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}

	t.Run("bad rows: each reported by line, nothing imported", func(t *testing.T) {
		code, stdout, stderr := cli(t, "", "districts", "import", "--db", db, "testdata/districts_bad.csv")
		if code != 1 || stdout != "" {
			t.Fatalf("code %d stdout %q stderr %q", code, stdout, stderr)
		}
		for _, want := range []string{
			"7 bad rows; nothing was imported",
			`line 7, cluster: there is no cluster "atlantis"`,
			`line 3, ST: "ZZ" is not a US state`,
			"line 4, LEAID: LEAID must be the district's 7-digit NCES id",
			"line 5, LEAID: LEAID 0100005 is on line 2 too",
			`line 6, locale: "55" is not a locale`,
			"line 8: has 5 fields; the header has 8",
			`line 9, enrollment: enrollment must be a whole number of students, not "lots"`,
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if ds := districts(); len(ds) != 0 {
			t.Fatalf("%d districts imported from a bad file", len(ds))
		}
	})
	t.Run("an unknown cluster is a bad row too", func(t *testing.T) {
		csv := "LEAID,LEA_NAME,ST,cluster\n3100044,Lost Cluster Schools,NE,atlantis\n3100047,Fine Schools,NE,great-lakes\n"
		code, _, stderr := cli(t, csv, "districts", "import", "--db", db, "-")
		if code != 1 || !strings.Contains(stderr, `line 2, cluster: there is no cluster "atlantis"`) || !strings.Contains(stderr, "1 bad row;") {
			t.Fatalf("code %d stderr %q", code, stderr)
		}
		if ds := districts(); len(ds) != 0 {
			t.Fatalf("%d districts imported beside an unknown cluster", len(ds))
		}
	})
	t.Run("an NCES file", func(t *testing.T) {
		code, stdout, stderr := cli(t, "", "districts", "import", "--db", db, "testdata/districts_nces.csv")
		if code != 0 || !strings.Contains(stdout, "3 districts created, 0 updated, 0 unchanged") {
			t.Fatalf("code %d stdout %q stderr %q", code, stdout, stderr)
		}
		ds := districts()
		bySlug := map[string]*forum.DistrictEntry{}
		for _, d := range ds {
			bySlug[d.Slug] = d
		}
		al, mo, ne := bySlug["albertville-city"], bySlug["springfield-r-xii"], bySlug["sandhills-public-schools-district-71"]
		if al == nil || mo == nil || ne == nil {
			t.Fatalf("slugs: %v", bySlug)
		}
		if al.NCESID != "0100005" || al.State != "AL" || *al.Enrollment != 5870 || al.Locale != forum.LocaleTown || al.LocaleCode != 32 || al.Cluster != nil {
			t.Errorf("Albertville: %+v", al)
		}
		if mo.LocaleCode != 12 || mo.Locale != forum.LocaleCity || mo.Cluster == nil || mo.Cluster.Slug != "great-lakes" {
			t.Errorf("Springfield: %+v", mo)
		}
		if ne.Enrollment != nil || ne.Locale != forum.LocaleRural || ne.Name != "Sandhills Public Schools, District 71" {
			t.Errorf("Sandhills (NCES's -1 is no enrollment): %+v", ne)
		}
	})
	t.Run("importing again changes nothing; a changed file updates by LEAID", func(t *testing.T) {
		code, stdout, _ := cli(t, "", "districts", "import", "--db", db, "testdata/districts_nces.csv")
		if code != 0 || !strings.Contains(stdout, "0 districts created, 0 updated, 3 unchanged") {
			t.Fatalf("again: code %d stdout %q", code, stdout)
		}
		code, stdout, stderr := cli(t, "", "districts", "import", "--db", db, "testdata/districts_update.csv")
		if code != 0 || !strings.Contains(stdout, "0 districts created, 1 updated, 2 unchanged") {
			t.Fatalf("update: code %d stdout %q stderr %q", code, stdout, stderr)
		}
		ds := districts()
		if len(ds) != 3 {
			t.Fatalf("%d districts after three imports of three", len(ds))
		}
		for _, d := range ds {
			if d.NCESID == "0100005" && (d.Name != "Albertville City Schools" || d.Slug != "albertville-city" || *d.Enrollment != 5900 || d.LocaleCode != 32) {
				t.Errorf("updated: %+v (the slug and the facts the file leaves out stay)", d)
			}
			if d.NCESID == "2929280" && (d.Enrollment == nil || *d.Enrollment != 24100) {
				t.Errorf("an empty enrollment cell cleared it: %+v", d)
			}
		}
	})
	t.Run("usage", func(t *testing.T) {
		if code, stdout, _ := cli(t, "", "districts", "import", "--help"); code != 0 || !strings.Contains(stdout, "LEAID") {
			t.Fatalf("--help: %d %q", code, stdout)
		}
		if code, _, stderr := cli(t, "", "districts", "import", "--db", db); code != 2 || !strings.Contains(stderr, "give one CSV file") {
			t.Fatalf("no file: %d %q", code, stderr)
		}
		if code, _, stderr := cli(t, "", "districts", "import", "--db", db, "testdata/no-such-file.csv"); code != 1 || !strings.Contains(stderr, "no such file") {
			t.Fatalf("missing file: %d %q", code, stderr)
		}
		if code, _, stderr := cli(t, "LEA,NAME\n1,x\n", "districts", "import", "--db", db, "-"); code != 1 || !strings.Contains(stderr, "must name the columns LEAID, LEA_NAME and ST") {
			t.Fatalf("not an NCES file: %d %q", code, stderr)
		}
	})
}
