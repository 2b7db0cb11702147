package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"staffroom/forum"
	"staffroom/realtime"
)

// The authorization matrix (issue #19): who may do what inside a collaborative, one row
// per endpoint or websocket topic, one column per role, for a public and a private
// collaborative. This table is the specification; the test runs every cell against the
// real app over a real SQLite file (live topics over a real websocket), on content made
// fresh for each cell, so that no cell depends on another's writes.
//
// Rows for the collaboratives', channels' and meetings' endpoints join this table: a row
// is a method, a path template and a body template; the placeholders are filled from
// the cell's fresh content (authzFixture). A 404 that hides a private thing must be the
// very answer a missing id gets: every such cell is also run with the ids replaced by
// missing ones, and the two bodies compared.

// authzRole is a column of the matrix.
type authzRole int

const (
	roleAnonymous authzRole = iota
	roleNonMember           // signed in, not a member
	rolePending             // asked to join a private collaborative, not yet approved
	roleMember
	roleLead
	roleModerator // the site's moderators
	roleAdmin
	authzRoles
)

var authzRoleNames = [authzRoles]string{"anonymous", "non-member", "pending", "member", "lead", "moderator", "admin"}

// authzWant is a row's expected status (or, for websocket rows, wsSubscribed or
// wsNotFound) for each role, in authzRole order. The pending requester has asked to join
// the private collaborative and waits for its leads: until they approve, they are a
// non-member in every respect, so their column always equals the non-member's (the test
// checks that the table says so). In the public collaborative they are a plain non-member.
type authzWant [authzRoles]int

// Websocket rows answer a subscribe frame: subscribed, or an error code.
const (
	wsSubscribed = 1
	wsNotFound   = 2
)

// authzRow is one endpoint or topic. method "WS" subscribes to the topic named by path.
type authzRow struct {
	name            string
	method, path    string
	body            string // a JSON template; "" for none
	public, private authzWant
	// own: the cell changes who belongs (joining, promoting, removing), so it runs in a
	// collaborative of its own, made like the shared one, and leaves the others as they are.
	own bool
	// requesterOwn: the pending requester's cell concerns their own request, and so may
	// differ from the non-member's.
	requesterOwn bool
}

// Placeholders in paths and bodies: {q} a question of the collaborative, {a} its answer,
// {c} a comment on the answer, {slug} the collaborative, {writer} the content's author.
var scopedQuestionRows = []authzRow{
	{name: "read a question", method: "GET", path: "/api/v1/questions/{q}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "question page", method: "GET", path: "/questions/{q}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "question page, slugged", method: "GET", path: "/questions/{q}/some-slug",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "an answer's address", method: "GET", path: "/questions/{a}",
		public: authzWant{301, 301, 301, 301, 301, 301, 301}, private: authzWant{404, 404, 404, 301, 301, 301, 301}},
	{name: "comments of a post", method: "GET", path: "/api/v1/posts/{a}/comments",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "revisions of a post", method: "GET", path: "/api/v1/posts/{q}/revisions",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "revisions page", method: "GET", path: "/posts/{q}/revisions",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "a post's live block", method: "GET", path: "/posts/{a}/block",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "the collaborative's questions", method: "GET", path: "/api/v1/questions?collaborative={slug}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "search in the collaborative", method: "GET", path: "/api/v1/search?q=question&collaborative={slug}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "ask into the collaborative", method: "POST", path: "/api/v1/questions",
		body:   `{"title":"How do we pilot the framework next term?","body":"We want to pilot it in three schools next term.","tags":["pilots"],"collaborative":"{slug}"}`,
		public: authzWant{401, 403, 403, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "answer", method: "POST", path: "/api/v1/questions/{q}/answers",
		body:   `{"body":"We ran it in two schools; start with the teachers who volunteer."}`,
		public: authzWant{401, 201, 201, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "comment", method: "POST", path: "/api/v1/posts/{a}/comments", body: `{"body":"Which schools volunteered first?"}`,
		public: authzWant{401, 201, 201, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "vote on an answer", method: "POST", path: "/api/v1/posts/{a}/vote", body: `{"value":1}`,
		public: authzWant{401, 200, 200, 200, 200, 200, 200}, private: authzWant{401, 404, 404, 200, 200, 200, 200}},
	{name: "vote on a comment", method: "POST", path: "/api/v1/comments/{c}/vote", body: `{"value":1}`,
		public: authzWant{401, 200, 200, 200, 200, 200, 200}, private: authzWant{401, 404, 404, 200, 200, 200, 200}},
	{name: "accept (only the asker may)", method: "POST", path: "/api/v1/answers/{a}/accept",
		public: authzWant{401, 403, 403, 403, 403, 403, 403}, private: authzWant{401, 404, 404, 403, 403, 403, 403}},
	// Below the edit privilege an edit is a suggestion for review (202), open to anyone
	// who may see the post.
	{name: "edit", method: "PATCH", path: "/api/v1/posts/{a}", body: `{"body":"An edited answer that is long enough to keep."}`,
		public: authzWant{401, 202, 202, 202, 202, 200, 200}, private: authzWant{401, 404, 404, 202, 202, 200, 200}},
	{name: "delete", method: "DELETE", path: "/api/v1/posts/{a}",
		public: authzWant{401, 403, 403, 403, 403, 204, 204}, private: authzWant{401, 404, 404, 403, 403, 204, 204}},
	{name: "undelete a live post", method: "POST", path: "/api/v1/posts/{a}/undelete",
		public: authzWant{401, 404, 404, 404, 404, 409, 409}, private: authzWant{401, 404, 404, 404, 404, 409, 409}},
	// Close votes need reputation, and that is checked before the question is read: a
	// missing id gets the same 403, so it tells nothing (the body is compared below).
	{name: "close", method: "POST", path: "/api/v1/questions/{q}/close", body: `{"reason":"off_topic"}`,
		public: authzWant{401, 403, 403, 403, 403, 200, 200}, private: authzWant{401, 403, 403, 403, 403, 200, 200}},
	{name: "flag an answer", method: "POST", path: "/api/v1/posts/{a}/flags", body: `{"reason":"spam"}`,
		public: authzWant{401, 201, 201, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "flag a comment", method: "POST", path: "/api/v1/comments/{c}/flags", body: `{"reason":"spam"}`,
		public: authzWant{401, 201, 201, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "edit a comment", method: "PATCH", path: "/api/v1/comments/{c}", body: `{"body":"How small is small, in schools?"}`,
		public: authzWant{401, 403, 403, 403, 403, 200, 200}, private: authzWant{401, 404, 404, 403, 403, 200, 200}},
	{name: "delete a comment", method: "DELETE", path: "/api/v1/comments/{c}",
		public: authzWant{401, 403, 403, 403, 403, 204, 204}, private: authzWant{401, 404, 404, 403, 403, 204, 204}},
	{name: "a comment's revisions", method: "GET", path: "/api/v1/comments/{c}/revisions",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	// Like close: reputation first, so a missing id gets the same 403.
	{name: "reopen", method: "POST", path: "/api/v1/questions/{q}/reopen",
		public: authzWant{401, 403, 403, 403, 403, 409, 409}, private: authzWant{401, 403, 403, 403, 403, 409, 409}},
	// Rolling back needs the edit privilege; the moderators' 400: the first revision is
	// the current one, there is nothing to roll back to.
	{name: "roll back", method: "POST", path: "/api/v1/posts/{q}/revisions/1/rollback",
		public: authzWant{401, 403, 403, 403, 403, 400, 400}, private: authzWant{401, 404, 404, 403, 403, 400, 400}},
	// A person's posts, and the site's tags, carry no private collaborative's question,
	// title or tag to outsiders (checked with the cell's words, below); scoped questions'
	// tags are not the site's tags at all.
	{name: "the writer's posts", method: "GET", path: "/api/v1/users/{writer}/posts?q={q}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "the writer's profile", method: "GET", path: "/users/{writer}?q={q}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "the group's tag", method: "GET", path: "/api/v1/tags/pilots-{vis}?q={q}",
		public: authzWant{404, 404, 404, 404, 404, 404, 404}, private: authzWant{404, 404, 404, 404, 404, 404, 404}},
	{name: "the group's tag page", method: "GET", path: "/tags/pilots-{vis}?q={q}",
		public: authzWant{404, 404, 404, 404, 404, 404, 404}, private: authzWant{404, 404, 404, 404, 404, 404, 404}},
	{name: "tags", method: "GET", path: "/api/v1/tags?q={q}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "follow the question live", method: "WS", path: "question:{q}",
		public:  authzWant{wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed},
		private: authzWant{wsNotFound, wsNotFound, wsNotFound, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed}},
	{name: "follow the collaborative live", method: "WS", path: "collaborative:{slug}",
		public:  authzWant{wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed},
		private: authzWant{wsNotFound, wsNotFound, wsNotFound, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed}},
}

// Placeholders of the collaboratives' rows, besides {slug} and {writer}: {ch} a channel
// of the collaborative, {m} the writer's message in it, {mtg} a meeting the lead
// scheduled, {ag} the writer's agenda item on it, {act} the writer's action item, {n} a
// number no other cell uses, {req} a person who asked to join (in the private
// collaborative only; in the public one they joined at once and asked nothing), {newbie}
// a person who belongs nowhere, {vis} the collaborative's visibility (a word of its name:
// the directory rows search by it, so as to list the one collaborative the column is about).
//
// Reading the inside of a public collaborative is open to all; of a private one, to its
// members and the site's moderators and admins, and everyone else gets the answer a
// missing id gets. Writing inside (messages, agenda items, notes, action items) is for
// members and moderators; managing (settings, members, requests, channels, meetings,
// export) for leads and moderators: a non-member of a public collaborative is told why
// (403), of a private one it does not exist for them (404).
var collaborativeRows = []authzRow{
	// The directory and a collaborative's outside: a private one's name, description and
	// leads are listed, so that people can ask to join (DESIGN.md, "Private means invisible").
	{name: "directory", method: "GET", path: "/api/v1/collaboratives?q={vis}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "directory page", method: "GET", path: "/c?q={vis}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "a collaborative (its outside to outsiders)", method: "GET", path: "/api/v1/collaboratives/{slug}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "change a collaborative", method: "PATCH", path: "/api/v1/collaboratives/{slug}", body: `{"description":"What we are working on this year."}`,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	// Joining is the one place where a pending requester is not told what a non-member is:
	// they asked already (409 request_pending), which is their own doing, not the group's
	// secret. Moderators, who see inside without belonging, ask like anyone else.
	{name: "join", method: "POST", path: "/api/v1/collaboratives/{slug}/join", own: true, requesterOwn: true,
		public: authzWant{401, 200, 200, 409, 409, 200, 200}, private: authzWant{401, 202, 409, 409, 409, 202, 202}},
	{name: "members", method: "GET", path: "/api/v1/collaboratives/{slug}/members",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "add a member", method: "POST", path: "/api/v1/collaboratives/{slug}/members", body: `{"user_id":{newbie},"role":"member"}`,
		public: authzWant{401, 403, 403, 403, 201, 201, 201}, private: authzWant{401, 404, 404, 403, 201, 201, 201}},
	{name: "promote a member", method: "PATCH", path: "/api/v1/collaboratives/{slug}/members/{writer}", body: `{"role":"lead"}`, own: true,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "remove a member", method: "DELETE", path: "/api/v1/collaboratives/{slug}/members/{writer}", own: true,
		public: authzWant{401, 403, 403, 403, 204, 204, 204}, private: authzWant{401, 404, 404, 403, 204, 204, 204}},
	{name: "requests to join", method: "GET", path: "/api/v1/collaboratives/{slug}/requests",
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	// In the public collaborative {req} joined at once: there is no request to answer.
	{name: "approve a request", method: "POST", path: "/api/v1/collaboratives/{slug}/requests/{req}/approve",
		public: authzWant{401, 403, 403, 403, 404, 404, 404}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "decline a request", method: "POST", path: "/api/v1/collaboratives/{slug}/requests/{req}/decline",
		public: authzWant{401, 403, 403, 403, 404, 404, 404}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "export", method: "GET", path: "/api/v1/collaboratives/{slug}/export",
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "follow the collaborative live", method: "WS", path: "collaborative:{slug}",
		public:  authzWant{wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed},
		private: authzWant{wsNotFound, wsNotFound, wsNotFound, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed}},

	// Channels and messages.
	{name: "channels", method: "GET", path: "/api/v1/collaboratives/{slug}/channels",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "add a channel", method: "POST", path: "/api/v1/collaboratives/{slug}/channels", body: `{"name":"room-{n}"}`,
		public: authzWant{401, 403, 403, 403, 201, 201, 201}, private: authzWant{401, 404, 404, 403, 201, 201, 201}},
	{name: "a channel", method: "GET", path: "/api/v1/channels/{ch}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "change a channel", method: "PATCH", path: "/api/v1/channels/{ch}", body: `{"topic":"Where the pilot is planned"}`,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "archive a channel", method: "PATCH", path: "/api/v1/channels/{ch}", body: `{"archived":true}`,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "history", method: "GET", path: "/api/v1/channels/{ch}/messages?limit=20",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "post a message", method: "POST", path: "/api/v1/channels/{ch}/messages", body: `{"body":"The pilot starts on Monday."}`,
		public: authzWant{401, 403, 403, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "reply in a thread", method: "POST", path: "/api/v1/channels/{ch}/messages", body: `{"body":"Which schools?","parent_id":{m}}`,
		public: authzWant{401, 403, 403, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "pins", method: "GET", path: "/api/v1/channels/{ch}/pins",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "mark read", method: "POST", path: "/api/v1/channels/{ch}/read", body: `{"message_id":{m}}`,
		public: authzWant{401, 204, 204, 204, 204, 204, 204}, private: authzWant{401, 404, 404, 204, 204, 204, 204}},
	{name: "a message", method: "GET", path: "/api/v1/messages/{m}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "a thread", method: "GET", path: "/api/v1/messages/{m}/thread",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	// Only the author edits a message (the writer, who is none of the columns).
	{name: "edit a message", method: "PATCH", path: "/api/v1/messages/{m}", body: `{"body":"The pilot starts on Tuesday."}`,
		public: authzWant{401, 403, 403, 403, 403, 403, 403}, private: authzWant{401, 404, 404, 403, 403, 403, 403}},
	{name: "delete a message", method: "DELETE", path: "/api/v1/messages/{m}",
		public: authzWant{401, 403, 403, 403, 204, 204, 204}, private: authzWant{401, 404, 404, 403, 204, 204, 204}},
	{name: "a message's earlier bodies", method: "GET", path: "/api/v1/messages/{m}/revisions",
		public: authzWant{401, 403, 403, 403, 403, 200, 200}, private: authzWant{401, 404, 404, 403, 403, 200, 200}},
	{name: "react", method: "POST", path: "/api/v1/messages/{m}/reactions/%F0%9F%91%8D",
		public: authzWant{401, 403, 403, 200, 200, 200, 200}, private: authzWant{401, 404, 404, 200, 200, 200, 200}},
	{name: "take a reaction back", method: "DELETE", path: "/api/v1/messages/{m}/reactions/%F0%9F%91%8D",
		public: authzWant{401, 403, 403, 204, 204, 204, 204}, private: authzWant{401, 404, 404, 204, 204, 204, 204}},
	{name: "pin", method: "POST", path: "/api/v1/messages/{m}/pin",
		public: authzWant{401, 403, 403, 200, 200, 200, 200}, private: authzWant{401, 404, 404, 200, 200, 200, 200}},
	{name: "unpin", method: "DELETE", path: "/api/v1/messages/{m}/pin",
		public: authzWant{401, 403, 403, 204, 204, 204, 204}, private: authzWant{401, 404, 404, 204, 204, 204, 204}},
	{name: "follow a channel live", method: "WS", path: "channel:{ch}",
		public:  authzWant{wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed},
		private: authzWant{wsNotFound, wsNotFound, wsNotFound, wsSubscribed, wsSubscribed, wsSubscribed, wsSubscribed}},

	// Meetings, agenda, notes, action items.
	{name: "meetings", method: "GET", path: "/api/v1/collaboratives/{slug}/meetings",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "schedule a meeting", method: "POST", path: "/api/v1/collaboratives/{slug}/meetings",
		body:   `{"title":"Spring convening","starts_at":"2027-03-04T21:30:00Z","ends_at":"2027-03-04T23:00:00Z","time_zone":"America/Chicago"}`,
		public: authzWant{401, 403, 403, 403, 201, 201, 201}, private: authzWant{401, 404, 404, 403, 201, 201, 201}},
	{name: "a meeting", method: "GET", path: "/api/v1/meetings/{mtg}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "a meeting's .ics", method: "GET", path: "/api/v1/meetings/{mtg}.ics",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "change a meeting", method: "PATCH", path: "/api/v1/meetings/{mtg}", body: `{"title":"Spring convening, day one"}`,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "cancel a meeting", method: "DELETE", path: "/api/v1/meetings/{mtg}",
		public: authzWant{401, 403, 403, 403, 204, 204, 204}, private: authzWant{401, 404, 404, 403, 204, 204, 204}},
	{name: "propose an agenda item", method: "POST", path: "/api/v1/meetings/{mtg}/agenda", body: `{"title":"Pilot schools"}`,
		public: authzWant{401, 403, 403, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "write the notes", method: "PUT", path: "/api/v1/meetings/{mtg}/notes", body: `{"body":"We agreed on three schools.","revision":0}`,
		public: authzWant{401, 403, 403, 200, 200, 200, 200}, private: authzWant{401, 404, 404, 200, 200, 200, 200}},
	// An agenda item is retitled or removed by whoever proposed it (the writer) or a lead;
	// only leads order the agenda.
	{name: "retitle an agenda item", method: "PATCH", path: "/api/v1/agenda/{ag}", body: `{"title":"Pilot schools and dates"}`,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "order the agenda", method: "PATCH", path: "/api/v1/agenda/{ag}", body: `{"position":1}`,
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},
	{name: "remove an agenda item", method: "DELETE", path: "/api/v1/agenda/{ag}",
		public: authzWant{401, 403, 403, 403, 204, 204, 204}, private: authzWant{401, 404, 404, 403, 204, 204, 204}},
	{name: "action items", method: "GET", path: "/api/v1/collaboratives/{slug}/actions",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "add an action item", method: "POST", path: "/api/v1/collaboratives/{slug}/actions", body: `{"title":"Ask the principals","due":"2027-03-01"}`,
		public: authzWant{401, 403, 403, 201, 201, 201, 201}, private: authzWant{401, 404, 404, 201, 201, 201, 201}},
	{name: "close an action item", method: "PATCH", path: "/api/v1/actions/{act}", body: `{"status":"done"}`,
		public: authzWant{401, 403, 403, 200, 200, 200, 200}, private: authzWant{401, 404, 404, 200, 200, 200, 200}},
	{name: "since the last meeting", method: "GET", path: "/api/v1/collaboratives/{slug}/since-last-meeting",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	// One's own lists: whatever the role, only one's own.
	{name: "my action items", method: "GET", path: "/api/v1/me/actions",
		public: authzWant{401, 200, 200, 200, 200, 200, 200}, private: authzWant{401, 200, 200, 200, 200, 200, 200}},
	{name: "my calendar's address", method: "GET", path: "/api/v1/me/calendar",
		public: authzWant{401, 200, 200, 200, 200, 200, 200}, private: authzWant{401, 200, 200, 200, 200, 200, 200}},

	// Pages. A private collaborative's home shows outsiders its outside (name,
	// description, leads, the way to ask to join), as the directory does.
	{name: "home page", method: "GET", path: "/c/{slug}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{200, 200, 200, 200, 200, 200, 200}},
	{name: "channel page", method: "GET", path: "/c/{slug}/channels/{ch}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "thread page", method: "GET", path: "/c/{slug}/channels/{ch}/threads/{m}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "meetings page", method: "GET", path: "/c/{slug}/meetings",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "meeting page", method: "GET", path: "/c/{slug}/meetings/{mtg}",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "since-the-last-meeting page", method: "GET", path: "/c/{slug}/since-last-meeting",
		public: authzWant{200, 200, 200, 200, 200, 200, 200}, private: authzWant{404, 404, 404, 200, 200, 200, 200}},
	{name: "settings page", method: "GET", path: "/c/{slug}/settings",
		public: authzWant{303, 403, 403, 403, 200, 200, 200}, private: authzWant{303, 404, 404, 403, 200, 200, 200}},
	{name: "export download", method: "GET", path: "/c/{slug}/export",
		public: authzWant{401, 403, 403, 403, 200, 200, 200}, private: authzWant{401, 404, 404, 403, 200, 200, 200}},

	// The forms of the pages (method FORM: posted as a browser does, with the session's
	// CSRF token). 303: done, on to the next page; a refusal is the form's page showing
	// why, with the refusal's status, and for those who may not see inside the 404 a
	// missing collaborative gets. Signed out, the collaborative's own forms answer 401 and
	// the channels' and meetings' send to the sign-in page (303).
	{name: "join (form)", method: "FORM", path: "/c/{slug}/join", own: true, requesterOwn: true,
		public: authzWant{401, 303, 303, 409, 409, 303, 303}, private: authzWant{401, 303, 409, 409, 409, 303, 303}},
	{name: "leave (form)", method: "FORM", path: "/c/{slug}/leave", own: true,
		public: authzWant{401, 404, 404, 303, 409, 404, 404}, private: authzWant{401, 404, 404, 303, 409, 404, 404}},
	{name: "add a member (form)", method: "FORM", path: "/c/{slug}/members", body: "username=person{n}&role=member",
		public: authzWant{401, 403, 403, 403, 303, 303, 303}, private: authzWant{401, 404, 404, 403, 303, 303, 303}},
	{name: "promote (form)", method: "FORM", path: "/c/{slug}/members/{writer}/role", body: "role=lead", own: true,
		public: authzWant{401, 403, 403, 403, 303, 303, 303}, private: authzWant{401, 404, 404, 403, 303, 303, 303}},
	{name: "remove (form)", method: "FORM", path: "/c/{slug}/members/{writer}/remove", own: true,
		public: authzWant{401, 403, 403, 403, 303, 303, 303}, private: authzWant{401, 404, 404, 403, 303, 303, 303}},
	{name: "approve (form)", method: "FORM", path: "/c/{slug}/requests/{req}/approve",
		public: authzWant{401, 403, 403, 403, 404, 404, 404}, private: authzWant{401, 404, 404, 403, 303, 303, 303}},
	{name: "decline (form)", method: "FORM", path: "/c/{slug}/requests/{req}/decline",
		public: authzWant{401, 403, 403, 403, 404, 404, 404}, private: authzWant{401, 404, 404, 403, 303, 303, 303}},
	{name: "invite (form)", method: "FORM", path: "/c/{slug}/invites", body: "role=member",
		public: authzWant{401, 403, 403, 403, 201, 201, 201}, private: authzWant{401, 404, 404, 403, 201, 201, 201}},
	{name: "settings (form)", method: "FORM", path: "/c/{slug}/settings", body: "name=The+renamed+{vis}+group&visibility={vis}&description=x",
		public: authzWant{401, 403, 403, 403, 303, 303, 303}, private: authzWant{401, 404, 404, 403, 303, 303, 303}},
	{name: "post a message (form)", method: "FORM", path: "/c/{slug}/channels/{ch}/messages", body: "body=Hello+there",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "react (form)", method: "FORM", path: "/c/{slug}/channels/{ch}/messages/{m}/reactions", body: "emoji=%F0%9F%91%8D",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "pin (form)", method: "FORM", path: "/c/{slug}/channels/{ch}/messages/{m}/pin",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "delete a message (form)", method: "FORM", path: "/c/{slug}/channels/{ch}/messages/{m}/delete",
		public: authzWant{303, 403, 403, 403, 303, 303, 303}, private: authzWant{303, 404, 404, 403, 303, 303, 303}},
	{name: "schedule (form)", method: "FORM", path: "/c/{slug}/meetings",
		body:   "meeting_title=Spring&starts_at=2027-03-04T15:30&ends_at=2027-03-04T17:00&time_zone=America/Chicago",
		public: authzWant{303, 403, 403, 403, 303, 303, 303}, private: authzWant{303, 404, 404, 403, 303, 303, 303}},
	{name: "add an action item (form)", method: "FORM", path: "/c/{slug}/actions", body: "action_title=Ask+them",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "change a meeting (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/change",
		body:   "meeting_title=Spring+day+one&starts_at=2027-03-04T15:30&ends_at=2027-03-04T17:00&time_zone=America/Chicago",
		public: authzWant{303, 403, 403, 403, 303, 303, 303}, private: authzWant{303, 404, 404, 403, 303, 303, 303}},
	{name: "cancel a meeting (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/cancel",
		public: authzWant{303, 403, 403, 403, 303, 303, 303}, private: authzWant{303, 404, 404, 403, 303, 303, 303}},
	{name: "propose (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/agenda", body: "agenda_title=Pilots",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "order the agenda (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/agenda/{ag}/move", body: "position=1",
		public: authzWant{303, 403, 403, 403, 303, 303, 303}, private: authzWant{303, 404, 404, 403, 303, 303, 303}},
	{name: "remove an agenda item (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/agenda/{ag}/delete",
		public: authzWant{303, 403, 403, 403, 303, 303, 303}, private: authzWant{303, 404, 404, 403, 303, 303, 303}},
	{name: "write the notes (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/notes", body: "body=Notes&revision=0",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "add an action item on a meeting (form)", method: "FORM", path: "/c/{slug}/meetings/{mtg}/actions", body: "action_title=Ask+them",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
	{name: "close an action item (form)", method: "FORM", path: "/actions/{act}/status", body: "status=done",
		public: authzWant{303, 403, 403, 303, 303, 303, 303}, private: authzWant{303, 404, 404, 303, 303, 303, 303}},
}

// authzWorld is the site the matrix runs on: one account per role, a public and a
// private collaborative, and a writer (a member of both) who authors the cells' content.
type authzWorld struct {
	s       *testSite
	addr    string
	as      [authzRoles]*account // nil for anonymous
	writer  *account
	groups  map[forum.Visibility]*forum.Collaborative
	missing int64 // an id nothing has
	n       int   // numbers cells' names and collaboratives
}

func newAuthzWorld(t *testing.T) *authzWorld {
	s := newSite(t, withLive(realtime.Config{}))
	w := &authzWorld{s: s, addr: s.listen(), groups: map[forum.Visibility]*forum.Collaborative{}}
	ctx := context.Background()
	w.as[roleAdmin] = s.signup("admin") // the first account is the site's admin
	w.as[roleModerator] = s.signup("moderator")
	if _, err := s.accounts.SetRole(ctx, "moderator", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	w.as[roleNonMember], w.as[rolePending] = s.signup("outsider"), s.signup("requester")
	w.as[roleMember], w.as[roleLead] = s.signup("member"), s.signup("lead")
	w.writer = s.signup("writer")
	for _, a := range append(w.as[:], w.writer) {
		if a != nil {
			s.giveReputation(a, 200) // enough to vote and comment; not to edit or close
		}
	}
	for _, v := range []forum.Visibility{forum.VisibilityPublic, forum.VisibilityPrivate} {
		w.groups[v] = w.group(t, "group-"+string(v), v)
	}
	w.missing = 1 << 40
	return w
}

// group makes a collaborative led by the lead, with the member and the writer in it, and
// (a private one) the requester's pending request to join.
func (w *authzWorld) group(t *testing.T, slug string, v forum.Visibility) *forum.Collaborative {
	t.Helper()
	ctx, s := context.Background(), w.s
	g, err := s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: slug, Name: "The " + string(v) + " group",
		Visibility: v, CreatedBy: w.as[roleLead].ID, Now: s.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*account{w.as[roleMember], w.writer} {
		if err := s.db.AddCollaborativeMember(ctx, g.ID, m.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if v == forum.VisibilityPrivate {
		mustStatus(t, s.apiAs(w.as[rolePending], "POST", "/api/v1/collaboratives/"+slug+"/join", nil), 202, "ask to join")
	}
	return g
}

// authzFixture is one cell's fresh content in a collaborative.
type authzFixture map[string]string

// authzIDs are the placeholders that stand for the ids of things inside a collaborative.
var authzIDs = []string{"{q}", "{a}", "{c}", "{ch}", "{m}", "{mtg}", "{ag}", "{act}"}

// fixture makes what the row's templates name, fresh, in g.
func (w *authzWorld) fixture(t *testing.T, g *forum.Collaborative, row authzRow) authzFixture {
	t.Helper()
	ctx, now, s := context.Background(), w.s.clock.Now(), w.s
	w.n++
	f := authzFixture{"{vis}": string(g.Visibility), "{slug}": g.Slug, "{writer}": idStr(w.writer.ID), "{n}": strconv.Itoa(w.n)}
	tmpl := row.path + " " + row.body
	uses := func(keys ...string) bool {
		for _, k := range keys {
			if strings.Contains(tmpl, k) {
				return true
			}
		}
		return false
	}
	created := func(a *account, path string, body any, what string) string {
		t.Helper()
		r := s.apiAs(a, "POST", path, body)
		mustStatus(t, r, 201, what)
		return idStr(int64(r.json(t)["id"].(float64)))
	}
	if uses("{q}", "{a}", "{c}") {
		q, err := s.db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: w.writer.ID, Title: "A question of the " + string(g.Visibility) + " group about pilots",
			Body: "How do we run the pilot?", BodyHTML: "<p>How do we run the pilot?</p>", Tags: []string{"pilots-" + string(g.Visibility)}, CollaborativeID: g.ID, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: w.writer.ID, Body: "Start small and measure.",
			BodyHTML: "<p>Start small and measure.</p>", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.db.CreateComment(ctx, forum.NewComment{PostID: a.ID, AuthorID: w.writer.ID, Body: "How small is small?",
			BodyHTML: "How small is small?", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		f["{q}"], f["{a}"], f["{c}"] = idStr(q.ID), idStr(a.ID), idStr(c.ID)
	}
	if uses("{ch}", "{m}") {
		f["{ch}"] = created(w.as[roleLead], "/api/v1/collaboratives/"+g.Slug+"/channels", map[string]any{"name": "cell-" + f["{n}"]}, "add a channel")
		f["{m}"] = created(w.writer, "/api/v1/channels/"+f["{ch}"]+"/messages", map[string]any{"body": "The pilot starts soon."}, "post")
	}
	if uses("{mtg}", "{ag}") {
		f["{mtg}"] = created(w.as[roleLead], "/api/v1/collaboratives/"+g.Slug+"/meetings", meetingBody("Spring convening"), "schedule")
		f["{ag}"] = created(w.writer, "/api/v1/meetings/"+f["{mtg}"]+"/agenda", map[string]any{"title": "Pilot schools"}, "propose")
	}
	if uses("{act}") {
		f["{act}"] = created(w.writer, "/api/v1/collaboratives/"+g.Slug+"/actions", map[string]any{"title": "Ask the principals"}, "action")
	}
	if uses("{req}", "{newbie}", "person{n}") {
		p := s.signup("person" + f["{n}"])
		f["{req}"], f["{newbie}"] = idStr(p.ID), idStr(p.ID)
		if uses("{req}") {
			want := 200 // a public collaborative takes them at once
			if g.Private() {
				want = 202
			}
			mustStatus(t, s.apiAs(p, "POST", "/api/v1/collaboratives/"+g.Slug+"/join", nil), want, "join")
		}
	}
	return f
}

// insideMarkers are words only the inside of a private collaborative holds: a plain
// member's name (the leads are listed outside), counts, channels, the cell's content.
func (w *authzWorld) insideMarkers(f authzFixture, row authzRow) []string {
	m := []string{"member_count", "members_total", "members</span>", "#general", "cell-" + f["{n}"], "pilots-private",
		"The pilot starts", "Spring convening", "Pilot schools", "Ask the principals", "A question of the private group", "/questions/" + f["{q}"] + "/"}
	if !strings.Contains(row.path, "/users/{writer}") { // the writer's own pages name them
		m = append(m, `"writer"`, "/users/"+idStr(w.writer.ID)+"/")
	}
	return m
}

// fill replaces the placeholders of a template.
func (f authzFixture) fill(s string) string {
	for k, v := range f {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// missingIDs is the fixture with every id of a thing inside replaced by a missing one,
// and the collaborative by a missing one where the row names it.
func (f authzFixture) missingIDs(missing int64, row authzRow) authzFixture {
	out := authzFixture{}
	for k, v := range f {
		out[k] = v
	}
	for _, k := range authzIDs {
		if _, ok := f[k]; ok {
			out[k] = idStr(missing)
		}
	}
	if strings.Contains(row.path+row.body, "{slug}") {
		out["{slug}"] = "no-such-group"
	}
	return out
}

// call runs one cell: the status (or websocket outcome) and the body.
func (w *authzWorld) call(t *testing.T, role authzRole, row authzRow, f authzFixture) (int, string) {
	t.Helper()
	if row.method == "WS" {
		topic := f.fill(row.path)
		var h http.Header
		if a := w.as[role]; a != nil {
			h = bearerHeader(a)
		}
		c := mustDial(t, w.addr, h)
		defer c.Conn.Close()
		c.Send(map[string]any{"type": "subscribe", "topic": topic})
		fr := c.Next()
		if fr.Topic != topic {
			t.Fatalf("answer for topic %q, want %q: %+v", fr.Topic, topic, fr)
		}
		switch {
		case fr.Type == "subscribed":
			return wsSubscribed, ""
		case fr.Type == "error" && fr.Code == "not_found":
			return wsNotFound, strings.ReplaceAll(fr.Message, topic, "TOPIC")
		}
		t.Fatalf("subscribe %s: %+v", topic, fr)
	}
	if row.method == "FORM" {
		return w.form(t, role, f.fill(row.path), f.fill(row.body))
	}
	r := req{method: row.method, path: f.fill(row.path), body: f.fill(row.body)}
	if a := w.as[role]; a != nil {
		if strings.HasPrefix(row.path, "/api/") {
			r.headers = a.bearer()
		} else {
			r.cookie = a.Cookie
		}
	}
	res := w.s.do(r)
	return res.StatusCode, string(res.body)
}

// form posts a form as a browser does (with the session and its CSRF token): a success
// is the 303 to where the person goes next; a refusal sent back to the form's page
// (post/redirect/get) is that page, which carries the refusal's status.
func (w *authzWorld) form(t *testing.T, role authzRole, path, body string) (int, string) {
	t.Helper()
	vals, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	r := req{method: "POST", path: path, contentType: "application/x-www-form-urlencoded"}
	a := w.as[role]
	if a != nil {
		r.cookie = a.Cookie
		vals.Set("_csrf", a.CSRF)
	}
	r.body = vals.Encode()
	res := w.s.do(r)
	to := res.Header.Get("Location")
	if res.StatusCode == 303 && strings.Contains(to, "?form=") {
		get := req{method: "GET", path: to}
		if a != nil {
			get.cookie = a.Cookie
		}
		page := w.s.do(get)
		return page.StatusCode, string(page.body)
	}
	return res.StatusCode, string(res.body)
}

// sameAsMissing normalizes a body for comparison with a missing id's: the ids and the
// per-request tokens differ, nothing else may.
var perRequest = regexp.MustCompile(`(name="_csrf" value|name="csrf-token" content|data-csrf)="[^"]*"|nonce="[^"]*"`)

func normalize(body string, f authzFixture) string {
	for _, k := range authzIDs {
		if id, ok := f[k]; ok {
			// Whole numbers only (an asset's hash may hold the same digits), and not a
			// setting's value (initial-scale=1).
			body = regexp.MustCompile(`(^|[^0-9a-zA-Z=])`+id+`([^0-9a-zA-Z]|$)`).ReplaceAllString(body, "${1}ID${2}")
		}
	}
	body = strings.ReplaceAll(body, f["{slug}"], "SLUG")
	return perRequest.ReplaceAllString(body, "")
}

// TestAuthorizationMatrixPendingIsOutsider holds the table to its word: a pending
// requester is answered exactly as a non-member, everywhere.
func TestAuthorizationMatrixPendingIsOutsider(t *testing.T) {
	for _, row := range append(scopedQuestionRows, collaborativeRows...) {
		if !row.requesterOwn && (row.public[rolePending] != row.public[roleNonMember] || row.private[rolePending] != row.private[roleNonMember]) {
			t.Errorf("%s: the pending requester's column differs from the non-member's", row.name)
		}
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	w := newAuthzWorld(t)
	for _, row := range append(scopedQuestionRows, collaborativeRows...) {
		for _, vis := range []forum.Visibility{forum.VisibilityPublic, forum.VisibilityPrivate} {
			want := row.public
			if vis == forum.VisibilityPrivate {
				want = row.private
			}
			for role := range authzRoles {
				t.Run(fmt.Sprintf("%s/%s/%s", row.name, vis, authzRoleNames[role]), func(t *testing.T) {
					g := w.groups[vis]
					if row.own {
						g = w.group(t, fmt.Sprintf("own-%s-%d", vis, w.n), vis)
					}
					f := w.fixture(t, g, row)
					got, body := w.call(t, role, row, f)
					if got != want[role] {
						t.Fatalf("%s %s as %s in a %s collaborative: %d, want %d: %.300s", row.method, f.fill(row.path),
							authzRoleNames[role], vis, got, want[role], body)
					}
					outsider := role == roleAnonymous || role == roleNonMember || role == rolePending
					if vis != forum.VisibilityPrivate || !outsider {
						return
					}
					if got < 300 {
						// What outsiders may see of a private collaborative (its outside, the
						// directory, their own lists) names nothing inside it.
						for _, inside := range w.insideMarkers(f, row) {
							if strings.Contains(body, inside) {
								t.Fatalf("%s tells an outsider %q of a private collaborative:\n%.1500s", row.name, inside, body)
							}
						}
					}
					if got < 400 && got != wsNotFound || row.requesterOwn && role == rolePending {
						return
					}
					// A refusal inside a private collaborative is exactly what a missing id gets.
					mf := f.missingIDs(w.missing, row)
					mgot, mbody := w.call(t, role, row, mf)
					if mgot != got {
						t.Fatalf("a missing id gets %d, this %d", mgot, got)
					}
					// Both fixtures' ids are taken out of both bodies: an id of one may equal
					// another number on the page (the reader's own id in the header).
					if a, b := normalize(normalize(body, f), mf), normalize(normalize(mbody, mf), f); a != b {
						t.Fatalf("the refusal differs from a missing id's:\n%.600s\n---\n%.600s", a, b)
					}
				})
			}
		}
	}
}
