package web_test

import (
	"context"
	"testing"

	"staffroom/forum"
)

// TestOnlyTheFirstAccountBecomesAdmin: an empty site hands itself to its first account;
// a site whose admins were demoted later does not hand itself to the next sign-up.
func TestOnlyTheFirstAccountBecomesAdmin(t *testing.T) {
	s := newSite(t)
	first := s.signup("founder")
	if role := first.Payload["user"].(map[string]any)["role"]; role != "admin" {
		t.Fatalf("the first account's role is %v, want admin", role)
	}
	if _, err := s.accounts.SetRole(context.Background(), "founder", forum.RoleMember); err != nil {
		t.Fatal(err)
	}
	next := s.signup("newcomer")
	if role := next.Payload["user"].(map[string]any)["role"]; role != "member" {
		t.Fatalf("a sign-up on a site with no admin left got role %v, want member", role)
	}
}
