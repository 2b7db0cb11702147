package web

import (
	"reflect"
	"testing"
)

// sharedFields lists, for each input of the question page's templates, the fields that are
// not per-reader facts the templates draw (the same for every reader of one version of the
// thread, or unexported, which templates cannot read), with the reason. Every fact about
// the reader that a template draws belongs in the input's Reader, which is the page
// cache's key: a field added anywhere else would let the cache serve one reader's buttons
// to another.
var sharedFields = map[reflect.Type]map[string]string{
	reflect.TypeOf(questionView{}): {
		"Thread":       "the thread of this version, without anyone's votes (forum.QA.SharedThread)",
		"Canonical":    "the question's address",
		"Threads":      "the comment trees of the thread",
		"CloseReasons": "a constant table",
		"AnswerSort":   "part of the thread's key (threadKey.order)",
		"AnswerSorts":  "a constant list",
		"Reader":       "the key of the content around the posts (skeletonKey)",
		"actor":        "the reader, unexported so that templates cannot draw from it: it only fills postCtx.Reader",
		"upvote":       "the reader's up-vote privilege, unexported: it only fills postCtx.Reader",
	},
	reflect.TypeOf(postCtx{}): {
		"Post":     "the shared post; the reader's vote is Reader.MyVote",
		"Comments": "the shared comment tree",
		"Reader":   "the key of the block, with the post's id (blockKey)",
		"CSRF":     "drawn as a marker and replaced by each reader's token",
		"Page":     "only for a failed form's page, which is drawn whole and never cached (nil in cached blocks)",
	},
	reflect.TypeOf(commentsCtx{}):    {"Block": "the post's postCtx", "Nodes": "shared", "Shown": "a constant per level", "Rest": "shared"},
	reflect.TypeOf(commentCtx{}):     {"Block": "the post's postCtx", "Node": "shared"},
	reflect.TypeOf(commentFormCtx{}): {"CSRF": "the block's", "PostID": "shared", "ParentID": "shared", "Page": "the block's"},
}

// unlisted returns the fields of typ that shared does not name.
func unlisted(typ reflect.Type, shared map[string]string) []string {
	var out []string
	for i := range typ.NumField() {
		if _, ok := shared[typ.Field(i).Name]; !ok {
			out = append(out, typ.Field(i).Name)
		}
	}
	return out
}

// TestReaderFactsKeyTheCache: the question page cache keeps each post's block under
// (post id, postCtx.Reader) and the content around the posts under questionView.Reader.
// Those are the templates' own inputs, so whatever they show of the reader is in the key
// by construction; this test holds every other field of the templates' inputs to facts
// shared by all readers, so that a per-reader fact cannot be added beside Reader unseen.
func TestReaderFactsKeyTheCache(t *testing.T) {
	for typ, shared := range sharedFields {
		for _, name := range unlisted(typ, shared) {
			t.Errorf("%s.%s is neither in Reader (the page cache's key) nor listed as the same for every reader", typ.Name(), name)
		}
	}
	if got := reflect.TypeOf(blockKey{}); got.NumField() != 2 || got.Field(1).Type != reflect.TypeOf(postReader{}) {
		t.Errorf("blockKey is not (post id, postReader): %v", got)
	}
	if reflect.TypeOf(skeletonKey{}) != reflect.TypeOf(questionReader{}) {
		t.Error("skeletonKey is not questionReader")
	}
	// The check notices a field it was not told about.
	type withExtra struct {
		Post   int
		Reader int
		IsMod  bool
	}
	if got := unlisted(reflect.TypeOf(withExtra{}), map[string]string{"Post": "", "Reader": ""}); len(got) != 1 || got[0] != "IsMod" {
		t.Errorf("unlisted = %v, want [IsMod]", got)
	}
}
