// Package web is Staffroom's HTTP layer on Fiber: the JSON API, the server-rendered pages,
// authentication, CSRF and the one mapping from domain errors to responses. Handlers are
// thin: they parse the request, call a forum service and render what it returns.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"staffroom/assets"
	"staffroom/forum"
	"staffroom/forum/web/imageproxy"
	"staffroom/moderation"
	"staffroom/realtime"
)

// HTTP limits.
const (
	// DefaultBodyLimit fits any post or form; larger bodies get 413 before they are read.
	DefaultBodyLimit = 1 << 20
	// readTimeout bounds how long a client may take to send a request.
	readTimeout = 15 * time.Second
	// writeTimeout bounds a response, including a slow client reading it.
	writeTimeout = 30 * time.Second
	// idleTimeout closes keep-alive connections nobody uses.
	idleTimeout = 2 * time.Minute
	// previewBurst previews at once per account, then one per previewEvery: a writer's
	// pauses get their previews, a script looping on the ~100 ms render gets one a second.
	previewBurst = 10
	previewEvery = time.Second
)

// Config is what the HTTP layer needs to know about the site.
type Config struct {
	SiteName  string
	BaseURL   *url.URL
	BodyLimit int
	Logger    *slog.Logger
	// Registry receives the HTTP metrics. The public listener serves it at /metrics only
	// to a request bearing MetricsToken; without a token /metrics is not a route here
	// (cmd/staffroom can serve the registry on a listener of its own).
	Registry     *prometheus.Registry
	MetricsToken string
	// TrustedProxies are the addresses (IPs or CIDRs) of reverse proxies whose ProxyHeader
	// names the real client, for rate limits and the sessions list. Empty: trust nobody.
	TrustedProxies []string
	ProxyHeader    string
	// SignInRefusalPause delays the answer to a sign-in refused by the guessing limits, so
	// that a flood of guesses past the limit costs the server little (see signIn). 0: none.
	SignInRefusalPause time.Duration
	// PreviewLimit meters POST /api/v1/preview per account. Nil: previewBurst at once,
	// then one per previewEvery.
	PreviewLimit forum.RateLimiter
	// MaxConnsPerIP caps the TCP connections (websockets included) from one address; past
	// it a connection is answered 429 and closed. 0: no cap. It counts the socket's peer,
	// so it is off behind trusted proxies, whose one address carries everyone.
	MaxConnsPerIP int
	// ActionLimits meter questions, answers, comments, votes, searches (and the routes of
	// flags and messages) per person and per address; nil: no such limits
	// (STAFFROOM_RATE_LIMITS=off).
	ActionLimits *moderation.ActionLimits
}

// Health reports whether the database answers.
type Health interface {
	Ping(ctx context.Context) error
}

// Services are the domain services the handlers call.
type Services struct {
	Accounts *forum.Accounts
	QA       *forum.QA
	Home     HomeSource
	Health   Health
	Views    *forum.ViewCounter // nil: views are not counted
	Idem     forum.IdempotencyStore

	// Directory serves the district directory; nil: no directory routes.
	Directory *forum.Directory
	// Live upgrades /ws; Events gives pages their topics' head seq. Nil: no live updates.
	Live   *realtime.Upgrader
	Events forum.EventLog
	// Threads lets question pages be put together from cached pieces; nil: every page
	// is drawn whole.
	Threads forum.ThreadVersions
	// Images serves /img/, the images in posts (the renderer writes their URLs). Nil: no
	// image proxy, and the renderer writes images as links.
	Images *imageproxy.Proxy
	// Settings are the site settings in force (nil: Config's site name and the defaults,
	// unchangeable); Invitations and Admin serve the admin area (nil: no admin area).
	Settings    *forum.Settings
	Invitations *forum.Invitations
	Admin       *forum.Admin
	// Search answers /search and the search API; Synonyms the tag synonyms API.
	Search   *forum.Searcher
	Synonyms *forum.TagSynonyms
	// Collaboratives serves /c and the collaboratives' API; nil: no such routes.
	Collaboratives *forum.Collaboratives
	// Moderation serves flags, the review queue, curated answers and moderators' actions
	// (moderation.go, page_moderation.go); nil: none of their routes.
	Moderation *forum.Moderation
	// Channels serves collaboratives' channels and messages; nil: no channel routes.
	Channels *forum.Channels
	// Meetings serves collaboratives' meetings, agendas, notes and action items; nil: none.
	Meetings *forum.Meetings
	// Oversight serves suspensions and the audit log; Spam the blocked words and
	// domains. Nil: no such routes.
	Oversight *forum.Oversight
	Spam      *forum.SpamGuard

	// Notifications serves the inbox, follows and mail settings (nil: none). AccountMail,
	// MailStatus and Unsubscribes are set when mail is on (nil: off).
	Notifications      *forum.Notifications
	AccountMail        *forum.AccountMail
	MailStatus         MailStatusSource
	Unsubscribes       *forum.Unsubscribes
	FeedCollaboratives forum.CollaborativeStore // the feeds' (nil: no collaborative feeds)
}

// MailStatusSource says what state a person's address is in.
type MailStatusSource interface {
	MailStatus(ctx context.Context, userID int64) (forum.MailStatus, error)
}

// Server is the Staffroom web application.
type Server struct {
	cfg                Config
	app                *fiber.App
	accounts           *forum.Accounts
	qa                 *forum.QA
	directory          *forum.Directory // nil: no directory routes
	home               HomeSource
	health             Health
	views              *forum.ViewCounter
	idem               forum.IdempotencyStore
	log                *slog.Logger
	static             *assets.Static
	pages              map[string]*template.Template
	metrics            *httpMetrics
	secure             bool // the base URL is https: cookies get Secure
	draining           atomic.Bool
	pause              func(ctx context.Context, d time.Duration) // sleep, or a test's recorder
	cache              *microcache                                // anonymous readers' pages
	communityCache     *communityCache                            // the home page's community panel
	lists              *listCache                                 // signed-in readers' question lists
	formFlashes        *formFlashes                               // failed form posts, until their page shows them
	live               *realtime.Upgrader
	events             forum.EventLog
	threads            *threadCache // nil: no question page cache
	proxies            proxySet     // see clientIP
	proxyHeader        string
	images             *imageproxy.Proxy // nil: no /img/ route
	settings           *forum.Settings
	invitations        *forum.Invitations // nil: no invitations
	admin              *forum.Admin       // nil: no admin area
	search             *forum.Searcher
	synonyms           *forum.TagSynonyms
	collaboratives     *forum.Collaboratives // nil: no collaboratives' routes
	moderation         *forum.Moderation     // nil: no moderation routes
	channels           *forum.Channels       // nil: no channel routes
	meetings           *forum.Meetings       // nil: no meeting routes
	oversight          *forum.Oversight      // nil: no suspension or audit routes
	spam               *forum.SpamGuard      // nil: no spam lists to manage
	notes              *forum.Notifications  // nil: no notifications
	accountMail        *forum.AccountMail    // nil: mail is off
	mailStatus         MailStatusSource
	unsubscribes       *forum.Unsubscribes
	feedCollaboratives forum.CollaborativeStore
}

// HomeSource supplies the home page's picture of the community.
type HomeSource interface {
	Community(ctx context.Context) (*forum.Community, error)
}

// New builds the application and its routes.
func New(cfg Config, svc Services) (*Server, error) {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "Staffroom"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.PreviewLimit == nil {
		cfg.PreviewLimit = moderation.NewLimiter(previewBurst, previewBurst*previewEvery)
	}
	static, err := assets.LoadStatic()
	if err != nil {
		return nil, err
	}
	static.Add("css/code.css", []byte(moderation.HighlightCSS()))
	s := &Server{
		cfg: cfg, accounts: svc.Accounts, qa: svc.QA, home: svc.Home, health: svc.Health, views: svc.Views, idem: svc.Idem, log: cfg.Logger, static: static,
		secure: cfg.BaseURL != nil && cfg.BaseURL.Scheme == "https",
		live:   svc.Live, events: svc.Events,
		images:   svc.Images,
		pause:    sleep,
		settings: svc.Settings, invitations: svc.Invitations, admin: svc.Admin,
		search: svc.Search, synonyms: svc.Synonyms, moderation: svc.Moderation,
		collaboratives: svc.Collaboratives,
		channels:       svc.Channels,
		meetings:       svc.Meetings,
		oversight:      svc.Oversight, spam: svc.Spam,
		notes: svc.Notifications, accountMail: svc.AccountMail, mailStatus: svc.MailStatus, unsubscribes: svc.Unsubscribes,
		feedCollaboratives: svc.FeedCollaboratives,
	}
	if s.settings == nil {
		s.settings = forum.FixedSettings(forum.SiteSettings{SiteName: cfg.SiteName})
	}
	s.cache, s.communityCache, s.formFlashes = newMicrocache(s.now), newCommunityCache(s.now), newFormFlashes(s.now)
	if s.pages, err = assets.ParsePages(static, templateFuncs()); err != nil {
		return nil, err
	}
	s.directory = svc.Directory
	s.plugCollaborativeParts()
	if svc.Threads != nil {
		if s.lists, err = newListCache(s.pages["home"], s.now); err != nil {
			return nil, err
		}
		if s.threads, err = newThreadCache(svc.Threads, svc.QA, s.pages["question"], s.baseURL(), s.log.Error, s.now); err != nil {
			return nil, err
		}
	}
	if s.metrics, err = newHTTPMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	if err := s.registerCaches(cfg.Registry); err != nil {
		return nil, err
	}
	fcfg := fiber.Config{
		AppName:               cfg.SiteName,
		DisableStartupMessage: true,
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           readTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		ErrorHandler:          s.handleError,
		ReadBufferSize:        4096, // fasthttp's default; a websocket keeps this buffer while it lives
		// Forms are parsed when a handler asks, never while the request is read: fasthttp
		// would otherwise parse every multipart body up front (spilling large parts to
		// temporary files) and drop the connection without an answer when one is malformed.
		DisablePreParseMultipartForm: true,
	}
	if s.proxies, err = parseProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	s.proxyHeader = cfg.ProxyHeader
	if s.proxyHeader == "" {
		s.proxyHeader = fiber.HeaderXForwardedFor
	}
	// Always on, so that with no proxy configured Fiber believes no X-Forwarded-* header
	// (its default trusts them from anyone). The client's address is s.clientIP's.
	fcfg.EnableTrustedProxyCheck = true
	fcfg.TrustedProxies = cfg.TrustedProxies
	if len(cfg.TrustedProxies) > 0 {
		fcfg.ProxyHeader = s.proxyHeader
		fcfg.EnableIPValidation = true
	}
	s.app = fiber.New(fcfg)
	// Websockets outlive their upgrade handler (realtime.Upgrader), so that an idle one
	// holds no request state; they close themselves.
	s.app.Server().KeepHijackedConns = true
	if len(cfg.TrustedProxies) == 0 {
		s.app.Server().MaxConnsPerIP = cfg.MaxConnsPerIP
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	app := s.app
	app.Use(s.observe) // outermost: sees every response, errors and panics included
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	app.Use(s.securityHeaders)
	app.Use(refuseEncodedBodies) // before anything can read (and inflate) a body

	// Operations: no compression, no session.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	if s.cfg.MetricsToken != "" {
		app.Get("/metrics", s.metricsHandler())
	}
	// Live updates: authenticated, but neither compressed nor tagged (the answer is 101).
	app.Get("/ws", s.authenticate, s.requireReader, s.websocket)
	if s.images != nil {
		// Images in posts: public, signed, compressed already; no session needed.
		app.Get(imageproxy.Route, s.proxiedImage)
	}

	app.Use(compress.New())
	app.Get("/static/*", s.staticFile)
	app.Use(etags)
	if s.meetings != nil {
		app.Get(calendarFeedPath, s.calendarFeed) // its key is its credential: no session, no members-only wall
	}
	app.Use(s.authenticate, s.requireReader, s.noStore, s.checkCSRF, s.refuseSuspendedWrites)

	api := app.Group("/api/v1")
	api.Post("/auth/signup", s.apiSignup)
	api.Post("/auth/login", s.apiLogin)
	api.Post("/auth/logout", s.apiLogout)
	api.Get("/me", s.apiMe)
	api.Patch("/me", s.apiUpdateMe)
	api.Post("/me/password", s.apiChangePassword)
	api.Get("/me/sessions", s.apiSessions)
	api.Delete("/me/sessions/:id", s.apiRevokeSession)
	api.Get("/me/tokens", s.apiTokens)
	api.Post("/me/tokens", s.apiCreateToken) // not idempotent: a replay would have to store the secret
	api.Delete("/me/tokens/:id", s.apiRevokeToken)
	api.Get("/users/:id", s.apiUser)
	api.Get("/users/:id/posts", s.apiUserPosts)
	s.directoryAPIRoutes(api)
	s.collaborativeAPIRoutes(api)
	api.Get("/questions", s.apiQuestions)
	if s.search != nil {
		api.Get("/questions/similar", s.apiSimilar) // before /questions/:id, which would take "similar"
		api.Get("/search", s.meter(moderation.ActionSearch), s.apiSearch)
		api.Get("/search/suggest", s.apiSuggest)
	}
	api.Post("/questions", s.idempotent, s.meter(moderation.ActionQuestion), s.apiAsk)
	api.Get("/questions/:id", s.apiQuestion)
	api.Post("/questions/:id/answers", s.idempotent, s.meter(moderation.ActionAnswer), s.apiAnswer)
	api.Post("/questions/:id/close", s.apiClose)
	api.Post("/questions/:id/reopen", s.apiReopen)
	api.Get("/posts/:id/comments", s.apiComments)
	api.Post("/posts/:id/comments", s.idempotent, s.meter(moderation.ActionComment), s.apiComment)
	api.Post("/posts/:id/vote", s.meter(moderation.ActionVote), s.apiVote)
	api.Post("/comments/:id/vote", s.meter(moderation.ActionVote), s.apiVoteComment)
	api.Delete("/posts/:id", s.apiDeletePost)
	api.Patch("/posts/:id", s.apiEditPost)
	api.Post("/posts/:id/undelete", s.apiUndelete)
	api.Get("/posts/:id/revisions", s.apiRevisions)
	api.Post("/posts/:id/revisions/:n/rollback", s.apiRollback)
	api.Post("/answers/:id/accept", s.apiAccept)
	api.Get("/tags", s.apiTags)
	api.Get("/tags/:name", s.apiTag)
	api.Patch("/tags/:name", s.apiDescribeTag)
	if s.synonyms != nil {
		api.Get("/tags/:name/synonyms", s.apiTagSynonyms)
		api.Post("/tags/:name/synonyms", s.apiAddTagSynonym)
	}
	api.Post("/preview", s.apiPreview)
	s.accessAPIRoutes(api)
	s.moderationAPIRoutes(api)
	s.channelAPIRoutes(api)
	s.meetingAPIRoutes(api)
	s.oversightAPIRoutes(api)
	s.notifyAPIRoutes(api)
	app.All("/api/*", func(c *fiber.Ctx) error {
		return forum.Errorf(forum.ENotFound, "There is no API endpoint %s %s.", c.Method(), c.Path())
	})

	app.Get("/", s.anonymousCache(listPageKey(false), nil), s.homePage)
	app.Get("/questions", func(c *fiber.Ctx) error { return c.Redirect("/", fiber.StatusMovedPermanently) })
	app.Get("/questions/ask", s.askPage)
	app.Post("/questions/ask", s.meter(moderation.ActionQuestion), s.askSubmit)
	cachedQuestion := s.anonymousCache(questionPageKey, s.countAnonymousView)
	app.Get("/questions/:id", cachedQuestion, s.questionPage)
	app.Get("/questions/:id/:slug", cachedQuestion, s.questionPage)
	app.Post("/questions/:id/answers", s.meter(moderation.ActionAnswer), s.answerSubmit)
	app.Post("/questions/:id/close", s.closeSubmit)
	app.Post("/questions/:id/reopen", s.reopenSubmit)
	app.Post("/posts/:id/comments", s.meter(moderation.ActionComment), s.commentSubmit)
	app.Post("/posts/:id/vote", s.meter(moderation.ActionVote), s.voteSubmit)
	app.Post("/comments/:id/vote", s.meter(moderation.ActionVote), s.commentVoteSubmit)
	app.Post("/posts/:id/delete", s.deleteSubmit)
	app.Post("/posts/:id/undelete", s.undeleteSubmit)
	app.Get("/posts/:id/block", s.postBlock)
	app.Get("/posts/:id/edit", s.editPage)
	app.Post("/posts/:id/edit", s.editSubmit)
	app.Get("/posts/:id/revisions", s.revisionsPage)
	app.Post("/posts/:id/revisions/:n/rollback", s.rollbackSubmit)
	app.Post("/answers/:id/accept", s.acceptSubmit)
	app.Get("/tags", s.tagsPage)
	if s.search != nil {
		app.Get("/search", s.meter(moderation.ActionSearch), s.searchPage)
	}
	app.Get("/tags/:tag", s.anonymousCache(listPageKey(true), nil), s.tagPage)
	app.Post("/tags/:tag", s.describeTagSubmit)
	s.directoryRoutes(app)
	s.collaborativeRoutes(app)
	app.Get("/signup", s.signupPage)
	app.Post("/signup", s.signupSubmit)
	app.Get("/login", s.loginPage)
	app.Post("/login", s.loginSubmit)
	app.Post("/logout", s.logoutSubmit)
	s.oversightRoutes(app) // before /users/:id/:username, which would take "moderation"
	app.Get("/users/:id", s.profilePage)
	app.Get("/users/:id/:username", s.profilePage)
	app.Get("/settings", s.settingsPage)
	app.Post("/settings/profile", s.settingsProfileSubmit)
	app.Post("/settings/password", s.settingsPasswordSubmit)
	app.Post("/settings/sessions/:id/revoke", s.settingsRevokeSession)
	app.Post("/settings/tokens", s.settingsCreateToken)
	app.Post("/settings/tokens/:id/revoke", s.settingsRevokeToken)
	s.accessRoutes(app)
	s.moderationRoutes(app)
	s.channelRoutes(app)
	s.meetingRoutes(app)
	s.notifyRoutes(app)
	s.feedRoutes(app)
	app.Use(func(c *fiber.Ctx) error {
		return forum.Errorf(forum.ENotFound, "There is no page at %s.", c.Path())
	})
}

// baseURL is the site's public address without a trailing slash.
func (s *Server) baseURL() string {
	if s.cfg.BaseURL == nil {
		return ""
	}
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/")
}

// App exposes the Fiber application, for tests that call app.Test.
func (s *Server) App() *fiber.App { return s.app }

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown turns /readyz to 503, stops accepting connections and waits for in-flight
// requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	return s.app.ShutdownWithContext(ctx)
}
