// Command staffroom-load measures Staffroom's websockets: it opens many connections,
// subscribes them, makes events happen through the JSON API, and reports how long the
// events took to arrive, whether every subscriber got every one (by the per-topic seq),
// and what the connections cost the server in memory. Benchmarks use it. One scenario,
// login-attack, is about sign-in instead: a password-guessing flood must cost the server
// bounded memory and leave ordinary requests fast.
//
//	staffroom-load idle      --conns 19900            # memory per idle connection
//	staffroom-load fanout    --conns 5000 --answers 20 # one answer to 5,000 viewers, beside a bare-TCP floor
//	staffroom-load sustained --conns 500 --rate 1000 --duration 60s
//	staffroom-load floor     --conns 5000             # the bare-TCP floor alone, no server
//	staffroom-load login-attack --attackers 200 --server-pid PID # a password-guessing flood
//	staffroom-load search    --workers 16 --duration 20s # search queries/s and latency
//
// It exits 0 when every expected event reached every subscriber (login-attack: when the
// targets were met), 1 when delivery was incomplete (or connections failed, or a target
// was missed), 2 when the run could not be set up.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Exit codes.
const (
	exitOK         = 0
	exitIncomplete = 1
	exitSetup      = 2
)

// fdReserve is the descriptors the tool keeps for itself beside its websockets: std
// streams, epoll, HTTP connections to the API and the head probe.
const fdReserve = 100

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the flags every scenario shares.
type options struct {
	url         string
	metricsURL  string
	metricsTok  string
	origin      string
	serverPID   int
	jsonOut     bool
	conns       int
	accounts    int
	concurrency int
	settle      time.Duration
	drain       time.Duration
	quiet       bool
	tokensFile  string
}

func (o *options) register(fs *flag.FlagSet, conns, accounts int) {
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base URL")
	fs.StringVar(&o.origin, "origin", "", "Origin header to send on websockets (default: the --url, but only for connections without a token)")
	fs.StringVar(&o.metricsURL, "metrics-url", "", "the server's Prometheus metrics (default: --url + /metrics; STAFFROOM_METRICS_ADDR's listener: http://ADDR/metrics)")
	fs.StringVar(&o.metricsTok, "metrics-token", os.Getenv("STAFFROOM_METRICS_TOKEN"), "bearer token for --metrics-url (default: $STAFFROOM_METRICS_TOKEN)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "the server's pid, to read its memory from /proc/<pid>/status (default: its /metrics)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.IntVar(&o.conns, "conns", conns, "websocket connections to open")
	fs.IntVar(&o.accounts, "accounts", accounts, "accounts the connections share (0: anonymous connections, which send Origin)")
	fs.IntVar(&o.concurrency, "dial-concurrency", 64, "connections dialed at once")
	fs.DurationVar(&o.drain, "drain", 15*time.Second, "how long to wait for the last events to arrive")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines on stderr")
	fs.StringVar(&o.tokensFile, "tokens-file", "", "subscribers' tokens, one a line: read if the file exists (no sign-ups), else written after signing up")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		return exitSetup
	}
	var scenario func(context.Context, *options, *Report, []string, *flag.FlagSet) error
	switch args[0] {
	case "idle":
		scenario = runIdle
	case "fanout":
		scenario = runFanout
	case "sustained":
		scenario = runSustained
	case "floor":
		scenario = runFloor
	case "login-attack":
		scenario = runLoginAttack
	case "search":
		scenario = runSearch
	case "channel":
		scenario = runChannel
	case "channel-history":
		scenario = runChannelHistory
	default:
		fmt.Fprintf(stderr, "staffroom-load: unknown scenario %q\n\n%s", args[0], usage)
		return exitSetup
	}
	fs := flag.NewFlagSet("staffroom-load "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	rep := &Report{Scenario: args[0], Started: time.Now().UTC(), CPUs: runtime.NumCPU(), LoadBefore: loadAverage()}
	soft, hard, err := raiseFileLimit()
	rep.FileLimit = FileLimit{Soft: soft, Hard: hard}
	if err != nil {
		rep.Notes = append(rep.Notes, "could not raise the open-file limit: "+err.Error())
	}
	logf := func(format string, a ...any) {
		if !o.quiet {
			fmt.Fprintf(stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, a...)...)
		}
	}
	rep.logf = logf
	toolCPU := selfCPU()
	err = scenario(ctx, o, rep, args[1:], fs)
	if errors.Is(err, flag.ErrHelp) {
		return exitSetup
	}
	rep.URL = o.url
	rep.LoadAfter = loadAverage()
	rep.ToolCPUSeconds = (selfCPU() - toolCPU).Seconds()
	rep.Seconds = time.Since(rep.Started).Seconds()
	code := exitOK
	if err != nil {
		rep.SetupError = err.Error()
		code = exitSetup
	} else if len(rep.Problems) > 0 {
		code = exitIncomplete
	}
	rep.OK = code == exitOK
	if o.jsonOut {
		rep.writeJSON(stdout)
	} else {
		rep.writeText(stdout)
	}
	return code
}

const usage = `staffroom-load measures Staffroom's websockets, and sign-in under a guessing flood.

Usage: staffroom-load SCENARIO [flags]

Scenarios:
  idle       open --conns authenticated connections, subscribe each to --topic, and report the
             server's memory per connection (RSS after minus before, divided by the count)
  fanout     --conns viewers of one new question; post --answers answers and report the delay from
             just before each POST to each viewer's answer.created, beside a bare-TCP floor
  sustained  --conns subscribers of one question; make --rate events a second (votes, comments or
             answers) for --duration and report delivered/expected by seq, gaps and latency
  floor      the bare-TCP floor alone: one write to --conns sockets of the tool's own listener
  login-attack
             --attackers parallel loops of wrong passwords against POST /api/v1/auth/login for
             --duration, while GETs of --probe paths are timed and the server's memory is
             sampled (its peak from /proc/PID/status VmHWM with --server-pid); exit 1 when the
             peak RSS passes --max-rss-mb (300) or a probe's p99 passes --max-p99 (50ms).
             Run it against a server with rate limits ON (the default) and a fresh database.
  search     GET /api/v1/search (or, with --similar, /questions/similar) from --workers clients for
             --duration, with 1-3 word queries drawn from the site's titles; queries/s and latency
  channel    --conns followers of a channel (a public collaborative's #general); --posters post
             messages for --duration; messages/s stored and the delay to each follower
  channel-history
             GET a channel's newest --limit (50) messages from --workers clients; requests/s
             (both make their collaborative through the API, or with --db FILE, the server's
             database, where the server has no collaboratives API yet)

For the websocket scenarios, start the server with rate limits off (and open privileges for votes), e.g.
  STAFFROOM_RATE_LIMITS=off staffroom serve --db /tmp/load.db --addr 127.0.0.1:8091 \
      --privileges open --demo=off --log-level warn

Run "staffroom-load SCENARIO --help" for a scenario's flags. Exit status: 0 complete delivery,
1 incomplete delivery or failed connections, 2 the run could not be set up.
`

// runID names this run's accounts and markers, so that runs against one database never
// collide.
func runID() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// checkFiles refuses a run that cannot fit in the open-file limit: one process holds at
// most the hard limit (20,000 here) of descriptors, the websockets and its own.
func checkFiles(rep *Report, need int, what string) error {
	if uint64(need+fdReserve) > rep.FileLimit.Soft {
		return fmt.Errorf("%s needs %d open files plus ~%d of the tool's own, but this process may hold %d (ulimit -Hn %d): lower --conns",
			what, need, fdReserve, rep.FileLimit.Soft, rep.FileLimit.Hard)
	}
	return nil
}

// setupServer checks the server answers and prepares the memory probe.
func setupServer(ctx context.Context, o *options, rep *Report) (*api, serverProbe, error) {
	o.url = strings.TrimRight(o.url, "/")
	a := newAPI(o.url, 256)
	if o.metricsURL == "" {
		o.metricsURL = o.url + "/metrics"
	}
	probe := serverProbe{pid: o.serverPID, metrics: o.metricsURL, token: o.metricsTok, client: &http.Client{Timeout: 10 * time.Second}}
	req, _ := http.NewRequestWithContext(ctx, "GET", o.url+"/healthz", nil)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, probe, fmt.Errorf("the server at %s does not answer: %w", o.url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	rep.MemorySource = probe.source()
	return a, probe, nil
}

// tokens signs up the accounts connections share and says so in the report.
func subscriberTokens(ctx context.Context, o *options, rep *Report, a *api, run string) ([]string, error) {
	if o.accounts <= 0 {
		if o.origin == "" {
			o.origin = o.url
		}
		rep.Accounts = 0
		rep.Notes = append(rep.Notes, "connections are anonymous (--accounts 0): they send Origin "+o.origin)
		return nil, nil
	}
	n := min(o.accounts, max(o.conns, 1))
	if o.tokensFile != "" {
		if b, err := os.ReadFile(o.tokensFile); err == nil {
			tokens := strings.Fields(string(b))
			if len(tokens) == 0 {
				return nil, fmt.Errorf("%s has no tokens", o.tokensFile)
			}
			rep.Accounts = len(tokens)
			rep.Notes = append(rep.Notes, fmt.Sprintf("connections are authenticated with Authorization: Bearer, using %d saved tokens from %s (no sign-ups in this run; ~%d connections per account)",
				len(tokens), o.tokensFile, (o.conns+len(tokens)-1)/len(tokens)))
			return tokens, nil
		}
	}
	t0 := time.Now()
	rep.logf("signing up %d subscriber accounts", n)
	accts, err := a.signup(ctx, run, "s", n, 4)
	if err != nil {
		return nil, err
	}
	rep.logf("signed up %d accounts in %.1fs", n, time.Since(t0).Seconds())
	tokens := make([]string, len(accts))
	for i, ac := range accts {
		tokens[i] = ac.Token
	}
	rep.Accounts = n
	if o.tokensFile != "" {
		if err := os.WriteFile(o.tokensFile, []byte(strings.Join(tokens, "\n")+"\n"), 0o600); err != nil {
			return nil, err
		}
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("connections are authenticated with Authorization: Bearer; %d accounts share them (~%d connections per account): each sign-up costs the server an argon2id hash, so --accounts sets how many",
		n, (o.conns+n-1)/n))
	return tokens, nil
}

// openPool opens and subscribes the connections and records how that went.
func openPool(ctx context.Context, o *options, rep *Report, p *pool, tokens []string, topic string) {
	t0 := time.Now()
	rep.logf("opening %d websockets to %s (topic %q)", o.conns, p.wsURL, topic)
	p.open(ctx, o.conns, tokens, topic, o.concurrency, func(done int) { rep.logf("  %d dialed", done) })
	rep.Conns.Requested = o.conns
	rep.Conns.Connected = int(p.connected.Load())
	rep.Conns.DialSeconds = time.Since(t0).Seconds()
	rep.Conns.OpenFiles = openFiles()
	if topic != "" {
		if !p.waitSubscribed(ctx, subscribeTimeout) {
			rep.logf("not every connection was subscribed within %s", subscribeTimeout)
		}
		rep.Conns.Subscribed = int(p.subscribed.Load())
	}
	rep.Conns.Topic = topic
	rep.Conns.SubscribeSeconds = time.Since(t0).Seconds()
	rep.logf("%d connected, %d subscribed in %.1fs", rep.Conns.Connected, rep.Conns.Subscribed, rep.Conns.SubscribeSeconds)
}

// finishPool records failures and closes the connections.
func finishPool(rep *Report, p *pool) {
	rep.Conns.DialErrors = p.reasons(p.dialErrors)
	rep.Conns.Disconnected = int(p.disconnected.Load())
	rep.Conns.Disconnects = p.reasons(p.disconnects)
	rep.Conns.ErrorFrames = p.reasons(p.errorFrames)
	rep.Conns.EphemeralFrames = p.ephemeral.Load()
	p.closeAll()
	if rep.Conns.Connected < rep.Conns.Requested {
		rep.problem("%d of %d connections failed to open", rep.Conns.Requested-rep.Conns.Connected, rep.Conns.Requested)
	}
	if rep.Conns.Topic != "" && rep.Conns.Subscribed < rep.Conns.Connected {
		rep.problem("%d of %d connections were not subscribed", rep.Conns.Connected-rep.Conns.Subscribed, rep.Conns.Connected)
	}
	if rep.Conns.Disconnected > 0 {
		rep.problem("%d connections were closed by the server or the network during the run", rep.Conns.Disconnected)
	}
}
