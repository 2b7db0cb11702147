package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The question as JSON (GET /api/v1/questions/{id}) from the question page's thread cache
// (pagecache.go). Read whole, a question of 10 answers cost ~1.4 ms of CPU, nearly all of
// it reading the thread (the question, its answers, their comments and the questions
// around it: ~88%) and encoding it (~8%); the page of the same question is put together
// from a copy read once per version. The JSON comes from that same copy, exact by the same
// version and with the same privacy check on every request (forum.QA.CheckScopeNow). Over
// HTTP, that took the server's CPU per request from ~1.2 ms to ~45 µs, of which the
// version's read is the larger part (as for the signed-in page).
//
// What the JSON shows of its reader is their vote on each post (my_vote) and what they may
// do to it (the can_* fields, from forum.PostActions); everything else is the same for all
// who see the copy. So each post is encoded once per version of the thread, cut where its
// vote goes, and each distinct set of actions once; a reader's answer is those pieces put
// together with their votes. An anonymous reader's answer has no reader in it at all: it
// is put together once per copy and shared.
//
// Readers the copy is not for read the thread whole, as before: the authors of deleted or
// hidden posts it leaves out (their own show to them), and a reader it is not found for
// (perhaps the author of a deleted question).

// threadJSON is a thread's JSON in pieces, built once per threadEntry.
type threadJSON struct {
	// posts are the question (first) and each answer in the thread's order.
	posts []postPieces
	// anonymous is the whole answer for anonymous readers.
	anonymous []byte
	size      int
}

// postPieces is one post's JSON with the reader left out: head ends at "my_vote": and tail
// starts after its value, without the closing brace the reader's actions go before. For
// the question, answers is where the answers go: tail then starts with the closing "]".
type postPieces struct {
	head, answers, tail []byte
	kind                forum.PostKind
	id                  int64
}

// actionsKey is what one post's can_* fields depend on.
type actionsKey struct {
	kind    forum.PostKind
	actions forum.PostActions
}

var (
	myVoteMark  = []byte(`,"my_vote":0,`)
	answersMark = []byte(`,"answers":[]`)
)

// cutPost encodes p as the API shows it in a thread, without reader, and cuts it.
func cutPost(t *forum.QuestionThread, p *forum.Post) (postPieces, error) {
	j := presentPost(p, true)
	j.MyVote = 0
	j.Comments = presentComments(t.Comments[p.ID])
	if p.Kind == forum.KindQuestion {
		j.Answers = &[]postJSON{}
	}
	b, err := json.Marshal(j)
	if err != nil {
		return postPieces{}, fmt.Errorf("encode post %d: %w", p.ID, err)
	}
	// A key's quotes cannot appear unescaped inside a string, so the first match is the
	// key of the post itself (nothing before my_vote or answers holds an object with one).
	i := bytes.Index(b, myVoteMark)
	if i < 0 || b[len(b)-1] != '}' {
		return postPieces{}, fmt.Errorf("encode post %d: no my_vote", p.ID)
	}
	pp := postPieces{kind: p.Kind, id: p.ID, head: b[:i+len(myVoteMark)-2]}
	rest := b[i+len(myVoteMark)-1 : len(b)-1]
	if p.Kind == forum.KindQuestion {
		k := bytes.Index(rest, answersMark)
		if k < 0 {
			return postPieces{}, fmt.Errorf("encode question %d: no answers", p.ID)
		}
		pp.answers = rest[:k+len(answersMark)-1]
		rest = rest[k+len(answersMark)-1:]
	}
	pp.tail = rest
	return pp, nil
}

// encodeActions is the can_* fields of a post as they follow its other fields: from the
// comma before the first to the last value.
func encodeActions(k actionsKey) ([]byte, error) {
	b, err := json.Marshal(presentActions(k.actions, k.kind))
	if err != nil {
		return nil, err
	}
	b[0] = ','
	return b[:len(b)-1], nil
}

// jsonOf returns the entry's thread in pieces, encoding it on first use.
func (tc *threadCache) jsonOf(e *threadEntry) (*threadJSON, error) {
	e.jsonOnce.Do(func() {
		tj := &threadJSON{}
		t := e.thread
		for _, p := range append([]*forum.Post{t.Question}, t.Answers...) {
			pp, err := cutPost(t, p)
			if err != nil {
				e.jsonErr = err
				return
			}
			tj.posts = append(tj.posts, pp)
			tj.size += len(pp.head) + len(pp.answers) + len(pp.tail) + 64
		}
		var anon forum.PostActions // what an anonymous reader may do: nothing
		tj.anonymous, e.jsonErr = tc.assemble(e, tj, nil, func(*forum.Post) forum.PostActions { return anon }, nil)
		tj.size += len(tj.anonymous)
		e.json = tj
	})
	if e.jsonErr != nil {
		return nil, e.jsonErr
	}
	if e.jsonCharged.CompareAndSwap(false, true) {
		tc.charge(e, e.json.size)
	}
	return e.json, nil
}

// actionsFor returns the encoded can_* fields for k, encoded once per entry.
func (tc *threadCache) actionsFor(e *threadEntry, k actionsKey) ([]byte, error) {
	e.mu.Lock()
	b, ok := e.actions[k]
	e.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := encodeActions(k)
	if err != nil {
		return nil, err
	}
	size := len(b) + 128
	e.mu.Lock()
	kept := e.keep(size)
	if kept {
		e.actions[k] = b
	}
	e.mu.Unlock()
	if kept {
		tc.charge(e, size)
	}
	return b, nil
}

// assemble appends the thread's JSON for a reader to dst: votes by post id, and can gives
// what they may do to each post.
func (tc *threadCache) assemble(e *threadEntry, tj *threadJSON, votes map[int64]int,
	can func(*forum.Post) forum.PostActions, dst []byte) ([]byte, error) {
	t := e.thread
	var post func(dst []byte, i int, p *forum.Post) ([]byte, error)
	post = func(dst []byte, i int, p *forum.Post) ([]byte, error) {
		pp := &tj.posts[i]
		if pp.id != p.ID {
			return nil, fmt.Errorf("thread JSON: post %d where %d was", p.ID, pp.id)
		}
		acts, err := tc.actionsFor(e, actionsKey{kind: pp.kind, actions: can(p)})
		if err != nil {
			return nil, err
		}
		dst = append(dst, pp.head...)
		dst = strconv.AppendInt(dst, int64(votes[p.ID]), 10)
		if pp.kind == forum.KindQuestion {
			dst = append(dst, pp.answers...)
			for k, a := range t.Answers {
				if k > 0 {
					dst = append(dst, ',')
				}
				if dst, err = post(dst, k+1, a); err != nil {
					return nil, err
				}
			}
		}
		dst = append(dst, pp.tail...)
		dst = append(dst, acts...)
		return append(dst, '}'), nil
	}
	return post(dst, 0, t.Question)
}

// jsonPool holds the buffers signed-in readers' answers are put together in.
var jsonPool = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// cachedQuestionJSON answers GET /api/v1/questions/{id} from the thread cache; ok is false
// when this reader must read the thread whole (apiQuestion does).
func (s *Server) cachedQuestionJSON(c *fiber.Ctx, id int64, order forum.AnswerSort) (ok bool, err error) {
	tc := s.threads
	u := viewerUser(c)
	ctx := c.UserContext()
	e, hit, err := tc.entry(ctx, u, threadKey{id: id, order: ownSort(order), deleted: forum.SeesDeleted(u)})
	if u != nil && !forum.SeesDeleted(u) {
		// As for the page (cachedQuestionPage): the copy is not this author's thread.
		if forum.KindOf(err) == forum.ENotFound || (err == nil && slices.Contains(e.thread.DeletedAuthors, u.ID)) {
			return false, nil
		}
	}
	if err != nil {
		return true, err
	}
	if hit {
		tc.hits.Add(1)
	}
	t := e.thread
	if err := s.qa.CheckScopeNow(ctx, u, t.Question.Collaborative, forum.NotFoundPost(id)); err != nil {
		return true, err
	}
	tj, err := tc.jsonOf(e)
	if err != nil {
		return true, err
	}
	res := c.Response()
	if u == nil {
		res.SetBodyRaw(tj.anonymous) // shared and never changed
	} else {
		votes, err := tc.votesOf(ctx, e, u.ID)
		if err != nil {
			return true, err
		}
		actor := s.qa.Privileges.Rules().Actor(u)
		bp := jsonPool.Get().(*[]byte)
		b, err := tc.assemble(e, tj, votes, func(p *forum.Post) forum.PostActions { return actor.Actions(t.Facts(p)) }, (*bp)[:0])
		if err != nil {
			jsonPool.Put(bp)
			return true, err
		}
		res.SetBody(b) // copied: the buffer goes back to the pool
		*bp = b
		jsonPool.Put(bp)
	}
	res.Header.SetContentType(fiber.MIMEApplicationJSON)
	return true, nil
}
