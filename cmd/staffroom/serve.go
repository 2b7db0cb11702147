package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"staffroom/forum"
	"staffroom/forum/sqlite"
	"staffroom/forum/web"
	"staffroom/forum/web/imageproxy"
	"staffroom/moderation"
	"staffroom/realtime"
)

const (
	// shutdownGrace bounds how long in-flight requests may finish after a signal.
	shutdownGrace = 10 * time.Second
	// pruneEvery is how often what only ages is deleted: idle sessions, idempotency keys
	// past their window, and live-update events past STAFFROOM_EVENT_RETENTION.
	pruneEvery = time.Hour
	// viewFlushEvery is how often counted page views are written: one small write for
	// every page view in that time.
	viewFlushEvery = 5 * time.Second
	// hubGrace is how long websocket clients get to hear the server is going away.
	hubGrace = 2 * time.Second
	// metricsReadTimeout bounds a scrape request's headers on the metrics listener.
	metricsReadTimeout = 10 * time.Second
)

// Rate limits on accounts. A workshop of 40 teachers behind one school address must be
// able to sign up and mistype passwords together; a script guessing passwords must not.
var (
	loginFailuresPerAccount = limit{10, 15 * time.Minute}
	loginFailuresPerIP      = limit{100, 15 * time.Minute}
	signupsPerIP            = limit{100, time.Hour}
)

type limit struct {
	burst int
	per   time.Duration
}

func (l limit) limiter(on bool) forum.RateLimiter {
	if !on {
		return moderation.Unlimited{}
	}
	return moderation.NewLimiter(l.burst, l.per)
}

// Main is the whole server, opened and run: tests start it on a free port exactly as the
// binary does.
type Main struct {
	Config  Config
	Log     *slog.Logger
	Now     func() time.Time
	Hasher  forum.PasswordHasher
	BaseURL *url.URL

	DB       *sqlite.DB
	Settings *forum.Settings
	Accounts *forum.Accounts
	QA       *forum.QA
	Views    *forum.ViewCounter
	Server   *web.Server
	Hub      *realtime.Hub
	ln       net.Listener

	metrics   *http.Server // nil unless Config.MetricsAddr is set
	metricsLn net.Listener

	// Images is the image proxy (nil when Config.ImageProxy is off). TuneImages, when set,
	// edits its configuration before it is built: tests point its resolver at a local
	// fixture. Nothing in the configuration sets it.
	Images     *imageproxy.Proxy
	TuneImages func(*imageproxy.Config)

	// Notify is notifications, mail and digests (notify.go).
	Notify *notifyServices
}

// NewMain returns a Main with defaults; set Config before Open.
func NewMain() *Main {
	return &Main{Now: time.Now, Hasher: forum.DefaultPasswordHasher, Log: slog.Default()}
}

// Open opens and migrates the database, seeds the demo on an empty one, builds the web
// application and starts listening (so Addr is known before Run).
func (m *Main) Open(ctx context.Context) error {
	base, err := m.Config.check()
	if err != nil {
		return err
	}
	m.BaseURL = base
	if m.DB, err = sqlite.Open(m.Config.DB); err != nil {
		return err
	}
	applied, err := m.DB.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, mg := range applied {
		m.Log.Info("applied migration", "version", mg.Version, "name", mg.Name)
	}
	// Events are logged from the first write on, the demo's included, in the API's shape;
	// they are published once the hub runs (below).
	m.DB.SetPublisher(web.LivePublisher{})
	render, err := m.renderer(ctx)
	if err != nil {
		return err
	}
	if m.Config.Demo {
		seeded, err := forum.SeedDemo(ctx, m.DB, m.Now().UTC())
		if err != nil {
			return fmt.Errorf("demo community: %w", err)
		}
		if seeded {
			if err := forum.SeedDemoQuestions(ctx, m.DB, m.DB, render, m.Now().UTC()); err != nil {
				return fmt.Errorf("demo questions: %w", err)
			}
			if err := forum.SeedDemoDirectory(ctx, m.DB, m.DB, render, m.Now().UTC()); err != nil {
				return fmt.Errorf("demo directory: %w", err)
			}
			if err := forum.SeedDemoCollaboratives(ctx, m.DB, m.DB, m.DB, m.DB, render, m.Now().UTC()); err != nil {
				return fmt.Errorf("demo collaboratives: %w", err)
			}
			// After the demo collaboratives (it finds them by slug, and skips those missing).
			if err := forum.SeedDemoMeetings(ctx, m.DB, m.DB, m.DB, render, m.Now().UTC()); err != nil {
				return fmt.Errorf("demo meetings: %w", err)
			}
			demoChannels := &forum.Channels{Store: m.DB, Collaboratives: m.DB, Render: render, Now: m.Now}
			if err := forum.SeedDemoChannels(ctx, m.DB, demoChannels, m.DB); err != nil {
				return fmt.Errorf("demo channels: %w", err)
			}
			m.Log.Info("created the demo community on the new database (--demo=off to skip)")
		}
	}
	on := m.Config.RateLimits
	if !on {
		m.Log.Warn("rate limits are off: use this only for load tests and benchmarks")
	}
	m.Accounts = &forum.Accounts{
		Users: m.DB, Sessions: m.DB, Hasher: m.Hasher, Now: m.Now, SessionIdle: m.Config.SessionIdle,
		Limits: forum.AccountLimits{
			LoginFailuresPerAccount: loginFailuresPerAccount.limiter(on),
			LoginFailuresPerIP:      loginFailuresPerIP.limiter(on),
			SignupsPerIP:            signupsPerIP.limiter(on),
		},
	}
	// Reputation moves with every vote on someone's posts: their cached sign-in goes, so
	// their header shows what their posts and profile show.
	m.DB.OnReputation(m.Accounts.ForgetUsers)
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(m.DB.Writer(), "writer"),
		collectors.NewDBStatsCollector(m.DB.Reader(), "reader"),
	)
	if err := m.openSettings(ctx); err != nil {
		return err
	}
	m.Views = &forum.ViewCounter{Store: m.DB}
	m.QA = &forum.QA{
		Posts: m.DB, Revisions: m.DB, Profiles: m.DB, Closes: m.DB, Render: render, Privileges: m.Settings, Now: m.Now,
		Votes:    forum.VoteRules{DailyVotes: m.Config.DailyVotes, DailyRepCap: forum.DefaultDailyRepCap},
		NewUsers: forum.DefaultNewUserRules, Synonyms: m.DB, Suggestions: m.DB, Scopes: m.DB, CommentEdits: m.DB,
		Spam: &forum.SpamGuard{Store: m.DB, Rules: forum.DefaultSpamRules, Now: m.Now},
	}
	if m.Config.NewUserReputation > 0 { // unset (0) in a Config built by hand: the default
		m.QA.NewUsers.Reputation = m.Config.NewUserReputation
	}
	if m.Config.NewUserDailyPosts > 0 {
		m.QA.NewUsers.DailyPosts = m.Config.NewUserDailyPosts
	}
	m.QA.NewUsers.SiteHost = base.Host // links to the site itself are not counted against new members
	meetings := &forum.Meetings{Store: m.DB, Collaboratives: m.DB, Render: render, Now: m.Now, Channels: m.DB, Questions: m.DB}
	collaboratives := &forum.Collaboratives{Store: m.DB, Members: m.DB, Directory: m.DB, Users: m.DB, Render: render, Now: m.Now,
		Meetings: meetings, Actions: meetings, Questions: m.QA, ExportParts: []forum.ExportPart{meetings, m.QA}}
	directory := &forum.Directory{Store: m.DB, Render: render, Now: m.Now, Collaboratives: collaboratives}
	if !on {
		// Quotas and intervals are lifted with the rate limits; the reputation cap and the
		// link limit are rules and stay.
		m.QA.Votes.DailyVotes = 0
		m.QA.NewUsers.QuestionInterval = 0
		m.QA.NewUsers.DailyPosts = 0
	}
	// The live path: the store -> forum.Publisher (web.LivePublisher) -> the hub -> the
	// connections following each topic. Topics and who may follow them are forum's.
	m.Hub = realtime.NewHub(realtime.Config{
		Unlimited: !on, Logger: m.Log, Recheck: web.Recheck(m.Accounts),
		MaxConns: m.Config.WSConns, MaxConnsPerAddr: m.Config.WSConnsPerIP, MaxAnonConnsPerAddr: m.Config.WSAnonConnsPerIP,
		HasPresence: web.HasPresence, NamesPresence: web.NamesPresence, AllowsTyping: web.AllowsTyping,
	}, realtime.NewLocal(), web.History{Log: m.DB}, web.Authorizer(&forum.Topics{Accounts: m.Accounts, QA: m.QA, Collaboratives: m.DB, Channels: m.DB}))
	m.Accounts.SignOuts = web.SignOuts{Hub: m.Hub} // sign-outs close the live connections they end
	m.DB.SetPublisher(web.LivePublisher{Hub: m.Hub, Log: m.Log})
	registerHubMetrics(reg, m.Hub.Stats())
	var previews forum.RateLimiter // nil: the web layer's pace for previews
	// A guess past the sign-in limits waits this long for its 429: a flood of guesses then
	// runs at one per connection per second (staffroom-load login-attack measures it).
	signInRefusalPause := time.Second
	connsPerIP := m.Config.ConnsPerIP
	actions := moderation.NewActionLimits(nil) // questions, answers, comments, votes, flags, messages, searches
	if !on {
		actions = nil
		previews = moderation.Unlimited{}
		connsPerIP = 0 // a connection cap, lifted with the rate limits
	}
	if m.Notify, err = m.openNotifications(ctx); err != nil {
		return err
	}
	svc := web.Services{Accounts: m.Accounts, QA: m.QA, Home: m.DB, Health: m.DB, Views: m.Views, Idem: m.DB,
		Live: realtime.NewUpgrader(m.Hub), Events: m.DB, Threads: m.DB, Images: m.Images, Directory: directory,
		Settings: m.Settings, Invitations: &forum.Invitations{Store: m.DB, Collaboratives: m.DB, Now: m.Now},
		Collaboratives: collaboratives,
		Admin:          &forum.Admin{Users: m.DB, People: m.DB, Tags: m.DB, Accounts: m.Accounts, QA: m.QA, Now: m.Now},
		Search:         &forum.Searcher{Store: m.DB, Now: m.Now, Synonyms: m.DB, Scopes: m.DB},
		Synonyms:       &forum.TagSynonyms{Store: m.DB, Privileges: m.QA.Privileges, Now: m.Now},
		Moderation: &forum.Moderation{Store: m.DB, Posts: m.DB, Revisions: m.DB, Render: render, Privileges: m.Settings,
			Rules: forum.DefaultFlagRules, Now: m.Now, Spam: m.QA.Spam},
		Channels:           &forum.Channels{Store: m.DB, Collaboratives: m.DB, Render: render, Now: m.Now},
		Meetings:           meetings,
		Oversight:          &forum.Oversight{Users: m.DB, Suspensions: m.DB, Audit: m.DB, Accounts: m.Accounts, Now: m.Now},
		Spam:               m.QA.Spam,
		FeedCollaboratives: m.DB}
	m.Notify.webServices(&svc, m.DB)
	m.Server, err = web.New(web.Config{
		SiteName: m.Config.SiteName, BaseURL: base, Logger: m.Log, Registry: reg, MetricsToken: m.Config.MetricsToken,
		TrustedProxies: m.Config.trustedProxies(), ProxyHeader: m.Config.ProxyHeader, PreviewLimit: previews,
		MaxConnsPerIP: connsPerIP, SignInRefusalPause: signInRefusalPause, ActionLimits: actions,
	}, svc)
	if err != nil {
		return err
	}
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	if m.Config.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
			m.ln.Close()
			return fmt.Errorf("listen for metrics on %s: %w", m.Config.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: metricsReadTimeout}
	}
	return nil
}

// openSettings puts the site settings in force: the configuration's values as defaults,
// those the environment or a flag sets fixed, the admin area's stored values over the
// rest. Sign-up and privileges read them on every request.
func (m *Main) openSettings(ctx context.Context) error {
	defaults, err := m.Config.siteDefaults()
	if err != nil {
		return err
	}
	m.Settings = &forum.Settings{Store: m.DB, Defaults: defaults, Fixed: m.Config.Set, Presets: moderation.PrivilegePreset, Now: m.Now}
	if err := m.Settings.Load(ctx); err != nil {
		return err
	}
	m.Accounts.Settings, m.Accounts.Invites, m.Accounts.Resets = m.Settings, m.DB, m.DB
	st := m.Settings.Current()
	m.Log.Info("who gets in", "signup", st.Signup, "signup_domains", len(st.SignupDomains), "read", st.Read, "privileges", st.Privileges)
	if st.Signup == forum.SignupDomains && len(st.SignupDomains) == 0 {
		m.Log.Warn("sign-up is by domain but no domain is allowed: only invitations let people in (set STAFFROOM_SIGNUP_DOMAINS, or the domains in the admin area)")
	}
	return nil
}

// imageKeyName names the image proxy's signing key among the site secrets.
const imageKeyName = "image_proxy"

// renderer builds the markdown renderer and, with the image proxy on, the proxy whose URLs
// it writes into stored HTML; its key must outlive restarts for those URLs to stay valid.
func (m *Main) renderer(ctx context.Context) (*moderation.Renderer, error) {
	if !m.Config.ImageProxy {
		return moderation.NewRenderer(), nil // images are links
	}
	key := []byte(m.Config.ImageProxyKey)
	if len(key) == 0 {
		var err error
		if key, err = m.DB.SiteSecret(ctx, imageKeyName); err != nil {
			return nil, err
		}
	}
	cfg := imageproxy.Config{Key: key, Resolver: net.DefaultResolver, Logger: m.Log}
	if m.TuneImages != nil {
		m.TuneImages(&cfg)
	}
	var err error
	if m.Images, err = imageproxy.New(cfg); err != nil {
		return nil, err
	}
	return moderation.NewRenderer(moderation.WithImageProxy(m.Images.URL)), nil
}

// Addr is the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// MetricsAddr is the address of the metrics listener, "" when there is none.
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}

// serveMetrics answers scrapes on the metrics listener until stopMetrics.
func (m *Main) serveMetrics() {
	if m.metrics == nil {
		return
	}
	go func() {
		if err := m.metrics.Serve(m.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("metrics listener", "err", err)
		}
	}()
}

func (m *Main) stopMetrics(ctx context.Context) {
	if m.metrics != nil {
		m.metrics.Shutdown(ctx)
	}
}

// Run serves until ctx is cancelled, then shuts down gracefully: /readyz turns 503, the
// listener closes, and in-flight requests get shutdownGrace to finish.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.Server.Serve(m.ln) }()
	m.serveMetrics()
	go m.prune(ctx)
	go m.flushViews(ctx)
	go m.backfillSearch(ctx)
	m.Notify.run(ctx)
	select {
	case err := <-errc:
		hctx, hcancel := context.WithTimeout(context.Background(), hubGrace)
		defer hcancel()
		m.Hub.Close(hctx)
		m.stopMetrics(hctx)
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down", "grace", shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	// Websocket clients first: they are told to reconnect (to the next process) and resume.
	hctx, hcancel := context.WithTimeout(sctx, hubGrace)
	m.Hub.Close(hctx)
	hcancel()
	m.stopMetrics(sctx)
	if err := m.Server.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// A stop that comes before Serve has taken the listener finds nothing to shut down, and
	// Serve would then run on; closing the listener ends it either way.
	m.ln.Close()
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return m.Views.Flush(context.Background()) // the last views counted before the stop
}

// flushViews writes counted page views every viewFlushEvery.
func (m *Main) flushViews(ctx context.Context) {
	t := time.NewTicker(viewFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.Views.Flush(ctx); err != nil && ctx.Err() == nil {
				m.Log.Warn("writing view counts", "err", err)
			}
		}
	}
}

// prune deletes, now and every pruneEvery, what only ages: idle sessions, old idempotency
// keys and old live-update events.
func (m *Main) prune(ctx context.Context) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		if n, err := m.Accounts.PruneSessions(ctx); err != nil && ctx.Err() == nil {
			m.Log.Warn("pruning idle sessions", "err", err)
		} else if n > 0 {
			m.Log.Info("pruned idle sessions", "count", n)
		}
		if _, err := m.DB.PruneIdempotencyKeys(ctx, m.Now().Add(-forum.IdempotencyWindow)); err != nil && ctx.Err() == nil {
			m.Log.Warn("pruning idempotency keys", "err", err)
		}
		if _, err := m.DB.PruneEvents(ctx, m.Now().Add(-m.Config.EventRetention)); err != nil && ctx.Err() == nil {
			m.Log.Warn("pruning old live-update events", "err", err)
		}
		if _, err := m.DB.PruneSpamTexts(ctx, m.Now().Add(-forum.DefaultSpamRules.RepeatWindow)); err != nil && ctx.Err() == nil {
			m.Log.Warn("pruning spam text hashes", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close closes the database.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	m := NewMain()
	fs := newFlagSet(env, "serve", "staffroom [serve] [flags]")
	if err := addServeFlags(fs, &m.Config); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	m.Config.noteSet(fs)
	if _, err := m.Config.check(); err != nil {
		return err
	}
	m.Log = newLogger(&m.Config, env.stderr)
	start := time.Now()
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	m.Log.Info("ready", "addr", m.Addr(), "db", m.Config.DB, "startup", time.Since(start).Round(time.Millisecond).String(),
		"metrics", metricsWhere(m))
	fmt.Fprintf(env.stdout, "Staffroom is running. Open %s/ in your browser. The first account to sign up becomes the admin.\n", m.BaseURL)
	return m.Run(ctx)
}

// metricsWhere says where Prometheus can scrape, for the start-up log.
func metricsWhere(m *Main) string {
	switch {
	case m.MetricsAddr() != "" && m.Config.MetricsToken != "":
		return "http://" + m.MetricsAddr() + "/metrics, and /metrics here with the token"
	case m.MetricsAddr() != "":
		return "http://" + m.MetricsAddr() + "/metrics"
	case m.Config.MetricsToken != "":
		return "/metrics with the token"
	}
	return "off (set STAFFROOM_METRICS_ADDR or STAFFROOM_METRICS_TOKEN)"
}

// registerHubMetrics exposes the websocket hub's counters at /metrics.
func registerHubMetrics(reg *prometheus.Registry, st *realtime.Stats) {
	gauge := func(name, help string, v func() int64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(v()) })
	}
	counter := func(name, help string, v func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(v()) })
	}
	reg.MustRegister(
		gauge("staffroom_ws_connections", "Open websocket connections.", st.Connections.Load),
		gauge("staffroom_ws_subscriptions", "Topic subscriptions of open websocket connections.", st.Subscriptions.Load),
		counter("staffroom_ws_events_delivered_total", "Event frames written to websocket clients.", st.Delivered.Load),
		counter("staffroom_ws_slow_clients_dropped_total", "Websocket clients disconnected for falling behind.", st.Dropped.Load),
		counter("staffroom_ws_refused_total", "Websocket upgrades refused at a connection cap.", st.Refused.Load),
		gauge("staffroom_ws_backlog_events", "Events committed and not yet handed to their subscribers.", st.Backlog.Load),
	)
}
