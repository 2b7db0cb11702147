package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"staffroom/forum"
)

// testRevisions: an edit changes the post, its tags and their counts, and adds a
// revision, in one write; a stale base revision is a conflict; deleted posts take no edit.
func testRevisions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	asker, answerer, editor := MustCreateUser(t, s, "asker"), MustCreateUser(t, s, "answerer"), MustCreateUser(t, s, "editor")
	q := MustAsk(t, s, asker, "How do you pace a unit on fractions?", "fractions", "pacing")
	a := MustAnswer(t, s, answerer, q)
	later := t0.Add(time.Hour)
	edit := func(e forum.StoredEdit) (*forum.Post, error) {
		if e.Now.IsZero() {
			e.Now = later
		}
		return s.EditPost(ctx, e)
	}
	str := func(v string) *string { return &v }

	t.Run("title, body and tags change together, with a revision", func(t *testing.T) {
		p, err := edit(forum.StoredEdit{PostID: q.ID, EditorID: editor.ID, Title: str("How do you pace a unit on fractions in grade 5?"),
			Body: str("A better body."), BodyHTML: "<p>A better body.</p>", Tags: []string{"fractions", "grade-5"},
			Summary: "named the grade", BaseRevision: 1})
		if err != nil {
			t.Fatal(err)
		}
		if p.Revision != 2 || p.Title != "How do you pace a unit on fractions in grade 5?" || p.Body != "A better body." ||
			p.BodyHTML != "<p>A better body.</p>" || !slices.Equal(p.Tags, []string{"fractions", "grade-5"}) ||
			p.EditedAt == nil || !p.EditedAt.Equal(later) {
			t.Fatalf("edited question = %+v", p)
		}
		for tag, want := range map[string]int{"fractions": 1, "grade-5": 1, "pacing": 0} {
			if got := must(s.Tag(ctx, tag)).ok(t); got.Count != want {
				t.Errorf("tag %s counts %d questions, want %d", tag, got.Count, want)
			}
		}
		revs := must(s.Revisions(ctx, q.ID)).ok(t)
		if len(revs) != 2 || revs[0].Number != 1 || revs[0].Title != "How do you pace a unit on fractions?" ||
			revs[1].Number != 2 || revs[1].Summary != "named the grade" || revs[1].Editor.ID != editor.ID ||
			!slices.Equal(revs[1].Tags, []string{"fractions", "grade-5"}) || !revs[1].CreatedAt.Equal(later) {
			t.Fatalf("revisions = %+v", revs)
		}
		if got := must(s.Post(ctx, q.ID, 0, false)).ok(t); !got.ActivityAt.Equal(later) {
			t.Errorf("activity %v after an edit at %v", got.ActivityAt, later)
		}
	})
	t.Run("an answer's edit keeps its question's tags", func(t *testing.T) {
		p, err := edit(forum.StoredEdit{PostID: a.ID, EditorID: answerer.ID, Body: str("A longer answer."), BodyHTML: "<p>A longer answer.</p>"})
		if err != nil || p.Revision != 2 || p.Body != "A longer answer." {
			t.Fatalf("edited answer = %+v, %v", p, err)
		}
		if got := must(s.Post(ctx, q.ID, 0, false)).ok(t); !slices.Equal(got.Tags, []string{"fractions", "grade-5"}) {
			t.Errorf("question tags %v after its answer's edit", got.Tags)
		}
	})
	t.Run("a stale base revision is a conflict, and changes nothing", func(t *testing.T) {
		_, err := edit(forum.StoredEdit{PostID: q.ID, EditorID: editor.ID, Body: str("Overwritten."), BodyHTML: "x", BaseRevision: 1})
		wantCode(t, err, forum.EConflict, "edit_conflict")
		if got := must(s.Post(ctx, q.ID, 0, false)).ok(t); got.Body != "A better body." || got.Revision != 2 {
			t.Fatalf("a refused edit changed the post: %+v", got)
		}
		if revs := must(s.Revisions(ctx, q.ID)).ok(t); len(revs) != 2 {
			t.Fatalf("a refused edit left a revision: %d", len(revs))
		}
	})
	t.Run("no base revision: the edit applies to the current one", func(t *testing.T) {
		if p, err := edit(forum.StoredEdit{PostID: q.ID, EditorID: asker.ID, Body: str("Current."), BodyHTML: "x"}); err != nil || p.Revision != 3 {
			t.Fatalf("edit = %+v, %v", p, err)
		}
	})
	t.Run("deleted or missing posts take no edit", func(t *testing.T) {
		gone := MustAnswer(t, s, answerer, q)
		check(t, s.DeletePost(ctx, gone.ID, answerer, t0))
		_, err := edit(forum.StoredEdit{PostID: gone.ID, EditorID: answerer.ID, Body: str("Edited after deletion."), BodyHTML: "x"})
		wantCode(t, err, forum.ENotFound, "")
		_, err = edit(forum.StoredEdit{PostID: 99999, EditorID: answerer.ID, Body: str("Nothing."), BodyHTML: "x"})
		if !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("edit of a missing post: %v", err)
		}
	})
	noDrift(t, s)
}
