package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// testModeration runs the moderation part of the suite: flags, the review queue,
// curations, moderator actions.
func testModeration(t *testing.T, open Opener) {
	t.Run("flag rules", func(t *testing.T) { testFlagRules(t, open(t)) })
	t.Run("three flags hide, six delete", func(t *testing.T) { testFlagThresholds(t, open(t)) })
	t.Run("a moderator's flag acts at once", func(t *testing.T) { testModeratorFlag(t, open(t)) })
	t.Run("flag weight follows accuracy", func(t *testing.T) { testFlagWeight(t, open(t)) })
	t.Run("claims under concurrency", func(t *testing.T) { testClaimRace(t, open(t)) })
	t.Run("queue resolutions", func(t *testing.T) { testResolutions(t, open(t)) })
	t.Run("curations", func(t *testing.T) { testCurations(t, open(t)) })
	t.Run("moderator actions", func(t *testing.T) { testModeratorActions(t, open(t)) })
}

// mustModerator creates a moderator.
func mustModerator(t *testing.T, s Store, name string) *forum.User {
	t.Helper()
	return mustWithRole(t, s, name, forum.RoleModerator)
}

func flag(s forum.ModerationStore, kind string, id int64, by *forum.User, reason string, at time.Time) (*forum.Flag, forum.FlagDecision, error) {
	return s.Flag(context.Background(), forum.NewFlag{TargetKind: kind, TargetID: id, Flagger: by, Reason: reason,
		Rules: forum.DefaultFlagRules, Now: at})
}

// auditRows returns the newest audit rows with action.
func auditRows(t *testing.T, s forum.ModerationStore, action string) []forum.AuditEntry {
	t.Helper()
	var out []forum.AuditEntry
	for _, e := range must(s.RecentAudit(context.Background(), 500)).ok(t) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// wantAudit checks that one row of action on target holds before and after as JSON.
func wantAudit(t *testing.T, s forum.ModerationStore, action string, target int64, beforeKey string, before, after any) {
	t.Helper()
	for _, e := range auditRows(t, s, action) {
		if e.TargetID != target {
			continue
		}
		var b, a map[string]any
		if err := json.Unmarshal([]byte(e.Before), &b); err != nil {
			t.Fatalf("%s before %q: %v", action, e.Before, err)
		}
		if err := json.Unmarshal([]byte(e.After), &a); err != nil {
			t.Fatalf("%s after %q: %v", action, e.After, err)
		}
		if fmt.Sprint(b[beforeKey]) != fmt.Sprint(before) || fmt.Sprint(a[beforeKey]) != fmt.Sprint(after) {
			t.Fatalf("%s on %d: before %s after %s; want %s %v -> %v", action, target, e.Before, e.After, beforeKey, before, after)
		}
		return
	}
	t.Fatalf("no audit row %s on %d", action, target)
}

func testFlagRules(t *testing.T, s Store) {
	ctx := context.Background()
	author := MustCreateUser(t, s, "author")
	flagger := MustCreateUser(t, s, "flagger")
	q := MustAsk(t, s, author, "How do you run a reading workshop?", "reading")
	other := MustAsk(t, s, author, "How do you grade a reading workshop?", "reading")
	cm := must(s.CreateComment(ctx, forum.NewComment{PostID: q.ID, AuthorID: author.ID, Body: "a comment", BodyHTML: "a comment", Now: t0})).ok(t)
	_, _, err := flag(s, forum.FlagOnPost, q.ID, flagger, forum.FlagLowQuality, t0)
	check(t, err)
	for _, tc := range []struct {
		name string
		f    forum.NewFlag
		kind forum.Kind
		code string
	}{
		{"own post refused", forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: q.ID, Flagger: author, Reason: forum.FlagSpam}, forum.EInvalid, "own_post"},
		{"second open flag refused", forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: q.ID, Flagger: flagger, Reason: forum.FlagSpam}, forum.EConflict, "already_flagged"},
		{"missing post", forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: 99999, Flagger: flagger, Reason: forum.FlagSpam}, forum.ENotFound, ""},
		{"missing comment", forum.NewFlag{TargetKind: forum.FlagOnComment, TargetID: 99999, Flagger: flagger, Reason: forum.FlagSpam}, forum.ENotFound, ""},
		{"duplicate of itself", forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: other.ID, Flagger: flagger, Reason: forum.FlagDuplicate, DuplicateOf: other.ID}, forum.EInvalid, "bad_duplicate"},
		{"duplicate of nothing", forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: other.ID, Flagger: flagger, Reason: forum.FlagDuplicate, DuplicateOf: 99999}, forum.EInvalid, "bad_duplicate"},
		{"own comment refused", forum.NewFlag{TargetKind: forum.FlagOnComment, TargetID: cm.ID, Flagger: author, Reason: forum.FlagOffensive}, forum.EInvalid, "own_post"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Rules, tc.f.Now = forum.DefaultFlagRules, t0
			_, _, err := s.Flag(ctx, tc.f)
			wantCode(t, err, tc.kind, tc.code)
		})
	}
	t.Run("a duplicate flag names a live original", func(t *testing.T) {
		f, _, err := s.Flag(ctx, forum.NewFlag{TargetKind: forum.FlagOnPost, TargetID: other.ID, Flagger: flagger, Reason: forum.FlagDuplicate,
			DuplicateOf: q.ID, Rules: forum.DefaultFlagRules, Now: t0})
		if err != nil || f.DuplicateOf != q.ID || f.Status != forum.FlagOpen || f.Weight != 1 {
			t.Fatalf("flag = %+v, %v", f, err)
		}
	})
	t.Run("a comment takes flags, and its flags queue it", func(t *testing.T) {
		_, _, err := flag(s, forum.FlagOnComment, cm.ID, flagger, forum.FlagOffensive, t0)
		check(t, err)
		items := must(s.ReviewItems(ctx, []string{forum.QueueFlags}, 0, 50)).ok(t)
		found := false
		for _, it := range items {
			if it.TargetKind == forum.ItemComment && it.TargetID == cm.ID && it.Comment != nil && len(it.Flags) == 1 {
				found = true
			}
		}
		if !found {
			t.Fatalf("no flags item for comment %d in %+v", cm.ID, items)
		}
	})
}

func testFlagThresholds(t *testing.T, s Store) {
	ctx := context.Background()
	author := MustCreateUser(t, s, "spammer")
	reader := MustCreateUser(t, s, "reader")
	var flaggers []*forum.User
	for i := range 6 {
		flaggers = append(flaggers, MustCreateUser(t, s, fmt.Sprintf("flagger%d", i)))
	}
	q := MustAsk(t, s, MustCreateUser(t, s, "asker"), "Where do you buy cheap classroom supplies?", "supplies")
	a := MustAnswer(t, s, author, q)
	for i, f := range flaggers[:2] {
		_, d, err := flag(s, forum.FlagOnPost, a.ID, f, forum.FlagSpam, t0)
		if err != nil || d.Hide || d.Delete {
			t.Fatalf("flag %d: %+v %v", i+1, d, err)
		}
	}
	_, d, err := flag(s, forum.FlagOnPost, a.ID, flaggers[2], forum.FlagOffensive, t0)
	if err != nil || !d.Hide || d.Delete {
		t.Fatalf("third flag: %+v %v", d, err)
	}
	t.Run("hidden: gone for others, there for its author, marked", func(t *testing.T) {
		_, err := s.Post(ctx, a.ID, reader.ID, false)
		wantCode(t, err, forum.ENotFound, "")
		p := must(s.Post(ctx, a.ID, author.ID, false)).ok(t)
		if p.HiddenAt == nil {
			t.Fatal("the author's copy is not marked hidden")
		}
		th := must(s.Thread(ctx, q.ID, reader.ID, false, forum.AnswersByScore)).ok(t)
		if len(th.Answers) != 0 || th.Question.AnswerCount != 0 {
			t.Fatalf("a reader's thread shows %d answers (count %d)", len(th.Answers), th.Question.AnswerCount)
		}
		th = must(s.Thread(ctx, q.ID, author.ID, false, forum.AnswersByScore)).ok(t)
		if len(th.Answers) != 1 || th.Answers[0].HiddenAt == nil {
			t.Fatalf("the author's thread: %+v", th.Answers)
		}
		if !must(s.HiddenPostIn(ctx, q.ID, author.ID)).ok(t) || must(s.HiddenPostIn(ctx, q.ID, reader.ID)).ok(t) {
			t.Fatal("HiddenPostIn is wrong")
		}
		wantAudit(t, s, "post.hide", a.ID, "hidden", false, true)
		if e := auditRows(t, s, "post.hide")[0]; e.ActorID != 0 {
			t.Fatalf("the flags' hiding is audited as person %d, want the system", e.ActorID)
		}
	})
	for i, f := range flaggers[3:5] {
		_, d, err := flag(s, forum.FlagOnPost, a.ID, f, forum.FlagSpam, t0)
		if err != nil || d.Delete {
			t.Fatalf("flag %d: %+v %v", i+4, d, err)
		}
	}
	_, d, err = flag(s, forum.FlagOnPost, a.ID, flaggers[5], forum.FlagSpam, t0)
	if err != nil || !d.Delete || d.Penalty != forum.DefaultFlagRules.Penalty {
		t.Fatalf("sixth flag: %+v %v", d, err)
	}
	t.Run("deleted: gone for its author too, penalty applied and recounted alike", func(t *testing.T) {
		_, err := s.Post(ctx, a.ID, author.ID, false)
		wantCode(t, err, forum.ENotFound, "")
		drifts := must(s.Recount(ctx, false)).ok(t)
		if len(drifts) != 0 {
			t.Fatalf("recount disagrees after the penalty: %v", drifts)
		}
		wantAudit(t, s, "post.delete", a.ID, "deleted", false, true)
		fs, rec := flagsOf(t, s, flaggers[0].ID)
		if len(fs) != 1 || fs[0].Status != forum.FlagHelpful || rec.Helpful != 1 {
			t.Fatalf("the first flagger's flags: %+v %+v", fs, rec)
		}
	})
}

func flagsOf(t *testing.T, s forum.ModerationStore, userID int64) ([]*forum.Flag, forum.FlagRecord) {
	t.Helper()
	fs, rec, err := s.FlagsBy(context.Background(), userID, 100)
	check(t, err)
	return fs, rec
}

func testModeratorFlag(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustModerator(t, s, "mod")
	author := MustCreateUser(t, s, "writer")
	q := MustAsk(t, s, author, "Buy essays online cheap today", "spam")
	// The author has some reputation to lose.
	for i := range 12 {
		mustVote(t, s, q.ID, MustCreateUser(t, s, fmt.Sprintf("voter%d", i)), 1, t0)
	}
	before := must(s.UserByID(ctx, author.ID)).ok(t).Reputation
	_, d, err := flag(s, forum.FlagOnPost, q.ID, mod, forum.FlagSpam, t0)
	if err != nil || !d.Delete {
		t.Fatalf("moderator's spam flag: %+v %v", d, err)
	}
	after := must(s.UserByID(ctx, author.ID)).ok(t).Reputation
	if before-after != forum.DefaultFlagRules.Penalty {
		t.Fatalf("reputation %d -> %d, want a %d penalty", before, after, forum.DefaultFlagRules.Penalty)
	}
	if drifts := must(s.Recount(ctx, false)).ok(t); len(drifts) != 0 {
		t.Fatalf("recount disagrees: %v", drifts)
	}
	es := auditRows(t, s, "post.delete")
	if len(es) != 1 || es[0].ActorID != mod.ID {
		t.Fatalf("audit: %+v", es)
	}
	t.Run("undelete gives the penalty back", func(t *testing.T) {
		check(t, s.UndeletePost(ctx, q.ID, mod, t0))
		if r := must(s.UserByID(ctx, author.ID)).ok(t).Reputation; r != before {
			t.Fatalf("reputation after undelete = %d, want %d", r, before)
		}
		if drifts := must(s.Recount(ctx, false)).ok(t); len(drifts) != 0 {
			t.Fatalf("recount disagrees: %v", drifts)
		}
		wantAudit(t, s, "post.undelete", q.ID, "deleted", true, false)
	})
}

func testFlagWeight(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustModerator(t, s, "mod")
	author := MustCreateUser(t, s, "writer")
	careless := MustCreateUser(t, s, "careless")
	var items []int64
	for i := range 3 {
		q := MustAsk(t, s, author, fmt.Sprintf("A perfectly fine question number %d", i), "fine")
		check(t, errOf(flag(s, forum.FlagOnPost, q.ID, careless, forum.FlagSpam, t0)))
		items = append(items, q.ID)
	}
	for _, it := range must(s.ReviewItems(ctx, []string{forum.QueueFlags}, 0, 50)).ok(t) {
		check(t, errOf2(s.Resolve(ctx, forum.Resolution{ItemID: it.ID, Reviewer: mod, Action: forum.ActionRestore, Rules: forum.DefaultFlagRules, Now: t0})))
	}
	_, rec := flagsOf(t, s, careless.ID)
	if rec.Declined != 3 || rec.Helpful != 0 {
		t.Fatalf("record = %+v", rec)
	}
	q := MustAsk(t, s, author, "Another perfectly fine question", "fine")
	f, _, err := flag(s, forum.FlagOnPost, q.ID, careless, forum.FlagSpam, t0)
	check(t, err)
	if want := forum.FlagWeight(forum.FlagRecord{Declined: 3}); f.Weight != want || want >= 1 {
		t.Fatalf("weight = %v, want %v (< 1)", f.Weight, want)
	}
	for _, tc := range []struct {
		rec  forum.FlagRecord
		want float64
	}{{forum.FlagRecord{}, 1}, {forum.FlagRecord{Helpful: 8}, 1.8}, {forum.FlagRecord{Declined: 8}, 0.2}, {forum.FlagRecord{Helpful: 1, Declined: 1}, 1}} {
		if got := forum.FlagWeight(tc.rec); fmt.Sprintf("%.3f", got) != fmt.Sprintf("%.3f", tc.want) {
			t.Errorf("FlagWeight(%+v) = %v, want %v", tc.rec, got, tc.want)
		}
	}
}

func errOf[A, B any](_ A, _ B, err error) error { return err }

func testClaimRace(t *testing.T, s Store) {
	ctx := context.Background()
	author := MustCreateUser(t, s, "newcomer")
	q := MustAsk(t, s, author, "My very first question about phonics", "phonics")
	items := must(s.ReviewItems(ctx, []string{forum.QueueFirstPosts}, 0, 10)).ok(t)
	if len(items) != 1 || items[0].TargetID != q.ID {
		t.Fatalf("first posts queue: %+v", items)
	}
	id := items[0].ID
	const n = 16
	var reviewers []*forum.User
	for i := range n {
		reviewers = append(reviewers, MustCreateUser(t, s, fmt.Sprintf("reviewer%d", i)))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, held := 0, 0
	for _, r := range reviewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Claim(ctx, id, r, t0, forum.ClaimTTL)
			mu.Lock()
			defer mu.Unlock()
			switch e := forum.AsError(err); {
			case err == nil:
				won++
			case e != nil && e.Code == "held_by_other":
				held++
			default:
				t.Errorf("claim: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || held != n-1 {
		t.Fatalf("%d claims won, %d held_by_other; want 1 and %d", won, held, n-1)
	}
	it := must(s.ReviewItem(ctx, id, 0)).ok(t)
	var holder, other *forum.User
	for _, r := range reviewers {
		if r.ID == it.ClaimedBy {
			holder = r
		} else if other == nil {
			other = r
		}
	}
	t.Run("another reviewer cannot resolve it", func(t *testing.T) {
		_, err := s.Resolve(ctx, forum.Resolution{ItemID: id, Reviewer: other, Action: forum.ActionLooksOK, Now: t0.Add(time.Minute)})
		wantCode(t, err, forum.EConflict, "held_by_other")
	})
	t.Run("the claim expires", func(t *testing.T) {
		check(t, errOf2(s.Claim(ctx, id, other, t0.Add(forum.ClaimTTL+time.Second), forum.ClaimTTL)))
		_, err := s.Resolve(ctx, forum.Resolution{ItemID: id, Reviewer: holder, Action: forum.ActionLooksOK, Now: t0.Add(forum.ClaimTTL + 2*time.Second)})
		wantCode(t, err, forum.EConflict, "held_by_other")
		done := must(s.Resolve(ctx, forum.Resolution{ItemID: id, Reviewer: other, Action: forum.ActionLooksOK, Now: t0.Add(forum.ClaimTTL + 3*time.Second)})).ok(t)
		if done.Status != "done" || done.Action != forum.ActionLooksOK {
			t.Fatalf("resolved item = %+v", done)
		}
		_, err = s.Claim(ctx, id, holder, t0.Add(time.Hour), forum.ClaimTTL)
		wantCode(t, err, forum.ENotFound, "")
	})
}

func errOf2[A any](_ A, err error) error { return err }

func testResolutions(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustModerator(t, s, "mod")
	author := MustCreateUser(t, s, "author")
	helper := MustCreateUser(t, s, "helper")
	var flaggers []*forum.User
	for i := range 3 {
		flaggers = append(flaggers, MustCreateUser(t, s, fmt.Sprintf("flagger%d", i)))
	}
	q := MustAsk(t, s, author, "How do you teach fractions with pizza?", "math")
	for _, f := range flaggers {
		check(t, errOf(flag(s, forum.FlagOnPost, q.ID, f, forum.FlagOffensive, t0)))
	}
	flagsItem := func() *forum.ReviewItem {
		for _, it := range must(s.ReviewItems(ctx, []string{forum.QueueFlags}, 0, 50)).ok(t) {
			if it.TargetID == q.ID {
				return it
			}
		}
		t.Fatal("no flags item")
		return nil
	}
	t.Run("restore brings a hidden post back and declines its flags", func(t *testing.T) {
		it := flagsItem()
		if len(it.Flags) != 3 || it.Post == nil || it.Post.HiddenAt == nil {
			t.Fatalf("item context: %+v", it)
		}
		check(t, errOf2(s.Claim(ctx, it.ID, mod, t0, forum.ClaimTTL)))
		done := must(s.Resolve(ctx, forum.Resolution{ItemID: it.ID, Reviewer: mod, Action: forum.ActionRestore, Rules: forum.DefaultFlagRules, Now: t0})).ok(t)
		if done.Status != "done" {
			t.Fatalf("item = %+v", done)
		}
		p := must(s.Post(ctx, q.ID, helper.ID, false)).ok(t)
		if p.HiddenAt != nil || p.DeletedAt != nil {
			t.Fatalf("post after restore: %+v", p)
		}
		fs, rec := flagsOf(t, s, flaggers[0].ID)
		if fs[0].Status != forum.FlagDeclined || rec.Declined != 1 {
			t.Fatalf("flag after restore: %+v", fs[0])
		}
		wantAudit(t, s, "post.unhide", q.ID, "hidden", true, false)
		wantAudit(t, s, "review.restore", q.ID, "status", "open", "done")
		if drifts := must(s.Recount(ctx, false)).ok(t); len(drifts) != 0 {
			t.Fatalf("recount disagrees: %v", drifts)
		}
	})
	t.Run("an unknown action is refused", func(t *testing.T) {
		check(t, errOf(flag(s, forum.FlagOnPost, q.ID, helper, forum.FlagLowQuality, t0)))
		_, err := s.Resolve(ctx, forum.Resolution{ItemID: flagsItem().ID, Reviewer: mod, Action: "approve", Now: t0})
		wantCode(t, err, forum.EInvalid, "invalid_action")
	})
	t.Run("a suggested edit, approved, becomes the post's next revision", func(t *testing.T) {
		body := "A better body for the pizza fractions question, with an example."
		sug := must(s.SuggestEdit(ctx, forum.SuggestedEdit{PostID: q.ID, AuthorID: helper.ID, Body: &body, BodyHTML: "<p>better</p>",
			Summary: "clearer", BaseRevision: 1, CreatedAt: t0})).ok(t)
		items := must(s.ReviewItems(ctx, []string{forum.QueueEdits}, 0, 10)).ok(t)
		if len(items) != 1 || items[0].Suggestion == nil || items[0].Suggestion.ID != sug.ID {
			t.Fatalf("edits queue: %+v", items)
		}
		_, err := s.Resolve(ctx, forum.Resolution{ItemID: items[0].ID, Reviewer: mod, Action: forum.ActionReject, Now: t0})
		wantCode(t, err, forum.EInvalid, "reason_required")
		check(t, errOf2(s.Resolve(ctx, forum.Resolution{ItemID: items[0].ID, Reviewer: mod, Action: forum.ActionApprove, Now: t0})))
		p := must(s.Post(ctx, q.ID, 0, false)).ok(t)
		if p.Body != body || p.Revision != 2 {
			t.Fatalf("post after approval: revision %d body %q", p.Revision, p.Body)
		}
		revs := must(s.Revisions(ctx, q.ID)).ok(t)
		if revs[1].Editor.ID != helper.ID {
			t.Fatalf("the revision is credited to %d, want the suggester %d", revs[1].Editor.ID, helper.ID)
		}
	})
	t.Run("close votes queue the question; a moderator's close from the queue decides", func(t *testing.T) {
		q2 := MustAsk(t, s, author, "What is the best pizza for fractions?", "math")
		check(t, errOf2(s.VoteClose(ctx, forum.CloseVote{QuestionID: q2.ID, VoterID: helper.ID, Reason: forum.CloseOpinionBased, Needed: 3, Now: t0})))
		var item *forum.ReviewItem
		for _, it := range must(s.ReviewItems(ctx, []string{forum.QueueClose}, 0, 10)).ok(t) {
			if it.TargetID == q2.ID {
				item = it
			}
		}
		if item == nil || len(item.CloseVotes) != 1 {
			t.Fatalf("close queue item: %+v", item)
		}
		check(t, errOf2(s.Resolve(ctx, forum.Resolution{ItemID: item.ID, Reviewer: mod, Action: forum.ActionClose, CloseNeeded: 3, Now: t0})))
		p := must(s.Post(ctx, q2.ID, 0, false)).ok(t)
		if p.ClosedReason != forum.CloseOpinionBased {
			t.Fatalf("closed reason = %q", p.ClosedReason)
		}
		if it := must(s.ReviewItem(ctx, item.ID, 0)).ok(t); it.Status != "done" {
			t.Fatalf("item after close: %+v", it)
		}
		wantAudit(t, s, "question.close", q2.ID, "closed", false, true)
	})
}

func testCurations(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustModerator(t, s, "mod")
	member := MustCreateUser(t, s, "member")
	q := MustAsk(t, s, member, "How do you set up literature circles?", "literacy")
	a := MustAnswer(t, s, MustCreateUser(t, s, "expert"), q)
	review := t0.Add(24 * time.Hour)
	err := s.Curate(ctx, forum.Curation{PostID: a.ID, Note: "the reference", ReviewBy: review, CuratedBy: member.ID, CuratedAt: t0}, member)
	wantCode(t, err, forum.EForbidden, "not_moderator")
	err = s.Curate(ctx, forum.Curation{PostID: q.ID, Note: "x", ReviewBy: review, CuratedAt: t0}, mod)
	wantCode(t, err, forum.EInvalid, "not_an_answer")
	check(t, s.Curate(ctx, forum.Curation{PostID: a.ID, Note: "the reference", ReviewBy: review, CuratedBy: mod.ID, CuratedAt: t0}, mod))
	wantAudit(t, s, "post.curate", a.ID, "curated", false, true)
	if p := must(s.Post(ctx, a.ID, 0, false)).ok(t); p.CuratedAt == nil {
		t.Fatal("a curated answer carries no mark")
	}
	if ps := must(s.CuratedAnswers(ctx, "literacy", 10)).ok(t); len(ps) != 1 || ps[0].ID != a.ID || ps[0].QuestionTitle != q.Title {
		t.Fatalf("curated list: %+v", ps)
	}
	check(t, s.QueueDue(ctx, t0))
	if items := must(s.ReviewItems(ctx, []string{forum.QueueCurated}, 0, 10)).ok(t); len(items) != 0 {
		t.Fatalf("queued before its date: %+v", items)
	}
	check(t, s.QueueDue(ctx, review.Add(time.Hour)))
	check(t, s.QueueDue(ctx, review.Add(2*time.Hour))) // once only
	items := must(s.ReviewItems(ctx, []string{forum.QueueCurated}, 0, 10)).ok(t)
	if len(items) != 1 || items[0].Curation == nil {
		t.Fatalf("curated queue: %+v", items)
	}
	next := review.Add(365 * 24 * time.Hour)
	check(t, errOf2(s.Resolve(ctx, forum.Resolution{ItemID: items[0].ID, Reviewer: mod, Action: forum.ActionRenew,
		Curation: &forum.Curation{Note: "still the reference", ReviewBy: next}, Now: review.Add(time.Hour)})))
	c := must(s.Curation(ctx, a.ID)).ok(t)
	if !c.ReviewBy.Equal(next) || c.Note != "still the reference" {
		t.Fatalf("renewed curation: %+v", c)
	}
	check(t, s.Uncurate(ctx, a.ID, mod, t0))
	wantAudit(t, s, "post.uncurate", a.ID, "curated", true, false)
	wantCode(t, s.Uncurate(ctx, a.ID, mod, t0), forum.ENotFound, "")
}

func testModeratorActions(t *testing.T, s Store) {
	ctx := context.Background()
	mod := mustModerator(t, s, "mod")
	member := MustCreateUser(t, s, "member")
	other := MustCreateUser(t, s, "other")
	q := MustAsk(t, s, member, "How do you plan a field trip to the museum?", "trips")
	a := MustAnswer(t, s, other, q)
	t.Run("lock stops votes and comments, unlock lets them in", func(t *testing.T) {
		err := s.ModeratePost(ctx, forum.PostModeration{PostID: q.ID, By: member, Action: forum.ModLock, Now: t0})
		wantCode(t, err, forum.EForbidden, "not_moderator")
		check(t, s.ModeratePost(ctx, forum.PostModeration{PostID: q.ID, By: mod, Action: forum.ModLock, Reason: "heated", Now: t0}))
		wantAudit(t, s, "post.lock", q.ID, "locked", false, true)
		_, err = s.Vote(ctx, a.ID, member.ID, 1, forum.VoteRules{}, t0)
		wantCode(t, err, forum.EConflict, "post_locked")
		_, err = s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: mod.ID, Body: "b", BodyHTML: "b", Now: t0})
		wantCode(t, err, forum.EConflict, "post_locked")
		err = s.ModeratePost(ctx, forum.PostModeration{PostID: q.ID, By: mod, Action: forum.ModLock, Now: t0})
		wantCode(t, err, forum.EConflict, "already_locked")
		check(t, s.ModeratePost(ctx, forum.PostModeration{PostID: q.ID, By: mod, Action: forum.ModUnlock, Now: t0}))
		wantAudit(t, s, "post.unlock", q.ID, "locked", true, false)
		check(t, errOf2(s.Vote(ctx, a.ID, member.ID, 1, forum.VoteRules{}, t0)))
	})
	t.Run("hide and unhide", func(t *testing.T) {
		check(t, s.ModeratePost(ctx, forum.PostModeration{PostID: a.ID, By: mod, Action: forum.ModHide, Now: t0}))
		wantAudit(t, s, "post.hide", a.ID, "hidden", false, true)
		_, err := s.Post(ctx, a.ID, member.ID, false)
		wantCode(t, err, forum.ENotFound, "")
		check(t, s.ModeratePost(ctx, forum.PostModeration{PostID: a.ID, By: mod, Action: forum.ModUnhide, Now: t0}))
		wantAudit(t, s, "post.unhide", a.ID, "hidden", true, false)
		check(t, errOf2(s.Post(ctx, a.ID, member.ID, false)))
	})
	t.Run("merge moves the answers and closes the duplicate", func(t *testing.T) {
		dup := MustAsk(t, s, other, "Museum field trip: how do you plan it?", "trips")
		moved := MustAnswer(t, s, member, dup)
		check(t, s.Merge(ctx, forum.Merge{DuplicateID: dup.ID, OriginalID: q.ID, By: mod, Now: t0}))
		d := must(s.Post(ctx, dup.ID, 0, false)).ok(t)
		if d.ClosedReason != forum.CloseDuplicate || d.DuplicateOf != q.ID || d.AnswerCount != 0 {
			t.Fatalf("duplicate after merge: %+v", d)
		}
		m := must(s.Post(ctx, moved.ID, 0, false)).ok(t)
		if m.QuestionID != q.ID {
			t.Fatalf("moved answer's question = %d", m.QuestionID)
		}
		if o := must(s.Post(ctx, q.ID, 0, false)).ok(t); o.AnswerCount != 2 {
			t.Fatalf("original's answers = %d, want 2", o.AnswerCount)
		}
		if drifts := must(s.Recount(ctx, false)).ok(t); len(drifts) != 0 {
			t.Fatalf("recount disagrees after merge: %v", drifts)
		}
		wantAudit(t, s, "question.merge", dup.ID, "closed", false, true)
		wantCode(t, s.Merge(ctx, forum.Merge{DuplicateID: q.ID, OriginalID: q.ID, By: mod, Now: t0}), forum.EInvalid, "bad_duplicate")
	})
	t.Run("convert an answer to a comment", func(t *testing.T) {
		short := must(s.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: other.ID, Body: "Thanks, this helped me a lot!",
			BodyHTML: "<p>Thanks</p>", Now: t0})).ok(t)
		c := must(s.ConvertToComment(ctx, short.ID, mod, func(md string) (string, error) { return "<p>" + md + "</p>", nil }, t0)).ok(t)
		if c.PostID != q.ID || c.Author.ID != other.ID || c.Body != "Thanks, this helped me a lot!" {
			t.Fatalf("comment = %+v", c)
		}
		_, err := s.Post(ctx, short.ID, other.ID, false)
		wantCode(t, err, forum.ENotFound, "")
		wantAudit(t, s, "answer.convert_to_comment", short.ID, "kind", "answer", "comment")
		if drifts := must(s.Recount(ctx, false)).ok(t); len(drifts) != 0 {
			t.Fatalf("recount disagrees after convert: %v", drifts)
		}
	})
	t.Run("moderator messages", func(t *testing.T) {
		m := must(s.SendModeratorMessage(ctx, forum.ModeratorMessage{UserID: member.ID, FromID: mod.ID, Body: "Please cite sources.",
			BodyHTML: "<p>Please cite sources.</p>", CreatedAt: t0})).ok(t)
		ms := must(s.ModeratorMessages(ctx, member.ID)).ok(t)
		if len(ms) != 1 || ms[0].ID != m.ID || ms[0].From.ID != mod.ID {
			t.Fatalf("messages = %+v", ms)
		}
		if len(auditRows(t, s, "user.message")) != 1 {
			t.Fatal("the message is not audited")
		}
		_, err := s.SendModeratorMessage(ctx, forum.ModeratorMessage{UserID: 99999, FromID: mod.ID, Body: "x", BodyHTML: "x", CreatedAt: t0})
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("delete a spam account", func(t *testing.T) {
		spammer := MustCreateUser(t, s, "spammer")
		sq := MustAsk(t, s, spammer, "Cheap essays for sale right here now", "spam")
		sa := MustAnswer(t, s, spammer, q)
		if bodies := must(s.LiveBodiesBy(ctx, spammer.ID)).ok(t); len(bodies) != 2 || bodies[0] == "" {
			t.Fatalf("live bodies %q", bodies)
		}
		_, err := s.DeleteSpammer(ctx, forum.SpamAccount{UserID: mod.ID, By: mod, Now: t0})
		wantCode(t, err, forum.EForbidden, "protected_account")
		n := must(s.DeleteSpammer(ctx, forum.SpamAccount{UserID: spammer.ID, By: mod, Reason: "spam", Now: t0})).ok(t)
		if n != 2 {
			t.Fatalf("deleted %d posts, want 2", n)
		}
		for _, id := range []int64{sq.ID, sa.ID} {
			_, err := s.Post(ctx, id, 0, false)
			wantCode(t, err, forum.ENotFound, "")
			check(t, errOf2(s.Post(ctx, id, mod.ID, true))) // nothing destroyed
		}
		if bodies := must(s.LiveBodiesBy(ctx, spammer.ID)).ok(t); len(bodies) != 0 {
			t.Fatalf("live bodies after the deletion %q", bodies)
		}
		if u := must(s.UserByID(ctx, spammer.ID)).ok(t); !u.Disabled() {
			t.Fatal("the spammer's account is not disabled")
		}
		wantAudit(t, s, "user.delete_spammer", spammer.ID, "disabled", false, true)
		if drifts := must(s.Recount(ctx, false)).ok(t); len(drifts) != 0 {
			t.Fatalf("recount disagrees: %v", drifts)
		}
	})
}
