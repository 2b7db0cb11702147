package forum

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on posts, as on Stack Overflow.
const (
	MinTitleLen   = 15
	MaxTitleLen   = 150
	MinBodyLen    = 30
	MaxBodyLen    = 30000 // characters of markdown: a long answer with code fits
	MinTags       = 1
	MaxTags       = 5
	MaxTagLen     = 35
	MaxExcerptLen = 500 // a tag's description: a paragraph saying what belongs under it
	MinCommentLen = 15
	MaxCommentLen = 600
	// MaxPageSize bounds one page of a list.
	MaxPageSize     = 100
	DefaultPageSize = 30
)

// PostKind tells questions from answers; they share one id space.
type PostKind string

const (
	KindQuestion PostKind = "question"
	KindAnswer   PostKind = "answer"
)

// Post is a question or an answer.
type Post struct {
	ID         int64
	Kind       PostKind
	QuestionID int64 // answers: the question; questions: 0
	Author     *User
	Title      string   // questions only
	Tags       []string // questions only
	Body       string   // markdown as written
	BodyHTML   string   // rendered and sanitized when written

	Score            int
	AnswerCount      int
	CommentCount     int
	ViewCount        int
	AcceptedAnswerID int64 // questions: 0 when none
	Accepted         bool  // answers: the asker accepted it
	Revision         int

	ClosedReason string // empty while open
	ClosedAt     *time.Time
	DuplicateOf  int64

	DeletedAt  *time.Time
	CreatedAt  time.Time
	EditedAt   *time.Time
	ActivityAt time.Time

	// Moderation: HiddenAt is set while the post is hidden pending review (DeletedAt is
	// set with it), LockedAt while a moderator has locked it, CuratedAt while it is a
	// curated answer.
	HiddenAt, LockedAt, CuratedAt *time.Time

	MyVote int // the viewer's vote: 1, -1 or 0

	QuestionTitle string // answers in lists: their question's title

	// Collaborative is the collaborative the post's question belongs to (answers carry
	// their question's), read with the post; nil for the site's own questions (scope.go).
	Collaborative *PostCollaborative
}

// Comment is a remark on a question or an answer; ParentID makes it a reply.
type Comment struct {
	ID        int64
	PostID    int64
	ParentID  int64
	Author    *User
	Body      string
	BodyHTML  string
	Score     int
	CreatedAt time.Time
	DeletedAt *time.Time
}

// QuestionThread is a question page's content: the question, every answer and the
// comments of each post by post id, and the questions around it.
type QuestionThread struct {
	Question *Post
	Answers  []*Post
	Comments map[int64][]*Comment
	Related  []*Post // questions sharing the most tags
	Linked   []*Post // questions that link here or that this one links to
	Original *Post   // the question this one duplicates, when closed as a duplicate of a live one
	// DeletedAuthors are the authors of the deleted answers left out for this reader: each
	// of them sees her own (SeesDeletedPost), so reads another thread than this one.
	DeletedAuthors []int64
}

// Tag is a topic questions are filed under.
type Tag struct {
	Name      string
	Excerpt   string
	Count     int
	CreatedAt time.Time
}

// QuestionSort orders the question list.
type QuestionSort string

const (
	SortNewest     QuestionSort = "newest"
	SortActive     QuestionSort = "active"
	SortVotes      QuestionSort = "votes"
	SortUnanswered QuestionSort = "unanswered"
)

// ParseQuestionSort accepts the four sorts; empty means newest.
func ParseQuestionSort(s string) (QuestionSort, error) {
	switch q := QuestionSort(s); q {
	case "":
		return SortNewest, nil
	case SortNewest, SortActive, SortVotes, SortUnanswered:
		return q, nil
	}
	return "", Invalid("sort", "invalid_sort", "Sort must be newest, active, votes or unanswered.")
}

// AnswerSort orders a question's answers.
type AnswerSort string

const (
	AnswersByScore  AnswerSort = "score" // the accepted answer first, then by score
	AnswersByNewest AnswerSort = "newest"
	AnswersByOldest AnswerSort = "oldest"
)

// ParseAnswerSort accepts the three answer orders; empty means score.
func ParseAnswerSort(s string) (AnswerSort, error) {
	switch a := AnswerSort(s); a {
	case "":
		return AnswersByScore, nil
	case AnswersByScore, AnswersByNewest, AnswersByOldest:
		return a, nil
	}
	return "", Invalid("answers", "invalid_sort", "Answers sort by score, newest or oldest.")
}

// QuestionFilter selects a page of questions.
type QuestionFilter struct {
	Sort     QuestionSort
	Tag      *string
	AuthorID *int64
	Page     int // from 1; with After or Before it only labels the page
	PageSize int
	// After and Before are cursors from a QuestionPage (Next, Prev): the page starts right
	// after, or ends right before, the question the cursor names, found through the index
	// in the time of one page at any depth. Empty: the page is found by number.
	After, Before string
	// Collaborative lists one collaborative's questions (its slug; scope.go): QA.Questions
	// checks the reader may see inside it and sets CollaborativeID, which the store reads.
	// Without it the list is the site's own questions.
	Collaborative   string
	CollaborativeID int64
}

// InvalidCursor is the answer when a list's after or before (field) is not a cursor that
// list gave out: made up, damaged, or from another sort.
func InvalidCursor(field string) *Error {
	return Invalid(field, "invalid_cursor", "This %s cursor is not one of this list's; follow the list's next and prev links.", field)
}

// QuestionPage is one page of a question list.
type QuestionPage struct {
	Items []*Post
	Total int // questions the filter matches, on every page
	// Next and Prev are cursors for the pages after and before this one (QuestionFilter's
	// After and Before), empty where there is none. They stay right when questions are
	// added or removed in between, and cost one page of work at any depth.
	Next, Prev string
}

// Normalize checks the sort and the paging and fills defaults.
func (f *QuestionFilter) Normalize() error {
	sort, err := ParseQuestionSort(string(f.Sort))
	if err != nil {
		return err
	}
	f.Sort = sort
	if f.Page == 0 {
		f.Page = 1
	}
	if f.Page < 1 {
		return Invalid("page", "invalid_page", "Page must be 1 or more.")
	}
	if f.PageSize == 0 {
		f.PageSize = DefaultPageSize
	}
	if f.PageSize < 1 || f.PageSize > MaxPageSize {
		return Invalid("page_size", "invalid_page_size", "Page size must be 1 to %d.", MaxPageSize)
	}
	if f.After != "" && f.Before != "" {
		return Invalid("before", "invalid_cursor", "Use after or before, not both.")
	}
	return nil
}

var tagPattern = regexp.MustCompile(`^[a-z0-9+#.-]+$`)

// NormalizeTag lower-cases and checks one tag name.
func NormalizeTag(s string) (string, error) {
	s, err := CleanLine("tags", s)
	if err != nil {
		return "", err
	}
	s = strings.ToLower(s)
	if s == "" {
		return "", Invalid("tags", "invalid_tag", "Tags cannot be empty.")
	}
	if utf8.RuneCountInString(s) > MaxTagLen {
		return "", Invalid("tags", "invalid_tag", "Tag %q is longer than %d characters.", truncate(s, 40), MaxTagLen)
	}
	if !tagPattern.MatchString(s) {
		return "", Invalid("tags", "invalid_tag", "Tag %q may contain only letters, digits and + # . - (use - between words).", truncate(s, 40))
	}
	return s, nil
}

// NormalizeTags checks a question's tags: 1 to 5, each valid, duplicates dropped. The
// tags are counted as sent, before duplicates are dropped, so that a request cannot make
// the server check and fold any number of copies of one tag.
func NormalizeTags(raw []string) ([]string, error) {
	if len(raw) > MaxTags {
		return nil, Invalid("tags", "too_many_tags", "Use at most %d tags.", MaxTags)
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range raw {
		t, err := NormalizeTag(r)
		if err != nil {
			return nil, err
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) < MinTags {
		return nil, Invalid("tags", "tags_required", "Add at least one tag, such as grading or ell.")
	}
	return out, nil
}

// Renderer turns markdown into the safe HTML stored beside it. The moderation package
// provides it; errors are invalid-kind (a body too complex to render).
type Renderer interface {
	Body(markdown string) (string, error)
	Comment(markdown string) (string, error)
	// Links returns the address of every link and image in HTML that Body or Comment
	// returned, as a browser reads it (character references decoded), in order: what
	// the new-member link limit counts.
	Links(html string) []string
}

// NewQuestion is a question ready to store.
type NewQuestion struct {
	AuthorID       int64
	Title          string
	Body, BodyHTML string
	Tags           []string
	// CollaborativeID is the collaborative it is asked into (0: none); QA.Ask checked the
	// asker may take part in it.
	CollaborativeID int64
	// Interval is the least time since the author's last question, deleted ones
	// included; the store applies CheckQuestionInterval in its transaction. 0: none.
	Interval time.Duration
	Now      time.Time
	// DailyPosts is the author's quota of questions and answers today (CheckDailyPosts,
	// applied by the store in its transaction); 0: none. Spam is the post's spam score,
	// which the store completes with the repeats of its text (SpamCheck.WithRepeats) and
	// which may store it hidden; nil: not scored.
	DailyPosts int
	Spam       *SpamCheck
}

// NewAnswer is an answer ready to store.
type NewAnswer struct {
	QuestionID     int64
	AuthorID       int64
	Body, BodyHTML string
	Now            time.Time
	DailyPosts     int        // as NewQuestion's
	Spam           *SpamCheck // as NewQuestion's
}

// NewComment is a comment ready to store.
type NewComment struct {
	PostID         int64
	ParentID       int64
	AuthorID       int64
	Body, BodyHTML string
	Now            time.Time
	Spam           *SpamCheck // as NewQuestion's
}

// VoteRules are the limits a vote is counted under.
type VoteRules struct {
	DailyVotes  int // votes one person may cast per UTC day; 0: unlimited
	DailyRepCap int // reputation one person may earn from votes per UTC day
}

// VoteResult is a post's score after a vote and the voter's vote on it.
type VoteResult struct {
	Score  int
	MyVote int
}

// PostStore keeps questions, answers, comments, tags and votes. Every method that reads
// content takes the viewer (0 for anonymous) so it can show their votes and hide what they
// may not see; deleted posts are visible only to moderators (includeDeleted).
type PostStore interface {
	// CreateQuestion stores a question and its tags (creating missing tags). With an
	// Interval, it reads the author's last question (deleted ones too) in the same
	// transaction and returns CheckQuestionInterval's rate_limited, so that questions
	// sent at once cannot all pass.
	CreateQuestion(ctx context.Context, q NewQuestion) (*Post, error)
	//
	// The writes below read the facts a rule needs (PostFacts, CommentFacts) inside their
	// transaction and return what the rule named in each line returns; they phrase no
	// refusal of their own.
	//
	// CreateAnswer applies CheckAnswer to the question: not_found when it is missing or
	// deleted, conflict "question_closed" when it is closed.
	CreateAnswer(ctx context.Context, a NewAnswer) (*Post, error)
	// CreateComment applies CheckLive to the post and CheckReply to the parent: not_found
	// for a missing post, invalid "bad_parent" when the parent comment is on another post.
	CreateComment(ctx context.Context, c NewComment) (*Comment, error)
	// Vote sets, changes or undoes (value 0) a vote and applies its reputation, all in one
	// transaction, after CheckVote (not_found, forbidden "self_vote") and, when
	// rules.LimitsToday, rules.CheckVotesToday (rate_limited).
	Vote(ctx context.Context, postID, voterID int64, value int, rules VoteRules, now time.Time) (VoteResult, error)
	// VoteComment adds (up) or takes back a vote up on a comment and returns its score,
	// after CheckCommentVote: not_found for a missing comment or post, forbidden "self_vote".
	VoteComment(ctx context.Context, commentID, voterID int64, up bool, now time.Time) (int, error)
	// Accept toggles the accepted answer of the answer's question after CheckAccept
	// (forbidden "not_asker" unless askerID asked it); reports whether the answer is
	// accepted afterwards.
	Accept(ctx context.Context, answerID, askerID int64, now time.Time) (bool, error)
	// DeletePost soft-deletes a post after CheckDelete: not_found, forbidden "not_author",
	// conflict "has_upvoted_answers".
	DeletePost(ctx context.Context, postID int64, by *User, now time.Time) error
	// UndeletePost restores a soft-deleted post after CheckUndelete: not_found unless by
	// is a moderator and the post exists, conflict "not_deleted" or "question_deleted".
	UndeletePost(ctx context.Context, postID int64, by *User, now time.Time) error
	// Post returns one question or answer; not_found when missing or deleted (unless
	// includeDeleted).
	Post(ctx context.Context, id, viewerID int64, includeDeleted bool) (*Post, error)
	// Thread returns a question with all its answers (in the given order) and comments.
	Thread(ctx context.Context, questionID, viewerID int64, includeDeleted bool, order AnswerSort) (*QuestionThread, error)
	// Questions lists a page of questions, the total matching, and cursors to the pages
	// around it. invalid (invalid_cursor) when After or Before is not a cursor of this sort.
	Questions(ctx context.Context, f QuestionFilter, viewerID int64) (*QuestionPage, error)
	// Comments lists a post's comments in order (replies after their parents).
	Comments(ctx context.Context, postID int64) ([]*Comment, error)
	// ExistingTags reports which of names exist.
	ExistingTags(ctx context.Context, names []string) (map[string]bool, error)
	// Tags lists tags by question count, optionally those with q at the start of their
	// name or of a word in it (after - or .), those starting with q first.
	Tags(ctx context.Context, q string, page, pageSize int) ([]Tag, int, error)
	// Tag returns one tag; not_found when there is none.
	Tag(ctx context.Context, name string) (*Tag, error)
	// SetTagExcerpt changes a tag's short description; not_found when there is no tag.
	SetTagExcerpt(ctx context.Context, name, excerpt string) error
}
