package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"staffroom/forum"
)

// postColumns is selected by every post query, in scanPost's order; the author's columns
// follow (userColumns, with the users table as u and districts as d).
const postColumns = `p.id, p.kind, COALESCE(p.question_id, 0), p.title, p.tags, p.body, p.body_html, p.score,
	p.answer_count, p.comment_count, p.view_count, COALESCE(p.accepted_answer_id, 0), p.revision,
	COALESCE(p.closed_reason, ''), p.closed_at, COALESCE(p.duplicate_of, 0), p.deleted_at, p.created_at,
	p.edited_at, p.activity_at, p.hidden_at, p.locked_at, p.curated_at, COALESCE(p.collaborative_id, 0),
	COALESCE(pg.slug, ''), COALESCE(pg.name, ''), COALESCE(pg.visibility, '')`

// postFrom joins each post to its author, the viewer's vote (bound as the first argument)
// and its collaborative (pg: its scope is read with the post, forum/scope.go).
const postFrom = ` FROM posts p JOIN users u ON u.id = p.author_id LEFT JOIN districts d ON d.id = u.district_id
	LEFT JOIN votes mv ON mv.post_id = p.id AND mv.user_id = ? LEFT JOIN collaboratives pg ON pg.id = p.collaborative_id `

func scanPost(row scanner) (*forum.Post, error) {
	var p forum.Post
	var kind, tags string
	var closedAt, deletedAt, editedAt, hiddenAt, lockedAt, curatedAt sql.NullTime
	var myVote sql.NullInt64
	var scope forum.PostCollaborative
	author, err := scanUserAfter(row, []any{&p.ID, &kind, &p.QuestionID, &p.Title, &tags, &p.Body, &p.BodyHTML, &p.Score,
		&p.AnswerCount, &p.CommentCount, &p.ViewCount, &p.AcceptedAnswerID, &p.Revision,
		&p.ClosedReason, &closedAt, &p.DuplicateOf, &deletedAt, &p.CreatedAt, &editedAt, &p.ActivityAt,
		&hiddenAt, &lockedAt, &curatedAt, &scope.ID, &scope.Slug, &scope.Name, &scope.Visibility, &myVote})
	if err != nil {
		return nil, err
	}
	if scope.ID != 0 {
		p.Collaborative = &scope
	}
	p.Kind = forum.PostKind(kind)
	p.Author = author
	if tags != "" {
		p.Tags = strings.Fields(tags)
	}
	p.ClosedAt, p.DeletedAt, p.EditedAt = nullTime(closedAt), nullTime(deletedAt), nullTime(editedAt)
	p.HiddenAt, p.LockedAt, p.CuratedAt = nullTime(hiddenAt), nullTime(lockedAt), nullTime(curatedAt)
	p.CreatedAt, p.ActivityAt = p.CreatedAt.UTC(), p.ActivityAt.UTC()
	p.MyVote = int(myVote.Int64)
	return &p, nil
}

const selectPost = `SELECT ` + postColumns + `, mv.value, ` + userColumns + postFrom

// selectListedPost is selectPost without the bodies, which lists never show: reading a
// page of long bodies only to drop them was most of a list's cost.
var selectListedPost = strings.Replace(selectPost, "p.body, p.body_html,", "'', '',", 1)

func init() {
	if selectListedPost == selectPost {
		panic("sqlite: selectListedPost found no body columns to leave out")
	}
}

// CreateQuestion implements forum.PostStore.
func (db *DB) CreateQuestion(ctx context.Context, q forum.NewQuestion) (*forum.Post, error) {
	var created *forum.Post
	err := db.write(ctx, func(tx *txn) error {
		if q.Interval > 0 {
			last, err := lastQuestionAt(ctx, tx, q.AuthorID)
			if err != nil {
				return err
			}
			if err := forum.CheckQuestionInterval(q.Interval, last, q.Now); err != nil {
				return err
			}
		}
		if err := checkDailyPosts(ctx, tx, q.AuthorID, q.DailyPosts, q.Now); err != nil {
			return err
		}
		var id int64
		res, err := tx.ExecContext(ctx, `INSERT INTO posts (kind, author_id, title, body, body_html, tags, created_at, activity_at, collaborative_id)
			VALUES ('question', ?, ?, ?, ?, ?, ?, ?, ?)`, q.AuthorID, q.Title, q.Body, q.BodyHTML, strings.Join(q.Tags, " "), q.Now, q.Now,
			nullID(q.CollaborativeID))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		spam, err := spamVerdict(ctx, tx, q.AuthorID, q.Spam, q.Now)
		if err != nil {
			return err
		}
		if err := tagPost(ctx, tx, id, q.AuthorID, q.Tags, q.CollaborativeID != 0, q.Now); err != nil {
			return err
		}
		if q.CollaborativeID == 0 { // the site's totals count the site's own questions
			if err := countQuestions(ctx, tx, 1, 1); err != nil {
				return err
			}
		}
		if err := linkQuestions(ctx, tx, id, q.Body); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, id, 1, q.Title, q.Body, q.Tags, "", q.AuthorID, q.Now); err != nil {
			return err
		}
		if err := queueNewPost(ctx, tx, id, q.AuthorID, 0, q.Now); err != nil {
			return err
		}
		if spam.Hidden {
			if err := hideSpam(ctx, tx, forum.FlagOnPost, id, id, spam, q.Now); err != nil {
				return err
			}
		}
		if created, err = postTx(ctx, tx, id); err != nil || spam.Hidden {
			return err
		}
		if err := tx.emit(ctx, q.Now, forum.QuestionCreatedEvents(created)...); err != nil {
			return err
		}
		// The asker follows their question; the tags' followers and the people it mentions
		// are told (after commit, by the notifier).
		if _, err := tx.follow(ctx, q.AuthorID, forum.FollowQuestion, strconv.FormatInt(id, 10), q.Now); err != nil {
			return err
		}
		mentioned, err := tx.mentioned(ctx, forum.Mentions(q.Body))
		if err != nil {
			return err
		}
		ref, err := questionRef(ctx, tx, id)
		if err != nil {
			return err
		}
		return tx.notifyAll(ctx, forum.QuestionNotices(ref, created.Author, q.Body, mentioned, q.Now))
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// lastQuestionAt reads when an author last asked, deleted questions included (the zero
// time when never), inside the write that may add the next one: read before the write, the
// questions sent at once would all see the same last one.
func lastQuestionAt(ctx context.Context, tx *txn, authorID int64) (time.Time, error) {
	var last time.Time
	err := tx.QueryRowContext(ctx, `SELECT created_at FROM posts WHERE author_id = ? AND kind = 'question'
		ORDER BY created_at DESC LIMIT 1`, authorID).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return last, err
}

// postTx reads a post inside a write, as its author sees it, for the write's event and
// answer.
func postTx(ctx context.Context, tx *txn, id int64) (*forum.Post, error) {
	p, err := scanPost(tx.QueryRowContext(ctx, selectPost+`WHERE p.id = ?`, 0, id))
	if err != nil {
		return nil, fmt.Errorf("read post %d back: %w", id, err)
	}
	return p, nil
}

// tagPost files a question under its tags, creating the missing ones and counting the
// site's own questions (scoped: it belongs to a collaborative, and tag counts leave it out).
func tagPost(ctx context.Context, tx *txn, postID, authorID int64, tags []string, scoped bool, now time.Time) error {
	for _, name := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tags (name, created_by, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, name, authorID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO post_tags (post_id, tag_id, created_at)
			SELECT ?, id, ? FROM tags WHERE name = ?`, postID, now, name); err != nil {
			return err
		}
		if scoped {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET question_count = question_count + 1 WHERE name = ?`, name); err != nil {
			return err
		}
	}
	return nil
}

func insertRevision(ctx context.Context, tx *txn, postID int64, number int, title, body string, tags []string, summary string, editorID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO revisions (post_id, number, title, body, tags, summary, editor_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, postID, number, title, body, strings.Join(tags, " "), summary, editorID, now)
	return err
}

// postFacts reads, inside a write by actorID, what the rules about post id depend on,
// with its question's side (for a question, itself) and its collaborative's visibility. A
// missing post reads as facts with Exists false: the rule says what that means; so does a
// post the actor may not see (forum.SeesPostScope, with the actor's role read here, in
// the write's transaction, only for a private collaborative's post).
func postFacts(ctx context.Context, tx *txn, id, actorID int64) (forum.PostFacts, error) {
	f := forum.PostFacts{ID: id}
	var kind string
	var scope forum.PostCollaborative
	err := tx.QueryRowContext(ctx, `SELECT p.kind, p.author_id, q.id, q.author_id, p.deleted_at IS NOT NULL,
		q.deleted_at IS NOT NULL, COALESCE(q.closed_reason, '') <> '', COALESCE(q.accepted_answer_id, 0),
		p.hidden_at IS NOT NULL, p.locked_at IS NOT NULL, p.locked_at IS NOT NULL OR q.locked_at IS NOT NULL, p.curated_at IS NOT NULL,
		COALESCE(q.collaborative_id, 0), COALESCE(g.visibility, '')
		FROM posts p JOIN posts q ON q.id = COALESCE(p.question_id, p.id) LEFT JOIN collaboratives g ON g.id = q.collaborative_id
		WHERE p.id = ?`, id).Scan(&kind, &f.AuthorID,
		&f.QuestionID, &f.AskerID, &f.Deleted, &f.QuestionDeleted, &f.Closed, &f.AcceptedAnswerID,
		&f.Hidden, &f.SelfLocked, &f.Locked, &f.Curated, &scope.ID, &scope.Visibility)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.PostFacts{ID: id}, nil
	}
	if err != nil {
		return f, fmt.Errorf("read post %d: %w", id, err)
	}
	f.Exists, f.Kind, f.CollaborativeID = true, forum.PostKind(kind), scope.ID
	if scope.ID != 0 {
		sees, err := seesScopeTx(ctx, tx, &scope, actorID)
		if err != nil || !sees {
			return forum.PostFacts{ID: id}, err
		}
		if actorID > 0 {
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM collaborative_members WHERE collaborative_id = ? AND user_id = ? AND role = 'lead')`,
				scope.ID, actorID).Scan(&f.ActorLeads)
			if err != nil {
				return f, err
			}
		}
	}
	return f, nil
}

// livePost reads a post's facts for a write by actorID that needs it live (forum.CheckLive).
func livePost(ctx context.Context, tx *txn, id, actorID int64) (forum.PostFacts, error) {
	f, err := postFacts(ctx, tx, id, actorID)
	if err != nil {
		return f, err
	}
	return f, forum.CheckLive(f)
}

// CreateAnswer implements forum.PostStore.
func (db *DB) CreateAnswer(ctx context.Context, a forum.NewAnswer) (*forum.Post, error) {
	var created *forum.Post
	err := db.write(ctx, func(tx *txn) error {
		var id int64
		q, err := postFacts(ctx, tx, a.QuestionID, a.AuthorID)
		if err != nil {
			return err
		}
		if err := forum.CheckAnswer(q); err != nil {
			return err
		}
		if err := checkDailyPosts(ctx, tx, a.AuthorID, a.DailyPosts, a.Now); err != nil {
			return err
		}
		// The answer carries its question's collaborative, so that reading it reads its scope.
		res, err := tx.ExecContext(ctx, `INSERT INTO posts (kind, question_id, author_id, body, body_html, created_at, activity_at, collaborative_id)
			VALUES ('answer', ?, ?, ?, ?, ?, ?, ?)`, a.QuestionID, a.AuthorID, a.Body, a.BodyHTML, a.Now, a.Now, nullID(q.CollaborativeID))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		spam, err := spamVerdict(ctx, tx, a.AuthorID, a.Spam, a.Now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET answer_count = answer_count + 1, activity_at = ? WHERE id = ?`, a.Now, a.QuestionID); err != nil {
			return err
		}
		if err := countFirstAnswer(ctx, tx, a.QuestionID, -1); err != nil {
			return err
		}
		if err := linkQuestions(ctx, tx, a.QuestionID, a.Body); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, id, 1, "", a.Body, nil, "", a.AuthorID, a.Now); err != nil {
			return err
		}
		if err := queueNewPost(ctx, tx, id, a.AuthorID, a.QuestionID, a.Now); err != nil {
			return err
		}
		if spam.Hidden {
			if err := hideSpam(ctx, tx, forum.FlagOnPost, id, id, spam, a.Now); err != nil {
				return err
			}
		}
		if created, err = postTx(ctx, tx, id); err != nil || spam.Hidden {
			return err
		}
		if err := tx.emit(ctx, a.Now, forum.Event{Topic: forum.TopicQuestion(a.QuestionID), Name: forum.EventAnswerCreated, Data: created, PostID: id}); err != nil {
			return err
		}
		// The answerer follows the question; the asker, its followers and the people the
		// answer mentions are told.
		if _, err := tx.follow(ctx, a.AuthorID, forum.FollowQuestion, strconv.FormatInt(a.QuestionID, 10), a.Now); err != nil {
			return err
		}
		ref, err := questionRef(ctx, tx, a.QuestionID)
		if err != nil {
			return err
		}
		mentioned, err := tx.mentioned(ctx, forum.Mentions(a.Body))
		if err != nil {
			return err
		}
		return tx.notifyAll(ctx, forum.AnswerNotices(ref, id, created.Author, a.Body, mentioned, a.Now))
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// CreateComment implements forum.PostStore.
func (db *DB) CreateComment(ctx context.Context, c forum.NewComment) (*forum.Comment, error) {
	var created *forum.Comment
	err := db.write(ctx, func(tx *txn) error {
		var id int64
		post, err := postFacts(ctx, tx, c.PostID, c.AuthorID)
		if err != nil {
			return err
		}
		if err := forum.CheckCommentOn(post); err != nil {
			return err
		}
		questionID := post.QuestionID
		var parent sql.NullInt64
		var parentAuthor int64
		if c.ParentID != 0 {
			var parentOn int64
			err := tx.QueryRowContext(ctx, `SELECT post_id, author_id FROM comments WHERE id = ? AND deleted_at IS NULL`, c.ParentID).Scan(&parentOn, &parentAuthor)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err := forum.CheckReply(c.PostID, c.ParentID, parentOn); err != nil {
				return err
			}
			parent = sql.NullInt64{Int64: c.ParentID, Valid: true}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO comments (post_id, parent_id, author_id, body, body_html, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, c.PostID, parent, c.AuthorID, c.Body, c.BodyHTML, c.Now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		spam, err := spamVerdict(ctx, tx, c.AuthorID, c.Spam, c.Now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?`, c.PostID); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE posts SET activity_at = ? WHERE id = ?`, c.Now, questionID); err != nil {
			return err
		}
		if spam.Hidden {
			if err := hideSpam(ctx, tx, forum.FlagOnComment, id, c.PostID, spam, c.Now); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, selectComments+`c.id = ?`, id)
		if err != nil {
			return err
		}
		cs, err := scanComments(rows)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("read comment %d back: %w", id, err)
		}
		created = cs[0]
		if spam.Hidden {
			return nil
		}
		if err := tx.emit(ctx, c.Now, forum.Event{Topic: forum.TopicQuestion(questionID), Name: forum.EventCommentCreated, Data: created, PostID: c.PostID}); err != nil {
			return err
		}
		ref, err := questionRef(ctx, tx, questionID)
		if err != nil {
			return err
		}
		mentioned, err := tx.mentioned(ctx, forum.Mentions(c.Body))
		if err != nil {
			return err
		}
		return tx.notifyAll(ctx, forum.CommentNotices(ref, c.PostID, post.AuthorID, id, parentAuthor, created.Author, c.Body, mentioned, c.Now))
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// Comments implements forum.PostStore.
func (db *DB) Comments(ctx context.Context, postID int64) ([]*forum.Comment, error) {
	return db.comments(ctx, `c.post_id = ? AND c.deleted_at IS NULL`, postID)
}

// selectComments is followed by a condition on comments c.
const selectComments = `SELECT c.id, c.post_id, COALESCE(c.parent_id, 0), c.body, c.body_html, c.score,
		c.created_at, c.deleted_at, ` + userColumns + `
		FROM comments c JOIN users u ON u.id = c.author_id LEFT JOIN districts d ON d.id = u.district_id
		WHERE `

func (db *DB) comments(ctx context.Context, where string, args ...any) ([]*forum.Comment, error) {
	rows, err := db.readRows(ctx, selectComments+where+` ORDER BY c.id`, args...)
	if err != nil {
		return nil, err
	}
	return scanComments(rows)
}

// scanComments reads selectComments rows and closes them.
func scanComments(rows *sql.Rows) ([]*forum.Comment, error) {
	defer rows.Close()
	var out []*forum.Comment
	for rows.Next() {
		var c forum.Comment
		var deleted sql.NullTime
		author, err := scanUserAfter(rows, []any{&c.ID, &c.PostID, &c.ParentID, &c.Body, &c.BodyHTML, &c.Score, &c.CreatedAt, &deleted})
		if err != nil {
			return nil, err
		}
		c.Author, c.DeletedAt, c.CreatedAt = author, nullTime(deleted), c.CreatedAt.UTC()
		out = append(out, &c)
	}
	return out, rows.Err()
}

// Post implements forum.PostStore.
func (db *DB) Post(ctx context.Context, id, viewerID int64, includeDeleted bool) (*forum.Post, error) {
	p, err := scanPost(db.readRow(ctx, selectPost+`WHERE p.id = ?`, viewerID, id))
	if err != nil {
		return nil, notFound(err, forum.NotFoundPost(id))
	}
	if !forum.PostVisible(p.DeletedAt != nil, p.HiddenAt != nil, p.Author.ID, viewerID, includeDeleted) {
		return nil, forum.NotFoundPost(id)
	}
	if p.Kind == forum.KindAnswer && !includeDeleted {
		// An answer goes with its question: a deleted question hides its answers too.
		var gone, hidden bool
		var asker int64
		if err := db.readRow(ctx, `SELECT deleted_at IS NOT NULL, hidden_at IS NOT NULL, author_id FROM posts WHERE id = ?`,
			p.QuestionID).Scan(&gone, &hidden, &asker); err != nil || !forum.PostVisible(gone, hidden, asker, viewerID, false) {
			return nil, forum.NotFoundPost(id)
		}
	}
	return p, nil
}

// AddViews implements forum.ViewStore: one transaction for a whole batch of counts.
func (db *DB) AddViews(ctx context.Context, views map[int64]int) error {
	return db.write(ctx, func(tx *txn) error {
		for id, n := range views {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET view_count = view_count + ? WHERE id = ? AND kind = 'question'`, n, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// linkQuestions records the questions a post of questionID links to.
func linkQuestions(ctx context.Context, tx *txn, questionID int64, markdown string) error {
	for _, to := range forum.LinkedQuestionIDs(markdown) {
		if to == questionID {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO question_links (from_id, to_id)
			SELECT ?, id FROM posts WHERE id = ? AND kind = 'question' ON CONFLICT DO NOTHING`, questionID, to); err != nil {
			return err
		}
	}
	return nil
}

// countQuestions moves the site's question totals.
func countQuestions(ctx context.Context, tx *txn, questions, unanswered int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE site_counters SET value = value + ? WHERE name = 'questions'`, questions); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE site_counters SET value = value + ? WHERE name = 'unanswered'`, unanswered)
	return err
}

// countFirstAnswer moves the unanswered total when an open question's first answer comes
// (-1, after the count went to 1) or its last one goes (+1, after it went to 0).
func countFirstAnswer(ctx context.Context, tx *txn, questionID int64, delta int) error {
	want := 1
	if delta > 0 {
		want = 0
	}
	_, err := tx.ExecContext(ctx, `UPDATE site_counters SET value = value + ? WHERE name = 'unanswered'
		AND EXISTS (SELECT 1 FROM posts WHERE id = ? AND answer_count = ? AND deleted_at IS NULL AND closed_at IS NULL
			AND collaborative_id IS NULL)`, delta, questionID, want)
	return err
}
