package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/storetest"
)

// A lead's actions on other people's membership are audited in their own transaction;
// a person's own joining and leaving are not (the audit log has no read interface yet,
// so this reads its table).
func TestMembershipAudit(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	lead := storetest.MustCreateUser(t, db, "lead")
	ana := storetest.MustCreateUser(t, db, "ana")
	ben := storetest.MustCreateUser(t, db, "ben")
	storetest.MustCollaborative(t, db, lead, "ell-resources", forum.VisibilityPrivate)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ch := func(by *forum.User, u *forum.User, role forum.MemberRole) forum.MemberChange {
		return forum.MemberChange{Slug: "ell-resources", By: by, UserID: u.ID, Role: role, Now: at}
	}
	steps := []error{}
	_, err := db.Join(ctx, ch(ana, ana, ""))
	steps = append(steps, err)
	_, err = db.Join(ctx, ch(ben, ben, ""))
	steps = append(steps, err,
		db.AnswerJoinRequest(ctx, ch(lead, ana, ""), true),
		db.AnswerJoinRequest(ctx, ch(lead, ben, ""), false))
	_, err = db.AddMember(ctx, ch(lead, ben, forum.MemberRoleMember))
	steps = append(steps, err)
	_, err = db.SetMemberRole(ctx, ch(lead, ana, forum.MemberRoleLead))
	steps = append(steps, err, db.RemoveMember(ctx, ch(ana, ben, "")), db.RemoveMember(ctx, ch(lead, lead, "")))
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	rows, err := db.Reader().QueryContext(ctx, `SELECT actor_id, action, target_kind, before, after FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var actor int64
		var action, kind, before, after string
		if err := rows.Scan(&actor, &action, &kind, &before, &after); err != nil {
			t.Fatal(err)
		}
		if kind != "collaborative" {
			t.Errorf("%s targets %s", action, kind)
		}
		got = append(got, action+" "+map[int64]string{lead.ID: "lead", ana.ID: "ana"}[actor]+" "+before+" -> "+after)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	state := func(u *forum.User, role string) string {
		return fmt.Sprintf(`{"collaborative":"ell-resources","role":%q,"user_id":%d}`, role, u.ID)
	}
	request := func(u *forum.User) string {
		return fmt.Sprintf(`{"collaborative":"ell-resources","request":"pending","user_id":%d}`, u.ID)
	}
	want := []string{
		"member.approve lead " + request(ana) + " -> " + state(ana, "member"),
		"member.decline lead " + request(ben) + " -> ",
		"member.add lead  -> " + state(ben, "member"),
		"member.role lead " + state(ana, "member") + " -> " + state(ana, "lead"),
		"member.remove ana " + state(ben, "member") + " -> ",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log:\n%s\nwant\n%s", got, want)
	}
}
