package web_test

import (
	"encoding/json"
	"testing"
)

// fuzzRoutes are the request decoders the fuzzer reaches: JSON bodies of every kind of
// create and edit, and a form post. The first question is created before fuzzing so that
// ids in the paths exist.
var fuzzRoutes = []struct{ method, path, contentType string }{
	{"POST", "/api/v1/questions", "application/json"},
	{"POST", "/api/v1/questions/1/answers", "application/json"},
	{"POST", "/api/v1/posts/1/comments", "application/json"},
	{"POST", "/api/v1/posts/1/vote", "application/json"},
	{"PATCH", "/api/v1/posts/1", "application/json"},
	{"PATCH", "/api/v1/me", "application/json"},
	{"POST", "/api/v1/preview", "application/json"},
	{"POST", "/api/v1/auth/login", "application/json"},
	{"POST", "/api/v1/questions", "application/json; charset=utf-8"},
	{"POST", "/questions/ask", "application/x-www-form-urlencoded"},
	{"POST", "/posts/1/comments", "application/x-www-form-urlencoded"},
	{"POST", "/api/v1/questions", "multipart/form-data; boundary=x"},
}

// FuzzRequestDecoding sends any body to the decoders above as a signed-in member. The
// server must answer every one without a 500, and every error in the one shape DESIGN.md
// gives, with a code and a message.
func FuzzRequestDecoding(f *testing.F) {
	for i, body := range []string{
		`{"title":"How do you run standards-based grading?","body":"We are trying it in grade 7 and want ideas.","tags":["grading"]}`,
		`{"body":"An answer long enough to pass the length rule."}`, `{"body":"a comment","parent_id":1}`,
		`{"value":1}`, `{"value":"1"}`, `{"title":null,"tags":[1,2]}`, `{"display_name":"\u0000"}`,
		`{"login":"x","password":"y"}`, `[]`, `"s"`, `{`, `{"a":` + `[`, "\xff\xfe",
		`title=Hello+there+world+again&body=some+body+text+that+is+long&tags=a+b&_csrf=`, `body=hi&_csrf=`,
		"--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nt\r\n--x--\r\n",
	} {
		f.Add(uint8(i%len(fuzzRoutes)), body)
	}
	// The site outlives each input: one database for the whole run, as in the benchmarks.
	setup := &testing.T{}
	s := newSite(setup)
	s.t = setup
	a := s.signup("fuzzer")
	s.ask(a, "How do you run standards-based grading in a 1:1 school?", "grading")
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		s.t = t
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		headers := a.bearer()
		if r.contentType != "application/json" && r.contentType[:4] != "appl" || r.path[1] != 'a' {
			headers = a.csrf()
		}
		resp := s.do(req{method: r.method, path: r.path, body: body, contentType: r.contentType, headers: headers, cookie: a.Cookie})
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s with %q: %d %s", r.method, r.path, body, resp.StatusCode, resp.body)
		}
		if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") == "application/json; charset=utf-8" {
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(resp.body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s with %q: error not in the one shape: %d %s", r.method, r.path, body, resp.StatusCode, resp.body)
			}
		}
	})
}
