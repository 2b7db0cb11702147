package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"staffroom/forum"
)

// importHelp says what "staffroom districts import" reads and does.
const importHelp = `Import loads the district directory from a CSV file: NCES's Common Core of Data LEA
directory file as NCES publishes it (LEAID, LEA_NAME and ST are read, other columns are
ignored; header names in any case), with optional enrollment, locale (city, suburb, town,
rural, or an NCES code 11-43) and cluster (a cluster's slug) columns. A district is known
by its LEAID: importing again updates it and never adds a second one. Bad rows are listed
by line, and then nothing is imported. FILE.csv may be - for standard input.
`

// districtsUsage is what "staffroom districts --help" prints.
const districtsUsage = "Usage:\n  staffroom districts import [--db FILE] FILE.csv\n\n" + importHelp

func runDistricts(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.stdout, districtsUsage)
		if len(args) == 0 {
			return &usageError{"staffroom districts: say import"}
		}
		return nil
	}
	switch args[0] {
	case "import":
		return runDistrictsImport(ctx, env, args[1:])
	}
	return &usageError{fmt.Sprintf("staffroom districts: unknown subcommand %q; use import", args[0])}
}

func runDistrictsImport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "districts import", "staffroom districts import [--db FILE] FILE.csv")
	flagsUsage := fs.Usage
	fs.Usage = func() { flagsUsage(); fmt.Fprint(env.stdout, "\n"+importHelp) }
	dbPath := addDBFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"staffroom districts import: give one CSV file, like: staffroom districts import ccd_lea_directory.csv"}
	}
	var in io.Reader = env.stdin
	name := "standard input"
	if fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, fs.Arg(0)
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	dir := &forum.Directory{Store: db, Now: time.Now} // an import renders nothing
	res, err := dir.ImportCSV(ctx, in)
	var bad *forum.ImportError
	if errors.As(err, &bad) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if e := forum.AsError(err); e != nil {
		return fmt.Errorf("%s: %s", name, e.Message)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Imported %s: %d %s created, %d updated, %d unchanged.\n", name,
		res.Created, plural(res.Created, "district", "districts"), res.Updated, res.Unchanged)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
