package web

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"staffroom/forum"
)

// What channels give the collaborative's own pages and export (built with the
// collaborative core): its home page and GET /api/v1/collaboratives/{slug} list the
// channels with collaborativeChannels, and the export zip takes channelExportFiles'
// files as they are.

// collaborativeChannels is a collaborative's channels as its API shows them ("channels"),
// for a reader whose access was read already: one query, no second access check. With no
// channel service it is an empty list. The page draws the same list with the template
// "channel-links" (assets/templates/_channels.html).
func (s *Server) collaborativeChannels(ctx context.Context, a forum.CollaborativeAccess) ([]*forum.Channel, []channelJSON, error) {
	if s.channels == nil {
		return nil, []channelJSON{}, nil
	}
	chs, err := s.channels.InCollaborative(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	return chs, presentChannels(chs), nil
}

// channelExportFiles are the channels' part of a collaborative's export: for each channel
// channels/{name}.md (the conversation as Markdown, replies quoted under their parent) and
// channels/{name}.json (the channel and its messages as the API shows them). Only those
// who manage the collaborative may export (forum.Channels.Export).
func channelExportFiles(ctx context.Context, channels *forum.Channels, a forum.CollaborativeAccess) (map[string][]byte, error) {
	archives, err := channels.Export(ctx, a)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, 2*len(archives))
	for _, ar := range archives {
		base := "channels/" + ar.Channel.Name
		j, err := json.MarshalIndent(struct {
			Channel  channelJSON   `json:"channel"`
			Messages []messageJSON `json:"messages"`
		}{presentChannel(ar.Channel), presentMessages(ar.Messages)}, "", "  ")
		if err != nil {
			return nil, err
		}
		files[base+".json"] = j
		files[base+".md"] = []byte(channelMarkdown(a.Collaborative, ar))
	}
	return files, nil
}

// channelMarkdown writes one channel's conversation as Markdown a person can read years
// later: each message under its author and time, replies as quotes beneath it.
func channelMarkdown(g *forum.Collaborative, ar forum.ChannelArchive) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# #%s — %s\n\n", ar.Channel.Name, g.Name)
	if ar.Channel.Topic != "" {
		fmt.Fprintf(&b, "%s\n\n", ar.Channel.Topic)
	}
	if ar.Channel.Archived() {
		fmt.Fprintf(&b, "_Archived %s._\n\n", ar.Channel.ArchivedAt.UTC().Format("2 Jan 2006"))
	}
	for _, m := range ar.Messages {
		head := fmt.Sprintf("**%s** (@%s), %s", m.Author.DisplayName, m.Author.Username, m.CreatedAt.UTC().Format("2 Jan 2006 15:04 UTC"))
		if m.EditedAt != nil {
			head += " (edited)"
		}
		if m.PinnedAt != nil {
			head += " 📌"
		}
		for _, r := range m.Reactions {
			head += fmt.Sprintf(" %s %d", r.Emoji, len(r.Users))
		}
		if m.ParentID == 0 {
			fmt.Fprintf(&b, "---\n\n%s\n\n%s\n\n", head, m.Body)
			continue
		}
		fmt.Fprintf(&b, "> %s\n>\n> %s\n\n", head, strings.ReplaceAll(m.Body, "\n", "\n> "))
	}
	return b.String()
}

// plugCollaborativeParts gives the collaboratives' home and export the parts that live
// in other services: the channels list and the channels' files. It runs once, while the
// server is put together, before any request.
func (s *Server) plugCollaborativeParts() {
	if s.collaboratives == nil || s.channels == nil {
		return
	}
	if s.collaboratives.Channels == nil {
		s.collaboratives.Channels = s.channels
	}
	channels := s.channels
	s.collaboratives.ExportParts = append(s.collaboratives.ExportParts, forum.ExportPartFunc(
		func(ctx context.Context, a forum.CollaborativeAccess, w *forum.ExportWriter) error {
			files, err := channelExportFiles(ctx, channels, a)
			if err != nil {
				return err
			}
			names := make([]string, 0, len(files))
			for name := range files {
				names = append(names, name)
			}
			slices.Sort(names) // the same zip for the same record
			for _, name := range names {
				if err := w.File(name, files[name]); err != nil {
					return err
				}
			}
			return nil
		}))
}
