package forum

import (
	"sort"
	"strings"
)

// usStates are the USPS codes a district's state may take: the fifty states, the District
// of Columbia, the territories and freely associated states, and the armed forces'
// "states" (DoDEA schools). NCES files use these codes in their ST column.
var usStates = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
	"FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
	"IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
	"ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
	"MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
	"NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
	"NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
	"PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
	"TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
	"WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
	"AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
	"VI": "U.S. Virgin Islands", "FM": "Micronesia", "MH": "Marshall Islands", "PW": "Palau",
	"AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
}

// ParseState accepts a two-letter USPS state or territory code in either case and returns
// it in capitals. Returns invalid "invalid_state" naming field.
func ParseState(field, s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := usStates[code]; !ok {
		return "", Invalid(field, "invalid_state", "%q is not a US state or territory: use its two-letter postal code, such as IL.", truncate(s, 20))
	}
	return code, nil
}

// StateName is the name of a state code ("Illinois" for IL); the code itself when unknown.
func StateName(code string) string {
	if n, ok := usStates[code]; ok {
		return n
	}
	return code
}

// StateCount is a state and how many districts of the directory are in it.
type StateCount struct {
	Code      string
	Districts int
}

// Name is the state's name.
func (s StateCount) Name() string { return StateName(s.Code) }

// sortStatesByName orders a directory's states as a filter lists them.
func sortStatesByName(ss []StateCount) {
	sort.Slice(ss, func(i, j int) bool { return StateName(ss[i].Code) < StateName(ss[j].Code) })
}
