package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a consistent copy of the live database to dest through SQLite's online
// backup API. It is safe while the server writes: in WAL mode the copy reads one snapshot
// and writers carry on. The copy is written beside dest and renamed into place, so dest is
// never a half-written file.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name", dest)
	}
	tmp := dest + ".partial"
	os.Remove(tmp)
	if err := db.backupTo(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

func (db *DB) backupTo(ctx context.Context, path string) error {
	dst, err := sql.Open("sqlite3", dsn(path, nil))
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", path, err)
	}
	defer dconn.Close()
	sconn, err := db.reader.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer sconn.Close()

	return dconn.Raw(func(d any) error {
		return sconn.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("backup: not a sqlite3 connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			// One step copies every page under one read transaction: a single snapshot.
			if _, err := b.Step(-1); err != nil {
				b.Finish()
				return fmt.Errorf("backup: %w", err)
			}
			return b.Finish()
		})
	})
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first complaint, if any.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := db.reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
