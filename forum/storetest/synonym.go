package storetest

import (
	"context"
	"testing"

	"staffroom/forum"
)

func testTagSynonyms(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	admin := MustCreateUser(t, s, "siteadmin")
	MustAsk(t, s, admin, "How do you run standards-based grading in grade 7?", "standards-based-grading")
	MustAsk(t, s, admin, "What goes on a standards-based report card?", "report-cards")
	add := func(syn, master string) error {
		return s.AddTagSynonym(ctx, forum.TagSynonym{Synonym: syn, Master: master, CreatedBy: admin.ID, CreatedAt: t0})
	}
	if err := add("sbg", "standards-based-grading"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, syn, master string
		kind              forum.Kind
		code              string
	}{
		{"a tag is not its own synonym", "grading", "grading", forum.EInvalid, "same_tag"},
		{"the master must exist", "x", "no-such-tag", forum.ENotFound, ""},
		{"a synonym stands for one tag", "sbg", "report-cards", forum.EConflict, "synonym_exists"},
		{"synonyms do not chain", "s-b-g", "sbg", forum.EConflict, "master_is_synonym"},
		{"a tag with questions is retagged first", "report-cards", "standards-based-grading", forum.EConflict, "tag_in_use"},
	} {
		t.Run(c.name, func(t *testing.T) { wantCode(t, add(c.syn, c.master), c.kind, c.code) })
	}
	list, err := s.TagSynonyms(ctx, "standards-based-grading")
	if err != nil || len(list) != 1 || list[0].Synonym != "sbg" || list[0].CreatedBy != admin.ID || !list[0].CreatedAt.Equal(t0) {
		t.Fatalf("synonyms = %+v, %v", list, err)
	}
	masters, err := s.TagMasters(ctx, []string{"sbg", "grading"})
	if err != nil || len(masters) != 1 || masters["sbg"] != "standards-based-grading" {
		t.Fatalf("masters = %v, %v", masters, err)
	}
	tags, err := forum.CanonicalTags(ctx, s, []string{"sbg", "grading", "standards-based-grading"})
	if err != nil || len(tags) != 2 || tags[0] != "standards-based-grading" || tags[1] != "grading" {
		t.Fatalf("canonical = %v, %v", tags, err)
	}
}
