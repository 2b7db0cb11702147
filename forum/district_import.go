package forum

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Importing the directory from a CSV file: the NCES Common Core of Data LEA directory file
// as NCES publishes it (LEAID, LEA_NAME and ST are read, every other column is ignored),
// with optional enrollment, locale and cluster columns. Header names are matched
// regardless of case. A district is known by its LEAID: importing again updates it (its
// slug stays, so links keep working) and never adds a second one. Every bad row is
// reported with its line and nothing is imported while any row is bad.

// Import columns (lower case; headers are matched regardless of case).
const (
	colLEAID      = "leaid"
	colName       = "lea_name"
	colState      = "st"
	colEnrollment = "enrollment"
	colLocale     = "locale"
	colCluster    = "cluster"
)

// maxReportedRows bounds the bad rows one import reports: enough to fix a file by, not a
// second copy of it.
const maxReportedRows = 100

// DistrictImport is one checked row of an import. Nil and empty optional fields leave an
// existing district's value as it is.
type DistrictImport struct {
	Line       int
	NCESID     string
	Name       string
	SlugBase   string // for a new district: see SlugCandidate
	State      string
	Enrollment *int
	Locale     *LocaleValue
	Cluster    string // a cluster's slug

	clusterCol int // the cluster column, to report an unknown cluster by the header's name
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created, Updated, Unchanged int
}

// RowError is a bad row of an import file.
type RowError struct {
	Line    int    // 1 is the header
	Column  string // as the header names it; "" for the whole row
	Message string
}

func (r RowError) String() string {
	if r.Column == "" {
		return fmt.Sprintf("line %d: %s", r.Line, r.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", r.Line, r.Column, r.Message)
}

// ImportError reports the bad rows of an import; nothing was imported. It is an invalid
// input error (errors.Is(err, ErrInvalid)).
type ImportError struct {
	Rows  []RowError // the first maxReportedRows of them
	Total int        // bad rows in all
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad %s; nothing was imported:", e.Total, pluralWord(e.Total, "row", "rows"))
	for _, r := range e.Rows {
		b.WriteString("\n  " + r.String())
	}
	if more := e.Total - len(e.Rows); more > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", more)
	}
	return b.String()
}

// Is makes an ImportError an invalid input error.
func (e *ImportError) Is(target error) bool { return target == ErrInvalid }

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// importRows collects the checked rows and the bad ones.
type importRows struct {
	rows   []DistrictImport
	bad    []RowError
	nBad   int
	byLEA  map[string]int // LEAID -> line, to find the same district twice
	header []string       // as written
}

func (ir *importRows) fail(line int, col int, msg string) {
	ir.nBad++
	if len(ir.bad) < maxReportedRows {
		name := ""
		if col >= 0 {
			name = ir.header[col]
		}
		ir.bad = append(ir.bad, RowError{Line: line, Column: name, Message: msg})
	}
}

func (ir *importRows) err() error {
	if ir.nBad == 0 {
		return nil
	}
	return &ImportError{Rows: ir.bad, Total: ir.nBad}
}

// ReadDistrictCSV reads and checks an import file. A file that is not a CSV file with the
// LEAID, LEA_NAME and ST columns is invalid "bad_import"; bad rows give an *ImportError
// listing them by line.
func ReadDistrictCSV(r io.Reader) ([]DistrictImport, error) {
	ir, err := readDistrictCSV(r)
	if err != nil {
		return nil, err
	}
	if err := ir.err(); err != nil {
		return nil, err
	}
	return ir.rows, nil
}

// readDistrictCSV reads an import file into its good rows and its bad ones.
func readDistrictCSV(r io.Reader) (*importRows, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // rows of the wrong width are reported as bad rows, not as the end
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Coded(EInvalid, "bad_import", "The file is empty: it needs a header line naming LEAID, LEA_NAME and ST.")
	}
	if err != nil {
		return nil, Coded(EInvalid, "bad_import", "The header line is not CSV: %v.", err)
	}
	ir := &importRows{byLEA: map[string]int{}, header: append([]string(nil), header...)}
	cols := map[string]int{}
	for i, h := range ir.header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // a byte-order mark from spreadsheet programs
			ir.header[0] = h
		}
		key := strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[key]; dup && key != "" {
			return nil, Coded(EInvalid, "bad_import", "The header names the column %q twice.", strings.TrimSpace(h))
		}
		cols[key] = i
	}
	for _, need := range []string{colLEAID, colName, colState} {
		if _, ok := cols[need]; !ok {
			return nil, Coded(EInvalid, "bad_import", "The header must name the columns LEAID, LEA_NAME and ST (as in NCES's LEA directory file); it has no %s.", strings.ToUpper(need))
		}
	}
	col := func(name string) int {
		if i, ok := cols[name]; ok {
			return i
		}
		return -1
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
			// After a broken quote the reader cannot tell where rows begin again.
			ir.fail(pe.StartLine, -1, "not valid CSV ("+pe.Err.Error()+"); the rest of the file was not read")
			break
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			return nil, err
		}
		if blankRecord(rec) {
			continue
		}
		if len(rec) != len(header) {
			ir.fail(line, -1, fmt.Sprintf("has %d fields; the header has %d", len(rec), len(header)))
			continue
		}
		ir.row(line, rec, col)
	}
	return ir, nil
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// row checks one record; a bad one is reported with its first fault.
func (ir *importRows) row(line int, rec []string, col func(string) int) {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			ir.fail(line, i, "is not UTF-8 text; save the file as UTF-8")
			return
		}
	}
	d := DistrictImport{Line: line}
	fail := func(c int, err error) {
		msg := err.Error()
		if e := AsError(err); e != nil {
			msg = e.Message
		}
		ir.fail(line, c, msg)
	}
	c := col(colLEAID)
	lea := strings.TrimSpace(rec[c])
	if len(lea) == 6 && strings.Trim(lea, "0123456789") == "" {
		lea = "0" + lea // a spreadsheet dropped the leading zero of states 01-09
	}
	var err error
	if d.NCESID, err = ParseNCESID("LEAID", lea); err != nil {
		fail(c, err)
		return
	}
	if first, ok := ir.byLEA[d.NCESID]; ok {
		ir.fail(line, c, fmt.Sprintf("LEAID %s is on line %d too", d.NCESID, first))
		return
	}
	ir.byLEA[d.NCESID] = line
	c = col(colName)
	if d.Name, err = cleanName(rec[c], MaxDistrictNameLen); err != nil {
		fail(c, err)
		return
	}
	d.SlugBase = Slugify(d.Name, "district")
	c = col(colState)
	if d.State, err = ParseState("ST", rec[c]); err != nil {
		fail(c, err)
		return
	}
	if c = col(colEnrollment); c >= 0 && !ncesMissing(rec[c]) {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(rec[c]), ",", ""))
		if err == nil {
			err = checkEnrollment("enrollment", n)
		} else {
			err = Invalid("enrollment", "invalid_enrollment", "enrollment must be a whole number of students, not %q.", truncate(rec[c], 20))
		}
		if err != nil {
			fail(c, err)
			return
		}
		d.Enrollment = &n
	}
	if c = col(colLocale); c >= 0 && !ncesMissing(rec[c]) {
		var l LocaleValue
		if l.Locale, l.Code, err = ParseLocale("locale", rec[c]); err != nil {
			fail(c, err)
			return
		}
		d.Locale = &l
	}
	if c = col(colCluster); c >= 0 && strings.TrimSpace(rec[c]) != "" {
		if d.Cluster, err = ParseSlug("cluster", rec[c]); err != nil {
			fail(c, err)
			return
		}
		d.clusterCol = c
	}
	ir.rows = append(ir.rows, d)
}

// ncesMissing reports a cell that says "no value" as NCES files do: empty, a negative
// reserved code (-1 missing, -2 not applicable, -9 suppressed...), or M, N, NA.
func ncesMissing(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s == "" || strings.HasPrefix(s, "-") || s == "M" || s == "N" || s == "NA" || s == "N/A" || s == "†"
}

// ImportCSV reads an import file and imports it in one transaction: all of it, or, when
// any row is bad (its cluster unknown among the reasons), nothing, with an *ImportError
// listing the bad rows by line. For administrators at the command line.
func (d *Directory) ImportCSV(ctx context.Context, r io.Reader) (*ImportResult, error) {
	ir, err := readDistrictCSV(r)
	if err != nil {
		return nil, err
	}
	if err := d.checkImportClusters(ctx, ir); err != nil {
		return nil, err
	}
	if err := ir.err(); err != nil {
		return nil, err
	}
	return d.Store.ImportDistricts(ctx, ir.rows, d.now())
}

// checkImportClusters reports the rows whose cluster is not in the directory, beside the
// file's other bad rows, in the order of the lines.
func (d *Directory) checkImportClusters(ctx context.Context, ir *importRows) error {
	clusters, err := d.Store.Clusters(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range clusters {
		known[c.Slug] = true
	}
	for _, row := range ir.rows {
		if row.Cluster != "" && !known[row.Cluster] {
			ir.nBad++
			ir.bad = append(ir.bad, RowError{Line: row.Line, Column: ir.header[row.clusterCol],
				Message: fmt.Sprintf("there is no cluster %q: create it first (POST /api/v1/clusters)", row.Cluster)})
		}
	}
	sort.SliceStable(ir.bad, func(i, j int) bool { return ir.bad[i].Line < ir.bad[j].Line })
	if len(ir.bad) > maxReportedRows {
		ir.bad = ir.bad[:maxReportedRows]
	}
	return nil
}
