package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"staffroom/forum"
)

// Collaboratives and their members (forum.CollaborativeStore).

// collaborativeColumns is selected by every collaborative query, in scanCollaborative's
// order, with the collaboratives table as g and its cluster as c (collaborativeFrom).
const collaborativeColumns = `g.id, g.slug, g.name, g.description, g.description_html, g.visibility,
	g.created_by, g.created_at, g.updated_at, c.id, c.slug, c.name,
	(SELECT COUNT(*) FROM collaborative_members m WHERE m.collaborative_id = g.id)`

const collaborativeFrom = ` FROM collaboratives g LEFT JOIN clusters c ON c.id = g.cluster_id `

func scanCollaborative(row scanner) (*forum.Collaborative, error) {
	var g forum.Collaborative
	var cID sql.NullInt64
	var cSlug, cName sql.NullString
	if err := row.Scan(&g.ID, &g.Slug, &g.Name, &g.Description, &g.DescriptionHTML, &g.Visibility,
		&g.CreatedBy, &g.CreatedAt, &g.UpdatedAt, &cID, &cSlug, &cName, &g.Members); err != nil {
		return nil, err
	}
	if cID.Valid {
		g.Cluster = &forum.ClusterRef{ID: cID.Int64, Slug: cSlug.String, Name: cName.String}
	}
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return &g, nil
}

// collaborativeDistricts fills in the districts taking part.
func (db *DB) collaborativeDistricts(ctx context.Context, g *forum.Collaborative) error {
	rows, err := db.readRows(ctx, `SELECT d.id, d.slug, d.name FROM collaborative_districts cd
		JOIN districts d ON d.id = cd.district_id WHERE cd.collaborative_id = ? ORDER BY d.name_key, d.id`, g.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	g.Districts = []forum.ClusterRef{}
	for rows.Next() {
		var d forum.ClusterRef
		if err := rows.Scan(&d.ID, &d.Slug, &d.Name); err != nil {
			return err
		}
		g.Districts = append(g.Districts, d)
	}
	return rows.Err()
}

// CreateCollaborative implements forum.CollaborativeStore.
func (db *DB) CreateCollaborative(ctx context.Context, nc forum.NewCollaborative) (*forum.Collaborative, error) {
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		var cluster any
		if nc.ClusterID != 0 {
			cluster = nc.ClusterID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO collaboratives
			(slug, name, name_key, description, description_html, visibility, cluster_id, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nc.Slug, nc.Name, forum.SearchKey(nc.Name), nc.Description.Text, nc.Description.HTML, nc.Visibility,
			cluster, nc.CreatedBy, nc.Now, nc.Now)
		if isUnique(err, "collaboratives.slug") {
			return forum.SlugTaken("collaborative", nc.Slug)
		}
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO collaborative_members (collaborative_id, user_id, role, joined_at)
			VALUES (?, ?, 'lead', ?)`, id, nc.CreatedBy, nc.Now); err != nil {
			return err
		}
		if err := createGeneral(ctx, tx, id, nc.Now); err != nil { // every collaborative starts with #general
			return err
		}
		for _, d := range nc.DistrictIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO collaborative_districts (collaborative_id, district_id)
				VALUES (?, ?)`, id, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.collaborative(ctx, `g.id = ?`, id, nc.Slug)
}

// CollaborativeBySlug implements forum.CollaborativeStore.
func (db *DB) CollaborativeBySlug(ctx context.Context, slug string) (*forum.Collaborative, error) {
	return db.collaborative(ctx, `g.slug = ?`, slug, slug)
}

// collaborative reads the one collaborative where matches arg; slug names it in the
// not-found answer.
func (db *DB) collaborative(ctx context.Context, where string, arg any, slug string) (*forum.Collaborative, error) {
	g, err := scanCollaborative(db.readRow(ctx, `SELECT `+collaborativeColumns+collaborativeFrom+`WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, forum.NotFoundCollaborative(slug)
	}
	if err != nil {
		return nil, err
	}
	if err := db.collaborativeDistricts(ctx, g); err != nil {
		return nil, err
	}
	return g, nil
}

// CollaborativeAccess implements forum.CollaborativeStore.
func (db *DB) CollaborativeAccess(ctx context.Context, slug string, viewer *forum.User) (forum.CollaborativeAccess, error) {
	g, err := db.CollaborativeBySlug(ctx, slug)
	if err != nil {
		return forum.CollaborativeAccess{}, err
	}
	a := forum.CollaborativeAccess{Collaborative: g, Viewer: viewer}
	if viewer == nil {
		return a, nil
	}
	a.Role, err = db.memberRole(ctx, g.ID, viewer.ID)
	return a, err
}

// memberRole is the person's role in the collaborative, MemberNone when they have none:
// one lookup of collaborative_members' primary key.
func (db *DB) memberRole(ctx context.Context, collaborativeID, userID int64) (forum.MemberRole, error) {
	var role forum.MemberRole
	err := db.readRow(ctx, `SELECT role FROM collaborative_members WHERE collaborative_id = ? AND user_id = ?`,
		collaborativeID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.MemberNone, nil
	}
	return role, err
}
