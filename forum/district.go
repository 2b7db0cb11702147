package forum

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The district directory: the districts of the network and the clusters (regional networks
// of districts and partners) they belong to. Everyone may read it; administrators keep it,
// through the API or by importing an NCES file (district_import.go). The facts a later
// feature matches similar districts on are data: the state is a postal code, enrollment a
// number, the locale one of NCES's four types (with its twelve-way code when known).

// Limits of the directory.
const (
	MinDirectoryNameLen = 2
	MaxDistrictNameLen  = 120 // NCES's longest LEA names are around 60 characters
	MaxClusterNameLen   = 80
	// MaxDirectoryTextLen bounds a district's profile and a cluster's description: a
	// short introduction, not a web site.
	MaxDirectoryTextLen = 2000
	// MaxEnrollment is above the largest US district (New York City, about 900,000).
	MaxEnrollment = 5_000_000
	// MinSlugLen and MaxSlugLen bound directory slugs; NCES names make slugs of up to
	// about 60 characters.
	MinSlugLen = 2
	MaxSlugLen = 60
	// DirectoryPageSize is how many districts a page of the directory lists.
	DirectoryPageSize = 50
	// DirectoryPeopleLimit is how many people a district or cluster page lists.
	DirectoryPeopleLimit = 60
	// DirectoryQuestionsLimit is how many recent questions a district or cluster page lists.
	DirectoryQuestionsLimit = 10
	// maxDirectoryQueryLen bounds a name search.
	maxDirectoryQueryLen = 100
)

// Locale is NCES's urban-centric locale type of a district.
type Locale string

const (
	LocaleCity   Locale = "city"
	LocaleSuburb Locale = "suburb"
	LocaleTown   Locale = "town"
	LocaleRural  Locale = "rural"
)

// Locales are the four locale types, in NCES's order (its codes' first digit, 1 to 4).
var Locales = []Term{{"city", "City"}, {"suburb", "Suburb"}, {"town", "Town"}, {"rural", "Rural"}}

// localeSubtypes are NCES's twelve locale codes' second part: 11 is City: Large, 43 is
// Rural: Remote.
var localeSubtypes = map[int]string{
	11: "large", 12: "midsize", 13: "small",
	21: "large", 22: "midsize", 23: "small",
	31: "fringe", 32: "distant", 33: "remote",
	41: "fringe", 42: "distant", 43: "remote",
}

// LocaleLabel describes a locale and, when known, its NCES code: "Rural: Remote (43)".
func LocaleLabel(l Locale, code int) string {
	if l == "" {
		return ""
	}
	label := TermLabel(Locales, string(l))
	if sub, ok := localeSubtypes[code]; ok {
		label += ": " + strings.ToUpper(sub[:1]) + sub[1:] + " (" + strconv.Itoa(code) + ")"
	}
	return label
}

// ParseLocale reads a locale as people and NCES files write it: a type ("suburb"), an NCES
// code ("21"), or an NCES label ("21-Suburb: Large", "Suburb: Large"). It returns the
// type and the code (0 when only the type is given); "" is no locale. Returns invalid
// "invalid_locale" naming field.
func ParseLocale(field, s string) (Locale, int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, nil
	}
	bad := Invalid(field, "invalid_locale", "%q is not a locale: use city, suburb, town or rural, or an NCES locale code from 11 to 43.", truncate(s, 40))
	if len(s) >= 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && (len(s) == 2 || !unicode.IsDigit(rune(s[2]))) {
		code := int(s[0]-'0')*10 + int(s[1]-'0')
		if _, ok := localeSubtypes[code]; !ok {
			return "", 0, bad
		}
		return Locale(Locales[code/10-1].Value), code, nil
	}
	kind, sub, _ := strings.Cut(strings.ToLower(s), ":")
	kind, sub = strings.TrimSpace(kind), strings.TrimSpace(sub)
	i := termIndex(Locales, kind)
	if i < 0 {
		return "", 0, bad
	}
	if sub == "" {
		return Locale(kind), 0, nil
	}
	for code, name := range localeSubtypes {
		if code/10 == i+1 && name == sub {
			return Locale(kind), code, nil
		}
	}
	return "", 0, bad
}

// ParseSlug checks a directory slug: MinSlugLen to MaxSlugLen lower-case letters, digits
// and single hyphens, neither first nor last. Letters are lowered first. Returns invalid
// "invalid_slug" naming field.
func ParseSlug(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	ok := len(s) >= MinSlugLen && len(s) <= MaxSlugLen && s[0] != '-' && s[len(s)-1] != '-' && !strings.Contains(s, "--")
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
	}
	if !ok {
		return "", Invalid(field, "invalid_slug", "%s must be %d to %d lower-case letters, digits and single hyphens (like north-prairie), not starting or ending with a hyphen.",
			fieldLabel(field), MinSlugLen, MaxSlugLen)
	}
	return s, nil
}

// Slugify derives a slug from a name: letters and digits without their accents, lower
// case, the rest turned into single hyphens, cut at a hyphen to fit MaxSlugLen. A name with
// no Latin letter or digit gives fallback.
func Slugify(name, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r): // an accent, split off by NFD
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > MaxSlugLen {
		s = s[:MaxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i >= MinSlugLen {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	if len(s) < MinSlugLen {
		return fallback
	}
	return s
}

// SlugCandidate is the n-th slug to try for a new directory entry whose derived slug is
// base (n from 0): the base itself, then with the state ("springfield-il") when there is
// one, then numbered ("springfield-il-2", ...). The store takes the first one free, in
// the transaction that inserts the entry.
func SlugCandidate(base, state string, n int) string {
	st := strings.ToLower(state)
	switch {
	case n == 0:
		return base
	case st != "" && n == 1:
		return fitSlug(base, "-"+st)
	case st != "":
		return fitSlug(base, "-"+st+"-"+strconv.Itoa(n))
	}
	return fitSlug(base, "-"+strconv.Itoa(n+1))
}

// fitSlug appends suffix to base, shortening base so that the result fits MaxSlugLen.
func fitSlug(base, suffix string) string {
	if over := len(base) + len(suffix) - MaxSlugLen; over > 0 {
		base = strings.TrimRight(base[:len(base)-over], "-")
	}
	return base + suffix
}

// ParseNCESID checks an NCES local education agency id: seven digits, the first two the
// state's FIPS code. Returns invalid "invalid_nces_id" naming field.
func ParseNCESID(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	ok := len(s) == 7
	for i := 0; ok && i < len(s); i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	if !ok {
		return "", Invalid(field, "invalid_nces_id", "%s must be the district's 7-digit NCES id (LEAID), like 1709930.", fieldLabel(field))
	}
	return s, nil
}

// checkEnrollment checks a number of students.
func checkEnrollment(field string, n int) error {
	if n < 0 || n > MaxEnrollment {
		return Invalid(field, "invalid_enrollment", "%s must be a number of students from 0 to %d.", fieldLabel(field), MaxEnrollment)
	}
	return nil
}

// SearchKey is the form in which names are searched and sorted: lower case, without
// accents (so that "Peñasco" sorts among the P's and "penasco" finds it), NFC.
func SearchKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.TrimSpace(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return norm.NFC.String(b.String())
}

// ClusterRef names a district's cluster.
type ClusterRef struct {
	ID   int64
	Slug string
	Name string
}

// DistrictEntry is a district as the directory knows it. The embedded District is what a
// person's account carries.
type DistrictEntry struct {
	District
	State       string // USPS code
	NCESID      string // "" when unknown
	Enrollment  *int   // nil when unknown
	Locale      Locale // "" when unknown
	LocaleCode  int    // NCES's two-digit code, 0 when unknown
	Profile     string // markdown as written
	ProfileHTML string // rendered and sanitized when written
	Cluster     *ClusterRef
	People      int // accounts that name this district
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Cluster is a regional network of districts and partners.
type Cluster struct {
	ID              int64
	Slug            string
	Name            string
	Description     string // markdown as written
	DescriptionHTML string
	Districts       int // districts in the cluster
	People          int // accounts of its districts
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// DistrictFilter selects a page of the directory. Zero fields do not filter.
type DistrictFilter struct {
	Query    string // part of the name, regardless of case
	State    string // USPS code
	Cluster  string // a cluster's slug
	Locale   string // city, suburb, town or rural
	Page     int
	PageSize int
}

// Normalize checks a filter and puts it in its stored form. Returns invalid naming the
// parameter: q, state, cluster, locale or page.
func (f *DistrictFilter) Normalize() error {
	var err error
	if f.Query, err = CleanLine("q", f.Query); err != nil {
		return err
	}
	if len([]rune(f.Query)) > maxDirectoryQueryLen {
		return Invalid("q", "too_long", "Search for at most %d characters.", maxDirectoryQueryLen)
	}
	f.Query = SearchKey(f.Query)
	if f.State != "" {
		if f.State, err = ParseState("state", f.State); err != nil {
			return err
		}
	}
	if f.Cluster != "" {
		if f.Cluster, err = ParseSlug("cluster", f.Cluster); err != nil {
			return err
		}
	}
	if f.Locale != "" {
		l := strings.ToLower(strings.TrimSpace(f.Locale))
		if termIndex(Locales, l) < 0 {
			return Invalid("locale", "invalid_locale", "locale must be city, suburb, town or rural.")
		}
		f.Locale = l
	}
	if f.Page < 0 {
		return Invalid("page", "invalid_page", "page must be a whole number from 1.")
	}
	f.Page = max(f.Page, 1)
	if f.PageSize <= 0 || f.PageSize > MaxPageSize {
		f.PageSize = DirectoryPageSize
	}
	return nil
}

// DistrictPage is one page of the directory.
type DistrictPage struct {
	Items []*DistrictEntry
	Total int
	Page  int
}

// DirectoryScope names the district or the cluster whose people and questions a page
// lists: exactly one of the two ids is set.
type DirectoryScope struct {
	DistrictID int64
	ClusterID  int64
}

// CollaborativeRef is a collaborative as a district or cluster page lists it.
type CollaborativeRef struct {
	Slug        string
	Name        string
	Description string
	Private     bool
}

// CollaborativeLister finds the collaboratives a district or cluster takes part in, as
// the viewer may see them (private ones by name only, as DESIGN.md's "Private means
// invisible" allows). Collaboratives come with their own feature; until it plugs one in,
// directory pages have none to list.
type CollaborativeLister interface {
	CollaborativesIn(ctx context.Context, viewer *User, scope DirectoryScope) ([]CollaborativeRef, error)
}

// DistrictDetail is what a district's page shows.
type DistrictDetail struct {
	District       *DistrictEntry
	People         []*User // public profile fields only; the API never shows their email
	PeopleTotal    int
	Questions      []*Post // recent public questions by its people
	Collaboratives []CollaborativeRef
}

// ClusterDetail is what a cluster's page shows.
type ClusterDetail struct {
	Cluster        *Cluster
	Districts      []*DistrictEntry // the first MaxPageSize by name
	DistrictsTotal int
	People         []*User
	PeopleTotal    int
	Questions      []*Post
	Collaboratives []CollaborativeRef
}

// DistrictInput is a new district as an administrator writes it. Slug may be empty: one
// is derived from the name (see SlugCandidate). Cluster is a cluster's slug or "".
type DistrictInput struct {
	Slug       string
	Name       string
	State      string
	NCESID     string
	Enrollment *int
	Locale     string
	Profile    string
	Cluster    string
}

// DistrictUpdate changes a district: nil leaves a field as it is. NCESID, Locale, Profile
// and Cluster are emptied by ""; Enrollment by a pointer to nil.
type DistrictUpdate struct {
	Slug, Name, State                *string
	NCESID, Locale, Profile, Cluster *string
	Enrollment                       **int
}

// LocaleValue is a district's locale type and NCES code; the zero value is none.
type LocaleValue struct {
	Locale Locale
	Code   int
}

// Rendered is markdown with the HTML it renders to.
type Rendered struct {
	Text, HTML string
}

// NewDistrict is a district ready to store. With Slug empty the store takes the first
// free SlugCandidate of SlugBase.
type NewDistrict struct {
	Slug, SlugBase string
	Name           string
	State          string
	NCESID         string
	Enrollment     *int
	Locale         LocaleValue
	Profile        Rendered
	Cluster        string // slug; the store answers UnknownCluster when there is none
	Now            time.Time
}

// DistrictChanges are a district's checked changes, ready to store; nil leaves a field.
type DistrictChanges struct {
	Slug, Name, State, NCESID, Cluster *string
	Enrollment                         **int
	Locale                             *LocaleValue
	Profile                            *Rendered
	Now                                time.Time
}

// ClusterInput is a new cluster; Slug may be empty (derived from the name).
type ClusterInput struct {
	Slug, Name, Description string
}

// ClusterUpdate changes a cluster: nil leaves a field as it is.
type ClusterUpdate struct {
	Slug, Name, Description *string
}

// NewCluster is a cluster ready to store, as NewDistrict.
type NewCluster struct {
	Slug, SlugBase string
	Name           string
	Description    Rendered
	Now            time.Time
}

// ClusterChanges are a cluster's checked changes.
type ClusterChanges struct {
	Slug, Name  *string
	Description *Rendered
	Now         time.Time
}

// DirectoryStore keeps the directory.
type DirectoryStore interface {
	// CreateCluster stores a cluster. Returns conflict "slug_taken".
	CreateCluster(ctx context.Context, c NewCluster) (*Cluster, error)
	// UpdateCluster changes the cluster with the slug. Returns not_found, conflict "slug_taken".
	UpdateCluster(ctx context.Context, slug string, ch ClusterChanges) (*Cluster, error)
	// ClusterBySlug returns not_found when there is no such cluster.
	ClusterBySlug(ctx context.Context, slug string) (*Cluster, error)
	// Clusters lists every cluster by name, with its counts.
	Clusters(ctx context.Context) ([]*Cluster, error)
	// CreateDistrict stores a district. Returns conflict "slug_taken" or "nces_id_taken",
	// or invalid "unknown_cluster".
	CreateDistrict(ctx context.Context, d NewDistrict) (*DistrictEntry, error)
	// UpdateDistrict changes the district with the slug. Returns not_found and the errors
	// of CreateDistrict.
	UpdateDistrict(ctx context.Context, slug string, ch DistrictChanges) (*DistrictEntry, error)
	// DistrictBySlug returns not_found when there is no such district.
	DistrictBySlug(ctx context.Context, slug string) (*DistrictEntry, error)
	// Districts lists a page of districts by name, with the total; f is normalized.
	Districts(ctx context.Context, f DistrictFilter) ([]*DistrictEntry, int, error)
	// DistrictStates counts the directory's districts by state.
	DistrictStates(ctx context.Context) ([]StateCount, error)
	// DistrictChoices lists up to limit districts by state and name, for a picker; only
	// the slug, name and state are filled in.
	DistrictChoices(ctx context.Context, limit int) ([]*DistrictEntry, error)
	// DirectoryPeople lists up to limit people of a district or cluster, highest
	// reputation first, with their profile fields, and counts them all.
	DirectoryPeople(ctx context.Context, scope DirectoryScope, limit int) ([]*User, int, error)
	// DirectoryQuestions lists the newest live questions asked by people of a district
	// or cluster, without bodies.
	DirectoryQuestions(ctx context.Context, scope DirectoryScope, limit int, viewerID int64) ([]*Post, error)
	// ImportDistricts stores checked import rows in one transaction: a row whose NCES id
	// is in the directory updates that district, the others are created. Any failure
	// leaves the directory as it was.
	ImportDistricts(ctx context.Context, rows []DistrictImport, now time.Time) (*ImportResult, error)
}

// Errors the directory's stores answer with, worded here (DESIGN.md "Rules live in forum").

// NotFoundDistrict is the answer for a district slug the directory does not have.
func NotFoundDistrict(slug string) *Error {
	return Errorf(ENotFound, "There is no district %q.", truncate(slug, MaxSlugLen))
}

// NotFoundCluster is the answer for a cluster slug the directory does not have.
func NotFoundCluster(slug string) *Error {
	return Errorf(ENotFound, "There is no cluster %q.", truncate(slug, MaxSlugLen))
}

// SlugTaken is the answer when another district (or cluster) has the slug.
func SlugTaken(kind, slug string) *Error {
	return Coded(EConflict, "slug_taken", "Another %s has the slug %q; choose another.", kind, slug).WithField("slug")
}

// NCESIDTaken is the answer when another district has the NCES id.
func NCESIDTaken(id string) *Error {
	return Coded(EConflict, "nces_id_taken", "Another district has the NCES id %s.", id).WithField("nces_id")
}

// UnknownCluster is the answer for a cluster slug, given as input, that names no cluster.
func UnknownCluster(slug string) *Error {
	return Invalid("cluster", "unknown_cluster", "There is no cluster %q: create it first, or leave the district without one.", truncate(slug, MaxSlugLen))
}

// UnknownDistrict is the answer for a district slug, given as input, that names no district.
func UnknownDistrict(slug string) *Error {
	return Invalid("district", "unknown_district", "There is no district %q in the directory; pick one from /districts.", truncate(slug, MaxSlugLen))
}

// CanManageDirectory is the rule of who keeps the directory: administrators.
func CanManageDirectory(u *User) error {
	if u == nil {
		return Coded(EUnauthorized, "unauthorized", "Sign in to manage the directory.")
	}
	if u.Role != RoleAdmin {
		return Coded(EForbidden, "admin_only", "Only administrators manage districts and clusters.")
	}
	return nil
}

// Directory enforces the rules of the district directory.
type Directory struct {
	Store  DirectoryStore
	Render Renderer
	// Collaboratives lists the collaboratives of a district or cluster; nil: none yet.
	Collaboratives CollaborativeLister
	Now            func() time.Time
}

func (d *Directory) now() time.Time { return d.Now().UTC() }

// Districts lists a page of the directory. Returns invalid naming a bad filter parameter.
func (d *Directory) Districts(ctx context.Context, f DistrictFilter) (*DistrictPage, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	items, total, err := d.Store.Districts(ctx, f)
	if err != nil {
		return nil, err
	}
	return &DistrictPage{Items: items, Total: total, Page: f.Page}, nil
}

// States lists the directory's states by name, with their district counts.
func (d *Directory) States(ctx context.Context) ([]StateCount, error) {
	ss, err := d.Store.DistrictStates(ctx)
	if err != nil {
		return nil, err
	}
	sortStatesByName(ss)
	return ss, nil
}

// maxDistrictChoices bounds a district picker: a network's directory fits; a whole
// country's does not belong in one select.
const maxDistrictChoices = 2000

// DistrictChoices lists the districts a person may pick as theirs, by state and name; more
// reports that the directory has more than a picker shows.
func (d *Directory) DistrictChoices(ctx context.Context) (choices []*DistrictEntry, more bool, err error) {
	choices, err = d.Store.DistrictChoices(ctx, maxDistrictChoices+1)
	if err != nil {
		return nil, false, err
	}
	if len(choices) > maxDistrictChoices {
		return choices[:maxDistrictChoices], true, nil
	}
	return choices, false, nil
}

// District returns a district's page: the district, its people, the recent questions they
// asked that the viewer (nil: anonymous) may see, and its collaboratives. Returns not_found.
func (d *Directory) District(ctx context.Context, viewer *User, slug string) (*DistrictDetail, error) {
	s, err := ParseSlug("slug", slug)
	if err != nil {
		return nil, NotFoundDistrict(slug)
	}
	dist, err := d.Store.DistrictBySlug(ctx, s)
	if err != nil {
		return nil, err
	}
	out := &DistrictDetail{District: dist, Collaboratives: []CollaborativeRef{}}
	scope := DirectoryScope{DistrictID: dist.ID}
	if out.People, out.PeopleTotal, err = d.Store.DirectoryPeople(ctx, scope, DirectoryPeopleLimit); err != nil {
		return nil, err
	}
	if out.Questions, err = d.Store.DirectoryQuestions(ctx, scope, DirectoryQuestionsLimit, viewerID(viewer)); err != nil {
		return nil, err
	}
	if out.Collaboratives, err = d.collaboratives(ctx, viewer, scope); err != nil {
		return nil, err
	}
	return out, nil
}

// Clusters lists every cluster.
func (d *Directory) Clusters(ctx context.Context) ([]*Cluster, error) {
	return d.Store.Clusters(ctx)
}

// Cluster returns a cluster's page: the cluster, its districts, people, recent questions
// and collaboratives. Returns not_found.
func (d *Directory) Cluster(ctx context.Context, viewer *User, slug string) (*ClusterDetail, error) {
	s, err := ParseSlug("slug", slug)
	if err != nil {
		return nil, NotFoundCluster(slug)
	}
	c, err := d.Store.ClusterBySlug(ctx, s)
	if err != nil {
		return nil, err
	}
	out := &ClusterDetail{Cluster: c}
	if out.Districts, out.DistrictsTotal, err = d.Store.Districts(ctx, DistrictFilter{Cluster: c.Slug, Page: 1, PageSize: MaxPageSize}); err != nil {
		return nil, err
	}
	scope := DirectoryScope{ClusterID: c.ID}
	if out.People, out.PeopleTotal, err = d.Store.DirectoryPeople(ctx, scope, DirectoryPeopleLimit); err != nil {
		return nil, err
	}
	if out.Questions, err = d.Store.DirectoryQuestions(ctx, scope, DirectoryQuestionsLimit, viewerID(viewer)); err != nil {
		return nil, err
	}
	if out.Collaboratives, err = d.collaboratives(ctx, viewer, scope); err != nil {
		return nil, err
	}
	return out, nil
}

func (d *Directory) collaboratives(ctx context.Context, viewer *User, scope DirectoryScope) ([]CollaborativeRef, error) {
	if d.Collaboratives == nil {
		return []CollaborativeRef{}, nil
	}
	return d.Collaboratives.CollaborativesIn(ctx, viewer, scope)
}

// cleanName checks a district's or cluster's name.
func cleanName(s string, max int) (string, error) {
	return CleanTitle("name", s, MinDirectoryNameLen, max)
}

// render checks and renders a profile or description (empty is allowed).
func (d *Directory) render(field, s string) (Rendered, error) {
	text, err := CleanBody(field, s, 0, MaxDirectoryTextLen)
	if err != nil || text == "" {
		return Rendered{}, err
	}
	html, err := d.Render.Body(text)
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Text: text, HTML: html}, nil
}

// CreateDistrict adds a district; administrators only. Returns forbidden "admin_only",
// invalid naming the field (name, slug, state, nces_id, enrollment, locale, profile,
// cluster; unknown_cluster among them), or conflict "slug_taken"/"nces_id_taken".
func (d *Directory) CreateDistrict(ctx context.Context, u *User, in DistrictInput) (*DistrictEntry, error) {
	if err := CanManageDirectory(u); err != nil {
		return nil, err
	}
	nd := NewDistrict{Now: d.now(), Enrollment: in.Enrollment}
	var err error
	if nd.Name, err = cleanName(in.Name, MaxDistrictNameLen); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Slug) != "" {
		if nd.Slug, err = ParseSlug("slug", in.Slug); err != nil {
			return nil, err
		}
	} else {
		nd.SlugBase = Slugify(nd.Name, "district")
	}
	if nd.State, err = ParseState("state", in.State); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.NCESID) != "" {
		if nd.NCESID, err = ParseNCESID("nces_id", in.NCESID); err != nil {
			return nil, err
		}
	}
	if in.Enrollment != nil {
		if err := checkEnrollment("enrollment", *in.Enrollment); err != nil {
			return nil, err
		}
	}
	if nd.Locale.Locale, nd.Locale.Code, err = ParseLocale("locale", in.Locale); err != nil {
		return nil, err
	}
	if nd.Profile, err = d.render("profile", in.Profile); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Cluster) != "" {
		if nd.Cluster, err = ParseSlug("cluster", in.Cluster); err != nil {
			return nil, err
		}
	}
	return d.Store.CreateDistrict(ctx, nd)
}

// UpdateDistrict changes a district; administrators only. Returns not_found and the
// errors of CreateDistrict.
func (d *Directory) UpdateDistrict(ctx context.Context, u *User, slug string, upd DistrictUpdate) (*DistrictEntry, error) {
	if err := CanManageDirectory(u); err != nil {
		return nil, err
	}
	key, err := ParseSlug("slug", slug)
	if err != nil {
		return nil, NotFoundDistrict(slug)
	}
	ch := DistrictChanges{Now: d.now(), Enrollment: upd.Enrollment}
	if upd.Name != nil {
		s, err := cleanName(*upd.Name, MaxDistrictNameLen)
		if err != nil {
			return nil, err
		}
		ch.Name = &s
	}
	if upd.Slug != nil {
		s, err := ParseSlug("slug", *upd.Slug)
		if err != nil {
			return nil, err
		}
		ch.Slug = &s
	}
	if upd.State != nil {
		s, err := ParseState("state", *upd.State)
		if err != nil {
			return nil, err
		}
		ch.State = &s
	}
	if upd.NCESID != nil {
		s := ""
		if strings.TrimSpace(*upd.NCESID) != "" {
			if s, err = ParseNCESID("nces_id", *upd.NCESID); err != nil {
				return nil, err
			}
		}
		ch.NCESID = &s
	}
	if upd.Enrollment != nil && *upd.Enrollment != nil {
		if err := checkEnrollment("enrollment", **upd.Enrollment); err != nil {
			return nil, err
		}
	}
	if upd.Locale != nil {
		var l LocaleValue
		if l.Locale, l.Code, err = ParseLocale("locale", *upd.Locale); err != nil {
			return nil, err
		}
		ch.Locale = &l
	}
	if upd.Profile != nil {
		r, err := d.render("profile", *upd.Profile)
		if err != nil {
			return nil, err
		}
		ch.Profile = &r
	}
	if upd.Cluster != nil {
		s := ""
		if strings.TrimSpace(*upd.Cluster) != "" {
			if s, err = ParseSlug("cluster", *upd.Cluster); err != nil {
				return nil, err
			}
		}
		ch.Cluster = &s
	}
	return d.Store.UpdateDistrict(ctx, key, ch)
}

// CreateCluster adds a cluster; administrators only. Returns forbidden "admin_only",
// invalid naming the field (name, slug, description) or conflict "slug_taken".
func (d *Directory) CreateCluster(ctx context.Context, u *User, in ClusterInput) (*Cluster, error) {
	if err := CanManageDirectory(u); err != nil {
		return nil, err
	}
	nc := NewCluster{Now: d.now()}
	var err error
	if nc.Name, err = cleanName(in.Name, MaxClusterNameLen); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Slug) != "" {
		if nc.Slug, err = ParseSlug("slug", in.Slug); err != nil {
			return nil, err
		}
	} else {
		nc.SlugBase = Slugify(nc.Name, "cluster")
	}
	if nc.Description, err = d.render("description", in.Description); err != nil {
		return nil, err
	}
	return d.Store.CreateCluster(ctx, nc)
}

// UpdateCluster changes a cluster; administrators only. Returns not_found and the errors
// of CreateCluster.
func (d *Directory) UpdateCluster(ctx context.Context, u *User, slug string, upd ClusterUpdate) (*Cluster, error) {
	if err := CanManageDirectory(u); err != nil {
		return nil, err
	}
	key, err := ParseSlug("slug", slug)
	if err != nil {
		return nil, NotFoundCluster(slug)
	}
	ch := ClusterChanges{Now: d.now()}
	if upd.Name != nil {
		s, err := cleanName(*upd.Name, MaxClusterNameLen)
		if err != nil {
			return nil, err
		}
		ch.Name = &s
	}
	if upd.Slug != nil {
		s, err := ParseSlug("slug", *upd.Slug)
		if err != nil {
			return nil, err
		}
		ch.Slug = &s
	}
	if upd.Description != nil {
		r, err := d.render("description", *upd.Description)
		if err != nil {
			return nil, err
		}
		ch.Description = &r
	}
	return d.Store.UpdateCluster(ctx, key, ch)
}
