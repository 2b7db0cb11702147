package web_test

import (
	"testing"
)

// Nobody hears of what they cannot see: a question asked into a private collaborative
// reaches its tag's followers only if they are members.
func TestPrivateQuestionsNotifyMembersOnly(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	lead, member, outsider := s.signup("lead"), s.signup("member"), s.signup("outsider")
	s.collab(lead, "ell-resources", "private")
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/members", map[string]any{"user_id": member.ID}), 201, "add")
	s.ask(lead, "How do you welcome newcomers in the middle of a term?", "newcomers") // the tag exists
	s.drain()
	for _, a := range []*account{member, outsider} {
		mustStatus(t, s.apiAs(a, "POST", "/api/v1/follows", map[string]any{"kind": "tag", "target": "newcomers"}), 201, "follow")
	}
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/questions", map[string]any{"title": "Which leveled readers work for newcomers?",
		"body": "We are choosing leveled readers for newcomer students in grades 3 to 5.", "tags": []string{"newcomers"},
		"collaborative": "ell-resources"}), 201, "ask")
	s.drain()
	for _, tc := range []struct {
		who  *account
		want int
	}{{member, 1}, {outsider, 0}} {
		items := s.apiAs(tc.who, "GET", "/api/v1/notifications", nil).json(t)["items"].([]any)
		if len(items) != tc.want {
			t.Errorf("%s has %d notifications, want %d: %v", tc.who.Name, len(items), tc.want, items)
		}
	}
}
