package web

import (
	"net/url"
	"strconv"
	"strings"

	ics "github.com/arran4/golang-ical"

	"staffroom/forum"
)

// Meetings as iCalendar (RFC 5545), written by arran4/golang-ical, which escapes text
// values and folds lines at 75 octets. Times are written in UTC (RFC 5545 §3.3.5 form 2),
// which every calendar program reads without a VTIMEZONE; the meeting's own zone travels
// in the API and on the page. A meeting's UID never changes, and its SEQUENCE is the
// stored one that every change raises, so a calendar replaces its copy instead of adding
// a second; a cancelled meeting stays in the file with STATUS:CANCELLED, which removes it
// from subscribers' calendars.

// icsContentType is what .ics answers carry.
const icsContentType = "text/calendar; charset=utf-8"

// icsProductID names the program that wrote the file (PRODID).
const icsProductID = "-//Staffroom//Meetings//EN"

// meetingUID is a meeting's UID: its id at the site's host, the same on every download.
func (s *Server) meetingUID(id int64) string {
	host := "staffroom.invalid"
	if s.cfg.BaseURL != nil && s.cfg.BaseURL.Host != "" {
		host = s.cfg.BaseURL.Hostname()
	}
	return "meeting-" + strconv.FormatInt(id, 10) + "@" + host
}

// icsText makes text fit for a TEXT value: the library escapes backslashes, commas,
// semicolons and line feeds; carriage returns would end the line, so they go.
func icsText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// writeICS renders meetings as one calendar; name, when set, is the calendar's name for
// a subscription.
func (s *Server) writeICS(meetings []*forum.Meeting, name string) string {
	cal := ics.NewCalendarFor("Staffroom")
	cal.SetProductId(icsProductID)
	cal.SetMethod(ics.MethodPublish)
	if name != "" {
		cal.SetName(icsText(name))
		cal.SetXWRCalName(icsText(name))
		cal.SetRefreshInterval("PT1H")
	}
	base := s.baseURL()
	for _, m := range meetings {
		e := cal.AddEvent(s.meetingUID(m.ID))
		e.SetDtStampTime(m.UpdatedAt)
		e.SetCreatedTime(m.CreatedAt)
		e.SetModifiedAt(m.UpdatedAt)
		e.SetSequence(m.Sequence)
		e.SetStartAt(m.StartsAt)
		e.SetEndAt(m.EndsAt)
		e.SetSummary(icsText(m.Collaborative.Name + ": " + m.Title))
		if m.Location != "" {
			e.SetLocation(icsText(m.Location))
		} else if m.VideoURL != "" {
			e.SetLocation(icsText(m.VideoURL))
		}
		page := base + meetingPath(m)
		desc := m.Description
		if m.VideoURL != "" {
			desc = strings.TrimSpace(desc + "\n\nVideo: " + m.VideoURL)
		}
		desc = strings.TrimSpace(desc + "\n\nAgenda and notes: " + page)
		e.SetDescription(icsText(desc))
		if u, err := url.Parse(page); err == nil && u.IsAbs() {
			e.SetURL(page)
		}
		if m.Cancelled() {
			e.SetStatus(ics.ObjectStatusCancelled)
		} else {
			e.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	return cal.Serialize(ics.WithNewLineWindows)
}
