package web

import (
	"github.com/gofiber/fiber/v2"
	"strings"

	"staffroom/forum"
)

// The profile fields of the settings page (/settings, profile section): the district from
// the directory, the position, subjects and grade bands from forum's vocabularies, and the
// time zone, all without JavaScript.

// profileFieldsMarker is a hidden field of the settings form: a post without it (an older
// page, a script that sends the name and email alone) leaves the profile fields as they are.
const profileFieldsMarker = "profile_fields"

// profileFormView is the profile fields' part of the settings form.
type profileFormView struct {
	District       string // slug
	DistrictGroups []districtGroup
	TooMany        bool // the directory is too large for a select: the slug is typed
	Position       string
	Positions      []forum.Term
	Subjects       []checkTerm
	GradeBands     []checkTerm
	TimeZone       string
	TimeZones      []string
}

// districtGroup is one state's districts in the district select.
type districtGroup struct {
	Label     string
	Districts []*forum.DistrictEntry
}

// checkTerm is one checkbox of a vocabulary.
type checkTerm struct {
	forum.Term
	Checked bool
}

func checkTerms(vocab []forum.Term, checked []string) []checkTerm {
	out := make([]checkTerm, len(vocab))
	for i, t := range vocab {
		out[i] = checkTerm{Term: t}
		for _, c := range checked {
			out[i].Checked = out[i].Checked || c == t.Value
		}
	}
	return out
}

// formValues are every value of a repeated form field (checkboxes), copied.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// profileFieldsForm reads the profile fields the settings form posts; nil when the form
// does not carry them.
func profileFieldsForm(c *fiber.Ctx) *forum.ProfileFieldsUpdate {
	if c.FormValue(profileFieldsMarker) == "" {
		return nil
	}
	district, position, tz := c.FormValue("district"), c.FormValue("position"), c.FormValue("time_zone")
	subjects, bands := formValues(c, "subjects"), formValues(c, "grade_bands")
	return &forum.ProfileFieldsUpdate{District: &district, Position: &position, Subjects: &subjects, GradeBands: &bands, TimeZone: &tz}
}

// profileFormFor fills the profile fields of the settings form: what the person has
// stored, or, when the form they just sent failed, what they sent.
func (s *Server) profileFormFor(c *fiber.Ctx, v *forum.Viewer) (*profileFormView, error) {
	u, err := s.accounts.User(c.UserContext(), v.User.ID) // whole: with the profile fields
	if err != nil {
		return nil, err
	}
	f := &profileFormView{Positions: forum.Positions, TimeZones: forum.CommonTimeZones}
	if u.District != nil {
		f.District = u.District.Slug
	}
	p := u.Profile
	if p == nil {
		p = &forum.ProfileFields{}
	}
	f.Position, f.TimeZone = p.Position, p.TimeZone
	subjects, bands := p.Subjects, p.GradeBands
	if c.Method() == fiber.MethodPost {
		if sent := profileFieldsForm(c); sent != nil {
			f.District, f.Position, f.TimeZone = *sent.District, *sent.Position, *sent.TimeZone
			subjects, bands = *sent.Subjects, *sent.GradeBands
		}
	} else if ff := s.formFlashFor(c); ff != nil && ff.values[profileFieldsMarker] != "" {
		// The failed form's redirect (post/redirect/get): what was sent comes back.
		f.District, f.Position, f.TimeZone = ff.values["district"], ff.values["position"], ff.values["time_zone"]
		subjects, bands = splitKept(ff.values["subjects"]), splitKept(ff.values["grade_bands"])
	}
	f.Subjects, f.GradeBands = checkTerms(forum.Subjects, subjects), checkTerms(forum.GradeBands, bands)
	if s.directory == nil {
		f.TooMany = true // no directory to choose from: the slug is typed
		return f, nil
	}
	choices, more, err := s.directory.DistrictChoices(c.UserContext())
	if err != nil {
		return nil, err
	}
	f.TooMany = more
	for _, d := range choices {
		label := forum.StateName(d.State)
		if label == "" {
			label = "No state given"
		}
		if n := len(f.DistrictGroups); n == 0 || f.DistrictGroups[n-1].Label != label {
			f.DistrictGroups = append(f.DistrictGroups, districtGroup{Label: label})
		}
		g := &f.DistrictGroups[len(f.DistrictGroups)-1]
		g.Districts = append(g.Districts, d)
	}
	return f, nil
}

// keepProfileFields adds the profile fields a failed settings form sent to values, so that
// the page its redirect shows has them back; lists are kept one term a line.
func keepProfileFields(c *fiber.Ctx, values map[string]string) map[string]string {
	if sent := profileFieldsForm(c); sent != nil {
		values[profileFieldsMarker] = "1"
		values["district"], values["position"], values["time_zone"] = *sent.District, *sent.Position, *sent.TimeZone
		values["subjects"], values["grade_bands"] = strings.Join(*sent.Subjects, "\n"), strings.Join(*sent.GradeBands, "\n")
	}
	return values
}

// splitKept reads a list keepProfileFields kept.
func splitKept(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
