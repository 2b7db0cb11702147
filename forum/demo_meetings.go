package forum

import (
	"context"
	"fmt"
	"time"
)

// The demo's meetings: for each demo collaborative, a past meeting with its agenda, notes
// and action items (one of them overdue, one done), and an upcoming one with a proposed
// agenda. They are written through the store's real write paths, by the collaborative's
// lead, so they follow every rule a real meeting does.

// DemoMeeting is a meeting of the demo, placed relative to the day the demo is seeded.
type DemoMeeting struct {
	Title               string
	DaysFromNow         int // negative: in the past
	StartHour, StartMin int // wall clock in Zone
	Minutes             int
	Zone                string
	Location, VideoURL  string
	Description         string
	Agenda              []string
	Notes               string
	Actions             []DemoAction
}

// DemoAction is an action item of a demo meeting; DueInDays counts from the meeting's
// day. Assignee picks the n-th member (by name) of the collaborative.
type DemoAction struct {
	Title     string
	Assignee  int
	DueInDays int
	Done      bool
}

// DemoMeetings are the demo collaboratives' meetings, by slug.
var DemoMeetings = map[string][]DemoMeeting{
	"ct-framework": {
		{Title: "Fall convening: strand drafts", DaysFromNow: -21, StartHour: 13, Minutes: 180, Zone: "America/Chicago",
			Location:    "Riverside Unified Central Office, Room 204",
			Description: "Each writing team brings its strand draft. We read across strands for *grade-band progression*.",
			Agenda:      []string{"Decomposition strand: K-5 draft", "Abstraction strand: what counts as evidence", "Pilot schools for spring"},
			Notes: "## Decisions\n\n- Adopt the four strands: **decomposition, pattern recognition, abstraction, algorithms**.\n" +
				"- Grade bands follow the state standards: K-2, 3-5, 6-8, 9-12.\n\n## Open questions\n\n" +
				"- How do we show progression without a separate CS course in K-5?\n- Which artifacts count as evidence of abstraction?\n",
			Actions: []DemoAction{
				{Title: "Revise the decomposition strand with grade-band examples", Assignee: 0, DueInDays: 7},
				{Title: "Collect classroom artifacts from the pilot schools", Assignee: 1, DueInDays: 35},
				{Title: "Share the strand template with every writing team", Assignee: 0, DueInDays: 2, Done: true},
			}},
		{Title: "Spring convening: pilot review", DaysFromNow: 28, StartHour: 9, Minutes: 360, Zone: "America/Chicago",
			Location: "Harbor Point High School library", VideoURL: "https://meet.example.org/ct-framework",
			Description: "Pilot teachers report back; we decide what goes into version 1.0 of the framework.",
			Agenda:      []string{"Pilot reports (10 minutes each)", "Version 1.0: what is in, what waits"}},
	},
	"ell-resources": {
		{Title: "Resource review: newcomer kits", DaysFromNow: -14, StartHour: 15, StartMin: 30, Minutes: 60, Zone: "America/Chicago",
			VideoURL:    "https://meet.example.org/ell-resources",
			Description: "We score three newcomer kits against our rubric.",
			Agenda:      []string{"Scores for kit A, B and C", "Gaps: materials for Dari and Tigrinya speakers"},
			Notes: "## Scores\n\n| Kit | Language support | Family materials |\n|---|---|---|\n| A | 3 | 2 |\n| B | 4 | 4 |\n| C | 2 | 3 |\n\n" +
				"Kit B is the group's recommendation, with the gaps listed below.\n",
			Actions: []DemoAction{
				{Title: "Ask the vendor of kit B about Dari materials", Assignee: 0, DueInDays: 10},
				{Title: "Draft the family letter in five languages", Assignee: 1, DueInDays: 21},
			}},
		{Title: "Vendor criteria check-in", DaysFromNow: 10, StartHour: 15, StartMin: 30, Minutes: 60, Zone: "America/Chicago",
			VideoURL: "https://meet.example.org/ell-resources",
			Agenda:   []string{"The vendor's answer on Dari materials"}},
	},
}

// demoDay is the wall-clock time hour:min in zone, days after now's day there.
func demoDay(now time.Time, zone string, days, hour, min int) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	d := now.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day()+days, hour, min, 0, 0, loc).UTC()
}

// SeedDemoMeetings stores the demo's meetings for each demo collaborative that exists and
// has none yet (the collaboratives come from their own demo seeding, which runs first).
func SeedDemoMeetings(ctx context.Context, meetings MeetingStore, collaboratives CollaborativeStore, users UserStore, render Renderer, now time.Time) error {
	for _, slug := range []string{"ct-framework", "ell-resources"} {
		g, err := collaboratives.CollaborativeBySlug(ctx, slug)
		if KindOf(err) == ENotFound {
			continue
		} else if err != nil {
			return err
		}
		have, err := meetings.Meetings(ctx, g.ID, MeetingFilter{Now: now, Limit: 1})
		if err != nil {
			return err
		}
		if len(have) > 0 {
			continue
		}
		lead, err := users.UserByID(ctx, g.CreatedBy)
		if err != nil {
			return err
		}
		members, err := meetings.Assignees(ctx, g.ID)
		if err != nil {
			return err
		}
		for _, dm := range DemoMeetings[slug] {
			if err := seedDemoMeeting(ctx, meetings, render, g, lead, members, dm, now); err != nil {
				return fmt.Errorf("demo meeting %q: %w", dm.Title, err)
			}
		}
	}
	return nil
}

func seedDemoMeeting(ctx context.Context, store MeetingStore, render Renderer, g *Collaborative, lead *User, members []*User, dm DemoMeeting, now time.Time) error {
	at := now.Add(time.Duration(dm.DaysFromNow) * 24 * time.Hour)
	if at.After(now) {
		at = now // written today, about a meeting to come
	}
	starts := demoDay(now, dm.Zone, dm.DaysFromNow, dm.StartHour, dm.StartMin)
	nm := NewMeeting{CollaborativeID: g.ID, Actor: lead, Title: dm.Title, StartsAt: starts, EndsAt: starts.Add(time.Duration(dm.Minutes) * time.Minute),
		TimeZone: dm.Zone, Location: dm.Location, VideoURL: dm.VideoURL, Now: at.Add(-7 * 24 * time.Hour)}
	if dm.Description != "" {
		html, err := render.Body(dm.Description)
		if err != nil {
			return err
		}
		nm.Description = Rendered{Text: dm.Description, HTML: html}
	}
	m, err := store.CreateMeeting(ctx, nm)
	if err != nil {
		return err
	}
	for i, title := range dm.Agenda {
		by := lead
		if len(members) > 0 {
			by = members[i%len(members)]
		}
		if _, err := store.AddAgendaItem(ctx, NewAgendaItem{MeetingID: m.ID, Actor: by, Title: title, Now: nm.Now}); err != nil {
			return err
		}
	}
	if dm.Notes != "" {
		html, err := render.Body(dm.Notes)
		if err != nil {
			return err
		}
		if _, err := store.SaveNotes(ctx, NotesEdit{MeetingID: m.ID, Actor: lead, Notes: Rendered{Text: dm.Notes, HTML: html}, Now: m.EndsAt}); err != nil {
			return err
		}
	}
	for _, da := range dm.Actions {
		na := NewAction{CollaborativeID: g.ID, Actor: lead, Title: da.Title, MeetingID: m.ID, Now: m.EndsAt,
			Due: m.StartsAt.In(m.Zone()).AddDate(0, 0, da.DueInDays).Format(dateLayout)}
		if len(members) > 0 {
			na.AssigneeID = members[da.Assignee%len(members)].ID
		}
		it, err := store.CreateAction(ctx, na)
		if err != nil {
			return err
		}
		if da.Done {
			done := ActionDone
			if _, err := store.UpdateAction(ctx, it.ID, lead, ActionChanges{Status: &done}, m.EndsAt.Add(48*time.Hour)); err != nil {
				return err
			}
		}
	}
	return nil
}
