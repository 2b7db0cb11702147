package forum

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The meetings' part of a collaborative's export (ExportPart): every meeting with its
// agenda, notes and action items as Markdown a person can read and JSON a program can,
// and the collaborative's action items on their own.

// exportMaxMeetings bounds the meetings an export holds: a group meeting weekly for
// twenty years stays inside it.
const exportMaxMeetings = 1000

type exportAgendaItem struct {
	Position   int           `json:"position"`
	Title      string        `json:"title"`
	Note       string        `json:"note,omitempty"`
	ProposedBy *ExportPerson `json:"proposed_by,omitempty"`
}

type exportAction struct {
	ID        int64         `json:"id"`
	Title     string        `json:"title"`
	Assignee  *ExportPerson `json:"assignee,omitempty"`
	Due       string        `json:"due,omitempty"`
	Status    ActionStatus  `json:"status"`
	MeetingID int64         `json:"meeting_id,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	DoneAt    *time.Time    `json:"done_at,omitempty"`
}

type exportMeeting struct {
	ID          int64              `json:"id"`
	Title       string             `json:"title"`
	StartsAt    time.Time          `json:"starts_at"`
	EndsAt      time.Time          `json:"ends_at"`
	TimeZone    string             `json:"time_zone"`
	Location    string             `json:"location,omitempty"`
	VideoURL    string             `json:"video_url,omitempty"`
	Description string             `json:"description,omitempty"`
	Cancelled   bool               `json:"cancelled,omitempty"`
	Agenda      []exportAgendaItem `json:"agenda"`
	Notes       string             `json:"notes"`
	Actions     []exportAction     `json:"actions"`
}

func exportPersonPtr(u *User) *ExportPerson {
	if u == nil {
		return nil
	}
	p := ExportPersonOf(u)
	return &p
}

func exportActions(items []*ActionItem) []exportAction {
	out := make([]exportAction, len(items))
	for i, it := range items {
		out[i] = exportAction{ID: it.ID, Title: it.Title, Assignee: exportPersonPtr(it.Assignee), Due: it.Due,
			Status: it.Status, MeetingID: it.MeetingID, CreatedAt: it.CreatedAt, DoneAt: it.DoneAt}
	}
	return out
}

// Export implements ExportPart: meetings/{date}-{id}.md and .json for each meeting, and
// actions.json with every action item. Only those who manage the collaborative export it.
func (s *Meetings) Export(ctx context.Context, a CollaborativeAccess, w *ExportWriter) error {
	if err := a.CheckManage(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return err
	}
	ms, err := s.Store.Meetings(ctx, a.Collaborative.ID, MeetingFilter{Limit: exportMaxMeetings})
	if err != nil {
		return err
	}
	for _, m := range ms {
		agenda, err := s.Store.Agenda(ctx, m.ID)
		if err != nil {
			return err
		}
		actions, err := s.Store.Actions(ctx, ActionFilter{MeetingID: m.ID, Limit: MaxActionsListed})
		if err != nil {
			return err
		}
		em := exportMeeting{ID: m.ID, Title: m.Title, StartsAt: m.StartsAt, EndsAt: m.EndsAt, TimeZone: m.TimeZone,
			Location: m.Location, VideoURL: m.VideoURL, Description: m.Description, Cancelled: m.Cancelled(),
			Agenda: make([]exportAgendaItem, len(agenda)), Notes: m.Notes.Text, Actions: exportActions(actions)}
		for i, it := range agenda {
			em.Agenda[i] = exportAgendaItem{Position: it.Position, Title: it.Title, Note: it.Note, ProposedBy: exportPersonPtr(it.ProposedBy)}
		}
		base := fmt.Sprintf("meetings/%s-%d", m.StartsAt.UTC().Format(time.DateOnly), m.ID)
		if err := w.JSON(base+".json", em); err != nil {
			return err
		}
		if err := w.Markdown(base+".md", meetingMarkdown(em)); err != nil {
			return err
		}
	}
	all, err := s.Store.Actions(ctx, ActionFilter{CollaborativeID: a.Collaborative.ID, Limit: MaxActionsListed})
	if err != nil {
		return err
	}
	return w.JSON("actions.json", exportActions(all))
}

// meetingMarkdown is a meeting as a person reads it in the export.
func meetingMarkdown(m exportMeeting) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", m.Title)
	if m.Cancelled {
		b.WriteString("**Cancelled.**\n\n")
	}
	fmt.Fprintf(&b, "- When: %s to %s (UTC; scheduled in %s)\n", m.StartsAt.UTC().Format("2 Jan 2006 15:04"), m.EndsAt.UTC().Format("2 Jan 2006 15:04"), m.TimeZone)
	if m.Location != "" {
		fmt.Fprintf(&b, "- Where: %s\n", m.Location)
	}
	if m.VideoURL != "" {
		fmt.Fprintf(&b, "- Video: %s\n", m.VideoURL)
	}
	if m.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", m.Description)
	}
	b.WriteString("\n## Agenda\n\n")
	if len(m.Agenda) == 0 {
		b.WriteString("(none)\n")
	}
	for _, it := range m.Agenda {
		fmt.Fprintf(&b, "%d. %s", it.Position, it.Title)
		if it.Note != "" {
			fmt.Fprintf(&b, " (%s)", it.Note)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Notes\n\n")
	if m.Notes == "" {
		b.WriteString("(none)\n")
	} else {
		b.WriteString(m.Notes + "\n")
	}
	b.WriteString("\n## Action items\n\n")
	if len(m.Actions) == 0 {
		b.WriteString("(none)\n")
	}
	for _, it := range m.Actions {
		box := " "
		if it.Status == ActionDone {
			box = "x"
		}
		fmt.Fprintf(&b, "- [%s] %s", box, it.Title)
		if it.Assignee != nil {
			fmt.Fprintf(&b, " — %s", it.Assignee.DisplayName)
		}
		if it.Due != "" {
			fmt.Fprintf(&b, " (due %s)", it.Due)
		}
		b.WriteString("\n")
	}
	return b.String()
}
