package web_test

import (
	"regexp"
	"testing"
)

// TestHeaderFormsLeadSomewhere follows every GET form in the header of the home page, for
// an anonymous and a signed-in reader: none may lead to a 404 (the search box once did).
func TestHeaderFormsLeadSomewhere(t *testing.T) {
	s := newSite(t)
	a := s.signup("reader")
	form := regexp.MustCompile(`<form[^>]*action="([^"]+)"[^>]*method="get"|<form[^>]*method="get"[^>]*action="([^"]+)"`)
	for _, cookie := range []string{"", a.Cookie} {
		page := s.do(req{method: "GET", path: "/", cookie: cookie})
		header := regexp.MustCompile(`(?s)<header class="site-header">.*?</header>`).Find(page.body)
		if header == nil {
			t.Fatal("no site header on the home page")
		}
		for _, m := range form.FindAllSubmatch(header, -1) {
			action := string(m[1]) + string(m[2])
			if r := s.do(req{method: "GET", path: action + "?q=grading", cookie: cookie}); r.StatusCode == 404 {
				t.Errorf("the header form to %s leads to a 404", action)
			}
		}
	}
}
