package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"staffroom/forum"
)

// The district directory (forum.DirectoryStore): clusters and districts, the people and
// questions of each, and the CSV import's upsert by NCES id.

// districtColumns is selected by every district query, in scanDistrict's order, with the
// districts table as d and its cluster as c (districtFrom).
const districtColumns = `d.id, d.slug, d.name, d.state, d.nces_id, d.enrollment, d.locale, d.locale_code,
	d.profile, d.profile_html, d.created_at, d.updated_at, c.id, c.slug, c.name,
	(SELECT COUNT(*) FROM users pu WHERE pu.district_id = d.id)`

const districtFrom = ` FROM districts d LEFT JOIN clusters c ON c.id = d.cluster_id `

func scanDistrict(row scanner) (*forum.DistrictEntry, error) {
	var d forum.DistrictEntry
	var nces, locale, cSlug, cName sql.NullString
	var enrollment, localeCode, cID sql.NullInt64
	var updated sql.NullTime
	if err := row.Scan(&d.ID, &d.Slug, &d.Name, &d.State, &nces, &enrollment, &locale, &localeCode,
		&d.Profile, &d.ProfileHTML, &d.CreatedAt, &updated, &cID, &cSlug, &cName, &d.People); err != nil {
		return nil, err
	}
	d.NCESID, d.Locale, d.LocaleCode = nces.String, forum.Locale(locale.String), int(localeCode.Int64)
	if enrollment.Valid {
		n := int(enrollment.Int64)
		d.Enrollment = &n
	}
	if cID.Valid {
		d.Cluster = &forum.ClusterRef{ID: cID.Int64, Slug: cSlug.String, Name: cName.String}
	}
	d.CreatedAt = d.CreatedAt.UTC()
	d.UpdatedAt = d.CreatedAt
	if updated.Valid {
		d.UpdatedAt = updated.Time.UTC()
	}
	return &d, nil
}

// clusterColumns is selected by every cluster query, in scanCluster's order (clusters as c).
const clusterColumns = `c.id, c.slug, c.name, c.description, c.description_html, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM districts cd WHERE cd.cluster_id = c.id),
	(SELECT COUNT(*) FROM users cu JOIN districts cd ON cd.id = cu.district_id WHERE cd.cluster_id = c.id)`

func scanCluster(row scanner) (*forum.Cluster, error) {
	var c forum.Cluster
	if err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.DescriptionHTML, &c.CreatedAt, &c.UpdatedAt,
		&c.Districts, &c.People); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CreateCluster implements forum.DirectoryStore.
func (db *DB) CreateCluster(ctx context.Context, nc forum.NewCluster) (*forum.Cluster, error) {
	slug := nc.Slug
	err := db.write(ctx, func(tx *txn) error {
		if slug == "" {
			var err error
			if slug, err = freeSlug(ctx, tx, `clusters`, nc.SlugBase, ""); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO clusters (slug, name, name_key, description, description_html, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, slug, nc.Name, forum.SearchKey(nc.Name), nc.Description.Text, nc.Description.HTML, nc.Now, nc.Now)
		if isUnique(err, "clusters.slug") {
			return forum.SlugTaken("cluster", slug)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.ClusterBySlug(ctx, slug)
}

// UpdateCluster implements forum.DirectoryStore.
func (db *DB) UpdateCluster(ctx context.Context, slug string, ch forum.ClusterChanges) (*forum.Cluster, error) {
	final := slug
	err := db.write(ctx, func(tx *txn) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM clusters WHERE slug = ?`, slug).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return forum.NotFoundCluster(slug)
		} else if err != nil {
			return err
		}
		set := setter{tx: tx, table: "clusters", id: id}
		if ch.Slug != nil {
			final = *ch.Slug
			if err := set.exec(ctx, `slug = ?`, final); isUnique(err, "clusters.slug") {
				return forum.SlugTaken("cluster", final)
			} else if err != nil {
				return err
			}
		}
		if ch.Name != nil {
			set.do(ctx, `name = ?, name_key = ?`, *ch.Name, forum.SearchKey(*ch.Name))
		}
		if ch.Description != nil {
			set.do(ctx, `description = ?, description_html = ?`, ch.Description.Text, ch.Description.HTML)
		}
		set.do(ctx, `updated_at = ?`, ch.Now)
		return set.err
	})
	if err != nil {
		return nil, err
	}
	return db.ClusterBySlug(ctx, final)
}

// ClusterBySlug implements forum.DirectoryStore.
func (db *DB) ClusterBySlug(ctx context.Context, slug string) (*forum.Cluster, error) {
	c, err := scanCluster(db.readRow(ctx, `SELECT `+clusterColumns+` FROM clusters c WHERE c.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, forum.NotFoundCluster(slug)
	}
	return c, err
}

// Clusters implements forum.DirectoryStore.
func (db *DB) Clusters(ctx context.Context) ([]*forum.Cluster, error) {
	rows, err := db.readRows(ctx, `SELECT `+clusterColumns+` FROM clusters c ORDER BY c.name_key, c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.Cluster{}
	for rows.Next() {
		c, err := scanCluster(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// clusterID finds a cluster by slug inside a write; the answer for none is forum's.
func clusterID(ctx context.Context, tx *txn, slug string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM clusters WHERE slug = ?`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, forum.UnknownCluster(slug)
	}
	return id, err
}

// freeSlug takes the first of forum.SlugCandidate's slugs that no row of table has. table
// is a constant of this file, never input.
func freeSlug(ctx context.Context, tx *txn, table, base, state string) (string, error) {
	for n := 0; ; n++ {
		s := forum.SlugCandidate(base, state, n)
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE slug = ?)`, s).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return s, nil
		}
	}
}

// districtConflict turns unique violations on districts into forum's conflicts.
func districtConflict(err error, slug, ncesID string) error {
	switch {
	case isUnique(err, "districts.slug"):
		return forum.SlugTaken("district", slug)
	case isUnique(err, "districts.nces_id"):
		return forum.NCESIDTaken(ncesID)
	}
	return err
}

// CreateDistrict implements forum.DirectoryStore.
func (db *DB) CreateDistrict(ctx context.Context, nd forum.NewDistrict) (*forum.DistrictEntry, error) {
	slug := nd.Slug
	err := db.write(ctx, func(tx *txn) error {
		var cluster *int64
		if nd.Cluster != "" {
			id, err := clusterID(ctx, tx, nd.Cluster)
			if err != nil {
				return err
			}
			cluster = &id
		}
		if slug == "" {
			var err error
			if slug, err = freeSlug(ctx, tx, `districts`, nd.SlugBase, nd.State); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO districts (slug, name, name_key, state, nces_id, enrollment, locale, locale_code,
			profile, profile_html, cluster_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			slug, nd.Name, forum.SearchKey(nd.Name), nd.State, nullString(nd.NCESID), nd.Enrollment,
			nullString(string(nd.Locale.Locale)), nullCode(nd.Locale.Code), nd.Profile.Text, nd.Profile.HTML, cluster, nd.Now, nd.Now)
		return districtConflict(err, slug, nd.NCESID)
	})
	if err != nil {
		return nil, err
	}
	return db.DistrictBySlug(ctx, slug)
}

// nullCode stores a locale code of 0 (none) as NULL.
func nullCode(code int) any {
	if code == 0 {
		return nil
	}
	return code
}

// setter runs the UPDATEs of one row's changes, keeping the first error.
type setter struct {
	tx    *txn
	table string // a constant of this file, never input
	id    int64
	err   error
}

func (s *setter) exec(ctx context.Context, assignments string, args ...any) error {
	if s.err == nil {
		_, s.err = s.tx.ExecContext(ctx, `UPDATE `+s.table+` SET `+assignments+` WHERE id = ?`, append(args, s.id)...)
	}
	return s.err
}

func (s *setter) do(ctx context.Context, assignments string, args ...any) {
	s.exec(ctx, assignments, args...)
}

// UpdateDistrict implements forum.DirectoryStore.
func (db *DB) UpdateDistrict(ctx context.Context, slug string, ch forum.DistrictChanges) (*forum.DistrictEntry, error) {
	final := slug
	err := db.write(ctx, func(tx *txn) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM districts WHERE slug = ?`, slug).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return forum.NotFoundDistrict(slug)
		} else if err != nil {
			return err
		}
		set := setter{tx: tx, table: "districts", id: id}
		if ch.Slug != nil {
			final = *ch.Slug
			if err := set.exec(ctx, `slug = ?`, final); err != nil {
				return districtConflict(err, final, "")
			}
		}
		if ch.NCESID != nil {
			if err := set.exec(ctx, `nces_id = ?`, nullString(*ch.NCESID)); err != nil {
				return districtConflict(err, final, *ch.NCESID)
			}
		}
		if ch.Cluster != nil {
			var cluster *int64
			if *ch.Cluster != "" {
				cid, err := clusterID(ctx, tx, *ch.Cluster)
				if err != nil {
					return err
				}
				cluster = &cid
			}
			set.do(ctx, `cluster_id = ?`, cluster)
		}
		if ch.Name != nil {
			set.do(ctx, `name = ?, name_key = ?`, *ch.Name, forum.SearchKey(*ch.Name))
		}
		if ch.State != nil {
			set.do(ctx, `state = ?`, *ch.State)
		}
		if ch.Enrollment != nil {
			set.do(ctx, `enrollment = ?`, *ch.Enrollment)
		}
		if ch.Locale != nil {
			set.do(ctx, `locale = ?, locale_code = ?`, nullString(string(ch.Locale.Locale)), nullCode(ch.Locale.Code))
		}
		if ch.Profile != nil {
			set.do(ctx, `profile = ?, profile_html = ?`, ch.Profile.Text, ch.Profile.HTML)
		}
		set.do(ctx, `updated_at = ?`, ch.Now)
		return set.err
	})
	if err != nil {
		return nil, err
	}
	return db.DistrictBySlug(ctx, final)
}

// DistrictBySlug implements forum.DirectoryStore.
func (db *DB) DistrictBySlug(ctx context.Context, slug string) (*forum.DistrictEntry, error) {
	d, err := scanDistrict(db.readRow(ctx, `SELECT `+districtColumns+districtFrom+`WHERE d.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, forum.NotFoundDistrict(slug)
	}
	return d, err
}

// Districts implements forum.DirectoryStore. The filter's parts are fixed fragments; only
// their values come from the request, as arguments.
func (db *DB) Districts(ctx context.Context, f forum.DistrictFilter) ([]*forum.DistrictEntry, int, error) {
	if err := f.Normalize(); err != nil {
		return nil, 0, err
	}
	var where []string
	var args []any
	if f.Query != "" {
		where, args = append(where, `instr(d.name_key, ?) > 0`), append(args, f.Query)
	}
	if f.State != "" {
		where, args = append(where, `d.state = ?`), append(args, f.State)
	}
	if f.Cluster != "" {
		where, args = append(where, `d.cluster_id = (SELECT id FROM clusters WHERE slug = ?)`), append(args, f.Cluster)
	}
	if f.Locale != "" {
		where, args = append(where, `d.locale = ?`), append(args, f.Locale)
	}
	cond := ""
	if len(where) > 0 {
		cond = `WHERE ` + strings.Join(where, ` AND `)
	}
	tx, err := db.reader.BeginTx(ctx, nil) // one read: the total and the page agree
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM districts d `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+districtColumns+districtFrom+cond+` ORDER BY d.name_key, d.id LIMIT ? OFFSET ?`,
		append(args, f.PageSize, (f.Page-1)*f.PageSize)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*forum.DistrictEntry{}
	for rows.Next() {
		d, err := scanDistrict(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// DistrictStates implements forum.DirectoryStore.
func (db *DB) DistrictStates(ctx context.Context) ([]forum.StateCount, error) {
	rows, err := db.readRows(ctx, `SELECT state, COUNT(*) FROM districts WHERE state <> '' GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.StateCount
	for rows.Next() {
		var s forum.StateCount
		if err := rows.Scan(&s.Code, &s.Districts); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DistrictChoices implements forum.DirectoryStore.
func (db *DB) DistrictChoices(ctx context.Context, limit int) ([]*forum.DistrictEntry, error) {
	rows, err := db.readRows(ctx, `SELECT id, slug, name, state FROM districts ORDER BY state, name_key, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.DistrictEntry
	for rows.Next() {
		var d forum.DistrictEntry
		if err := rows.Scan(&d.ID, &d.Slug, &d.Name, &d.State); err != nil {
			return nil, err
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}

// scopeAuthors is the people of a directory scope, as a condition on a users id column.
func scopeAuthors(scope forum.DirectoryScope, column string) (string, any) {
	if scope.ClusterID != 0 {
		return column + ` IN (SELECT su.id FROM users su JOIN districts sd ON sd.id = su.district_id WHERE sd.cluster_id = ?)`, scope.ClusterID
	}
	return column + ` IN (SELECT su.id FROM users su WHERE su.district_id = ?)`, scope.DistrictID
}

// DirectoryPeople implements forum.DirectoryStore.
func (db *DB) DirectoryPeople(ctx context.Context, scope forum.DirectoryScope, limit int) ([]*forum.User, int, error) {
	cond, arg := scopeAuthors(scope, `u.id`)
	var total int
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM users u WHERE `+cond, arg).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.readRows(ctx, `SELECT `+userColumns+profileColumns+userFrom+`WHERE `+cond+
		` ORDER BY u.reputation DESC, u.id LIMIT ?`, arg, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*forum.User{}
	for rows.Next() {
		u, err := scanPerson(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// DirectoryQuestions implements forum.DirectoryStore: public questions only, the site's
// own and public collaboratives' (pg is the post's collaborative, postFrom), never a
// private collaborative's.
func (db *DB) DirectoryQuestions(ctx context.Context, scope forum.DirectoryScope, limit int, viewerID int64) ([]*forum.Post, error) {
	cond, arg := scopeAuthors(scope, `p.author_id`)
	rows, err := db.readRows(ctx, selectListedPost+`WHERE p.kind = 'question' AND p.deleted_at IS NULL
		AND (p.collaborative_id IS NULL OR pg.visibility = 'public') AND `+cond+
		` ORDER BY p.created_at DESC, p.id DESC LIMIT ?`, viewerID, arg, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*forum.Post{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ImportDistricts implements forum.DirectoryStore: one write, so that a failure anywhere
// leaves the directory as it was.
func (db *DB) ImportDistricts(ctx context.Context, rows []forum.DistrictImport, now time.Time) (*forum.ImportResult, error) {
	var res forum.ImportResult
	err := db.write(ctx, func(tx *txn) error {
		res = forum.ImportResult{}
		clusters := map[string]int64{}
		for _, r := range rows {
			if r.Cluster == "" {
				continue
			}
			if _, ok := clusters[r.Cluster]; !ok {
				id, err := clusterID(ctx, tx, r.Cluster)
				if err != nil {
					return err
				}
				clusters[r.Cluster] = id
			}
		}
		for _, r := range rows {
			var cluster *int64
			if id, ok := clusters[r.Cluster]; ok {
				cluster = &id
			}
			created, changed, err := importDistrict(ctx, tx, r, cluster, now)
			switch {
			case err != nil:
				return err
			case created:
				res.Created++
			case changed:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// importDistrict creates or updates the district of one import row. Values the row leaves
// out (nil or "") stay as they are; the slug of a known district never changes.
func importDistrict(ctx context.Context, tx *txn, r forum.DistrictImport, cluster *int64, now time.Time) (created, changed bool, err error) {
	var id int64
	var name, state string
	var enrollment, localeCode, clusterNow sql.NullInt64
	var locale sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id, name, state, enrollment, locale, locale_code, cluster_id FROM districts WHERE nces_id = ?`,
		r.NCESID).Scan(&id, &name, &state, &enrollment, &locale, &localeCode, &clusterNow)
	if errors.Is(err, sql.ErrNoRows) {
		slug, err := freeSlug(ctx, tx, `districts`, r.SlugBase, r.State)
		if err != nil {
			return false, false, err
		}
		var l forum.LocaleValue
		if r.Locale != nil {
			l = *r.Locale
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO districts (slug, name, name_key, state, nces_id, enrollment, locale, locale_code,
			cluster_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			slug, r.Name, forum.SearchKey(r.Name), r.State, r.NCESID, r.Enrollment, nullString(string(l.Locale)), nullCode(l.Code),
			cluster, now, now)
		return true, false, err
	}
	if err != nil {
		return false, false, err
	}
	same := name == r.Name && state == r.State &&
		(r.Enrollment == nil || (enrollment.Valid && int(enrollment.Int64) == *r.Enrollment)) &&
		(r.Locale == nil || (locale.String == string(r.Locale.Locale) && int(localeCode.Int64) == r.Locale.Code)) &&
		(cluster == nil || (clusterNow.Valid && clusterNow.Int64 == *cluster))
	if same {
		return false, false, nil
	}
	set := setter{tx: tx, table: "districts", id: id}
	set.do(ctx, `name = ?, name_key = ?, state = ?, updated_at = ?`, r.Name, forum.SearchKey(r.Name), r.State, now)
	if r.Enrollment != nil {
		set.do(ctx, `enrollment = ?`, *r.Enrollment)
	}
	if r.Locale != nil {
		set.do(ctx, `locale = ?, locale_code = ?`, nullString(string(r.Locale.Locale)), nullCode(r.Locale.Code))
	}
	if cluster != nil {
		set.do(ctx, `cluster_id = ?`, *cluster)
	}
	return false, true, set.err
}
