package web_test

import (
	"fmt"
	"strings"
	"testing"

	"staffroom/forum"
)

// TestQueueKeepsPrivateItemsToMembers: a reviewer who is not a member of a private
// collaborative never sees its items (here its member's first post) in the queue, its
// counts, or by id, claim and resolve (404, like a missing item); a member reviewer and
// moderators do.
func TestQueueKeepsPrivateItemsToMembers(t *testing.T) {
	s := newScopeSite(t)
	s.privilege(forum.PrivReview, 350)
	reviewer := s.signup("reviewer")
	s.giveReputation(reviewer, 400)
	s.giveReputation(s.member, 400)

	// items lists the first-posts queue's items as a reads it: post id → item id, and the count.
	items := func(a *account) (map[int64]int64, float64) {
		t.Helper()
		r := s.apiAs(a, "GET", "/api/v1/moderation/queue?kind=first_posts", nil)
		mustStatus(t, r, 200, "queue")
		m := r.json(t)
		out := map[int64]int64{}
		for _, it := range m["items"].([]any) {
			it := it.(map[string]any)
			out[int64(it["post_id"].(float64))] = int64(it["id"].(float64))
		}
		n, _ := m["counts"].(map[string]any)["first_posts"].(float64)
		return out, n
	}
	all, allCount := items(s.mod)
	privItem, ok := all[s.priv]
	if !ok {
		t.Fatalf("the moderator does not see the private first post: %v", all)
	}
	if _, ok := all[s.open]; !ok {
		t.Fatal("the site's own first post is not queued")
	}
	mine, mineCount := items(s.member)
	if _, ok := mine[s.priv]; !ok || mineCount != allCount {
		t.Fatalf("a member reviewer: %v, count %v of %v", mine, mineCount, allCount)
	}
	theirs, theirCount := items(reviewer)
	if _, ok := theirs[s.priv]; ok {
		t.Fatal("a non-member reviewer sees the private collaborative's first post")
	}
	if _, ok := theirs[s.open]; !ok {
		t.Fatal("the reviewer lost the site's own items")
	}
	if theirCount != allCount-1 {
		t.Fatalf("the reviewer's count %v counts the private item (all: %v)", theirCount, allCount)
	}
	for _, rt := range []struct{ method, path string }{
		{"GET", fmt.Sprintf("/api/v1/moderation/queue/%d", privItem)},
		{"POST", fmt.Sprintf("/api/v1/moderation/queue/%d/claim", privItem)},
		{"POST", fmt.Sprintf("/api/v1/moderation/queue/%d/resolve", privItem)},
	} {
		var body any
		if rt.method == "POST" {
			body = map[string]any{"action": "looks_ok"}
		}
		r := s.apiAs(reviewer, rt.method, rt.path, body)
		mustError(t, r, 404, "not_found", "")
		if strings.Contains(string(r.body), privTitle) {
			t.Fatalf("%s %s tells: %s", rt.method, rt.path, r.body)
		}
	}
	if p := s.pageAs(reviewer, "/moderation?kind=first_posts"); p.StatusCode != 200 || strings.Contains(string(p.body), privTitle) {
		t.Fatalf("the dashboard shows the private item to a non-member: %d", p.StatusCode)
	}
	mustStatus(t, s.apiAs(s.member, "POST", fmt.Sprintf("/api/v1/moderation/queue/%d/claim", privItem), nil), 200, "a member claims")
}
