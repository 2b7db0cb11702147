package forum

import (
	"context"
	"testing"
	"time"
)

// fakeThreads is a PostStore whose Thread answers from one thread of posts, with or without
// the deleted ones, as a store does; nothing else of it is used.
type fakeThreads struct {
	PostStore
	question *Post
	answers  []*Post
	reads    []bool // includeDeleted of each read
}

func (f *fakeThreads) Thread(_ context.Context, questionID, _ int64, includeDeleted bool, _ AnswerSort) (*QuestionThread, error) {
	f.reads = append(f.reads, includeDeleted)
	if f.question.ID != questionID || (f.question.DeletedAt != nil && !includeDeleted) {
		return nil, NotFoundPost(questionID)
	}
	q := *f.question
	t := &QuestionThread{Question: &q, Comments: map[int64][]*Comment{}}
	for _, a := range f.answers {
		if a.DeletedAt == nil || includeDeleted {
			c := *a
			t.Answers = append(t.Answers, &c)
			t.Comments[a.ID] = []*Comment{{ID: 100 + a.ID, PostID: a.ID}}
		}
	}
	return t, nil
}

func TestAuthorsSeeTheirOwnDeletedPosts(t *testing.T) {
	gone := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	asker, answerer, other := &User{ID: 1, Role: RoleMember}, &User{ID: 2, Role: RoleMember}, &User{ID: 3, Role: RoleMember}
	mod := &User{ID: 4, Role: RoleModerator}
	store := &fakeThreads{question: &Post{ID: 10, Kind: KindQuestion, Author: asker},
		answers: []*Post{{ID: 11, Kind: KindAnswer, Author: answerer, DeletedAt: &gone}, {ID: 12, Kind: KindAnswer, Author: other}}}
	qa := &QA{Posts: store}
	ctx := context.Background()
	ids := func(t *QuestionThread) []int64 {
		var out []int64
		for _, a := range t.Answers {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		u       *User
		answers int
	}{{"anonymous", nil, 1}, {"another member", other, 1}, {"the asker", asker, 1}, {"the answer's author", answerer, 2}, {"a moderator", mod, 2}} {
		th, err := qa.Thread(ctx, tc.u, 10, AnswersByScore)
		if err != nil || len(th.Answers) != tc.answers {
			t.Fatalf("%s: answers %v, err %v; want %d", tc.name, ids(th), err, tc.answers)
		}
		if tc.answers == 1 && th.Comments[11] != nil {
			t.Errorf("%s: the hidden answer's comments are in the thread", tc.name)
		}
	}
	shared, err := qa.SharedThread(ctx, answerer, 10, AnswersByScore)
	if err != nil || len(shared.Answers) != 1 || len(shared.DeletedAuthors) != 1 || shared.DeletedAuthors[0] != answerer.ID {
		t.Fatalf("the shared thread: answers %v, deleted authors %v, err %v", ids(shared), shared.DeletedAuthors, err)
	}
	if mine, _ := qa.Thread(ctx, answerer, 10, AnswersByScore); len(mine.DeletedAuthors) != 0 {
		t.Errorf("the author's own thread names hidden authors: %v", mine.DeletedAuthors)
	}

	// A deleted question: its author reads it, everyone else gets exactly the not found of a
	// read without deleted posts.
	store.question.DeletedAt = &gone
	th, err := qa.Thread(ctx, asker, 10, AnswersByScore)
	if err != nil || th.Question.DeletedAt == nil || len(th.Answers) != 1 {
		t.Fatalf("the asker's deleted question: %v %v", th, err)
	}
	for _, u := range []*User{nil, other, answerer} {
		store.reads = nil
		_, err := qa.Thread(ctx, u, 10, AnswersByScore)
		if err == nil || err.Error() != NotFoundPost(10).Error() {
			t.Fatalf("%v reads the deleted question: %v", u, err)
		}
		if u != nil && (len(store.reads) != 2 || store.reads[1]) {
			t.Fatalf("the refusal did not come from a read without deleted posts: %v", store.reads)
		}
	}
	if _, err := qa.SharedThread(ctx, asker, 10, AnswersByScore); KindOf(err) != ENotFound {
		t.Fatalf("the shared copy of a deleted question: %v", err)
	}
	if th, err := qa.SharedThread(ctx, mod, 10, AnswersByScore); err != nil || len(th.Answers) != 2 {
		t.Fatalf("the moderators' copy: %v", err)
	}
}

func TestSeesDeletedPost(t *testing.T) {
	for _, tc := range []struct {
		u      *User
		author int64
		want   bool
	}{{nil, 0, false}, {nil, 5, false}, {&User{ID: 5}, 5, true}, {&User{ID: 6}, 5, false}, {&User{ID: 6, Role: RoleAdmin}, 5, true},
		{&User{}, 0, false}} {
		if got := SeesDeletedPost(tc.u, tc.author); got != tc.want {
			t.Errorf("SeesDeletedPost(%+v, %d) = %v", tc.u, tc.author, got)
		}
	}
}
