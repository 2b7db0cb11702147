package web_test

import (
	"regexp"
	"testing"
)

// A refused "Mark done" on a public collaborative's meetings page (an outsider reading
// it) says why on the page it came back to, instead of failing silently.
func TestActionStatusRefusalIsShown(t *testing.T) {
	s := newMeetingSite(t)
	mustStatus(t, s.formAs("/c/ct-framework/actions", s.lead, "action_title", "Collect rubrics"), 303, "action")
	list := s.pageAs(s.other, "/c/ct-framework/meetings")
	mustStatus(t, list, 200, "meetings page as an outsider")
	m := regexp.MustCompile(`action="(/actions/\d+/status)"`).FindStringSubmatch(string(list.body))
	if m == nil {
		t.Fatalf("no status form on the page: %.3000s", list.body)
	}
	r := s.formAs(m[1], s.other, "status", "done", "back", "/c/ct-framework/meetings")
	if r.StatusCode < 400 {
		t.Fatalf("an outsider marked an action done: %d", r.StatusCode)
	}
	bodyHas(t, r, `class="form-error" role="alert"`, "Collect rubrics")
}

// A signed-in outsider reading a public collaborative's channel is told to join, with a
// link to the collaborative's page where the Join button is.
func TestChannelRefusalLinksToTheCollaborative(t *testing.T) {
	s := newChannelSite(t)
	r := s.pageAs(s.outsider, path("/c/ct-framework/channels/%d", s.pub))
	mustStatus(t, r, 200, "a public channel as an outsider")
	bodyHas(t, r, "Join Group ct-framework to take part in it.", `<a href="/c/ct-framework">Go to Group ct-framework</a>`)
}
