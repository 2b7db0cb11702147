package forum

import (
	"context"
	"fmt"
)

// The demo's conversations: each demo collaborative's #general starts with a thread, so
// that a first visitor sees what a channel is for.

// demoMessage is one message; Reply makes it a reply to the channel's first message.
type demoMessage struct {
	By, Body string
	Reply    bool
}

var demoChannelMessages = map[string][]demoMessage{
	"ct-framework": {
		{By: "tkowalski", Body: "Welcome! The **draft framework** for the decomposition strand is in the shared folder. " +
			"Could each district add one classroom example per grade band before the spring convening?"},
		{By: "olu.cs", Body: "Added a grade 6–8 example: breaking a science fair project into testable parts.", Reply: true},
		{By: "jchen.math", Body: "I'll add a K–2 one from our pattern-block lessons this week. @tkowalski is a photo of student work fine?", Reply: true},
		{By: "sam.nguyen", Body: "Reminder: the monthly call is Thursday. Agenda items go on the meeting page."},
	},
	"ell-resources": {
		{By: "lgarcia-ell", Body: "Review round 2 is open: **three leveled reader series** for newcomers in grades 3–5. " +
			"Please use the rubric from our last meeting."},
		{By: "kyamamoto", Body: "The second series has strong visuals but very little home-language support.", Reply: true},
		{By: "dokafor", Body: "Agreed. I'll draft the summary once everyone has scored it."},
	},
}

// SeedDemoChannels posts the demo's conversations in each demo collaborative's #general,
// after SeedDemoCollaboratives. A collaborative that is missing is skipped.
func SeedDemoChannels(ctx context.Context, groups CollaborativeStore, channels *Channels, users UserStore) error {
	for _, dc := range DemoCollaboratives {
		g, err := groups.CollaborativeBySlug(ctx, dc.Slug)
		if KindOf(err) == ENotFound {
			continue
		}
		if err != nil {
			return err
		}
		chs, err := channels.Store.Channels(ctx, g.ID, nil)
		if err != nil {
			return err
		}
		if len(chs) == 0 {
			continue
		}
		var first int64
		for _, m := range demoChannelMessages[dc.Slug] {
			author, err := users.UserByLogin(ctx, m.By)
			if err != nil {
				return fmt.Errorf("demo person %s: %w", m.By, err)
			}
			parent := int64(0)
			if m.Reply {
				parent = first
			}
			msg, err := channels.Post(ctx, author, chs[0].ID, parent, m.Body)
			if err != nil {
				return fmt.Errorf("demo message in %s: %w", dc.Slug, err)
			}
			if first == 0 {
				first = msg.ID
			}
		}
	}
	return nil
}
