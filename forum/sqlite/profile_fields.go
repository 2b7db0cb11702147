package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"staffroom/forum"
)

// profileColumns follow userColumns where a query reads people whole: position and time
// zone from users, subjects and grade bands from their tables, space-separated (no term
// holds a space).
const profileColumns = `, u.position, u.time_zone,
	(SELECT group_concat(subject, ' ') FROM user_subjects WHERE user_id = u.id),
	(SELECT group_concat(grade_band, ' ') FROM user_grade_bands WHERE user_id = u.id)`

// profileDest is where profileColumns are scanned to.
type profileDest struct {
	position, timeZone, subjects, bands sql.NullString
}

func (p *profileDest) targets() []any {
	return []any{&p.position, &p.timeZone, &p.subjects, &p.bands}
}

func (p *profileDest) fields() *forum.ProfileFields {
	return &forum.ProfileFields{
		Position:   p.position.String,
		TimeZone:   p.timeZone.String,
		Subjects:   forum.InVocabularyOrder(forum.Subjects, strings.Fields(p.subjects.String)),
		GradeBands: forum.InVocabularyOrder(forum.GradeBands, strings.Fields(p.bands.String)),
	}
}

// scanPerson scans userColumns followed by profileColumns.
func scanPerson(row scanner) (*forum.User, error) {
	var p profileDest
	u, err := scanUser(rowFunc(func(dest ...any) error { return row.Scan(append(dest, p.targets()...)...) }))
	if err != nil {
		return nil, err
	}
	u.Profile = p.fields()
	return u, nil
}

// loadProfileFields reads u's profile fields, for a user read whole.
func (db *DB) loadProfileFields(ctx context.Context, u *forum.User) error {
	var p profileDest
	if err := db.readRow(ctx, `SELECT 1`+profileColumns+` FROM users u WHERE u.id = ?`, u.ID).
		Scan(append([]any{new(int)}, p.targets()...)...); err != nil {
		return err
	}
	u.Profile = p.fields()
	return nil
}

// updateProfileFields applies the set fields of a checked update (nil: none).
func updateProfileFields(ctx context.Context, tx *txn, id int64, upd *forum.ProfileFieldsUpdate) error {
	if upd.Empty() {
		return nil
	}
	if upd.District != nil {
		var district *int64
		if *upd.District != "" {
			var did int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM districts WHERE slug = ?`, *upd.District).Scan(&did)
			if errors.Is(err, sql.ErrNoRows) {
				return forum.UnknownDistrict(*upd.District)
			} else if err != nil {
				return err
			}
			district = &did
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET district_id = ? WHERE id = ?`, district, id); err != nil {
			return err
		}
	}
	if upd.Position != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET position = ? WHERE id = ?`, nullString(*upd.Position), id); err != nil {
			return err
		}
	}
	if upd.TimeZone != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET time_zone = ? WHERE id = ?`, nullString(*upd.TimeZone), id); err != nil {
			return err
		}
	}
	if upd.Subjects != nil {
		if err := replaceTerms(ctx, tx, `user_subjects`, `subject`, id, *upd.Subjects); err != nil {
			return err
		}
	}
	if upd.GradeBands != nil {
		if err := replaceTerms(ctx, tx, `user_grade_bands`, `grade_band`, id, *upd.GradeBands); err != nil {
			return err
		}
	}
	return nil
}

// replaceTerms makes a person's rows of a term table exactly terms. table and column are
// constants of this file, never input.
func replaceTerms(ctx context.Context, tx *txn, table, column string, id int64, terms []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE user_id = ?`, id); err != nil {
		return err
	}
	for _, t := range terms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (user_id, `+column+`) VALUES (?, ?)`, id, t); err != nil {
			return err
		}
	}
	return nil
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
