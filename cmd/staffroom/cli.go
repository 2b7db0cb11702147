package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2 // an unknown command or flag, as flag.ExitOnError does
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what a command may touch: its streams. Tests pass buffers.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "run the server (the default)", runServe},
		{"migrate", "apply database migrations and exit (--status lists them)", runMigrate},
		{"user", "manage accounts: user create, user set-role, user set-password", runUser},
		{"invite", "make a single-use invitation link (--email, --role) and print it", runInvite},
		{"backup", "write a consistent copy of the live database to PATH", runBackup},
		{"districts", "manage the district directory: districts import FILE.csv (NCES's LEA directory file)", runDistricts},
		{"reindex", "rebuild the search index from the posts", runReindex},
		{"digest", "send notification digests (--now: all, at once; --user NAME: one person's)", runDigest},
		{"recount", "recompute scores, counts and reputation from their rows; report drift (--fix corrects it)", runRecount},
		{"bench-data", "fill an empty database with generated questions for load tests", runBenchData},
		{"healthcheck", "exit 0 when the local server answers /readyz", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

const rootUsage = `Staffroom: questions, answers and working groups for school districts.

Usage:
  staffroom [command] [flags]

Commands:
%s
Run 'staffroom COMMAND --help' for a command's flags. Every flag has a STAFFROOM_*
environment variable; see the README.
`

func printRootUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, rootUsage, b.String())
}

// usageError is a mistake on the command line: one line is printed and the exit code is 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// run runs the command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		printRootUsage(stdout)
		return exitOK
	}
	if name == "help" {
		printRootUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return exitCode(c.run(ctx, env, args), stderr)
		}
	}
	fmt.Fprintf(stderr, "staffroom: unknown command %q; run 'staffroom --help' to see the commands\n", name)
	return exitUsage
}

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, ue.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "staffroom: %v\n", err)
		return exitError
	}
}

// newFlagSet makes a flag set that prints its help on --help and turns any mistake into
// one line naming the command.
func newFlagSet(env *cliEnv, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.stdout, "Usage: %s\n\nFlags:\n", usage)
		fs.SetOutput(env.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args; --help prints the usage (the flag package calls fs.Usage) and
// returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return &usageError{fmt.Sprintf("staffroom %s: %v (run 'staffroom %s --help')", fs.Name(), err, fs.Name())}
	}
	return nil
}

// noArgs refuses stray positional arguments.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("staffroom %s: unexpected argument %q (run 'staffroom %s --help')", fs.Name(), fs.Arg(0), fs.Name())}
	}
	return nil
}
