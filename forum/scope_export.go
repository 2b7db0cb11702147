package forum

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The questions' part of a collaborative's export (ExportPart): each of its questions
// with its answers and comments, as Markdown (the text as written) and JSON.

// exportMaxQuestionPages bounds the questions an export holds (pages of MaxPageSize).
const exportMaxQuestionPages = 100

type exportComment struct {
	ID        int64        `json:"id"`
	Author    ExportPerson `json:"author"`
	Body      string       `json:"body"`
	CreatedAt time.Time    `json:"created_at"`
}

type exportPost struct {
	ID        int64           `json:"id"`
	Title     string          `json:"title,omitempty"`
	Tags      []string        `json:"tags,omitempty"`
	Author    ExportPerson    `json:"author"`
	Body      string          `json:"body"`
	Score     int             `json:"score"`
	Accepted  bool            `json:"accepted,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Comments  []exportComment `json:"comments"`
	Answers   []exportPost    `json:"answers,omitempty"`
}

func exportPostOf(p *Post, comments []*Comment) exportPost {
	e := exportPost{ID: p.ID, Title: p.Title, Tags: p.Tags, Body: p.Body, Score: p.Score, CreatedAt: p.CreatedAt,
		Comments: make([]exportComment, 0, len(comments))}
	if p.Author != nil {
		e.Author = ExportPersonOf(p.Author)
	}
	for _, c := range comments {
		if c.DeletedAt != nil {
			continue
		}
		ec := exportComment{ID: c.ID, Body: c.Body, CreatedAt: c.CreatedAt}
		if c.Author != nil {
			ec.Author = ExportPersonOf(c.Author)
		}
		e.Comments = append(e.Comments, ec)
	}
	return e
}

// Export implements ExportPart: questions/{id}.md and .json for each live question of the
// collaborative, read as the exporting lead or moderator reads it.
func (s *QA) Export(ctx context.Context, a CollaborativeAccess, w *ExportWriter) error {
	if err := a.CheckManage(NotFoundCollaborative(a.Collaborative.Slug)); err != nil {
		return err
	}
	for page := 1; page <= exportMaxQuestionPages; page++ {
		p, err := s.Questions(ctx, a.Viewer, QuestionFilter{Sort: SortNewest, Collaborative: a.Collaborative.Slug, Page: page, PageSize: MaxPageSize})
		if err != nil {
			return err
		}
		for _, q := range p.Items {
			t, err := s.Thread(ctx, a.Viewer, q.ID, AnswersByScore)
			if err != nil {
				return err
			}
			e := exportPostOf(t.Question, t.Comments[t.Question.ID])
			for _, ans := range t.Answers {
				if ans.DeletedAt != nil {
					continue
				}
				ea := exportPostOf(ans, t.Comments[ans.ID])
				ea.Accepted = t.Question.AcceptedAnswerID == ans.ID
				e.Answers = append(e.Answers, ea)
			}
			base := fmt.Sprintf("questions/%d", q.ID)
			if err := w.JSON(base+".json", e); err != nil {
				return err
			}
			if err := w.Markdown(base+".md", questionMarkdown(e)); err != nil {
				return err
			}
		}
		if len(p.Items) < MaxPageSize {
			return nil
		}
	}
	return nil
}

func questionMarkdown(q exportPost) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nAsked by %s on %s", q.Title, q.Author.DisplayName, q.CreatedAt.UTC().Format(time.DateOnly))
	if len(q.Tags) > 0 {
		fmt.Fprintf(&b, " · tags: %s", strings.Join(q.Tags, ", "))
	}
	fmt.Fprintf(&b, " · score %d\n\n%s\n", q.Score, q.Body)
	writeComments(&b, q.Comments)
	for _, a := range q.Answers {
		fmt.Fprintf(&b, "\n---\n\n## Answer by %s", a.Author.DisplayName)
		if a.Accepted {
			b.WriteString(" (accepted)")
		}
		fmt.Fprintf(&b, " · score %d\n\n%s\n", a.Score, a.Body)
		writeComments(&b, a.Comments)
	}
	return b.String()
}

func writeComments(b *strings.Builder, cs []exportComment) {
	for _, c := range cs {
		fmt.Fprintf(b, "\n> %s — %s\n", strings.ReplaceAll(c.Body, "\n", "\n> "), c.Author.DisplayName)
	}
}
