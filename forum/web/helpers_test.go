package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/sqlite"
	"staffroom/forum/web"
	"staffroom/moderation"
	"staffroom/realtime"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// testSite is the real application on a real SQLite file.
type testSite struct {
	t        *testing.T
	db       *sqlite.DB
	accounts *forum.Accounts
	qa       *forum.QA
	views    *forum.ViewCounter
	server   *web.Server
	clock    *clock
	home     web.HomeSource
	cfg      web.Config
	live     bool
	hubCfg   realtime.Config
	hub      *realtime.Hub
	tune     func(*forum.Accounts)
	settings *forum.Settings
	fixed    forum.SiteSettings // the environment's settings (withEnv)
	fixedSet map[string]bool    // which of them it sets
	admin    *forum.Admin
	// sitePrivileges takes the privileges from the settings in force, as the server does
	// (else the fixed test levels); newUsers replaces the test's new-member rules.
	sitePrivileges bool
	newUsers       *forum.NewUserRules
	// collaboratives is the service the site runs; tests plug providers into it.
	collaboratives *forum.Collaboratives
	moderation     *forum.Moderation
	spam           bool // new posts are scored for spam (withSpam)
	// notes and notifier are the notification services; drain runs the fan-out (a test
	// with withNotifier also has it run in the background, as the server does). unsub signs
	// unsubscribe links (withMailLinks).
	notes    *forum.Notifications
	notifier *forum.Notifier
	unsub    *forum.Unsubscribes
	bgNotify bool
	acctMail *forum.AccountMail // withAccountMail
	mailOn   bool
}

// withAccountMail turns mail on for accounts: verification at sign-up, reset links by
// mail, the address's state on the settings page (into the outbox; nothing sends it).
func withAccountMail() siteOption { return func(s *testSite) { s.mailOn = true } }

// withNotifier runs the notifier in the background, woken by commits, as the server does.
func withNotifier() siteOption { return func(s *testSite) { s.bgNotify = true } }

// withMailLinks turns on one-click unsubscribe links (the web side of mail).
func withMailLinks() siteOption {
	return func(s *testSite) { s.unsub = &forum.Unsubscribes{Secret: []byte("0123456789abcdef0123456789abcdef")} }
}

// drain expands every queued notification, as the notifier does after commit.
func (s *testSite) drain() {
	s.t.Helper()
	if err := s.notifier.Drain(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

// withEnv makes the site start with settings the environment sets (they win over the
// admin area's); names lists which (forum.Setting*).
func withEnv(ss forum.SiteSettings, names ...string) siteOption {
	return func(s *testSite) {
		s.fixed, s.fixedSet = ss, map[string]bool{}
		for _, n := range names {
			s.fixedSet[n] = true
		}
	}
}

type siteOption func(*testSite)

// withTrustedProxies makes the site believe X-Forwarded-For from these addresses.
func withTrustedProxies(p ...string) siteOption {
	return func(s *testSite) { s.cfg.TrustedProxies = p }
}

// withLive turns on live updates: events go from the store to a hub behind /ws.
func withLive(cfg realtime.Config) siteOption {
	return func(s *testSite) { s.live, s.hubCfg = true, cfg }
}

// withAccounts adjusts the account service before the app is built (a test hasher, the
// hashing slots).
func withAccounts(f func(*forum.Accounts)) siteOption { return func(s *testSite) { s.tune = f } }

// withHome replaces the home page's data source (to inject faults).
func withHome(h web.HomeSource) siteOption { return func(s *testSite) { s.home = h } }

func newSite(t *testing.T, opts ...siteOption) *testSite {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "staffroom.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &testSite{t: t, db: db, clock: &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}, home: db}
	for _, o := range opts {
		o(s)
	}
	s.accounts = &forum.Accounts{
		Users: db, Sessions: db, Now: s.clock.Now,
		Hasher: forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1}, // fast: tests hash hundreds of passwords
		Limits: forum.AccountLimits{
			LoginFailuresPerAccount: moderation.NewLimiter(10, 15*time.Minute),
			LoginFailuresPerIP:      moderation.NewLimiter(100, 15*time.Minute),
			SignupsPerIP:            moderation.NewLimiter(100, time.Hour),
		},
	}
	s.settings = &forum.Settings{Store: db, Defaults: s.fixed, Fixed: s.fixedSet, Presets: moderation.PrivilegePreset, Now: s.clock.Now}
	if err := s.settings.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.accounts.Settings, s.accounts.Invites, s.accounts.Resets = s.settings, db, db
	if s.mailOn {
		s.acctMail = &forum.AccountMail{Store: db, Domain: "staffroom.test", Now: s.clock.Now}
		s.accounts.ResetMail, s.accounts.VerifyMail = s.acctMail, s.acctMail
	}
	if s.tune != nil {
		s.tune(s.accounts)
	}
	db.OnReputation(s.accounts.ForgetUsers) // as cmd/staffroom wires it
	s.cfg.BaseURL, _ = url.Parse("http://staffroom.test")
	s.cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s.views = &forum.ViewCounter{Store: db}
	s.qa = &forum.QA{Posts: db, Revisions: db, Profiles: db, Closes: db, Render: moderation.NewRenderer(), Now: s.clock.Now,
		Privileges: forum.Privileges{forum.PrivUpvote: 15, forum.PrivDownvote: 125, forum.PrivComment: 1, forum.PrivCreateTag: 1, forum.PrivEdit: 1000, forum.PrivCloseVote: 500},
		Votes:      forum.VoteRules{DailyVotes: forum.DefaultDailyVotes, DailyRepCap: forum.DefaultDailyRepCap},
		NewUsers:   forum.NewUserRules{Reputation: 125, MaxLinks: 2}, Synonyms: db, Suggestions: db, Scopes: db, CommentEdits: db}
	if s.spam {
		s.qa.Spam = &forum.SpamGuard{Store: db, Rules: forum.DefaultSpamRules, Now: s.clock.Now}
	}
	if s.sitePrivileges {
		s.qa.Privileges = s.settings
	}
	if s.newUsers != nil {
		s.qa.NewUsers = *s.newUsers
	}
	s.admin = &forum.Admin{Users: db, People: db, Tags: db, Accounts: s.accounts, QA: s.qa, Now: s.clock.Now}
	svc := web.Services{Accounts: s.accounts, QA: s.qa, Home: s.home, Health: db, Views: s.views, Idem: db, Threads: db,
		Settings: s.settings, Invitations: &forum.Invitations{Store: db, Collaboratives: db, Now: s.clock.Now}, Admin: s.admin,
		Search:    &forum.Searcher{Store: db, Now: s.clock.Now, Synonyms: db, Scopes: db},
		Synonyms:  &forum.TagSynonyms{Store: db, Privileges: s.qa.Privileges, Now: s.clock.Now},
		Oversight: &forum.Oversight{Users: db, Suspensions: db, Audit: db, Accounts: s.accounts, Now: s.clock.Now},
		Spam:      s.qa.Spam}
	s.moderation = &forum.Moderation{Store: db, Posts: db, Revisions: db, Render: moderation.NewRenderer(), Privileges: s.qa.Privileges,
		Rules: forum.DefaultFlagRules, Now: s.clock.Now, Spam: s.qa.Spam}
	svc.Moderation = s.moderation
	if s.live {
		if s.hubCfg.Recheck == nil {
			s.hubCfg.Recheck = web.Recheck(s.accounts)
		}
		s.hubCfg.HasPresence, s.hubCfg.NamesPresence, s.hubCfg.AllowsTyping = web.HasPresence, web.NamesPresence, web.AllowsTyping
		s.hub = realtime.NewHub(s.hubCfg, realtime.NewLocal(), web.History{Log: db}, web.Authorizer(&forum.Topics{Accounts: s.accounts, QA: s.qa, Collaboratives: db, Channels: db}))
		s.accounts.SignOuts = web.SignOuts{Hub: s.hub}
		db.SetPublisher(web.LivePublisher{Hub: s.hub})
		svc.Live, svc.Events = realtime.NewUpgrader(s.hub), db
		t.Cleanup(func() { s.hub.Close(context.Background()) })
	}
	svc.Meetings = &forum.Meetings{Store: db, Collaboratives: db, Render: moderation.NewRenderer(), Now: s.clock.Now, Channels: db, Questions: db}
	s.collaboratives = &forum.Collaboratives{Store: db, Members: db, Directory: db, Users: db, Render: moderation.NewRenderer(), Now: s.clock.Now,
		Meetings: svc.Meetings, Actions: svc.Meetings, Questions: s.qa, ExportParts: []forum.ExportPart{svc.Meetings, s.qa}}
	svc.Collaboratives = s.collaboratives
	svc.Directory = &forum.Directory{Store: db, Render: moderation.NewRenderer(), Now: s.clock.Now, Collaboratives: s.collaboratives}
	svc.Channels = &forum.Channels{Store: db, Collaboratives: db, Render: moderation.NewRenderer(), Now: s.clock.Now}
	s.notes = &forum.Notifications{Store: db, QA: s.qa, Collaboratives: db, Now: s.clock.Now}
	s.notifier = forum.NewNotifier(db, "", s.clock.Now, s.cfg.Logger)
	svc.Notifications, svc.FeedCollaboratives = s.notes, db
	if s.unsub != nil {
		s.unsub.Now = s.clock.Now
		svc.Unsubscribes = s.unsub
	}
	if s.acctMail != nil {
		svc.AccountMail, svc.MailStatus = s.acctMail, db
	}
	if s.bgNotify {
		db.OnNotify(s.notifier.Wake)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { s.notifier.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	s.server, err = web.New(s.cfg, svc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// response is a finished request, body read.
type response struct {
	*http.Response
	body []byte
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.body)
	}
	return m
}

// errorCode returns error.code and error.field of an error response.
func (r *response) errorCode(t *testing.T) (code, field string) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	if msg, _ := e["message"].(string); msg == "" {
		t.Fatalf("error without a message: %s", r.body)
	}
	return code, field
}

func (r *response) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// req describes a request to make.
type req struct {
	method, path string
	body         string
	contentType  string
	headers      map[string]string
	cookie       string // staffroom_session value
}

func (s *testSite) do(r req) *response {
	s.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	hr.Host = "staffroom.test"
	if r.body != "" || r.contentType != "" {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: "staffroom_session", Value: r.cookie})
	}
	resp, err := s.server.App().Test(hr, -1)
	if err != nil {
		s.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return &response{Response: resp, body: b}
}

func jsonBody(v any) string {
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(v)
	return buf.String()
}

// account is a signed-up person and their credentials.
type account struct {
	ID      int64
	Cookie  string
	CSRF    string
	Token   string
	Name    string
	Passwd  string
	Payload map[string]any
}

func (s *testSite) signup(username string) *account {
	s.t.Helper()
	pw := "correct horse " + username
	r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: jsonBody(map[string]string{
		"username": username, "email": username + "@district.org", "password": pw, "display_name": "Teacher " + username,
	})})
	if r.StatusCode != 201 {
		s.t.Fatalf("signup %s: %d %s", username, r.StatusCode, r.body)
	}
	m := r.json(s.t)
	c := r.cookie("staffroom_session")
	if c == nil || c.Value == "" {
		s.t.Fatalf("signup set no session cookie")
	}
	user := m["user"].(map[string]any)
	return &account{ID: int64(user["id"].(float64)), Cookie: c.Value, CSRF: m["csrf_token"].(string), Token: m["token"].(string),
		Name: username, Passwd: pw, Payload: m}
}

func (a *account) bearer() map[string]string {
	return map[string]string{"Authorization": "Bearer " + a.Token}
}
func (a *account) csrf() map[string]string { return map[string]string{"X-CSRF-Token": a.CSRF} }
