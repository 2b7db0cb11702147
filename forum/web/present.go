package web

import (
	"time"

	"staffroom/forum"
)

// userJSON is a person as the API shows them. Email and suspension appear only to the
// person themselves. The profile fields come when the person was read whole.
type userJSON struct {
	*profileFieldsJSON
	ID             int64         `json:"id"`
	Username       string        `json:"username"`
	DisplayName    string        `json:"display_name"`
	Reputation     int           `json:"reputation"`
	Role           forum.Role    `json:"role"`
	Badges         badgesJSON    `json:"badges"`
	District       *districtJSON `json:"district"`
	URL            string        `json:"url"`
	CreatedAt      time.Time     `json:"created_at"`
	Email          string        `json:"email,omitempty"`
	SuspendedUntil *time.Time    `json:"suspended_until,omitempty"`
	SuspendReason  string        `json:"suspend_reason,omitempty"`
	// Known says, to the person themselves, that the new-member limits do not apply.
	Known bool `json:"known,omitempty"`
}

// badgesJSON counts badges by class; badges are awarded by a later feature.
type badgesJSON struct {
	Gold   int `json:"gold"`
	Silver int `json:"silver"`
	Bronze int `json:"bronze"`
}

type districtJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func presentUser(u *forum.User, self bool) userJSON {
	j := userJSON{
		ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Reputation: u.Reputation, Role: u.Role,
		URL: profilePath(u), CreatedAt: u.CreatedAt,
	}
	if u.District != nil {
		j.District = &districtJSON{ID: u.District.ID, Slug: u.District.Slug, Name: u.District.Name}
	}
	j.profileFieldsJSON = presentProfileFields(u.Profile)
	if self {
		j.Email = u.Email
		j.SuspendedUntil = u.SuspendedUntil
		if u.SuspendedUntil != nil {
			j.SuspendReason = u.SuspendReason
		}
		j.Known = u.Known
	}
	return j
}

type sessionJSON struct {
	ID         int64     `json:"id"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"`
}

func presentSessions(ss []*forum.Session, v *forum.Viewer) []sessionJSON {
	out := make([]sessionJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, sessionJSON{ID: s.ID, UserAgent: s.UserAgent, IP: s.IP, CreatedAt: s.CreatedAt,
			LastSeenAt: s.LastSeenAt, Current: v.Session != nil && v.Session.ID == s.ID})
	}
	return out
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Current    bool       `json:"current"`
	Token      string     `json:"token,omitempty"` // the secret, only when just created
}

func presentTokens(ts []*forum.APIToken, v *forum.Viewer) []tokenJSON {
	out := make([]tokenJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, tokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt,
			Current: v.Token != nil && v.Token.ID == t.ID})
	}
	return out
}
