package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"staffroom/forum"
	"staffroom/realtime"
)

// defaultEventRetention keeps a week of live-update events: a laptop closed over a
// weekend still resumes from its tab's last event.
const defaultEventRetention = 7 * 24 * time.Hour

// Config is the server's configuration. Each field has a flag and a STAFFROOM_*
// environment variable; a flag wins over the environment, which wins over the default.
type Config struct {
	Addr        string
	DB          string
	BaseURL     string
	SiteName    string
	Privileges  string
	RateLimits  bool
	Demo        bool
	LogLevel    string
	LogFormat   string
	SessionIdle time.Duration
	DailyVotes  int
	// NewUserReputation is the reputation below which open sign-ups keep the new-member
	// limits; NewUserDailyPosts their questions and answers per UTC day.
	NewUserReputation int
	NewUserDailyPosts int
	// EventRetention is how long live-update events are kept for clients that resume.
	EventRetention time.Duration
	// TrustedProxies is a comma-separated list of reverse proxy addresses or CIDRs.
	TrustedProxies string
	ProxyHeader    string
	// MetricsAddr, when set, serves /metrics on a listener of its own (e.g. 127.0.0.1:9090);
	// MetricsToken, when set, serves it on the public listener to that bearer token.
	// Neither: no metrics over HTTP.
	MetricsAddr  string
	MetricsToken string
	// ConnsPerIP caps TCP connections from one address (0: none); WSConns caps websockets
	// in all, WSConnsPerIP signed-in ones and WSAnonConnsPerIP anonymous ones per address
	// (0: the hub's default, as in a Config built in code; the flags spell it out).
	ConnsPerIP, WSConns, WSConnsPerIP, WSAnonConnsPerIP int
	// ImageProxy serves the images in posts through the site (/img/); off, they are
	// links. ImageProxyKey signs their URLs; empty: a key made once and kept in the
	// database.
	ImageProxy    bool
	ImageProxyKey string
	// Signup (open, domains, invite, closed), SignupDomains (comma-separated) and Read
	// (public, members) say who gets in. With SiteName and Privileges they are site
	// settings: an admin may change them in the admin area, unless Set names them.
	Signup        string
	SignupDomains string
	Read          string
	// Set names the site settings the environment or a flag sets (forum.Setting*): they
	// win over what the admin area stored. Nil: none.
	Set map[string]bool
	// Mail is off unless Mail.SMTPURL is set (notify.go).
	Mail MailConfig
}

// siteSettingFlags pairs each site setting with its flag; the variable is
// STAFFROOM_ + the flag in capitals with _ for -.
var siteSettingFlags = map[string]string{
	forum.SettingSiteName: "site-name", forum.SettingPrivileges: "privileges", forum.SettingSignup: "signup",
	forum.SettingSignupDomains: "signup-domains", forum.SettingRead: "read",
}

// noteSet records which site settings the environment or the command line sets, after
// fs is parsed: those win over the admin area.
func (c *Config) noteSet(fs *flag.FlagSet) {
	c.Set = map[string]bool{}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for setting, name := range siteSettingFlags {
		env := "STAFFROOM_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v, ok := os.LookupEnv(env); (ok && v != "") || given[name] {
			c.Set[setting] = true
		}
	}
}

// siteDefaults are the site settings this configuration starts from.
func (c *Config) siteDefaults() (forum.SiteSettings, error) {
	ss := forum.SiteSettings{SiteName: c.SiteName, Privileges: c.Privileges}
	var err error
	if ss.Signup, err = forum.ParseSignupMode(orDefault(c.Signup, "open")); err != nil {
		return ss, fmt.Errorf("sign-up must be open, domains, invite or closed, not %q", c.Signup)
	}
	if ss.Read, err = forum.ParseReadMode(orDefault(c.Read, "public")); err != nil {
		return ss, fmt.Errorf("read must be public or members, not %q", c.Read)
	}
	if ss.SignupDomains, err = forum.ParseDomains(c.SignupDomains); err != nil {
		return ss, fmt.Errorf("sign-up domains: %s", forum.AsError(err).Message)
	}
	return ss, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// minMetricsToken is the shortest metrics token accepted: it guards the public listener.
const minMetricsToken = 16

// defaultConnsPerIP fits a school behind one address: the websocket caps per address
// (200 signed-in, 50 anonymous) and a few browser connections for each teacher, while one
// client cannot hold the server's sockets. It counts websockets too.
const defaultConnsPerIP = 512

// minImageProxyKey is the shortest image proxy key accepted: 32 hex digits are 128 bits.
const minImageProxyKey = 32

// trustedProxies splits the configured list.
func (c *Config) trustedProxies() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// envOr reads STAFFROOM_<name> with a default.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv("STAFFROOM_" + name); ok && v != "" {
		return v
	}
	return def
}

// onOff parses the switch words people write in environment files.
func onOff(name, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s must be on or off, not %q", name, s)
}

// boolFlag is an on/off flag that also accepts --name=off.
type boolFlag struct{ v *bool }

func (b boolFlag) String() string {
	if b.v == nil || *b.v {
		return "on"
	}
	return "off"
}
func (b boolFlag) Set(s string) error {
	v, err := onOff("value", s)
	*b.v = v
	return err
}
func (b boolFlag) IsBoolFlag() bool { return true }

// addDBFlag registers --db, which every command that opens the database takes.
func addDBFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("DB", "./staffroom.db"), "SQLite database file (STAFFROOM_DB)")
}

// addServeFlags registers the server's flags, with their environment defaults.
func addServeFlags(fs *flag.FlagSet, c *Config) error {
	fs.StringVar(&c.Addr, "addr", envOr("ADDR", "127.0.0.1:8080"), "address to listen on (STAFFROOM_ADDR)")
	fs.StringVar(&c.DB, "db", envOr("DB", "./staffroom.db"), "SQLite database file (STAFFROOM_DB)")
	fs.StringVar(&c.BaseURL, "base-url", envOr("BASE_URL", ""), "public URL of the site, e.g. https://staffroom.example.org (STAFFROOM_BASE_URL; default http:// + the address)")
	fs.StringVar(&c.SiteName, "site-name", envOr("SITE_NAME", "Staffroom"), "name shown in the header (STAFFROOM_SITE_NAME)")
	fs.StringVar(&c.Privileges, "privileges", envOr("PRIVILEGES", "moderate"), "reputation needed for privileges: open, moderate or strict (STAFFROOM_PRIVILEGES)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("LOG_LEVEL", "info"), "debug, info, warn or error (STAFFROOM_LOG_LEVEL)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", envOr("TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of reverse proxies to believe about the client address (STAFFROOM_TRUSTED_PROXIES)")
	fs.StringVar(&c.ProxyHeader, "proxy-header", envOr("PROXY_HEADER", "X-Forwarded-For"), "header in which trusted proxies name the client (STAFFROOM_PROXY_HEADER)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", envOr("METRICS_ADDR", ""), "serve /metrics on this address of its own, e.g. 127.0.0.1:9090 (STAFFROOM_METRICS_ADDR)")
	fs.StringVar(&c.MetricsToken, "metrics-token", envOr("METRICS_TOKEN", ""), "serve /metrics on the public address to this bearer token; prefer the variable (STAFFROOM_METRICS_TOKEN)")
	fs.StringVar(&c.LogFormat, "log-format", envOr("LOG_FORMAT", "auto"), "text, json, or auto: text on a terminal, else JSON (STAFFROOM_LOG_FORMAT)")
	var err error
	idle := envOr("SESSION_IDLE", forum.DefaultSessionIdle.String())
	if c.SessionIdle, err = time.ParseDuration(idle); err != nil || c.SessionIdle <= 0 {
		return fmt.Errorf("STAFFROOM_SESSION_IDLE must be a duration like 720h, not %q", idle)
	}
	fs.DurationVar(&c.SessionIdle, "session-idle", c.SessionIdle, "sign out sessions unused this long (STAFFROOM_SESSION_IDLE)")
	votes := envOr("DAILY_VOTES", strconv.Itoa(forum.DefaultDailyVotes))
	if c.DailyVotes, err = strconv.Atoi(votes); err != nil || c.DailyVotes < 1 {
		return fmt.Errorf("STAFFROOM_DAILY_VOTES must be a whole number of 1 or more, not %q", votes)
	}
	fs.IntVar(&c.DailyVotes, "daily-votes", c.DailyVotes, "votes one person may cast per UTC day (STAFFROOM_DAILY_VOTES)")
	newRep := envOr("NEW_USER_REPUTATION", strconv.Itoa(forum.DefaultNewUserRules.Reputation))
	if c.NewUserReputation, err = strconv.Atoi(newRep); err != nil || c.NewUserReputation < 1 {
		return fmt.Errorf("STAFFROOM_NEW_USER_REPUTATION must be a whole number of 1 or more, not %q", newRep)
	}
	fs.IntVar(&c.NewUserReputation, "new-user-reputation", c.NewUserReputation, "below this reputation, people who signed up openly keep the new-member limits: 2 links, no images, 40 minutes between questions, a daily quota (STAFFROOM_NEW_USER_REPUTATION)")
	newPosts := envOr("NEW_USER_DAILY_POSTS", strconv.Itoa(forum.DefaultNewUserRules.DailyPosts))
	if c.NewUserDailyPosts, err = strconv.Atoi(newPosts); err != nil || c.NewUserDailyPosts < 1 {
		return fmt.Errorf("STAFFROOM_NEW_USER_DAILY_POSTS must be a whole number of 1 or more, not %q", newPosts)
	}
	fs.IntVar(&c.NewUserDailyPosts, "new-user-daily-posts", c.NewUserDailyPosts, "questions and answers a new member may post per UTC day (STAFFROOM_NEW_USER_DAILY_POSTS; lifted with --rate-limits=off)")
	keep := envOr("EVENT_RETENTION", defaultEventRetention.String())
	if c.EventRetention, err = time.ParseDuration(keep); err != nil || c.EventRetention <= 0 {
		return fmt.Errorf("STAFFROOM_EVENT_RETENTION must be a duration like 168h, not %q", keep)
	}
	fs.DurationVar(&c.EventRetention, "event-retention", c.EventRetention, "keep live-update events this long for clients that reconnect (STAFFROOM_EVENT_RETENTION)")
	for _, f := range []struct {
		v          *int
		name, help string
		def, least int
	}{
		{&c.ConnsPerIP, "conns-per-ip", "TCP connections from one address, websockets included; 0: no cap", defaultConnsPerIP, 0},
		{&c.WSConns, "ws-conns", "websocket connections in all", realtime.DefaultMaxConns, 1},
		{&c.WSConnsPerIP, "ws-conns-per-ip", "signed-in websocket connections from one address", realtime.DefaultMaxConnsPerAddr, 1},
		{&c.WSAnonConnsPerIP, "ws-anon-conns-per-ip", "anonymous websocket connections from one address", realtime.DefaultMaxAnonConnsPerAddr, 1},
	} {
		env := strings.ToUpper(strings.ReplaceAll(f.name, "-", "_"))
		v := envOr(env, strconv.Itoa(f.def))
		if *f.v, err = strconv.Atoi(v); err != nil || *f.v < f.least {
			return fmt.Errorf("STAFFROOM_%s must be a whole number of %d or more, not %q", env, f.least, v)
		}
		fs.IntVar(f.v, f.name, *f.v, fmt.Sprintf("%s (STAFFROOM_%s)", f.help, env))
	}
	if c.RateLimits, err = onOff("STAFFROOM_RATE_LIMITS", envOr("RATE_LIMITS", "on")); err != nil {
		return err
	}
	fs.Var(boolFlag{&c.RateLimits}, "rate-limits", "on, or off for load tests and benchmarks only (STAFFROOM_RATE_LIMITS)")
	if c.Demo, err = onOff("STAFFROOM_DEMO", envOr("DEMO", "on")); err != nil {
		return err
	}
	fs.Var(boolFlag{&c.Demo}, "demo", "create a demo community on the first start with an empty database (STAFFROOM_DEMO)")
	if c.ImageProxy, err = onOff("STAFFROOM_IMAGE_PROXY", envOr("IMAGE_PROXY", "on")); err != nil {
		return err
	}
	fs.Var(boolFlag{&c.ImageProxy}, "image-proxy", "serve images in posts through this site; off: show them as links (STAFFROOM_IMAGE_PROXY)")
	fs.StringVar(&c.Signup, "signup", envOr("SIGNUP", "open"), "who may sign up: open, domains, invite or closed; invitations work in every mode (STAFFROOM_SIGNUP)")
	fs.StringVar(&c.SignupDomains, "signup-domains", envOr("SIGNUP_DOMAINS", ""), "email domains that may sign up with --signup=domains, comma-separated, e.g. district1.org,district2.k12.us (STAFFROOM_SIGNUP_DOMAINS)")
	fs.StringVar(&c.Read, "read", envOr("READ", "public"), "who may read: public, or members (signed in) only (STAFFROOM_READ)")
	fs.StringVar(&c.ImageProxyKey, "image-proxy-key", envOr("IMAGE_PROXY_KEY", ""), "key that signs image proxy URLs; default: one kept in the database; prefer the variable (STAFFROOM_IMAGE_PROXY_KEY)")
	return addMailFlags(fs, &c.Mail)
}

// check validates the configuration and fills in the base URL.
func (c *Config) check() (*url.URL, error) {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return nil, fmt.Errorf("address %q must be host:port, like 127.0.0.1:8080", c.Addr)
	}
	switch c.Privileges {
	case "open", "moderate", "strict":
	default:
		return nil, fmt.Errorf("privileges must be open, moderate or strict, not %q", c.Privileges)
	}
	if _, err := c.siteDefaults(); err != nil {
		return nil, err
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return nil, err
	}
	switch c.LogFormat {
	case "auto", "text", "json":
	default:
		return nil, fmt.Errorf("log format must be auto, text or json, not %q", c.LogFormat)
	}
	for _, p := range c.trustedProxies() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return nil, fmt.Errorf("trusted proxy %q must be an IP address or a CIDR like 10.0.0.0/8", p)
			}
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return nil, fmt.Errorf("metrics address %q must be host:port, like 127.0.0.1:9090", c.MetricsAddr)
		}
	}
	if c.MetricsToken != "" && (len(c.MetricsToken) < minMetricsToken || strings.ContainsAny(c.MetricsToken, " \t\r\n")) {
		return nil, fmt.Errorf("the metrics token must be at least %d characters without spaces, like the output of openssl rand -hex 32", minMetricsToken)
	}
	if c.ImageProxyKey != "" && (len(c.ImageProxyKey) < minImageProxyKey || strings.ContainsAny(c.ImageProxyKey, " \t\r\n")) {
		return nil, fmt.Errorf("the image proxy key must be at least %d characters without spaces, like the output of openssl rand -hex 32", minImageProxyKey)
	}
	if c.SessionIdle <= 0 {
		return nil, fmt.Errorf("session idle time must be positive")
	}
	if c.DailyVotes < 1 {
		return nil, fmt.Errorf("daily votes must be 1 or more")
	}
	if c.NewUserReputation < 0 || c.NewUserDailyPosts < 0 {
		return nil, fmt.Errorf("the new-member reputation and daily posts must be 1 or more")
	}
	if c.EventRetention <= 0 {
		return nil, fmt.Errorf("event retention must be positive")
	}
	if c.ConnsPerIP < 0 || c.WSConns < 0 || c.WSConnsPerIP < 0 || c.WSAnonConnsPerIP < 0 {
		return nil, fmt.Errorf("connection caps must be 0 or more")
	}
	if c.BaseURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(strings.TrimSuffix(c.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q must be an http or https URL like https://staffroom.example.org", c.BaseURL)
	}
	return u, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// newLogger writes text to a terminal and JSON elsewhere, unless told otherwise.
func newLogger(c *Config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	f, isFile := w.(*os.File)
	if c.LogFormat == "text" || c.LogFormat == "auto" && isFile && term.IsTerminal(int(f.Fd())) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
