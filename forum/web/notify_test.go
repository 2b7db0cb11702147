package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"staffroom/forum"
	"staffroom/realtime"
)

// Notifications over HTTP: the inbox API and page, marking read, follows, settings,
// one-click unsubscribe, feeds and the live bell.

func (s *testSite) inbox(a *account, query string) map[string]any {
	s.t.Helper()
	r := s.do(req{method: "GET", path: "/api/v1/notifications" + query, headers: a.bearer()})
	if r.StatusCode != 200 {
		s.t.Fatalf("inbox: %d %s", r.StatusCode, r.body)
	}
	return r.json(s.t)
}

func TestInboxAPI(t *testing.T) {
	s := newSite(t)
	asker, ben, cat := s.signup("asker"), s.signup("ben"), s.signup("cat")
	qid := s.ask(asker, "How do you run exit tickets with 30 students?", "assessment")
	s.answer(ben, qid)
	s.answer(cat, qid)
	s.drain()

	in := s.inbox(asker, "")
	items := in["items"].([]any)
	if in["unread"].(float64) != 1 || len(items) != 1 {
		t.Fatalf("inbox = %v", in)
	}
	n := items[0].(map[string]any)
	if n["kind"] != "answer" || n["count"].(float64) != 2 || n["text"] != "2 new answers to your question" || n["read"] != false ||
		n["title"] != "How do you run exit tickets with 30 students?" || !strings.HasPrefix(n["url"].(string), fmt.Sprintf("/questions/%d#answer-", qid)) {
		t.Errorf("notice = %v", n)
	}
	if got := s.inbox(ben, ""); len(got["items"].([]any)) != 1 || got["items"].([]any)[0].(map[string]any)["kind"] != "followed_answer" {
		t.Errorf("ben, who answered first and so follows the question: %v", got)
	}

	r := s.do(req{method: "GET", path: "/api/v1/notifications"})
	if r.StatusCode != 401 {
		t.Errorf("anonymous inbox: %d", r.StatusCode)
	}
	r = s.do(req{method: "GET", path: "/api/v1/notifications?unread=maybe", headers: asker.bearer()})
	if code, field := r.errorCode(t); r.StatusCode != 400 || code != "invalid_unread" || field != "unread" {
		t.Errorf("bad unread: %d %s", r.StatusCode, r.body)
	}

	// Someone else's id: 404, and nothing is marked.
	id := int64(n["id"].(float64))
	r = s.do(req{method: "POST", path: "/api/v1/notifications/read", headers: cat.bearer(), body: jsonBody(map[string]any{"ids": []int64{id}})})
	if code, _ := r.errorCode(t); r.StatusCode != 404 || code != "notification_not_found" {
		t.Errorf("marking someone else's: %d %s", r.StatusCode, r.body)
	}
	if s.inbox(asker, "")["unread"].(float64) != 1 {
		t.Error("someone else's mark changed the owner's notice")
	}
	r = s.do(req{method: "POST", path: "/api/v1/notifications/read", headers: asker.bearer(), body: `{}`})
	if code, _ := r.errorCode(t); r.StatusCode != 400 || code != "nothing_to_mark" {
		t.Errorf("empty mark: %d %s", r.StatusCode, r.body)
	}
	r = s.do(req{method: "POST", path: "/api/v1/notifications/read", headers: asker.bearer(), body: jsonBody(map[string]any{"ids": []int64{id}})})
	if r.StatusCode != 204 {
		t.Fatalf("mark read: %d %s", r.StatusCode, r.body)
	}
	if in := s.inbox(asker, "?unread=1"); in["unread"].(float64) != 0 || len(in["items"].([]any)) != 0 {
		t.Errorf("after marking: %v", in)
	}
	if in := s.inbox(asker, ""); len(in["items"].([]any)) != 1 || in["items"].([]any)[0].(map[string]any)["read"] != true {
		t.Errorf("the read notice is still listed: %v", in)
	}
	r = s.do(req{method: "POST", path: "/api/v1/notifications/read", headers: ben.bearer(), body: `{"all":true}`})
	if r.StatusCode != 204 || s.inbox(ben, "")["unread"].(float64) != 0 {
		t.Errorf("mark all: %d", r.StatusCode)
	}
}

func TestFollowsAPI(t *testing.T) {
	s := newSite(t)
	asker, fan := s.signup("asker"), s.signup("fan")
	qid := s.ask(asker, "Which rubric works for lab reports?", "science")
	s.drain() // its fan-out is done before anyone follows the tag
	follow := func(a *account, method, kind, target string) *response {
		return s.do(req{method: method, path: "/api/v1/follows", headers: a.bearer(), body: jsonBody(map[string]string{"kind": kind, "target": target})})
	}
	if r := follow(fan, "POST", "tag", "science"); r.StatusCode != 201 {
		t.Fatalf("follow tag: %d %s", r.StatusCode, r.body)
	}
	if r := follow(fan, "POST", "tag", "science"); r.StatusCode != 200 {
		t.Errorf("follow again: %d", r.StatusCode)
	}
	if r := follow(fan, "POST", "question", fmt.Sprint(qid)); r.StatusCode != 201 {
		t.Errorf("follow question: %d %s", r.StatusCode, r.body)
	}
	for _, c := range []struct {
		kind, target string
		status       int
		code         string
	}{
		{"dial", "x", 400, "invalid_kind"},
		{"question", "abc", 400, "invalid_target"},
		{"question", "99999", 404, "follow_target_not_found"},
		{"tag", "no-such-tag", 404, "follow_target_not_found"},
		{"collaborative", "nowhere", 404, "follow_target_not_found"},
		{"channel", "1", 404, "follow_target_not_found"},
	} {
		r := follow(fan, "POST", c.kind, c.target)
		if code, _ := r.errorCode(t); r.StatusCode != c.status || code != c.code {
			t.Errorf("follow %s %s: %d %s", c.kind, c.target, r.StatusCode, r.body)
		}
	}
	r := s.do(req{method: "GET", path: "/api/v1/follows", headers: fan.bearer()})
	items := r.json(t)["items"].([]any)
	if r.StatusCode != 200 || len(items) != 2 {
		t.Fatalf("follows: %d %s", r.StatusCode, r.body)
	}
	// The tag's new questions reach its follower.
	s.ask(asker, "Lab safety contracts for grade 6?", "science")
	s.drain()
	if got := s.inbox(fan, ""); len(got["items"].([]any)) != 1 || got["items"].([]any)[0].(map[string]any)["kind"] != "tag_question" {
		t.Errorf("fan's inbox: %v", got)
	}
	if r := follow(fan, "DELETE", "tag", "science"); r.StatusCode != 204 {
		t.Errorf("unfollow: %d %s", r.StatusCode, r.body)
	}
	if r := follow(fan, "DELETE", "tag", "science"); r.StatusCode != 404 {
		t.Errorf("unfollow again: %d", r.StatusCode)
	}
	page := s.do(req{method: "GET", path: "/following", cookie: fan.Cookie})
	if page.StatusCode != 200 || !strings.Contains(string(page.body), "Which rubric works for lab reports?") {
		t.Errorf("following page: %d", page.StatusCode)
	}
}

func TestNotificationSettingsAPI(t *testing.T) {
	s := newSite(t)
	u := s.signup("teacher")
	r := s.do(req{method: "GET", path: "/api/v1/me/notification-settings", headers: u.bearer()})
	kinds := r.json(t)["kinds"].(map[string]any)
	if r.StatusCode != 200 || kinds["answer"] != "immediate" || kinds["followed_answer"] != "daily" || len(kinds) != len(forum.NotificationKinds) {
		t.Fatalf("defaults: %d %s", r.StatusCode, r.body)
	}
	r = s.do(req{method: "PUT", path: "/api/v1/me/notification-settings", headers: u.bearer(), body: `{"kinds":{"answer":"weekly","mention":"never"}}`})
	kinds = r.json(t)["kinds"].(map[string]any)
	if r.StatusCode != 200 || kinds["answer"] != "weekly" || kinds["mention"] != "never" || kinds["comment"] != "immediate" {
		t.Errorf("after PUT: %d %s", r.StatusCode, r.body)
	}
	for body, want := range map[string][2]string{
		`{"kinds":{"answer":"hourly"}}`: {"invalid_mail_mode", "kinds.answer"},
		`{"kinds":{"gossip":"daily"}}`:  {"invalid_kind", "kinds.gossip"},
		`{"kinds":{}}`:                  {"nothing_to_set", "kinds"},
		`{"kinds":"all"}`:               {"bad_json", "kinds"},
	} {
		r := s.do(req{method: "PUT", path: "/api/v1/me/notification-settings", headers: u.bearer(), body: body})
		if code, field := r.errorCode(t); r.StatusCode != 400 || code != want[0] || field != want[1] {
			t.Errorf("%s: %d %s", body, r.StatusCode, r.body)
		}
	}
	page := s.do(req{method: "GET", path: "/settings/notifications", cookie: u.Cookie})
	if page.StatusCode != 200 || !strings.Contains(string(page.body), `<option value="weekly" selected>`) {
		t.Errorf("settings page: %d", page.StatusCode)
	}
}

func TestOneClickUnsubscribe(t *testing.T) {
	s := newSite(t, withMailLinks())
	u := s.signup("teacher")
	mode := func() string {
		r := s.do(req{method: "GET", path: "/api/v1/me/notification-settings", headers: u.bearer()})
		return r.json(t)["kinds"].(map[string]any)["answer"].(string)
	}
	token := s.unsub.Token(u.ID, "answer")
	oneClick := func(tok string) *response {
		return s.do(req{method: "POST", path: "/unsubscribe/" + tok, contentType: "application/x-www-form-urlencoded", body: "List-Unsubscribe=One-Click"})
	}

	// GET shows a confirmation and changes nothing (mail scanners follow links).
	page := s.do(req{method: "GET", path: "/unsubscribe/" + token})
	if page.StatusCode != 200 || !strings.Contains(string(page.body), "answers to my questions") || mode() != "immediate" {
		t.Fatalf("GET: %d, mode %s", page.StatusCode, mode())
	}
	// Tampered: 400, nothing changed.
	tampered := strings.Replace(token, fmt.Sprintf("%d.", u.ID), fmt.Sprintf("%d.", u.ID+1), 1)
	for _, bad := range []string{tampered, token[:len(token)-2] + "xx", "nonsense"} {
		if r := oneClick(bad); r.StatusCode != 400 {
			t.Errorf("tampered %q: %d", bad, r.StatusCode)
		}
	}
	if r := s.do(req{method: "POST", path: "/unsubscribe/" + token, contentType: "application/x-www-form-urlencoded", body: "List-Unsubscribe=Maybe"}); r.StatusCode != 400 {
		t.Errorf("wrong body: %d", r.StatusCode)
	}
	if mode() != "immediate" {
		t.Fatal("a refused unsubscribe changed the setting")
	}
	// The mail program's POST (RFC 8058): no session, no CSRF token.
	if r := oneClick(token); r.StatusCode != 200 {
		t.Fatalf("one-click: %d %s", r.StatusCode, r.body)
	}
	if mode() != "never" {
		t.Errorf("after one-click: %s", mode())
	}
	// Expired.
	old := s.unsub.Token(u.ID, "mention")
	s.clock.Add(forum.UnsubscribeTTL + time.Hour)
	if r := oneClick(old); r.StatusCode != 400 {
		t.Errorf("expired: %d", r.StatusCode)
	}
}

func TestInboxPageAndBell(t *testing.T) {
	s := newSite(t)
	asker, ben := s.signup("asker"), s.signup("ben")
	qid := s.ask(asker, "Seating charts that rotate weekly?", "classroom")
	s.answer(ben, qid)
	s.drain()
	s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d", qid), cookie: asker.Cookie}) // cached with this header
	home := s.do(req{method: "GET", path: "/", cookie: asker.Cookie})
	body := string(home.body)
	if !strings.Contains(body, `class="bell"`) || !strings.Contains(body, `data-bell-count>1<`) {
		t.Errorf("the header has no bell with 1 unread")
	}
	page := s.do(req{method: "GET", path: "/notifications", cookie: asker.Cookie})
	body = string(page.body)
	if page.StatusCode != 200 || !strings.Contains(body, "Today") || !strings.Contains(body, "Teacher ben answered your question") ||
		!strings.Contains(body, "Seating charts that rotate weekly?") {
		t.Fatalf("inbox page: %d\n%s", page.StatusCode, body)
	}
	in := s.inbox(asker, "")
	id := int64(in["items"].([]any)[0].(map[string]any)["id"].(float64))
	open := s.do(req{method: "GET", path: fmt.Sprintf("/notifications/%d/open", id), cookie: asker.Cookie})
	if open.StatusCode != 303 || !strings.HasPrefix(open.Header.Get("Location"), fmt.Sprintf("/questions/%d#answer-", qid)) {
		t.Errorf("open: %d %s", open.StatusCode, open.Header.Get("Location"))
	}
	if s.inbox(asker, "")["unread"].(float64) != 0 {
		t.Error("opening did not mark it read")
	}
	// The pages drawn from caches keep the header's count current too.
	for _, path := range []string{"/", fmt.Sprintf("/questions/%d", qid)} {
		if body := string(s.do(req{method: "GET", path: path, cookie: asker.Cookie}).body); !strings.Contains(body, `data-bell-count hidden>0<`) {
			t.Errorf("%s after reading still shows an unread count", path)
		}
	}
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/notifications/%d/open", id), cookie: ben.Cookie}); r.StatusCode != 404 {
		t.Errorf("someone else's notice: %d", r.StatusCode)
	}
	if r := s.do(req{method: "GET", path: "/notifications"}); r.StatusCode != 303 {
		t.Errorf("anonymous inbox page: %d", r.StatusCode)
	}
}

func TestFeeds(t *testing.T) {
	s := newSite(t)
	a := s.signup("asker")
	s.ask(a, "Phonics programs for struggling readers?", "literacy")
	s.ask(a, "Number talks in kindergarten?", "math")
	ctx := context.Background()
	lead := must(s.db.UserByLogin(ctx, "asker"))
	for _, c := range []struct{ slug, vis string }{{"open-group", "public"}, {"closed-group", "private"}} {
		if _, err := s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: c.slug, Name: "Group " + c.slug,
			Visibility: forum.Visibility(c.vis), CreatedBy: lead.ID, Now: s.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	parse := func(path string) *gofeed.Feed {
		t.Helper()
		r := s.do(req{method: "GET", path: path})
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("%s: %d %s", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
		f, err := gofeed.NewParser().ParseString(string(r.body))
		if err != nil {
			t.Fatalf("%s is not a feed: %v\n%s", path, err, r.body)
		}
		if f.FeedType != "atom" || f.FeedVersion != "1.0" {
			t.Errorf("%s: %s %s", path, f.FeedType, f.FeedVersion)
		}
		return f
	}
	all := parse("/feeds/questions.atom")
	if len(all.Items) != 2 || all.Items[0].Title != "Number talks in kindergarten?" || !strings.HasPrefix(all.Items[0].Link, "http://staffroom.test/questions/") ||
		all.Items[0].Author == nil || all.Items[0].Author.Name != "Teacher asker" || !strings.Contains(all.Items[0].Content, "four-point") {
		t.Errorf("questions feed: %+v", all.Items)
	}
	tag := parse("/feeds/tags/literacy.atom")
	if len(tag.Items) != 1 || tag.Items[0].Title != "Phonics programs for struggling readers?" {
		t.Errorf("tag feed: %+v", tag.Items)
	}
	if c := parse("/feeds/c/open-group.atom"); len(c.Items) != 0 {
		t.Errorf("public collaborative feed: %+v", c.Items)
	}
	for _, p := range []string{"/feeds/tags/nope.atom", "/feeds/c/closed-group.atom", "/feeds/c/nowhere.atom", "/feeds/tags/literacy"} {
		if r := s.do(req{method: "GET", path: p}); r.StatusCode != 404 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

// must returns v, panicking on err (for setup steps whose failure the next check shows).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestLiveBell: an answer to my question raises my unread count over user:{id}, which
// nobody else may subscribe to.
func TestLiveBell(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}), withNotifier())
	addr := s.listen()
	asker, ben := s.signup("asker"), s.signup("ben")
	qid := s.ask(asker, "Morning routines that stick?", "classroom")
	topic := fmt.Sprintf("user:%d", asker.ID)

	snoop := mustDial(t, addr, bearerHeader(ben))
	snoop.Send(map[string]any{"type": "subscribe", "topic": topic})
	if f := snoop.Expect("error"); f.Code != "forbidden" {
		t.Errorf("another person's topic: %+v", f)
	}

	mine := mustDial(t, addr, bearerHeader(asker))
	mine.Subscribe(topic)
	s.answer(ben, qid)
	f := mine.Expect("event", "notification.created")
	d := f.Object(t)
	if f.Topic != topic || d["unread"].(float64) != 1 || d["kind"] != "answer" || d["text"] != "Teacher ben answered your question" {
		t.Fatalf("notification.created: %+v %s", f, f.Data)
	}
	s.answer(s.signup("cat"), qid)
	if d := mine.Expect("event", "notification.created").Object(t); d["unread"].(float64) != 1 || d["count"].(float64) != 2 {
		t.Errorf("collapsed: %v", d)
	}
}

// outboxMail returns the queued messages of kind.
func (s *testSite) outboxMail(kind string) []*forum.OutboxMail {
	s.t.Helper()
	due, err := s.db.DueMail(context.Background(), s.clock.Now().Add(time.Hour), 100)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []*forum.OutboxMail
	for _, m := range due {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// With mail on, sign-up mails a confirmation link, and "Forgot password?" mails a reset
// link (202 whether or not the address has an account).
func TestMailAtSignupAndReset(t *testing.T) {
	s := newSite(t, withAccountMail())
	u := s.signup("newteacher")
	sent := s.outboxMail(forum.MailKindVerifyEmail)
	if len(sent) != 1 || sent[0].To != "newteacher@district.org" || sent[0].Data.Token == "" {
		t.Fatalf("verification mail: %+v", sent)
	}
	settings := func() map[string]any {
		return s.do(req{method: "GET", path: "/api/v1/me/notification-settings", headers: u.bearer()}).json(t)
	}
	if st := settings(); st["mail"] != true || st["email_verified"] != false {
		t.Errorf("before confirming: %v", st)
	}
	page := s.do(req{method: "GET", path: "/verify-email/" + sent[0].Data.Token})
	if page.StatusCode != 200 || !strings.Contains(string(page.body), "newteacher@district.org is confirmed") {
		t.Fatalf("confirm: %d", page.StatusCode)
	}
	if st := settings(); st["email_verified"] != true {
		t.Errorf("after confirming: %v", st)
	}
	if again := s.do(req{method: "GET", path: "/verify-email/" + sent[0].Data.Token}); again.StatusCode != 410 {
		t.Errorf("the link again: %d", again.StatusCode)
	}
	if bad := s.do(req{method: "GET", path: "/verify-email/nonsense"}); bad.StatusCode != 404 {
		t.Errorf("a made-up link: %d", bad.StatusCode)
	}

	for _, email := range []string{"newteacher@district.org", "nobody@district.org", "not an address"} {
		r := s.do(req{method: "POST", path: "/api/v1/auth/password-reset", body: jsonBody(map[string]string{"email": email})})
		if r.StatusCode != 202 {
			t.Errorf("reset for %q: %d %s", email, r.StatusCode, r.body)
		}
	}
	resets := s.outboxMail(forum.MailKindPasswordReset)
	if len(resets) != 1 || resets[0].To != "newteacher@district.org" {
		t.Fatalf("reset mail: %+v", resets)
	}
	r := s.do(req{method: "POST", path: "/api/v1/auth/password-reset/confirm", body: jsonBody(map[string]string{"token": resets[0].Data.Token, "password": "a brand new passphrase"})})
	if r.StatusCode != 204 {
		t.Fatalf("confirm reset: %d %s", r.StatusCode, r.body)
	}
	if r := s.do(req{method: "GET", path: "/api/v1/me", headers: u.bearer()}); r.StatusCode != 401 {
		t.Errorf("the old token still works after the reset: %d", r.StatusCode)
	}
	s.clock.Add(forum.MailedResetTTL + time.Minute)
	s.do(req{method: "POST", path: "/api/v1/auth/password-reset", body: jsonBody(map[string]string{"email": "newteacher@district.org"})})
	late := s.outboxMail(forum.MailKindPasswordReset)
	s.clock.Add(forum.MailedResetTTL + time.Second)
	for _, m := range late {
		if m.Data.Token == "" {
			continue
		}
		r := s.do(req{method: "POST", path: "/api/v1/auth/password-reset/confirm", body: jsonBody(map[string]string{"token": m.Data.Token, "password": "another new passphrase"})})
		if r.StatusCode != 410 {
			t.Errorf("a mailed link after an hour: %d %s", r.StatusCode, r.body)
		}
	}
}
