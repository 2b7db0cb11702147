package forum_test

import (
	"strings"
	"testing"
	"time"

	"staffroom/forum"
)

func TestScoreSpam(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	old := &forum.User{ID: 1, Role: forum.RoleMember, CreatedAt: now.Add(-30 * 24 * time.Hour)}
	fresh := &forum.User{ID: 2, Role: forum.RoleMember, CreatedAt: now.Add(-time.Minute)}
	freshKnown := &forum.User{ID: 3, Role: forum.RoleMember, CreatedAt: now.Add(-time.Minute), Known: true}
	mod := &forum.User{ID: 4, Role: forum.RoleModerator, CreatedAt: now.Add(-time.Minute)}
	lists := forum.NewSpamLists([]forum.SpamTerm{
		{Kind: forum.SpamWord, Value: "casino", Source: forum.SpamFromAdmin},
		{Kind: forum.SpamWord, Value: "buy essays", Source: forum.SpamFromAdmin},
		{Kind: forum.SpamDomainKind, Value: "spam.example", Source: forum.SpamFromAdmin},
		{Kind: forum.SpamDomainKind, Value: "removed.example", Source: forum.SpamFromRemoved},
	})
	links := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, "https://site"+string(rune('a'+i))+".example/page")
		}
		return out
	}
	cases := []struct {
		name    string
		author  *forum.User
		text    string
		links   []string
		repeats int
		score   int
		hidden  bool
		reason  string
	}{
		{"a plain post", old, "How do you pace fractions?", nil, 0, 0, false, ""},
		{"two links are free", old, "See these", links(2), 0, 0, false, ""},
		{"three links", old, "See these", links(3), 0, 1, false, "many links"},
		{"many links are capped", old, "See these", links(20), 0, 4, false, "many links"},
		{"links within the site do not count", old, "See these", []string{"/questions/1", "/tags/math", "/users/2", "#x"}, 0, 0, false, ""},
		{"a blocked word", old, "Best CASINO bonus!", nil, 0, 5, true, "a blocked word"},
		{"a blocked phrase, spaced out", old, "Where to buy   essays", nil, 0, 5, true, "a blocked word"},
		{"a blocked phrase as written", old, "Where to buy essays cheap", nil, 0, 5, true, "a blocked word"},
		{"a blocked word inside another is not", old, "casinos? no: occasional", nil, 0, 0, false, ""},
		{"a blocked domain", old, "Look", []string{"https://www.spam.example/x"}, 0, 5, true, "a link to a blocked domain"},
		{"a blocked domain's subdomain", old, "Look", []string{"http://deals.spam.example/"}, 0, 5, true, "a link to a blocked domain"},
		{"a domain only ending alike is not", old, "Look", []string{"https://notspam.example/"}, 0, 0, false, ""},
		{"a domain seen in removed spam", old, "Look", []string{"https://removed.example/a"}, 0, 3, false, "a link to a domain seen in removed spam"},
		{"a brand-new account", fresh, "Hello, everyone", nil, 0, 1, false, "a brand-new account"},
		{"a brand-new account with a link", fresh, "Look", links(1), 0, 2, false, "a link from a brand-new account"},
		{"a known member is never brand-new", freshKnown, "Look", links(1), 0, 0, false, ""},
		{"posted once before", old, "Same again", nil, 1, 1, false, "the same text posted before"},
		{"posted repeatedly", old, "Same again", nil, 2, 5, true, "the same text posted repeatedly"},
		{"repeated by a new account with links", fresh, "Same again", links(3), 2, 8, true, "the same text posted repeatedly"},
		{"removed-spam domain and a new account with a link", fresh, "Look", []string{"https://removed.example/"}, 0, 5, true, "a link from a brand-new account"},
		{"moderators are never scored", mod, "casino", []string{"https://spam.example"}, 5, 0, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := forum.ScoreSpam(forum.DefaultSpamRules, forum.SpamPost{Author: tc.author, Text: tc.text, Links: tc.links, Now: now}, lists)
			v := c.WithRepeats(tc.repeats)
			if v.Score != tc.score || v.Hidden != tc.hidden {
				t.Fatalf("score %d hidden %v (%v), want %d %v", v.Score, v.Hidden, v.Reasons, tc.score, tc.hidden)
			}
			if tc.reason != "" && !strings.Contains(strings.Join(v.Reasons, ";"), tc.reason) {
				t.Fatalf("reasons %v lack %q", v.Reasons, tc.reason)
			}
			if v.Hidden != (v.Reason() != "") {
				t.Fatalf("Reason() %q for hidden=%v", v.Reason(), v.Hidden)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		c := forum.ScoreSpam(forum.SpamRules{}, forum.SpamPost{Author: fresh, Text: "casino", Now: now}, lists)
		if v := c.WithRepeats(10); v.Hidden || v.Score != 0 {
			t.Fatalf("scoring off still scores: %+v", v)
		}
	})
}

func TestSpamTextHash(t *testing.T) {
	same := []string{"Buy cheap essays now!", "buy  CHEAP essays now", "Buy cheap essays, now.\n"}
	for _, s := range same[1:] {
		if string(forum.SpamTextHash(s)) != string(forum.SpamTextHash(same[0])) {
			t.Errorf("%q hashes apart from %q", s, same[0])
		}
	}
	if string(forum.SpamTextHash("Buy cheap essays later")) == string(forum.SpamTextHash(same[0])) {
		t.Error("different texts hash alike")
	}
}

func TestNormalizeSpamTerms(t *testing.T) {
	words, err := forum.NormalizeSpamWords([]string{" Casino ", "casino", "", "Buy   Essays"})
	if err != nil || strings.Join(words, "|") != "buy essays|casino" {
		t.Fatalf("words %q %v", words, err)
	}
	domains, err := forum.NormalizeSpamDomains([]string{"https://www.Spam.example/path", "deals.example/x", "spam.example"})
	if err != nil || strings.Join(domains, "|") != "deals.example|spam.example" {
		t.Fatalf("domains %q %v", domains, err)
	}
	for _, bad := range []string{"localhost", "not a domain.example", ".example", "a\x00b.example"} {
		if _, err := forum.NormalizeSpamDomains([]string{bad}); forum.KindOf(err) != forum.EInvalid {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
}

func TestSpamDomainsOf(t *testing.T) {
	got := forum.SpamDomainsOf([]string{"https://www.Deals.example/a", "http://deals.example/b", "/questions/1", "mailto:x@y.example", "https://other.example:8443/"})
	if strings.Join(got, "|") != "deals.example|other.example" {
		t.Fatalf("domains %q", got)
	}
}
