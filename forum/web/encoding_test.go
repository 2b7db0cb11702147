package web_test

import (
	"bytes"
	"compress/gzip"
	"runtime"
	"testing"
)

// gzipped compresses b.
func gzipped(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestCompressedRequestBodiesAreRefused(t *testing.T) {
	s := newSite(t)
	// 32 MiB of zeros in about 32 KB: well under the body limit, far over it inflated.
	bomb := gzipped(t, make([]byte, 32<<20))
	signup := gzipped(t, []byte(jsonBody(map[string]string{"username": "zipped", "email": "z@d.org", "password": "long enough pass"})))

	t.Run("a gzip bomb is refused without being inflated", func(t *testing.T) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: bomb, headers: map[string]string{"Content-Encoding": "gzip"}})
		runtime.ReadMemStats(&after)
		if code, _ := r.errorCode(t); r.StatusCode != 415 || code != "unsupported_content_encoding" {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
			t.Fatalf("answering the bomb allocated %d MiB", grown>>20)
		}
	})
	t.Run("a valid compressed body is refused too", func(t *testing.T) {
		for _, enc := range []string{"gzip", "GZIP", "deflate", "br", "identity, gzip"} {
			r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: signup, headers: map[string]string{"Content-Encoding": enc}})
			if code, _ := r.errorCode(t); r.StatusCode != 415 || code != "unsupported_content_encoding" {
				t.Fatalf("%s: %d %s", enc, r.StatusCode, r.body)
			}
		}
	})
	t.Run("every route refuses it: forms, the websocket, operations", func(t *testing.T) {
		for _, rq := range []req{
			{method: "POST", path: "/signup", contentType: "application/x-www-form-urlencoded", body: bomb},
			{method: "POST", path: "/api/v1/preview", body: bomb},
			{method: "GET", path: "/ws", headers: map[string]string{"Connection": "Upgrade", "Upgrade": "websocket"}},
			{method: "GET", path: "/healthz"},
		} {
			if rq.headers == nil {
				rq.headers = map[string]string{}
			}
			rq.headers["Content-Encoding"] = "gzip"
			r := s.do(rq)
			if r.StatusCode != 415 {
				t.Fatalf("%s %s: %d %s", rq.method, rq.path, r.StatusCode, r.body)
			}
		}
	})
	t.Run("identity is no compression and is accepted", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/auth/signup", headers: map[string]string{"Content-Encoding": "identity"},
			body: jsonBody(map[string]string{"username": "plain", "email": "p@d.org", "password": "long enough pass"})})
		if r.StatusCode != 201 {
			t.Fatalf("%d %s", r.StatusCode, r.body)
		}
	})
}
