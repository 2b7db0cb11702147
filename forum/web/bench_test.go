package web_test

import (
	"fmt"
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkAPIMe measures GET /api/v1/me with a bearer token through the whole middleware
// chain, without the network: the server's own cost per request.
func BenchmarkAPIMe(b *testing.B) {
	t := &testing.T{}
	s := newSite(t)
	s.t = t
	a := s.signup("bencher")
	benchGet(b, s, "/api/v1/me", a.bearer())
}

// benchSite is a site with one question of 10 answers and 20 comments, as the targets say.
func benchSite(b *testing.B) (*testSite, int64) {
	t := &testing.T{}
	s := newSite(t)
	s.t = t
	s.signup("admin")
	a, c := s.signup("asker"), s.signup("answerer")
	qid := s.ask(a, "How do you run standards-based grading in a 1:1 school?", "grading", "sbg")
	for i := range 10 {
		aid := s.answer(c, qid)
		for j := range 2 {
			s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", aid), headers: a.bearer(),
				body: jsonBody(map[string]string{"body": fmt.Sprintf("Comment %d on answer %d, with *emphasis*.", j, i)})})
		}
	}
	return s, qid
}

// benchGet measures GET path through the whole middleware chain, without the network.
func benchGet(b *testing.B, s *testSite, path string, headers map[string]string) {
	h := s.server.App().Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod("GET")
			ctx.Request.SetRequestURI(path)
			for k, v := range headers {
				ctx.Request.Header.Set(k, v)
			}
			h(&ctx)
			if ctx.Response.StatusCode() != 200 {
				b.Fatalf("status %d", ctx.Response.StatusCode())
			}
		}
	})
}

// BenchmarkQuestionPage is the HTML question page with 10 answers and 20 comments.
func BenchmarkQuestionPage(b *testing.B) {
	s, qid := benchSite(b)
	benchGet(b, s, fmt.Sprintf("/questions/%d", qid), nil)
}

// BenchmarkQuestionAPI is the same question as JSON.
func BenchmarkQuestionAPI(b *testing.B) {
	s, qid := benchSite(b)
	benchGet(b, s, fmt.Sprintf("/api/v1/questions/%d", qid), nil)
}

// BenchmarkQuestionList is the home page's list of questions.
func BenchmarkQuestionList(b *testing.B) {
	s, _ := benchSite(b)
	benchGet(b, s, "/", nil)
}

// BenchmarkPostAnswer is posting an answer through the API: parsed, rendered, sanitized,
// stored and committed before the answer returns.
func BenchmarkPostAnswer(b *testing.B) {
	s, qid := benchSite(b)
	h := s.server.App().Handler()
	a := s.signup("bencher")
	body := jsonBody(map[string]string{"body": "We tried **weekly standards checks** with a four-point scale.\n\n" +
		"- Post the targets in student language\n- Collect one piece of evidence per standard\n- Re-assess after feedback\n\n" +
		"| Level | Meaning |\n|---|---|\n| 4 | extends |\n| 3 | meets |\n\nIt took a month to settle; see [our guide](https://example.org/guide)."})
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod("POST")
			ctx.Request.SetRequestURI(fmt.Sprintf("/api/v1/questions/%d/answers", qid))
			ctx.Request.Header.Set("Authorization", "Bearer "+a.Token)
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBodyString(body)
			h(&ctx)
			if ctx.Response.StatusCode() != 201 {
				b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}

// BenchmarkQuestionPageSignedIn is the question page for a signed-in reader, with their
// votes and forms on it: put together from the question page cache after the first.
func BenchmarkQuestionPageSignedIn(b *testing.B) {
	s, qid := benchSite(b)
	reader := s.signup("reader")
	benchGet(b, s, fmt.Sprintf("/questions/%d", qid), reader.bearer())
}

// BenchmarkQuestionAPISignedIn is the question as JSON for a signed-in reader, with their
// votes and what they may do to each post.
func BenchmarkQuestionAPISignedIn(b *testing.B) {
	s, qid := benchSite(b)
	reader := s.signup("reader")
	benchGet(b, s, fmt.Sprintf("/api/v1/questions/%d", qid), reader.bearer())
}
