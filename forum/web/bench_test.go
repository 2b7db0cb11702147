package web_test

import (
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
	h := s.server.App().Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod("GET")
			ctx.Request.SetRequestURI("/api/v1/me")
			ctx.Request.Header.Set("Authorization", "Bearer "+a.Token)
			h(&ctx)
			if ctx.Response.StatusCode() != 200 {
				b.Fatalf("status %d", ctx.Response.StatusCode())
			}
		}
	})
}
