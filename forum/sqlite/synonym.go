package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"staffroom/forum"
)

// TagSynonyms implements forum.TagSynonymStore.
func (db *DB) TagSynonyms(ctx context.Context, master string) ([]forum.TagSynonym, error) {
	rows, err := db.readRows(ctx, `SELECT synonym, master, created_by, created_at FROM tag_synonyms
		WHERE master = ? ORDER BY created_at, synonym`, master)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []forum.TagSynonym{}
	for rows.Next() {
		var s forum.TagSynonym
		if err := rows.Scan(&s.Synonym, &s.Master, &s.CreatedBy, &s.CreatedAt); err != nil {
			return nil, err
		}
		s.CreatedAt = s.CreatedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// TagMasters implements forum.TagSynonymStore.
func (db *DB) TagMasters(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names { // at most a few: a question's tags, a query's
		var master string
		err := db.readRow(ctx, `SELECT master FROM tag_synonyms WHERE synonym = ?`, n).Scan(&master)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[n] = master
	}
	return out, nil
}

// AddTagSynonym implements forum.TagSynonymStore.
func (db *DB) AddTagSynonym(ctx context.Context, s forum.TagSynonym) error {
	return db.write(ctx, func(tx *txn) error {
		var st forum.TagSynonymState
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tags WHERE name = ?1),
			COALESCE((SELECT master FROM tag_synonyms WHERE synonym = ?1), ''),
			COALESCE((SELECT master FROM tag_synonyms WHERE synonym = ?2), ''),
			COALESCE((SELECT question_count FROM tags WHERE name = ?2), 0)`, s.Master, s.Synonym).
			Scan(&st.MasterExists, &st.MasterIsSynonym, &st.SynonymOf, &st.SynonymQuestions)
		if err != nil {
			return err
		}
		if err := forum.CheckTagSynonym(s.Synonym, s.Master, st); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tag_synonyms (synonym, master, created_by, created_at) VALUES (?, ?, ?, ?)`,
			s.Synonym, s.Master, s.CreatedBy, s.CreatedAt)
		return err
	})
}
