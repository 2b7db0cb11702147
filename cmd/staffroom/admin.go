package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"

	"staffroom/forum"
	"staffroom/forum/sqlite"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// healthcheckTimeout bounds the Docker health probe.
const healthcheckTimeout = 3 * time.Second

// openMigrated opens the database and brings its schema up to date, for commands that
// change data.
func openMigrated(ctx context.Context, path string) (*sqlite.DB, error) {
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runMigrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "migrate", "staffroom migrate [--status] [--db FILE]")
	dbPath := addDBFlag(fs)
	status := fs.Bool("status", false, "list applied and pending migrations without applying any")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			state := "pending"
			if m.AppliedAt != nil {
				state = "applied " + m.AppliedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(env.stdout, "%04d_%-24s %s\n", m.Version, m.Name, state)
		}
		return nil
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.stdout, "The database is up to date.")
	}
	for _, m := range applied {
		fmt.Fprintf(env.stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	return nil
}

func runUser(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.stdout, "Usage:\n  staffroom user create --username NAME --email ADDRESS [--role member|moderator|admin] [--display-name NAME] [--password-file FILE]\n  staffroom user set-role USERNAME ROLE\n  staffroom user set-password [--password-file FILE] USERNAME\n")
		if len(args) == 0 {
			return &usageError{"staffroom user: say create, set-role or set-password"}
		}
		return nil
	}
	switch args[0] {
	case "create":
		return runUserCreate(ctx, env, args[1:])
	case "set-role":
		return runUserSetRole(ctx, env, args[1:])
	case "set-password":
		return runUserSetPassword(ctx, env, args[1:])
	}
	return &usageError{fmt.Sprintf("staffroom user: unknown subcommand %q; use create, set-role or set-password", args[0])}
}

func runUserCreate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "user create", "staffroom user create --username NAME --email ADDRESS [--role ROLE] [--password-file FILE]")
	dbPath := addDBFlag(fs)
	username := fs.String("username", "", "username (3-30 letters, digits, _ - .)")
	email := fs.String("email", "", "email address")
	displayName := fs.String("display-name", "", "display name (default: the username)")
	roleName := fs.String("role", "member", "member, moderator or admin")
	passwordFile := fs.String("password-file", "", "read the password from this file's first line instead of prompting")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *username == "" || *email == "" {
		return &usageError{"staffroom user create: --username and --email are required"}
	}
	role, err := forum.ParseRole(*roleName)
	if err != nil {
		return err
	}
	password, err := readPassword(env, *passwordFile)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := &forum.Accounts{Users: db, Sessions: db, Hasher: forum.DefaultPasswordHasher, Now: time.Now}
	u, err := accounts.CreateAccount(ctx, forum.AccountInput{
		SignupInput: forum.SignupInput{Username: *username, Email: *email, Password: password, DisplayName: *displayName},
		Role:        role,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Created %s (id %d) with role %s.\n", u.Username, u.ID, u.Role)
	return nil
}

// readPassword reads the password from a file, or prompts without echo on a terminal, or
// reads a line from standard input.
func readPassword(env *cliEnv, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSuffix(line, "\r"), nil
	}
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password given: type one at the prompt or use --password-file")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUserSetRole(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "user set-role", "staffroom user set-role [--db FILE] USERNAME ROLE")
	dbPath := addDBFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return &usageError{"staffroom user set-role: give a username and a role, like: staffroom user set-role mrivera moderator"}
	}
	role, err := forum.ParseRole(fs.Arg(1))
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := &forum.Accounts{Users: db, Sessions: db, Now: time.Now}
	u, err := accounts.SetRole(ctx, fs.Arg(0), role)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s is now %s.\n", u.Username, u.Role)
	return nil
}

// runUserSetPassword is the way back in for someone who cannot sign in: a forgotten
// password, or an account locked by someone guessing at it (changing a password in the
// settings needs the old one). It ends every session and API token of the account.
func runUserSetPassword(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "user set-password", "staffroom user set-password [--db FILE] [--password-file FILE] USERNAME")
	dbPath := addDBFlag(fs)
	passwordFile := fs.String("password-file", "", "read the password from this file's first line instead of prompting")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"staffroom user set-password: give one username or email, like: staffroom user set-password mrivera"}
	}
	password, err := readPassword(env, *passwordFile)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := &forum.Accounts{Users: db, Sessions: db, Hasher: forum.DefaultPasswordHasher, Now: time.Now}
	u, err := accounts.ResetPassword(ctx, fs.Arg(0), password)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Set a new password for %s and signed them out everywhere (every session and API token).\n", u.Username)
	return nil
}

func runBackup(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "backup", "staffroom backup [--db FILE] PATH")
	dbPath := addDBFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"staffroom backup: give the path of the copy to write, like: staffroom backup /backups/staffroom-2026-11-24.db"}
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("no database at %s: %w", *dbPath, err)
	}
	db, err := sqlite.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Wrote a consistent copy of %s to %s in %s.\n", *dbPath, fs.Arg(0), time.Since(start).Round(time.Millisecond))
	return nil
}

func runHealthcheck(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "healthcheck", "staffroom healthcheck [--addr HOST:PORT]")
	addr := fs.String("addr", envOr("ADDR", "127.0.0.1:8080"), "address the server listens on (STAFFROOM_ADDR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return &usageError{fmt.Sprintf("staffroom healthcheck: address %q must be host:port", *addr)}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: /readyz answered %s", resp.Status)
	}
	fmt.Fprintln(env.stdout, "healthy")
	return nil
}

func runVersion(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "version", "staffroom version")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = "dev-" + s.Value[:12]
			}
		}
		fmt.Fprintf(env.stdout, "staffroom %s (%s)\n", v, info.GoVersion)
		return nil
	}
	fmt.Fprintf(env.stdout, "staffroom %s\n", v)
	return nil
}

func runRecount(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "recount", "staffroom recount [--db FILE] [--fix]")
	dbPath := addDBFlag(fs)
	fix := fs.Bool("fix", false, "correct the drifted counters")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	drifts, err := db.Recount(ctx, *fix)
	if err != nil {
		return err
	}
	for _, d := range drifts {
		fmt.Fprintln(env.stdout, d)
	}
	switch {
	case len(drifts) == 0:
		fmt.Fprintln(env.stdout, "No drift: every counter matches its rows.")
	case *fix:
		fmt.Fprintf(env.stdout, "Corrected %d counters.\n", len(drifts))
	default:
		return fmt.Errorf("%d counters drifted; run with --fix to correct them", len(drifts))
	}
	return nil
}

func runBenchData(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "bench-data", "staffroom bench-data --db FILE [--questions N] [--answers N] [--comments N]")
	dbPath := fs.String("db", "", "a new database file to fill (required, so a live site is never touched by mistake)")
	questions := fs.Int("questions", 10000, "questions to generate")
	answers := fs.Int("answers", 10, "answers per question")
	comments := fs.Int("comments", 2, "comments per question and per answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *dbPath == "" || *questions < 1 || *answers < 0 || *comments < 0 {
		return &usageError{"staffroom bench-data: give --db NEWFILE and positive counts"}
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if n, err := db.CountUsers(ctx); err != nil || n > 0 {
		return fmt.Errorf("bench-data fills only an empty database; %s has %d accounts", *dbPath, n)
	}
	start := time.Now()
	err = db.BenchmarkData(ctx, *questions, *answers, *comments, func(done int) {
		fmt.Fprintf(env.stdout, "%d questions (%s)\n", done, time.Since(start).Round(time.Second))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Generated %d questions with %d answers each in %s.\n", *questions, *answers, time.Since(start).Round(time.Millisecond))
	return nil
}
