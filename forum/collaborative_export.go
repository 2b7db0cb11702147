package forum

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// A collaborative's export: its record as a zip of Markdown (for people) and JSON (for
// programs), so that the group's work outlives the site. The collaborative and its members
// are written here; each feature inside a collaborative (channels, meetings with notes and
// action items, scoped questions) adds its part through an ExportPart registered on the
// Collaboratives service, writing under a folder of its own.

// ExportPart writes one part of a collaborative's export. The viewer is one of its
// managers (a lead, a moderator or an admin), who may see everything inside.
type ExportPart interface {
	// Export writes the part's files through w, under folder names of its own
	// ("channels/", "meetings/", "questions/").
	Export(ctx context.Context, a CollaborativeAccess, w *ExportWriter) error
}

// ExportPartFunc is an ExportPart written as a function.
type ExportPartFunc func(ctx context.Context, a CollaborativeAccess, w *ExportWriter) error

// Export implements ExportPart.
func (f ExportPartFunc) Export(ctx context.Context, a CollaborativeAccess, w *ExportWriter) error {
	return f(ctx, a, w)
}

// ExportWriter writes the files of an export into its zip, all under the collaborative's
// folder, each stamped with the export's time.
type ExportWriter struct {
	zw     *zip.Writer
	root   string
	at     time.Time
	names  map[string]bool
	closed bool
}

// NewExportWriter starts an export into w whose files go under the folder root.
func NewExportWriter(w io.Writer, root string, at time.Time) *ExportWriter {
	return &ExportWriter{zw: zip.NewWriter(w), root: root, at: at, names: map[string]bool{}}
}

// File writes one file at name (a slash-separated path inside the export). A name that
// climbs out of the export or comes twice is refused.
func (w *ExportWriter) File(name string, data []byte) error {
	clean := path.Clean("/" + name)[1:]
	if clean == "" || clean != name || strings.Contains(name, "\\") {
		return fmt.Errorf("export: bad file name %q", name)
	}
	if w.names[clean] {
		return fmt.Errorf("export: %q written twice", clean)
	}
	w.names[clean] = true
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: w.root + "/" + clean, Method: zip.Deflate, Modified: w.at})
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// Markdown writes a Markdown file.
func (w *ExportWriter) Markdown(name, text string) error { return w.File(name, []byte(text)) }

// JSON writes v as indented JSON.
func (w *ExportWriter) JSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return w.File(name, append(b, '\n'))
}

// Close finishes the zip.
func (w *ExportWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.zw.Close()
}

// ExportPerson is a person as an export names them.
type ExportPerson struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// ExportPersonOf names u in an export.
func ExportPersonOf(u *User) ExportPerson {
	return ExportPerson{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}
}

// exportMember is a member in members.json.
type exportMember struct {
	ExportPerson
	Role     MemberRole `json:"role"`
	JoinedAt time.Time  `json:"joined_at"`
}

// exportCollaborative is collaborative.json.
type exportCollaborative struct {
	Slug            string    `json:"slug"`
	Name            string    `json:"name"`
	Description     string    `json:"description"`
	DescriptionHTML string    `json:"description_html"`
	Visibility      string    `json:"visibility"`
	Cluster         *string   `json:"cluster"`
	Districts       []string  `json:"districts"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	ExportedAt      time.Time `json:"exported_at"`
}

// ExportName is the file name an export is offered under: "ct-framework-2026-12-03.zip".
func ExportName(slug string, at time.Time) string {
	return slug + "-" + at.UTC().Format("2006-01-02") + ".zip"
}

// Export writes the collaborative's record as a zip into w: collaborative.json,
// members.json and README.md, then each registered part's files. Its leads, moderators
// and admins only. Returns not_found and CheckManage's errors before anything is written.
func (s *Collaboratives) Export(ctx context.Context, by *User, slug string, w io.Writer) error {
	a, err := s.manage(ctx, by, slug)
	if err != nil {
		return err
	}
	g := a.Collaborative
	at := s.now()
	members, _, err := s.Members.CollaborativeMembers(ctx, g.ID, 0)
	if err != nil {
		return err
	}
	ew := NewExportWriter(w, g.Slug, at)
	doc := exportCollaborative{Slug: g.Slug, Name: g.Name, Description: g.Description, DescriptionHTML: g.DescriptionHTML,
		Visibility: string(g.Visibility), Districts: []string{}, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt, ExportedAt: at}
	if g.Cluster != nil {
		doc.Cluster = &g.Cluster.Slug
	}
	for _, d := range g.Districts {
		doc.Districts = append(doc.Districts, d.Slug)
	}
	if err := ew.JSON("collaborative.json", doc); err != nil {
		return err
	}
	ms := make([]exportMember, 0, len(members))
	for _, m := range members {
		ms = append(ms, exportMember{ExportPerson: ExportPersonOf(m.User), Role: m.Role, JoinedAt: m.JoinedAt})
	}
	if err := ew.JSON("members.json", ms); err != nil {
		return err
	}
	if err := ew.Markdown("README.md", exportReadme(g, members, at)); err != nil {
		return err
	}
	for _, p := range s.ExportParts {
		if err := p.Export(ctx, a, ew); err != nil {
			return fmt.Errorf("export %s: %w", g.Slug, err)
		}
	}
	return ew.Close()
}

// exportReadme is the export's front page, for people.
func exportReadme(g *Collaborative, members []Member, at time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", g.Name)
	fmt.Fprintf(&b, "Exported %s. Visibility: %s.", at.Format("2 January 2006, 15:04 UTC"), g.Visibility)
	if g.Cluster != nil {
		fmt.Fprintf(&b, " Cluster: %s.", g.Cluster.Name)
	}
	b.WriteString("\n\n")
	if len(g.Districts) > 0 {
		names := make([]string, len(g.Districts))
		for i, d := range g.Districts {
			names[i] = d.Name
		}
		fmt.Fprintf(&b, "Districts: %s.\n\n", strings.Join(names, ", "))
	}
	if g.Description != "" {
		b.WriteString("## About\n\n" + g.Description + "\n\n")
	}
	b.WriteString("## Members\n\n")
	for _, m := range members {
		role := ""
		if m.Role == MemberRoleLead {
			role = " (lead)"
		}
		fmt.Fprintf(&b, "- %s (@%s)%s, since %s\n", m.User.DisplayName, m.User.Username, role, m.JoinedAt.Format("2 January 2006"))
	}
	b.WriteString("\nThe JSON files hold the same record for programs: collaborative.json, members.json, and one folder per part.\n")
	return b.String()
}
