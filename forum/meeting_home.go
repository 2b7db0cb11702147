package forum

import (
	"context"
	"strconv"
	"time"
)

// What meetings give a collaborative's home (Collaboratives.Meetings and .Actions): its
// next meeting and its open action items, in the home's own summary shapes.

// NextMeeting implements MeetingFinder.
func (s *Meetings) NextMeeting(ctx context.Context, a CollaborativeAccess, now time.Time) (*MeetingSummary, error) {
	if err := a.CheckSeeInside(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return nil, err
	}
	next, err := s.Store.Meetings(ctx, a.Collaborative.ID, MeetingFilter{Upcoming: true, Now: now.UTC(), Limit: 1})
	if err != nil || len(next) == 0 {
		return nil, err
	}
	m := next[0]
	where := m.Location
	if where == "" && m.VideoURL != "" {
		where = "Video call"
	}
	return &MeetingSummary{ID: m.ID, Title: m.Title, StartsAt: m.StartsAt, EndsAt: m.EndsAt, TimeZone: m.TimeZone,
		Location: where, URL: "/c/" + a.Collaborative.Slug + "/meetings/" + strconv.FormatInt(m.ID, 10)}, nil
}

// OpenActions implements ActionLister: overdue is judged by the reader's calendar day.
func (s *Meetings) OpenActions(ctx context.Context, a CollaborativeAccess, limit int) ([]ActionSummary, error) {
	if err := a.CheckSeeInside(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return nil, err
	}
	items, err := s.Store.Actions(ctx, ActionFilter{CollaborativeID: a.Collaborative.ID, Status: ActionOpen, Limit: limit})
	if err != nil {
		return nil, err
	}
	today := s.today(a.Viewer)
	out := make([]ActionSummary, len(items))
	for i, it := range items {
		out[i] = ActionSummary{ID: it.ID, Title: it.Title, Assignee: it.Assignee, Overdue: it.Overdue(today)}
		if it.Due != "" {
			out[i].Due, _ = time.Parse(time.DateOnly, it.Due)
		}
	}
	return out, nil
}
