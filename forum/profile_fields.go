package forum

import (
	"context"
	"slices"
	"strings"
	"time"

	// The zone database travels in the binary, so that a time zone one server accepts
	// every server accepts, whether or not its system has /usr/share/zoneinfo (distroless
	// images do not). A system's own copy, when there is one, is still read first.
	_ "time/tzdata"
)

// What people state about their work, as data a later feature matches on (similar
// districts, mentors): a position, subjects and grade bands from fixed vocabularies, and a
// time zone by its IANA name. Each vocabulary is a list of terms in the order pages show
// them; the stored value is the term, the label is for people.

// Term is one entry of a vocabulary.
type Term struct {
	Value string // stored and sent: "district_leader", "6-8"
	Label string // shown: "District leader", "Grades 6–8"
}

// Positions are the roles people hold in their district or beside it (DESIGN.md).
var Positions = []Term{
	{"teacher", "Teacher"},
	{"coach", "Instructional coach"},
	{"principal", "Principal"},
	{"district_leader", "District leader"},
	{"researcher", "Researcher"},
	{"partner", "Partner"},
}

// Subjects are what people teach or support.
var Subjects = []Term{
	{"math", "Mathematics"},
	{"ela", "English language arts"},
	{"science", "Science"},
	{"social-studies", "Social studies"},
	{"world-languages", "World languages"},
	{"arts", "Arts"},
	{"pe-health", "PE and health"},
	{"cs", "Computer science"},
	{"special-education", "Special education"},
	{"ell", "English language learners"},
	{"other", "Other"},
}

// GradeBands are the grades people work with.
var GradeBands = []Term{
	{"pre-k", "Pre-K"},
	{"k-2", "K–2"},
	{"3-5", "Grades 3–5"},
	{"6-8", "Grades 6–8"},
	{"9-12", "Grades 9–12"},
	{"adult", "Adult"},
}

// TermLabel returns the label of value in vocab, or value itself when it is not there.
func TermLabel(vocab []Term, value string) string {
	if i := termIndex(vocab, value); i >= 0 {
		return vocab[i].Label
	}
	return value
}

func termIndex(vocab []Term, value string) int {
	return slices.IndexFunc(vocab, func(t Term) bool { return t.Value == value })
}

// ProfileFields are the facts a person states on their profile. A User carries them when
// it was read whole (UserByID); lists of authors leave them out (Profile is nil).
type ProfileFields struct {
	Position   string   // a Positions value, "" when not stated
	Subjects   []string // Subjects values, in the vocabulary's order
	GradeBands []string // GradeBands values, in the vocabulary's order
	TimeZone   string   // an IANA name, "" when not stated
}

// ProfileFieldsUpdate changes profile fields: nil leaves a field as it is; an empty value
// ("" or an empty list) clears it.
type ProfileFieldsUpdate struct {
	District   *string // a district's slug
	Position   *string
	Subjects   *[]string
	GradeBands *[]string
	TimeZone   *string
}

// Empty reports whether the update changes nothing.
func (u *ProfileFieldsUpdate) Empty() bool {
	return u == nil || (u.District == nil && u.Position == nil && u.Subjects == nil && u.GradeBands == nil && u.TimeZone == nil)
}

// Normalize checks every field against its vocabulary and puts it in its stored form:
// terms are matched regardless of case and surrounding space, lists lose duplicates and
// follow the vocabulary's order, and the time zone must be a zone the IANA database
// names. Returns invalid naming the field: invalid_district, invalid_position,
// invalid_subject, invalid_grade_band, invalid_time_zone. Whether the district exists is
// the store's to find out (UnknownDistrict).
func (u *ProfileFieldsUpdate) Normalize() error {
	if u.District != nil {
		s := strings.TrimSpace(*u.District)
		if s != "" {
			var err error
			if s, err = ParseSlug("district", s); err != nil {
				return Invalid("district", "invalid_district", "district must be a district's slug from the directory, like riverside-unified.")
			}
		}
		u.District = &s
	}
	if u.Position != nil {
		s := strings.ToLower(strings.TrimSpace(*u.Position))
		if s != "" && termIndex(Positions, s) < 0 {
			return Invalid("position", "invalid_position", "position must be one of %s.", termList(Positions))
		}
		u.Position = &s
	}
	if u.Subjects != nil {
		list, err := normalizeTerms("subjects", "invalid_subject", Subjects, *u.Subjects)
		if err != nil {
			return err
		}
		u.Subjects = &list
	}
	if u.GradeBands != nil {
		list, err := normalizeTerms("grade_bands", "invalid_grade_band", GradeBands, *u.GradeBands)
		if err != nil {
			return err
		}
		u.GradeBands = &list
	}
	if u.TimeZone != nil {
		tz, err := NormalizeTimeZone("time_zone", *u.TimeZone)
		if err != nil {
			return err
		}
		u.TimeZone = &tz
	}
	return nil
}

// maxTerms bounds a list field before it is looked at: no vocabulary is longer.
const maxTerms = 32

// normalizeTerms checks a list against a vocabulary and returns it deduplicated, in the
// vocabulary's order.
func normalizeTerms(field, code string, vocab []Term, in []string) ([]string, error) {
	if len(in) > maxTerms {
		return nil, Invalid(field, code, "%s lists too many values; choose from %s.", fieldLabel(field), termList(vocab))
	}
	seen := make([]bool, len(vocab))
	for _, v := range in {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" {
			continue
		}
		i := termIndex(vocab, v)
		if i < 0 {
			return nil, Invalid(field, code, "%q is not one of the %s: choose from %s.", truncate(v, 40), strings.ReplaceAll(field, "_", " "), termList(vocab))
		}
		seen[i] = true
	}
	out := []string{}
	for i, ok := range seen {
		if ok {
			out = append(out, vocab[i].Value)
		}
	}
	return out, nil
}

// termList names a vocabulary's values for a message: "a, b or c".
func termList(vocab []Term) string {
	vs := make([]string, len(vocab))
	for i, t := range vocab {
		vs[i] = t.Value
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

// maxTimeZoneLen is longer than any IANA name ("America/Argentina/ComodRivadavia" is 32).
const maxTimeZoneLen = 64

// NormalizeTimeZone checks an IANA time zone name ("America/Chicago"); "" stays "" (no
// zone). time.LoadLocation's own shortcuts are refused: "Local" is the server's zone, not
// a place, and "" would be UTC. Returns invalid "invalid_time_zone" naming field.
func NormalizeTimeZone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := Invalid(field, "invalid_time_zone", "%q is not a time zone: use an IANA name such as America/Chicago.", truncate(s, 40))
	if len(s) > maxTimeZoneLen || s == "Local" || strings.ContainsAny(s, "\\\x00") {
		return "", bad
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return "", bad
	}
	return loc.String(), nil
}

// CommonTimeZones are the zones a settings form suggests, those of the network's states
// and territories first; any IANA name is accepted.
var CommonTimeZones = []string{
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Detroit", "America/Indiana/Indianapolis",
	"America/Kentucky/Louisville", "America/Boise", "America/Puerto_Rico", "America/St_Thomas",
	"Pacific/Guam", "Pacific/Saipan", "Pacific/Pago_Pago", "America/Adak", "America/Juneau",
	"America/Toronto", "America/Vancouver", "America/Mexico_City", "Europe/London", "Europe/Berlin",
	"Asia/Tokyo", "Australia/Sydney", "UTC",
}

// updateUser stores a profile update once its profile fields are checked.
func (a *Accounts) updateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error) {
	if upd.Profile != nil {
		if err := upd.Profile.Normalize(); err != nil {
			return nil, err
		}
	}
	return a.Users.UpdateUser(ctx, id, upd)
}

// InVocabularyOrder returns values in the order of vocab (as pages list them), values the
// vocabulary does not have last. It never returns nil, so an empty list shows as [].
func InVocabularyOrder(vocab []Term, values []string) []string {
	out := make([]string, 0, len(values))
	for _, t := range vocab {
		if slices.Contains(values, t.Value) {
			out = append(out, t.Value)
		}
	}
	for _, v := range values {
		if termIndex(vocab, v) < 0 {
			out = append(out, v)
		}
	}
	return out
}
