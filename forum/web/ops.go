package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"staffroom/forum"
)

// readyTimeout bounds the database check behind /readyz.
const readyTimeout = 2 * time.Second

// httpMetrics counts requests by route pattern (never by raw path, which would let any
// client grow the series without bound).
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "staffroom_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "staffroom_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	method = methodLabel(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// methodLabel maps a request method to a constant string. Fiber's c.Method() points into a
// buffer that is reused after the request, and Prometheus keeps label values for good; a
// constant also caps the series any client can create.
func methodLabel(m string) string {
	for _, known := range []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPatch, fiber.MethodPut,
		fiber.MethodDelete, fiber.MethodHead, fiber.MethodOptions} {
		if m == known {
			return known
		}
	}
	return "OTHER"
}

// metricsHandler serves the registry to a scraper bearing the metrics token. Anyone else
// gets the 404 of an address that does not exist, so the endpoint is not advertised.
func (s *Server) metricsHandler() fiber.Handler {
	serve := adaptor.HTTPHandler(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
	// Compared as hashes: equal lengths, so the time taken says nothing about the token.
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	return func(c *fiber.Ctx) error {
		scheme, token, _ := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return forum.Errorf(forum.ENotFound, "There is no page at %s.", c.Path())
		}
		return serve(c)
	}
}

// healthz answers while the process runs.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 while the database answers and the server is not shutting down.
func (s *Server) readyz(c *fiber.Ctx) error {
	if s.draining.Load() {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "shutting down"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	if err := s.health.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		return forum.Errorf(forum.EUnavailable, "The database does not answer.")
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// staticFile serves an embedded asset by its hashed name, cacheable forever.
func (s *Server) staticFile(c *fiber.Ctx) error {
	f, ok := s.static.Lookup(c.Params("*"))
	if !ok {
		return forum.Errorf(forum.ENotFound, "There is no file %s.", c.Path())
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, f.ETag)
	if c.Get(fiber.HeaderIfNoneMatch) == f.ETag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	return c.Send(f.Body)
}
