package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/realtime"
)

// Scoped questions through the real app (issue #19): every path that lists, counts,
// finds or serves a question keeps a private collaborative's to its members.

// scopeSite is a site with a public and a private collaborative, and a question in each
// and one of the site's own, all asked through the API.
type scopeSite struct {
	*testSite
	admin, mod, lead, member, outsider *account
	public, private                    *forum.Collaborative
	open, pub, priv                    int64
	privAnswer                         int64
}

const (
	openTitle = "How do you grade group projects fairly?"
	pubTitle  = "Which unplugged activities teach loops well?"
	privTitle = "Newcomer intake interviews: what do you ask first?"
)

func newScopeSite(t *testing.T, opts ...siteOption) *scopeSite {
	s := &scopeSite{testSite: newSite(t, opts...)}
	ctx := context.Background()
	s.admin = s.signup("admin")
	s.mod = s.signup("moderator")
	if _, err := s.accounts.SetRole(ctx, "moderator", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	s.lead, s.member, s.outsider = s.signup("lead"), s.signup("member"), s.signup("outsider")
	var err error
	if s.public, err = s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: "ct-framework", Name: "Computational thinking framework",
		Visibility: forum.VisibilityPublic, CreatedBy: s.lead.ID, Now: s.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if s.private, err = s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: "ell-resources", Name: "ELL resources review",
		Visibility: forum.VisibilityPrivate, CreatedBy: s.lead.ID, Now: s.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.AddCollaborativeMember(ctx, s.private.ID, s.member.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
		t.Fatal(err)
	}
	s.open = s.askInto(s.outsider, "", openTitle, "grading")
	s.pub = s.askInto(s.lead, "ct-framework", pubTitle, "grading", "unplugged")
	s.priv = s.askInto(s.member, "ell-resources", privTitle, "grading", "newcomer-intake")
	s.privAnswer = s.answer(s.lead, s.priv)
	return s
}

// askInto asks through the API into the collaborative slug ("" for none).
func (s *scopeSite) askInto(a *account, slug, title string, tags ...string) int64 {
	s.t.Helper()
	body := map[string]any{"title": title, "body": goodBody + " What would you do here?", "tags": tags}
	if slug != "" {
		body["collaborative"] = slug
	}
	r := s.apiAs(a, "POST", "/api/v1/questions", body)
	if r.StatusCode != 201 {
		s.t.Fatalf("ask into %q: %d %s", slug, r.StatusCode, r.body)
	}
	return int64(r.json(s.t)["id"].(float64))
}

// readers are the people every privacy check is run for, with whether they see inside
// the private collaborative.
func (s *scopeSite) readers() []struct {
	name string
	a    *account
	sees bool
} {
	return []struct {
		name string
		a    *account
		sees bool
	}{{"anonymous", nil, false}, {"non-member", s.outsider, false}, {"member", s.member, true}, {"moderator", s.mod, true}}
}

func TestScopedQuestionCarriesItsCollaborative(t *testing.T) {
	s := newScopeSite(t)
	r := s.apiAs(s.member, "GET", fmt.Sprintf("/api/v1/questions/%d", s.priv), nil)
	mustStatus(t, r, 200, "member reads")
	c, _ := r.json(t)["collaborative"].(map[string]any)
	if c["slug"] != "ell-resources" || c["visibility"] != "private" || c["name"] != "ELL resources review" || c["url"] != "/c/ell-resources" {
		t.Fatalf("collaborative = %v", c)
	}
	answers := r.json(t)["answers"].([]any)
	if ac, _ := answers[0].(map[string]any)["collaborative"].(map[string]any); ac["slug"] != "ell-resources" {
		t.Fatalf("the answer's collaborative = %v", ac)
	}
	if _, ok := s.apiAs(nil, "GET", fmt.Sprintf("/api/v1/questions/%d", s.open), nil).json(t)["collaborative"]; ok {
		t.Fatalf("the site's own question names a collaborative")
	}
	page := s.pageAs(s.member, fmt.Sprintf("/questions/%d", s.priv))
	mustStatus(t, page, 200, "member's page")
	if !strings.Contains(string(page.body), `Asked in the collaborative <a href="/c/ell-resources">ELL resources review</a>`) ||
		!strings.Contains(string(page.body), "private: its members alone see it") {
		t.Fatalf("the page does not name its collaborative")
	}
	// Its tags lead to a search inside the collaborative: the site's tag pages are the site's.
	if !strings.Contains(string(page.body), `href="/search?q=%5Bnewcomer-intake%5D&#43;collaborative%3Aell-resources"`) {
		t.Fatalf("the private question's tag links elsewhere")
	}
	// Bad asks: an unknown or invisible collaborative, the field named.
	for _, tc := range []struct {
		who    *account
		slug   string
		status int
		code   string
	}{{s.outsider, "ell-resources", 404, "not_found"}, {s.outsider, "no-such-group", 404, "not_found"}, {s.outsider, "ct-framework", 403, "not_a_member"}} {
		r := s.apiAs(tc.who, "POST", "/api/v1/questions", map[string]any{"title": "A question into a group I am not in",
			"body": goodBody, "tags": []string{"grading"}, "collaborative": tc.slug})
		wantError(t, r, tc.status, tc.code, map[bool]string{true: "collaborative", false: ""}[tc.status == 404])
	}
}

func TestScopedQuestionsStayOutOfSiteListsAndCounts(t *testing.T) {
	s := newScopeSite(t)
	for _, rd := range s.readers() {
		t.Run(rd.name, func(t *testing.T) {
			for _, path := range []string{"/", "/?sort=unanswered", "/?sort=votes", "/?sort=active", "/tags/grading", "/tags",
				"/users/" + idStr(s.member.ID) + "/member", "/tags/newcomer-intake"} {
				r := s.pageAs(rd.a, path)
				body := string(r.body)
				if strings.Contains(body, privTitle) && !(rd.sees && strings.HasPrefix(path, "/users/")) {
					t.Errorf("%s shows the private question", path)
				}
				if strings.Contains(body, "newcomer-intake") && !(rd.sees && strings.HasPrefix(path, "/users/")) && path != "/tags/newcomer-intake" {
					t.Errorf("%s names the private question's tag", path)
				}
			}
			if r := s.pageAs(rd.a, "/tags/newcomer-intake"); r.StatusCode != 404 {
				t.Errorf("the private tag's page: %d", r.StatusCode)
			}
			r := s.apiAs(rd.a, "GET", "/api/v1/questions", nil)
			if ids := itemIDs(r.json(t)); !slices.Equal(ids, []int64{s.open}) || r.json(t)["total"].(float64) != 1 {
				t.Errorf("/api/v1/questions: %v (total %v), want only the site's own", ids, r.json(t)["total"])
			}
			r = s.apiAs(rd.a, "GET", "/api/v1/questions?tag=grading&sort=unanswered", nil)
			if ids := itemIDs(r.json(t)); !slices.Equal(ids, []int64{s.open}) {
				t.Errorf("unanswered under grading: %v", ids)
			}
			tags := string(s.apiAs(rd.a, "GET", "/api/v1/tags", nil).body)
			if strings.Contains(tags, "newcomer-intake") || !strings.Contains(tags, `{"name":"grading","count":1`) {
				t.Errorf("tags: %s", tags)
			}
			wantStatus := 404
			if rd.sees {
				wantStatus = 200
			}
			r = s.apiAs(rd.a, "GET", "/api/v1/questions?collaborative=ell-resources", nil)
			if r.StatusCode != wantStatus {
				t.Fatalf("the private collaborative's list: %d", r.StatusCode)
			}
			if rd.sees {
				if ids := itemIDs(r.json(t)); !slices.Equal(ids, []int64{s.priv}) {
					t.Errorf("the private collaborative's list: %v", ids)
				}
			} else if r.body == nil || !strings.Contains(string(r.body), `There is no collaborative \"ell-resources\"`) {
				t.Errorf("refusal: %s", r.body)
			}
			r = s.apiAs(rd.a, "GET", "/api/v1/questions?collaborative=ct-framework", nil)
			if ids := itemIDs(r.json(t)); r.StatusCode != 200 || !slices.Equal(ids, []int64{s.pub}) {
				t.Errorf("the public collaborative's list: %d %v", r.StatusCode, ids)
			}
			if r := s.apiAs(rd.a, "GET", "/api/v1/tags/newcomer-intake", nil); r.StatusCode != 404 {
				t.Errorf("the private tag: %d", r.StatusCode)
			}
		})
	}
}

// The list pages take no collaborative filter: their caches are keyed without it, so a
// page drawn for a member with ?collaborative= must never be what the next reader gets.
func TestListPagesIgnoreTheCollaborativeFilter(t *testing.T) {
	s := newScopeSite(t)
	for _, path := range []string{"/?collaborative=ell-resources", "/tags/grading?collaborative=ell-resources", "/?collaborative=ct-framework"} {
		for _, a := range []*account{s.member, s.mod, nil} {
			if body := string(s.pageAs(a, path).body); strings.Contains(body, privTitle) || strings.Contains(body, pubTitle) {
				t.Fatalf("%s shows a collaborative's question", path)
			}
		}
		for _, a := range []*account{s.outsider, nil} {
			if body := string(s.pageAs(a, strings.Split(path, "?")[0]).body); strings.Contains(body, privTitle) || !strings.Contains(body, openTitle) {
				t.Fatalf("after %s, the plain list is wrong", path)
			}
		}
	}
}

func TestProfilesListOnlyWhatTheReaderMaySee(t *testing.T) {
	s := newScopeSite(t)
	for _, rd := range s.readers() {
		t.Run(rd.name, func(t *testing.T) {
			r := s.apiAs(rd.a, "GET", fmt.Sprintf("/api/v1/users/%d/posts?type=question", s.member.ID), nil)
			ids, total := itemIDs(r.json(t)), r.json(t)["total"].(float64)
			// Moderators see every collaborative through it, not in people's lists.
			want := rd.sees && rd.a == s.member
			if slices.Contains(ids, s.priv) != want || (total == 1) != want {
				t.Errorf("member's questions: %v of %v", ids, total)
			}
			r = s.apiAs(rd.a, "GET", fmt.Sprintf("/api/v1/users/%d/posts?type=answer", s.lead.ID), nil)
			if ids := itemIDs(r.json(t)); slices.Contains(ids, s.privAnswer) != want && rd.a != s.member {
				t.Errorf("lead's answers: %v", ids)
			}
			page := string(s.pageAs(rd.a, fmt.Sprintf("/users/%d/member", s.member.ID)).body)
			if strings.Contains(page, privTitle) != want {
				t.Errorf("profile page shows the private question: %v", !want)
			}
		})
	}
}

func TestSearchKeepsPrivateQuestionsToMembers(t *testing.T) {
	s := newScopeSite(t)
	for _, rd := range s.readers() {
		t.Run(rd.name, func(t *testing.T) {
			for _, q := range []string{"q=newcomer+intake", "q=intake&collaborative=ell-resources", "q=" + url.QueryEscape("intake collaborative:ell-resources"),
				"q=" + url.QueryEscape("[newcomer-intake]"), "q=" + url.QueryEscape("[newcomer-intake] collaborative:ell-resources"), "q=interviews&sort=newest"} {
				status, m := s.searchAPI(rd.a, q)
				if status != 200 {
					t.Fatalf("search %s: %d", q, status)
				}
				ids := itemIDs(m)
				if slices.Contains(ids, s.priv) != rd.sees {
					t.Errorf("search %s finds %v", q, ids)
				}
				if !rd.sees && m["total"].(float64) != 0 {
					t.Errorf("search %s totals %v", q, m["total"])
				}
				facets, _ := asJSON(m["facets"])
				if !rd.sees && (strings.Contains(facets, "newcomer-intake") || strings.Contains(facets, "ell-resources")) {
					t.Errorf("search %s facets give it away: %s", q, facets)
				}
			}
			_, m := s.searchAPI(rd.a, "q=grading")
			facets, _ := asJSON(m["facets"])
			if strings.Contains(facets, `"ell-resources"`) != rd.sees || !strings.Contains(facets, `"ct-framework"`) {
				t.Errorf("collaborative facets: %s", facets)
			}
			page := string(s.pageAs(rd.a, "/search?q=newcomer+intake").body)
			if strings.Contains(page, fmt.Sprintf(`href="/questions/%d/`, s.priv)) != rd.sees {
				t.Errorf("search page shows the private question: %v", !rd.sees)
			}
			similar := string(s.apiAs(rd.a, "GET", "/api/v1/questions/similar?title="+url.QueryEscape("Newcomer intake interviews questions"), nil).body)
			if strings.Contains(similar, privTitle) {
				t.Errorf("similar questions show the private one")
			}
			suggest := string(s.apiAs(rd.a, "GET", "/api/v1/search/suggest?q="+url.QueryEscape("intake newcomer"), nil).body)
			if strings.Contains(suggest, privTitle) || strings.Contains(suggest, "newcomer-intake") {
				t.Errorf("suggestions give the private question away: %s", suggest)
			}
		})
	}
}

// asJSON is v encoded, for looking for a name anywhere in it.
func asJSON(v any) (string, error) { return jsonBody(v), nil }

// A private question's page is cached for the members who read it, never served from the
// cache to anyone else; and when a public collaborative turns private, its cached pages
// are refused at once.
func TestCachedPagesKeepScope(t *testing.T) {
	s := newScopeSite(t)
	path := fmt.Sprintf("/questions/%d", s.priv)
	for range 2 { // the second read is the cache's
		mustStatus(t, s.pageAs(s.member, path), 200, "member")
		mustStatus(t, s.pageAs(s.mod, path), 200, "moderator")
	}
	for range 2 {
		mustStatus(t, s.pageAs(s.outsider, path), 404, "outsider after members read it")
		mustStatus(t, s.pageAs(nil, path), 404, "anonymous after members read it")
	}
	if s.server.ThreadCacheHits() == 0 {
		t.Fatal("the thread cache was never used: this test tests nothing")
	}
	pub := fmt.Sprintf("/questions/%d", s.pub)
	for range 2 {
		mustStatus(t, s.pageAs(s.outsider, pub), 200, "public group's question")
		mustStatus(t, s.pageAs(nil, pub), 200, "public group's question, anonymous")
	}
	if _, err := s.db.Writer().Exec(`UPDATE collaboratives SET visibility = 'private' WHERE id = ?`, s.public.ID); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, s.pageAs(s.outsider, pub), 404, "a group turned private, cached page")
	mustStatus(t, s.pageAs(s.lead, pub), 200, "its lead")
	// The anonymous micro-cache may hold the public copy for its second (and serve it
	// stale while it renders again); past that, 404.
	s.clock.Add(15 * time.Second)
	s.pageAs(nil, pub)
	r := s.pageAs(nil, pub)
	mustStatus(t, r, 404, "anonymous, once the micro-cache's copy is stale")
}

// The open feeds never carry a private question; its collaborative's topic does, to
// its members.
func TestLiveFeedsKeepScope(t *testing.T) {
	s := newScopeSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	anon := mustDial(t, addr, nil)
	anon.Subscribe("questions")
	anon.Subscribe("tag:grading")
	outsider := mustDial(t, addr, bearerHeader(s.outsider))
	outsider.Subscribe("questions")
	member := mustDial(t, addr, bearerHeader(s.member))
	member.Subscribe("collaborative:ell-resources")
	outsider.Send(map[string]any{"type": "subscribe", "topic": "collaborative:ell-resources"})
	if f := outsider.Next(); f.Type != "error" || f.Code != "not_found" {
		t.Fatalf("outsider subscribes to the private group: %+v", f)
	}
	q := s.askInto(s.member, "ell-resources", "Which home-language survey do you use at intake?", "grading")
	f := member.Expect("event", "question.created")
	if d := f.Object(t); int64(d["id"].(float64)) != q || f.Topic != "collaborative:ell-resources" {
		t.Fatalf("member's event: %+v", f)
	}
	open := s.askInto(s.outsider, "", "What do you put on a grading rubric for labs?", "grading")
	for range 2 {
		f := anon.Expect("event", "question.created")
		if int64(f.Object(t)["id"].(float64)) != open {
			t.Fatalf("the open feed carried %s", f.Data)
		}
	}
	if f := outsider.Expect("event", "question.created"); int64(f.Object(t)["id"].(float64)) != open {
		t.Fatalf("the open feed carried %s", f.Data)
	}
	anon.RoundTrip()
	outsider.RoundTrip()
	// An answer to the private question goes to its topic, which only members may follow.
	anon.Send(map[string]any{"type": "subscribe", "topic": fmt.Sprintf("question:%d", q)})
	if f := anon.Next(); f.Type != "error" || f.Code != "not_found" {
		t.Fatalf("anonymous follows the private question: %+v", f)
	}
}

func TestAskPageOffersTheAskersCollaboratives(t *testing.T) {
	s := newScopeSite(t)
	page := string(s.pageAs(s.member, "/questions/ask?collaborative=ell-resources").body)
	if !strings.Contains(page, `<option value="ell-resources" selected>ELL resources review (private)</option>`) ||
		strings.Contains(page, `value="ct-framework"`) || !strings.Contains(page, `<option value="">The whole site</option>`) {
		t.Fatalf("ask page's collaborative choice:\n%s", page[strings.Index(page, "<form"):])
	}
	if page := string(s.pageAs(s.outsider, "/questions/ask").body); strings.Contains(page, `name="collaborative"`) {
		t.Fatalf("someone in no collaborative is offered one")
	}
	r := s.postFormFollow("/questions/ask", s.member.Cookie, url.Values{"_csrf": {s.member.CSRF}, "title": {"How do you pair newcomers with buddies?"},
		"body": {goodBody + " Buddies?"}, "tags": {"newcomers"}, "collaborative": {"ell-resources"}})
	if r.StatusCode != 200 || !strings.Contains(string(r.body), "Asked in the collaborative") {
		t.Fatalf("asked through the form: %d %.300s", r.StatusCode, r.body)
	}
	// A failed form keeps the choice.
	r = s.postFormFollow("/questions/ask", s.member.Cookie, url.Values{"_csrf": {s.member.CSRF}, "title": {"short"},
		"body": {goodBody}, "tags": {"newcomers"}, "collaborative": {"ell-resources"}})
	if !strings.Contains(string(r.body), `<option value="ell-resources" selected>`) {
		t.Fatalf("the failed form lost the collaborative")
	}
	r = s.postFormFollow("/questions/ask", s.outsider.Cookie, url.Values{"_csrf": {s.outsider.CSRF}, "title": {"How do you pair newcomers with buddies?"},
		"body": {goodBody}, "tags": {"newcomers"}, "collaborative": {"ell-resources"}})
	if !strings.Contains(string(r.body), `There is no collaborative &#34;ell-resources&#34;`) {
		b := string(r.body)
		t.Fatalf("an outsider's ask into the private group: %d %s", r.StatusCode, b[strings.Index(b, "<main"):])
	}
}

func TestDistrictPagesListPublicQuestionsOnly(t *testing.T) {
	s := newScopeSite(t)
	if r := s.post(s.admin, "POST", "/api/v1/districts", map[string]any{"name": "Riverside Unified", "state": "MI"}); r.StatusCode != 201 {
		t.Fatalf("district: %d %s", r.StatusCode, r.body)
	}
	for _, a := range []*account{s.member, s.lead, s.outsider} {
		if r := s.post(a, "PATCH", "/api/v1/me", map[string]any{"district": "riverside-unified"}); r.StatusCode != 200 {
			t.Fatalf("join district: %d %s", r.StatusCode, r.body)
		}
	}
	for _, rd := range s.readers() {
		page := string(s.pageAs(rd.a, "/districts/riverside-unified").body)
		if strings.Contains(page, privTitle) || !strings.Contains(page, openTitle) || !strings.Contains(page, pubTitle) {
			t.Errorf("%s: the district page's questions are wrong", rd.name)
		}
		r := string(s.apiAs(rd.a, "GET", "/api/v1/districts/riverside-unified", nil).body)
		if strings.Contains(r, privTitle) {
			t.Errorf("%s: the district API names the private question", rd.name)
		}
	}
}
