package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// askBody posts a question with a body of its own and returns its id.
func (s *testSite) askBody(a *account, title, body string, tags ...string) int64 {
	s.t.Helper()
	r := s.do(req{method: "POST", path: "/api/v1/questions", headers: a.bearer(), body: jsonBody(map[string]any{
		"title": title, "body": body, "tags": tags})})
	if r.StatusCode != 201 {
		s.t.Fatalf("ask: %d %s", r.StatusCode, r.body)
	}
	return int64(r.json(s.t)["id"].(float64))
}

// searchAPI runs GET /api/v1/search with the given query string, as a (nil: anonymous).
func (s *testSite) searchAPI(a *account, query string) (int, map[string]any) {
	s.t.Helper()
	r := req{method: "GET", path: "/api/v1/search?" + query}
	if a != nil {
		r.headers = a.bearer()
	}
	resp := s.do(r)
	return resp.StatusCode, resp.json(s.t)
}

func itemIDs(m map[string]any) []int64 {
	out := []int64{}
	items, _ := m["items"].([]any)
	for _, it := range items {
		out = append(out, int64(it.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestSearchAPI(t *testing.T) {
	s := newSite(t)
	admin, asker, other := s.signup("admin"), s.signup("asker"), s.signup("other")
	rubric := s.askBody(asker, "Rubrics for persuasive essays in grade 8",
		"Our <<script>script>alert(1) rubric & checklist for essays: how do you weigh evidence against style?", "grading", "writing")
	labs := s.askBody(other, "Safety routines for chemistry labs", "Goggles, aprons and a routine for spills: what works with ninth graders?", "science")

	t.Run("results with escaped, marked snippets, facets and a total", func(t *testing.T) {
		code, m := s.searchAPI(nil, "q="+url.QueryEscape("rubric essays"))
		if code != 200 || fmt.Sprint(itemIDs(m)) != fmt.Sprint([]int64{rubric}) {
			t.Fatalf("search = %d %v", code, m)
		}
		if m["total"].(float64) != 1 || m["total_exact"] != true {
			t.Fatalf("total = %v exact %v", m["total"], m["total_exact"])
		}
		it := m["items"].([]any)[0].(map[string]any)
		snippet := it["snippet_html"].(string)
		bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(snippet)
		if strings.ContainsAny(bare, "<>") || !strings.Contains(snippet, "&lt;") ||
			!strings.Contains(snippet, "<mark>rubric</mark>") || !strings.Contains(snippet, "&amp;") {
			t.Fatalf("snippet_html = %q", snippet)
		}
		if it["title_html"] != "<mark>Rubrics</mark> for persuasive <mark>essays</mark> in grade 8" || it["url"] == "" {
			t.Fatalf("item = %v", it)
		}
		if _, ok := it["body"]; ok {
			t.Fatal("a result carries its whole body")
		}
		facets := m["facets"].(map[string]any)
		for _, k := range []string{"tags", "status", "collaborative", "district"} {
			if _, ok := facets[k].([]any); !ok {
				t.Fatalf("facets lack %s: %v", k, facets)
			}
		}
		if fmt.Sprint(facets["tags"]) != "[map[count:1 value:grading] map[count:1 value:writing]]" {
			t.Fatalf("tag facets = %v", facets["tags"])
		}
	})
	t.Run("tag, status and sort parameters", func(t *testing.T) {
		_, m := s.searchAPI(nil, "q=routine&tag=science")
		if fmt.Sprint(itemIDs(m)) != fmt.Sprint([]int64{labs}) {
			t.Fatalf("tag=science: %v", itemIDs(m))
		}
		s.answer(asker, labs)
		_, m = s.searchAPI(nil, "q=routine&status=answered")
		if fmt.Sprint(itemIDs(m)) != fmt.Sprint([]int64{labs}) {
			t.Fatalf("status=answered: %v", itemIDs(m))
		}
		_, m = s.searchAPI(nil, "q=routine&status=unanswered")
		if len(itemIDs(m)) != 0 {
			t.Fatalf("status=unanswered: %v", itemIDs(m))
		}
		_, m = s.searchAPI(nil, "q=is:question&sort=newest")
		if fmt.Sprint(itemIDs(m)) != fmt.Sprint([]int64{labs, rubric}) {
			t.Fatalf("newest: %v", itemIDs(m))
		}
		_, m = s.searchAPI(nil, "q=essays&collaborative=no-such-group")
		if len(itemIDs(m)) != 0 || m["total"].(float64) != 0 {
			t.Fatalf("unknown collaborative: %v", m)
		}
	})
	t.Run("bad parameters other than q are refused with their field", func(t *testing.T) {
		for query, want := range map[string]string{"q=a&sort=best": "sort", "q=a&status=open": "status", "q=a&page=0": "page",
			"q=a&page_size=500": "page_size", "q=a&tag=" + url.QueryEscape("bad tag!"): "tag"} {
			r := s.do(req{method: "GET", path: "/api/v1/search?" + query})
			if code, field := r.errorCode(t); r.StatusCode != 400 || field != want {
				t.Errorf("%s: %d %s %s", query, r.StatusCode, code, field)
			}
		}
	})
	t.Run("any q answers 200", func(t *testing.T) {
		for _, q := range []string{`"unbalanced`, "-", "[", "*", `'; DROP TABLE posts; --`, "NEAR(rubric essays)", "rubric OR essays",
			"^rubric", "rubric*", "title:rubric", "zallqz", strings.Repeat("x", 3000), strings.Repeat(`"[-*():^`, 100), "\x00\x01", "%ff"} {
			code, m := s.searchAPI(nil, "q="+url.QueryEscape(q))
			if code != 200 {
				t.Errorf("q=%.40q: %d %v", q, code, m)
			}
		}
		if code, _ := s.searchAPI(nil, "q=%ff%fe"); code != 200 { // not UTF-8 at all
			t.Errorf("invalid UTF-8: %d", code)
		}
	})
	t.Run("deleted questions: gone at once, but for their author and moderators", func(t *testing.T) {
		if r := s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/posts/%d", labs), headers: admin.bearer()}); r.StatusCode != 204 {
			t.Fatalf("delete: %d %s", r.StatusCode, r.body)
		}
		for who, a := range map[string]*account{"anonymous": nil, "another member": asker} {
			_, m := s.searchAPI(a, "q=goggles")
			if len(itemIDs(m)) != 0 || m["total"].(float64) != 0 || len(m["facets"].(map[string]any)["tags"].([]any)) != 0 {
				t.Errorf("%s finds a deleted question: %v", who, m)
			}
		}
		for who, a := range map[string]*account{"author": other, "moderator": admin} {
			_, m := s.searchAPI(a, "q=goggles")
			if fmt.Sprint(itemIDs(m)) != fmt.Sprint([]int64{labs}) || m["items"].([]any)[0].(map[string]any)["deleted"] != true {
				t.Errorf("%s does not find their deleted question: %v", who, m)
			}
		}
	})
}

func TestSimilarAndSuggest(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("asker")
	rubric := s.askBody(a, "Rubrics for persuasive essays in grade 8", goodBody, "grading")
	for i := range 12 {
		s.askBody(a, fmt.Sprintf("Persuasive essay prompts, set number %d", i), goodBody, "writing")
	}
	r := s.do(req{method: "GET", path: "/api/v1/questions/similar?title=" + url.QueryEscape("Which rubric for persuasive essays?")})
	m := r.json(t)
	ids := itemIDs(m)
	if r.StatusCode != 200 || len(ids) == 0 || len(ids) > 10 || ids[0] != rubric {
		t.Fatalf("similar = %d %v", r.StatusCode, m)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/questions/similar"}); r.StatusCode != 200 || len(itemIDs(r.json(t))) != 0 {
		t.Fatalf("similar without a title = %d %s", r.StatusCode, r.body)
	}
	r = s.do(req{method: "GET", path: "/api/v1/search/suggest?q=grad"})
	if r.StatusCode != 200 || !strings.Contains(string(r.body), `"value":"[grading]"`) {
		t.Fatalf("suggest = %d %s", r.StatusCode, r.body)
	}
}

func TestSearchPage(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	a := s.signup("asker")
	s.askBody(a, "Rubrics for persuasive essays in grade 8", "Our rubric for essays <3: evidence first.", "grading", "writing")
	r := s.do(req{method: "GET", path: "/search"})
	if r.StatusCode != 200 || !strings.Contains(string(r.body), "How to search") {
		t.Fatalf("empty search page = %d", r.StatusCode)
	}
	r = s.do(req{method: "GET", path: "/search?q=rubric"})
	body := string(r.body)
	for _, want := range []string{"1 result", "<mark>Rubrics</mark>", "Our <mark>rubric</mark> for essays &lt;3",
		`href="/search?q=rubric&#43;%5Bgrading%5D"`, `href="/search?q=rubric&amp;status=unanswered"`, `value="rubric"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	r = s.do(req{method: "GET", path: "/search?q=" + url.QueryEscape("rubric [grading]")})
	if body := string(r.body); !strings.Contains(body, `aria-label="Remove the filter [grading]"`) || !strings.Contains(body, `href="/search?q=rubric"`) {
		t.Errorf("an active tag filter has no way out:\n%s", body)
	}
	if r := s.do(req{method: "GET", path: "/search?q=x&sort=best"}); r.StatusCode != 400 {
		t.Errorf("bad sort = %d", r.StatusCode)
	}
}

func TestTagSynonyms(t *testing.T) {
	s := newSite(t)
	admin, member := s.signup("admin"), s.signup("member")
	s.askBody(admin, "Moving a department to standards-based grading", goodBody, "standards-based-grading")
	add := func(a *account, master, synonym string) *response {
		return s.do(req{method: "POST", path: "/api/v1/tags/" + master + "/synonyms", headers: a.bearer(), body: jsonBody(map[string]string{"synonym": synonym})})
	}
	if r := add(member, "standards-based-grading", "sbg"); r.StatusCode != 403 {
		t.Fatalf("a new member adds a synonym: %d %s", r.StatusCode, r.body)
	}
	if r := s.do(req{method: "POST", path: "/api/v1/tags/standards-based-grading/synonyms", body: jsonBody(map[string]string{"synonym": "sbg"})}); r.StatusCode != 401 {
		t.Fatalf("anonymous: %d", r.StatusCode)
	}
	if r := add(admin, "standards-based-grading", "SBG"); r.StatusCode != 201 || r.json(t)["synonym"] != "sbg" {
		t.Fatalf("add: %d %s", r.StatusCode, r.body)
	}
	for _, c := range []struct {
		master, synonym string
		status          int
		code            string
	}{
		{"standards-based-grading", "sbg", 409, "synonym_exists"},
		{"standards-based-grading", "standards-based-grading", 400, "same_tag"},
		{"no-such-tag", "nst", 404, "not_found"},
		{"standards-based-grading", "bad tag!", 400, "invalid_tag"},
	} {
		r := add(admin, c.master, c.synonym)
		if code, _ := r.errorCode(t); r.StatusCode != c.status || code != c.code {
			t.Errorf("%s -> %s: %d %s", c.synonym, c.master, r.StatusCode, code)
		}
	}
	r := s.do(req{method: "GET", path: "/api/v1/tags/standards-based-grading/synonyms"})
	if r.StatusCode != 200 || !strings.Contains(string(r.body), `"synonym":"sbg"`) {
		t.Fatalf("list: %d %s", r.StatusCode, r.body)
	}
	// A question asked with the synonym is filed under the master, and [sbg] finds both.
	r = s.do(req{method: "POST", path: "/api/v1/questions", headers: admin.bearer(), body: jsonBody(map[string]any{
		"title": "Reassessment policies under standards-based grading", "body": goodBody, "tags": []string{"sbg", "policy"}})})
	if r.StatusCode != 201 || fmt.Sprint(r.json(t)["tags"]) != "[standards-based-grading policy]" {
		t.Fatalf("ask with a synonym: %d %s", r.StatusCode, r.body)
	}
	_, m := s.searchAPI(nil, "q="+url.QueryEscape("[sbg]"))
	if len(itemIDs(m)) != 2 || fmt.Sprint(m["query"].(map[string]any)["tags"]) != "[standards-based-grading]" {
		t.Fatalf("[sbg] = %v", m)
	}
}
