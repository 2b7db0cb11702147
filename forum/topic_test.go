package forum_test

import (
	"testing"

	"staffroom/forum"
)

// TestParseTopic: every topic has one name, the one String writes; anything else is
// invalid, code bad_topic.
func TestParseTopic(t *testing.T) {
	for _, tc := range []struct {
		name string
		want forum.Topic
	}{
		{"questions", forum.Topic{Kind: forum.TopicKindQuestions}},
		{"question:42", forum.Topic{Kind: forum.TopicKindQuestion, ID: 42}},
		{"tag:grading", forum.Topic{Kind: forum.TopicKindTag, Name: "grading"}},
		{"tag:c++", forum.Topic{Kind: forum.TopicKindTag, Name: "c++"}},
		{"channel:7", forum.Topic{Kind: forum.TopicKindChannel, ID: 7}},
		{"collaborative:math-leads", forum.Topic{Kind: forum.TopicKindCollaborative, Name: "math-leads"}},
		{"user:9223372036854775807", forum.Topic{Kind: forum.TopicKindUser, ID: 9223372036854775807}},
	} {
		got, err := forum.ParseTopic(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("ParseTopic(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
		if s := got.String(); s != tc.name {
			t.Errorf("ParseTopic(%q).String() = %q", tc.name, s)
		}
	}
	for _, name := range []string{
		"", "question", "questions:", "questions:1", "question:", "question:0", "question:042", "question:+42",
		"question:-1", "question:4x", "question:9223372036854775808", "tag:", "tag:Grading", "tag:two words",
		"channel:abc", "user:007", "collaborative:", "posts:1", "Question:1", ":1",
	} {
		if got, err := forum.ParseTopic(name); forum.KindOf(err) != forum.EInvalid || forum.AsError(err).Code != "bad_topic" {
			t.Errorf("ParseTopic(%q) = %+v, %v; want bad_topic", name, got, err)
		}
	}
	if forum.TopicQuestion(42) != "question:42" || forum.TopicTag("ell") != "tag:ell" || forum.TopicQuestions != "questions" {
		t.Error("the store's shorthands do not name topics as String does")
	}
}

// TestTopicPresenceAndTyping: question pages count their readers, channels name them and
// take typing, feeds and notifications do neither.
func TestTopicPresenceAndTyping(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		presence, names, takesTyping bool
	}{
		{"question:1", true, false, false},
		{"channel:1", true, true, true},
		{"questions", false, false, false},
		{"tag:ell", false, false, false},
		{"collaborative:math-leads", false, false, false},
		{"user:1", false, false, false},
	} {
		topic, err := forum.ParseTopic(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if topic.HasPresence() != tc.presence || topic.NamesPresence() != tc.names || topic.AllowsTyping() != tc.takesTyping {
			t.Errorf("%s: presence %v, names %v, typing %v; want %v %v %v", tc.name,
				topic.HasPresence(), topic.NamesPresence(), topic.AllowsTyping(), tc.presence, tc.names, tc.takesTyping)
		}
	}
}
