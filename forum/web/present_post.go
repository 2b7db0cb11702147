package web

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"staffroom/forum"
)

// authorJSON is a post's author, as small as a list needs.
type authorJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Reputation  int    `json:"reputation"`
	URL         string `json:"url"`
}

func presentAuthor(u *forum.User) authorJSON {
	return authorJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Reputation: u.Reputation, URL: profilePath(u)}
}

// postJSON is a question or an answer. Fields that belong to one kind only are omitted
// from the other.
type postJSON struct {
	ID               int64      `json:"id"`
	Type             string     `json:"type"`
	QuestionID       int64      `json:"question_id,omitempty"`
	Title            string     `json:"title,omitempty"`
	Tags             []string   `json:"tags,omitempty"`
	Body             string     `json:"body,omitempty"`
	BodyHTML         string     `json:"body_html,omitempty"`
	Score            int        `json:"score"`
	MyVote           int        `json:"my_vote"`
	AnswerCount      *int       `json:"answer_count,omitempty"`
	CommentCount     int        `json:"comment_count"`
	ViewCount        *int       `json:"view_count,omitempty"`
	AcceptedAnswerID *int64     `json:"accepted_answer_id,omitempty"`
	Accepted         *bool      `json:"accepted,omitempty"`
	Revision         int        `json:"revision"`
	ClosedReason     string     `json:"closed_reason,omitempty"`
	DuplicateOf      int64      `json:"duplicate_of,omitempty"`
	Deleted          bool       `json:"deleted,omitempty"`
	Hidden           bool       `json:"hidden,omitempty"`  // hidden pending review (its author and moderators see it)
	Locked           bool       `json:"locked,omitempty"`  // a moderator locked it
	Curated          bool       `json:"curated,omitempty"` // a curated answer
	Author           authorJSON `json:"author"`
	CreatedAt        time.Time  `json:"created_at"`
	EditedAt         *time.Time `json:"edited_at,omitempty"`
	ActivityAt       *time.Time `json:"activity_at,omitempty"`
	URL              string     `json:"url"`
	// Collaborative is the collaborative the post's question belongs to; absent for the
	// site's own questions.
	Collaborative *scopeJSON    `json:"collaborative,omitempty"`
	Answers       *[]postJSON   `json:"answers,omitempty"` // questions read whole: always present, even when empty
	Comments      []commentJSON `json:"comments"`
	// What the reader may do to the post: in a question read whole, for each post.
	*actionsJSON
}

// actionsJSON is forum.PostActions as the question API shows it, so that a client offers
// what the server would accept without deciding anything itself. The day's vote limit is
// left out: it needs a count the page does not read.
type actionsJSON struct {
	CanVote         bool   `json:"can_vote"` // up or down
	CanVoteUp       bool   `json:"can_vote_up"`
	CanVoteDown     bool   `json:"can_vote_down"`
	VoteUpRefusal   string `json:"vote_up_refusal,omitempty"` // why not, in the words a vote would be refused with
	VoteDownRefusal string `json:"vote_down_refusal,omitempty"`
	CanAccept       bool   `json:"can_accept"`
	CanEdit         bool   `json:"can_edit"`
	CanDelete       bool   `json:"can_delete"`
	CanUndelete     bool   `json:"can_undelete"`
	CanComment      bool   `json:"can_comment"`
	CanClose        *bool  `json:"can_close,omitempty"`     // questions: may vote to close or reopen
	CloseBinding    *bool  `json:"close_binding,omitempty"` // questions: that vote decides at once
}

func presentActions(a forum.PostActions, kind forum.PostKind) *actionsJSON {
	j := &actionsJSON{CanVote: a.VoteUp.OK || a.VoteDown.OK, CanVoteUp: a.VoteUp.OK, CanVoteDown: a.VoteDown.OK,
		VoteUpRefusal: a.VoteUp.Why(), VoteDownRefusal: a.VoteDown.Why(), CanAccept: a.Accept, CanEdit: a.Edit,
		CanDelete: a.Delete, CanUndelete: a.Undelete, CanComment: a.Comment}
	if kind == forum.KindQuestion {
		j.CanClose, j.CloseBinding = &a.Close, &a.CloseBinding
	}
	return j
}

// presentPost shows a post; withBody adds the markdown and HTML (lists leave them out).
func presentPost(p *forum.Post, withBody bool) postJSON {
	j := postJSON{
		ID: p.ID, Type: string(p.Kind), Score: p.Score, MyVote: p.MyVote, CommentCount: p.CommentCount,
		Revision: p.Revision, Author: presentAuthor(p.Author), CreatedAt: p.CreatedAt, EditedAt: p.EditedAt,
		Deleted: p.DeletedAt != nil && p.HiddenAt == nil, Comments: []commentJSON{}, Collaborative: presentScope(p.Collaborative),
		Hidden: p.HiddenAt != nil, Locked: p.LockedAt != nil, Curated: p.CuratedAt != nil,
	}
	if withBody {
		j.Body, j.BodyHTML = p.Body, p.BodyHTML
	}
	if p.Kind == forum.KindQuestion {
		j.Title, j.Tags = p.Title, p.Tags
		if j.Tags == nil {
			j.Tags = []string{}
		}
		j.AnswerCount, j.ViewCount = &p.AnswerCount, &p.ViewCount
		accepted := p.AcceptedAnswerID
		j.AcceptedAnswerID = &accepted
		j.ClosedReason, j.DuplicateOf = p.ClosedReason, p.DuplicateOf
		activity := p.ActivityAt
		j.ActivityAt = &activity
		j.URL = questionPath(p)
	} else {
		j.QuestionID = p.QuestionID
		accepted := p.Accepted
		j.Accepted = &accepted
		j.URL = "/questions/" + strconv.FormatInt(p.QuestionID, 10) + "#answer-" + strconv.FormatInt(p.ID, 10)
	}
	return j
}

// presentThread is a question with every answer and all comments, each post with what
// reader u (nil: anonymous) may do to it.
func presentThread(t *forum.QuestionThread, u *forum.User, privileges forum.Privileges) postJSON {
	actor := privileges.Actor(u)
	q := presentPost(t.Question, true)
	q.Comments = presentComments(t.Comments[t.Question.ID])
	q.actionsJSON = presentActions(actor.Actions(t.Facts(t.Question)), forum.KindQuestion)
	answers := make([]postJSON, 0, len(t.Answers))
	for _, a := range t.Answers {
		aj := presentPost(a, true)
		aj.Comments = presentComments(t.Comments[a.ID])
		aj.actionsJSON = presentActions(actor.Actions(t.Facts(a)), forum.KindAnswer)
		answers = append(answers, aj)
	}
	q.Answers = &answers
	return q
}

type commentJSON struct {
	ID        int64      `json:"id"`
	PostID    int64      `json:"post_id"`
	ParentID  *int64     `json:"parent_id"`
	Body      string     `json:"body"`
	BodyHTML  string     `json:"body_html"`
	Score     int        `json:"score"`
	Author    authorJSON `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
}

func presentComment(c *forum.Comment) commentJSON {
	j := commentJSON{ID: c.ID, PostID: c.PostID, Body: c.Body, BodyHTML: c.BodyHTML, Score: c.Score,
		Author: presentAuthor(c.Author), CreatedAt: c.CreatedAt}
	if c.ParentID != 0 {
		parent := c.ParentID
		j.ParentID = &parent
	}
	return j
}

func presentComments(cs []*forum.Comment) []commentJSON {
	out := make([]commentJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, presentComment(c))
	}
	return out
}

type tagJSON struct {
	Name    string `json:"name"`
	Count   int    `json:"count"`
	Excerpt string `json:"excerpt"`
	URL     string `json:"url"`
}

func presentTag(t forum.Tag) tagJSON {
	return tagJSON{Name: t.Name, Count: t.Count, Excerpt: t.Excerpt, URL: tagPath(t.Name)}
}

// questionPath is a question's canonical address, with a slug of its title.
func questionPath(p *forum.Post) string {
	return "/questions/" + strconv.FormatInt(p.ID, 10) + "/" + slugify(p.Title)
}

// maxSlugLen keeps addresses readable; the id alone finds the question.
const maxSlugLen = 80

// slugify makes a title into lower-case words joined by hyphens.
func slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= maxSlugLen {
			break
		}
	}
	if b.Len() == 0 {
		return "question"
	}
	return b.String()
}
