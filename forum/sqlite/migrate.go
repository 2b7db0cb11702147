package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version   int
	Name      string
	AppliedAt *time.Time // nil while pending
	sql       string
}

// ErrNewerSchema is returned when the database was written by a newer Staffroom.
type ErrNewerSchema struct{ Have, Know int }

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("this database has schema version %d but this staffroom knows only up to %d: it was written by a newer version; run that version or restore a backup", e.Have, e.Know)
}

// migrations lists the embedded files in version order. A file is named NNNN_name.sql.
func migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := range ms {
		if ms[i].Version != i+1 {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, 3...: found %d at position %d", ms[i].Version, i+1)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// MigrationStatus lists every known migration with when it was applied. It refuses a
// database written by a newer version.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	if _, err := db.writer.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := db.writer.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		if v > len(ms) {
			return nil, &ErrNewerSchema{Have: v, Know: len(ms)}
		}
		at = at.UTC()
		ms[v-1].AppliedAt = &at
	}
	return ms, rows.Err()
}

// Migrate applies the pending migrations in order, each in its own transaction, and
// returns those it applied. Running it again applies nothing.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range ms {
		if m.AppliedAt != nil {
			continue
		}
		now := time.Now().UTC()
		err := db.write(ctx, func(tx *txn) error {
			if _, err := tx.Tx.ExecContext(ctx, m.sql); err != nil { // several statements: not through the statement cache
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, now)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		m.AppliedAt = &now
		applied = append(applied, m)
	}
	return applied, db.checkSearchAnalyzer(ctx)
}
