package web

import (
	"html"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// Search: GET /api/v1/search, GET /api/v1/questions/similar, GET /api/v1/search/suggest
// and the /search page. Every q is answered (forum.ParseSearchQuery reads any text); only
// the other parameters can be refused.

// searchInput reads a search's parameters.
func searchInput(c *fiber.Ctx) (forum.SearchInput, error) {
	in := forum.SearchInput{Q: strings.Clone(c.Query("q")), Tag: strings.Clone(c.Query("tag")),
		Collaborative: strings.Clone(c.Query("collaborative")), Status: strings.Clone(c.Query("status")),
		Sort: strings.Clone(c.Query("sort"))}
	var err error
	if in.Page, err = queryPage(c); err != nil {
		return in, err
	}
	if in.PageSize, err = queryInt(c, "page_size"); err != nil {
		return in, err
	}
	return in, nil
}

// searchHitJSON is a result: the question as lists show it, with its title and snippet
// marked up (escaped text, matched words in <mark>) and as plain text.
type searchHitJSON struct {
	postJSON
	TitleHTML   string `json:"title_html"`
	Snippet     string `json:"snippet"`
	SnippetHTML string `json:"snippet_html"`
	AnswerID    int64  `json:"answer_id,omitempty"` // the snippet is this answer's
}

type facetJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type facetsJSON struct {
	Tags          []facetJSON `json:"tags"`
	Status        []facetJSON `json:"status"`
	Collaborative []facetJSON `json:"collaborative"`
	District      []facetJSON `json:"district"`
}

// searchQueryJSON says how the query was read.
type searchQueryJSON struct {
	Terms    []string `json:"terms"`
	Excluded []string `json:"excluded"`
	Tags     []string `json:"tags"`
	Ignored  []string `json:"ignored"`
}

type searchResponse struct {
	Items      []searchHitJSON `json:"items"`
	Total      int             `json:"total"`
	TotalExact bool            `json:"total_exact"`
	Page       int             `json:"page"`
	PageSize   int             `json:"page_size"`
	Pages      int             `json:"pages"`
	Sort       string          `json:"sort"`
	Facets     facetsJSON      `json:"facets"`
	Query      searchQueryJSON `json:"query"`
}

// markedHTML escapes every part and wraps the matched ones in <mark>: the only markup in
// it is ours.
func markedHTML(parts []forum.SnippetPart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Mark {
			b.WriteString("<mark>" + html.EscapeString(p.Text) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(p.Text))
		}
	}
	return b.String()
}

func plainParts(parts []forum.SnippetPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

func presentFacets(fs []forum.FacetCount) []facetJSON {
	out := make([]facetJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, facetJSON{Value: f.Value, Count: f.Count})
	}
	return out
}

func termTexts(ts []forum.SearchTerm) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, strings.Join(t.Words, " "))
	}
	return out
}

func (s *Server) apiSearch(c *fiber.Ctx) error {
	in, err := searchInput(c)
	if err != nil {
		return err
	}
	res, err := s.search.Search(c.UserContext(), viewerUser(c), in)
	if err != nil {
		return err
	}
	out := searchResponse{Items: make([]searchHitJSON, 0, len(res.Hits)), Total: res.Total, TotalExact: res.TotalExact,
		Page: res.Page, PageSize: res.PageSize, Pages: res.Pages, Sort: string(res.Sort),
		Facets: facetsJSON{Tags: presentFacets(res.Facets.Tags), Status: presentFacets(res.Facets.Status),
			Collaborative: presentFacets(res.Facets.Collaboratives), District: presentFacets(res.Facets.Districts)},
		Query: searchQueryJSON{Terms: termTexts(res.Query.Terms), Excluded: termTexts(res.Query.Excluded),
			Tags: append([]string{}, res.Query.Tags...), Ignored: append([]string{}, res.Query.Ignored...)}}
	for _, h := range res.Hits {
		out.Items = append(out.Items, searchHitJSON{postJSON: presentPost(h.Question, false), TitleHTML: markedHTML(h.Title),
			Snippet: plainParts(h.Snippet), SnippetHTML: markedHTML(h.Snippet), AnswerID: h.AnswerID})
	}
	return c.JSON(out)
}

// similarJSON is a question the ask page suggests while a title is typed.
type similarJSON struct {
	ID          int64    `json:"id"`
	Title       string   `json:"title"`
	URL         string   `json:"url"`
	Score       int      `json:"score"`
	AnswerCount int      `json:"answer_count"`
	Accepted    bool     `json:"accepted"`
	Closed      bool     `json:"closed"`
	Tags        []string `json:"tags"`
}

func (s *Server) apiSimilar(c *fiber.Ctx) error {
	qs, err := s.search.Similar(c.UserContext(), viewerUser(c), c.Query("title"))
	if err != nil {
		return err
	}
	items := make([]similarJSON, 0, len(qs))
	for _, q := range qs {
		tags := q.Tags
		if tags == nil {
			tags = []string{}
		}
		items = append(items, similarJSON{ID: q.ID, Title: q.Title, URL: questionPath(q), Score: q.Score,
			AnswerCount: q.AnswerCount, Accepted: q.AcceptedAnswerID != 0, Closed: q.ClosedReason != "", Tags: tags})
	}
	return c.JSON(fiber.Map{"items": items})
}

// maxSuggestions is how many suggestions the header box offers.
const maxSuggestions = 8

type suggestionJSON struct {
	Value string `json:"value"` // what the search box is filled with
	Label string `json:"label"`
}

// apiSuggest offers completions for the header search box: tags for the word being typed
// (as [tag]) and the titles of questions the words find.
func (s *Server) apiSuggest(c *fiber.Ctx) error {
	q := strings.TrimLeft(c.Query("q"), " ")
	items := []suggestionJSON{}
	words := strings.Fields(q)
	if len(words) > 0 && !strings.HasSuffix(q, " ") {
		last := strings.TrimPrefix(strings.ToLower(words[len(words)-1]), "[")
		before := strings.Join(words[:len(words)-1], " ")
		if last != "" && !strings.ContainsAny(last, ":]\"") {
			tags, _, err := s.qa.Tags(c.UserContext(), last, 1)
			if err != nil {
				return err
			}
			for _, t := range tags[:min(len(tags), 4)] {
				v := strings.TrimSpace(before + " [" + t.Name + "]")
				items = append(items, suggestionJSON{Value: v, Label: "[" + t.Name + "] · " + count(t.Count, "question", "questions")})
			}
		}
	}
	if len(q) >= 3 {
		similar, err := s.search.Similar(c.UserContext(), viewerUser(c), q)
		if err != nil {
			return err
		}
		for _, p := range similar {
			if len(items) == maxSuggestions {
				break
			}
			items = append(items, suggestionJSON{Value: p.Title, Label: p.Title})
		}
	}
	return c.JSON(fiber.Map{"items": items})
}

// searchView is the /search page's data.
type searchView struct {
	Q        string
	Res      *forum.SearchResults
	Searched bool // a query was given
	Sorts    []facetLink
	Tags     []facetLink
	Status   []facetLink
	District []facetLink
	Active   []facetLink // the filters in use, each linking to the search without it
	Pages    pager
}

// facetLink is a filter or an order a person can choose.
type facetLink struct {
	Label  string
	Count  int
	Href   string
	Active bool
}

// searchLink is the address of a search.
func searchLink(q, status, sort string, page int) string {
	v := url.Values{}
	if q = strings.TrimSpace(q); q != "" {
		v.Set("q", q)
	}
	if status != "" {
		v.Set("status", status)
	}
	if sort != "" && sort != string(forum.SearchByRelevance) {
		v.Set("sort", sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

// withoutOperator removes every occurrence of an operator (as "[tag]" or "district:x")
// from a query's text, whatever its case.
func withoutOperator(q, op string) string {
	var out []string
	for _, f := range strings.Fields(q) {
		if !strings.EqualFold(f, op) {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

func (s *Server) searchPage(c *fiber.Ctx) error {
	in, err := searchInput(c)
	if err != nil {
		return err
	}
	if in.Tag != "" { // the page keeps its tags in q, where a person sees and edits them
		in.Q, in.Tag = strings.TrimSpace(in.Q+" ["+in.Tag+"]"), ""
	}
	res, err := s.search.Search(c.UserContext(), viewerUser(c), in)
	if err != nil {
		return err
	}
	v := searchView{Q: in.Q, Res: res, Searched: strings.TrimSpace(in.Q) != "" || in.Status != ""}
	status, sort := string(res.Status), string(res.Sort)
	for _, o := range []forum.SearchSort{forum.SearchByRelevance, forum.SearchByNewest, forum.SearchByVotes} {
		v.Sorts = append(v.Sorts, facetLink{Label: string(o), Href: searchLink(in.Q, status, string(o), 1), Active: o == res.Sort})
	}
	inQuery := map[string]bool{}
	for _, t := range res.Query.Tags {
		inQuery[t] = true
		v.Active = append(v.Active, facetLink{Label: "[" + t + "]", Href: searchLink(withoutOperator(in.Q, "["+t+"]"), status, sort, 1), Active: true})
	}
	if status != "" {
		v.Active = append(v.Active, facetLink{Label: status, Href: searchLink(in.Q, "", sort, 1), Active: true})
	}
	if d := res.Query.District; d != "" {
		v.Active = append(v.Active, facetLink{Label: "district:" + d, Href: searchLink(withoutOperator(in.Q, "district:"+d), status, sort, 1), Active: true})
	}
	for _, f := range res.Facets.Tags {
		if !inQuery[f.Value] {
			v.Tags = append(v.Tags, facetLink{Label: f.Value, Count: f.Count, Href: searchLink(in.Q+" ["+f.Value+"]", status, sort, 1)})
		}
	}
	for _, f := range res.Facets.Status {
		if f.Value != status {
			v.Status = append(v.Status, facetLink{Label: f.Value, Count: f.Count, Href: searchLink(in.Q, f.Value, sort, 1)})
		}
	}
	if res.Query.District == "" {
		for _, f := range res.Facets.Districts {
			v.District = append(v.District, facetLink{Label: f.Value, Count: f.Count, Href: searchLink(in.Q+" district:"+f.Value, status, sort, 1)})
		}
	}
	v.Pages = newPager(res.Page, res.PageSize, max(1, res.Pages)*res.PageSize, func(n int) string { return searchLink(in.Q, status, sort, n) })
	title := "Search"
	if q := strings.TrimSpace(in.Q); q != "" {
		title = "Search: " + q
	}
	return s.render(c, fiber.StatusOK, "search", s.page(c, title, v))
}
