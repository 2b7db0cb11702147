package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/realtime"
)

// channelSite is a site with a public and a private collaborative, each with #general: a
// lead, a member of both, and an outsider.
type channelSite struct {
	*testSite
	admin, lead, member, outsider *account
	pub, priv                     int64 // the #general channels
}

func newChannelSite(t *testing.T, opts ...siteOption) *channelSite {
	t.Helper()
	s := &channelSite{testSite: newSite(t, opts...)}
	s.admin = s.signup("admin")
	s.lead, s.member, s.outsider = s.signup("lead"), s.signup("member"), s.signup("outsider")
	s.pub = s.collaborative("ct-framework", forum.VisibilityPublic)
	s.priv = s.collaborative("ell-resources", forum.VisibilityPrivate)
	return s
}

// collaborative makes a collaborative led by lead with member in it, and returns its
// #general channel's id.
func (s *channelSite) collaborative(slug string, v forum.Visibility) int64 {
	s.t.Helper()
	ctx := context.Background()
	g, err := s.db.CreateCollaborative(ctx, forum.NewCollaborative{Slug: slug, Name: "Group " + slug, Visibility: v, CreatedBy: s.lead.ID, Now: s.clock.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.db.AddCollaborativeMember(ctx, g.ID, s.member.ID, forum.MemberRoleMember, s.clock.Now()); err != nil {
		s.t.Fatal(err)
	}
	chs, err := s.db.Channels(ctx, g.ID, nil)
	if err != nil || len(chs) != 1 || chs[0].Name != "general" {
		s.t.Fatalf("channels of %s: %v %v", slug, chs, err)
	}
	return chs[0].ID
}

// post writes a message through the API and returns its id.
func (s *channelSite) post(a *account, channel int64, body string, parent int64) int64 {
	s.t.Helper()
	in := map[string]any{"body": body}
	if parent != 0 {
		in["parent_id"] = parent
	}
	r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/channels/%d/messages", channel), headers: a.bearer(), body: jsonBody(in)})
	if r.StatusCode != 201 {
		s.t.Fatalf("post: %d %s", r.StatusCode, r.body)
	}
	return int64(r.json(s.t)["id"].(float64))
}

func (s *channelSite) want(r *response, status int, code string) {
	s.t.Helper()
	if r.StatusCode != status {
		s.t.Fatalf("%s %s: %d %s, want %d", r.Request.Method, r.Request.URL, r.StatusCode, r.body, status)
	}
	if code != "" {
		if got, _ := r.errorCode(s.t); got != code {
			s.t.Fatalf("code %q, want %q (%s)", got, code, r.body)
		}
	}
}

func TestChannelsAPI(t *testing.T) {
	s := newChannelSite(t)
	lead, member, outsider := s.lead, s.member, s.outsider

	t.Run("leads add channels; names are Slack's", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/collaboratives/ct-framework/channels", headers: lead.bearer(), body: `{"name":"#Grading Policy","topic":"Rubrics"}`})
		s.want(r, 201, "")
		if j := r.json(t); j["name"] != "grading-policy" || j["topic"] != "Rubrics" || j["collaborative"] != "ct-framework" || j["archived"] != false {
			t.Fatalf("created %s", r.body)
		}
		s.want(s.do(req{method: "POST", path: "/api/v1/collaboratives/ct-framework/channels", headers: lead.bearer(), body: `{"name":"grading-policy"}`}), 409, "channel_name_taken")
		s.want(s.do(req{method: "POST", path: "/api/v1/collaboratives/ct-framework/channels", headers: lead.bearer(), body: `{"name":"no/slashes"}`}), 400, "invalid_channel_name")
		s.want(s.do(req{method: "POST", path: "/api/v1/collaboratives/ct-framework/channels", headers: member.bearer(), body: `{"name":"mine"}`}), 403, "not_a_lead")
		s.want(s.do(req{method: "POST", path: "/api/v1/collaboratives/ct-framework/channels", body: `{"name":"mine"}`}), 401, "")
		r = s.do(req{method: "GET", path: "/api/v1/collaboratives/ct-framework/channels"})
		s.want(r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 2 || items[0].(map[string]any)["name"] != "general" {
			t.Fatalf("list %s", r.body)
		}
	})

	t.Run("messages, history pages and threads", func(t *testing.T) {
		var ids []int64
		for i := 0; i < 5; i++ {
			ids = append(ids, s.post(member, s.pub, fmt.Sprintf("message **%d** for @lead", i), 0))
		}
		r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/channels/%d/messages?limit=2", s.pub)})
		s.want(r, 200, "")
		j := r.json(t)
		items := j["items"].([]any)
		if len(items) != 2 || j["more"] != true || int64(items[1].(map[string]any)["id"].(float64)) != ids[4] {
			t.Fatalf("newest page %s", r.body)
		}
		m := items[1].(map[string]any)
		if m["body_html"] != "<p>message <strong>4</strong> for @lead</p>\n" || m["author"].(map[string]any)["username"] != "member" ||
			m["parent_id"] != nil || len(m["mentions"].([]any)) != 1 || m["edited"] != false {
			t.Fatalf("message %v", m)
		}
		prev := j["prev"].(string)
		r = s.do(req{method: "GET", path: prev})
		s.want(r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 2 || int64(items[0].(map[string]any)["id"].(float64)) != ids[1] {
			t.Fatalf("older page %s", r.body)
		}
		for _, q := range []string{"limit=101", "limit=0", "limit=x", "before=-3", "before=x"} {
			r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/channels/%d/messages?%s", s.pub, q)})
			if r.StatusCode != 400 {
				t.Errorf("%s: %d %s", q, r.StatusCode, r.body)
			}
		}

		reply := s.post(lead, s.pub, "a reply", ids[0])
		s.post(member, s.pub, "another", ids[0])
		r = s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/messages/%d/thread", reply)})
		s.want(r, 200, "")
		th := r.json(t)
		if p := th["parent"].(map[string]any); int64(p["id"].(float64)) != ids[0] || p["reply_count"].(float64) != 2 || len(th["items"].([]any)) != 2 {
			t.Fatalf("thread %s", r.body)
		}
		// A reply's parent must be a top-level message of the same channel.
		other := s.do(req{method: "POST", path: "/api/v1/collaboratives/ct-framework/channels", headers: lead.bearer(), body: `{"name":"other"}`}).json(t)
		otherID := int64(other["id"].(float64))
		s.want(s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/channels/%d/messages", otherID), headers: member.bearer(),
			body: fmt.Sprintf(`{"body":"x","parent_id":%d}`, ids[0])}), 400, "bad_parent")
		s.want(s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/channels/%d/messages", s.pub), headers: member.bearer(),
			body: fmt.Sprintf(`{"body":"x","parent_id":%d}`, reply)}), 400, "bad_parent")
	})

	t.Run("a 10 MB message gets 413 before it is read", func(t *testing.T) {
		// Over a real socket, as server_test does: the answer comes from Content-Length alone.
		addr := s.listen()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/channels/%d/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"body\":\"",
			s.pub, member.Token, 10<<20)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 413 || !strings.Contains(string(b), `"too_large"`) {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		path := fmt.Sprintf("/api/v1/channels/%d/messages", s.pub)
		s.want(s.do(req{method: "POST", path: path, headers: member.bearer(), body: `{"body":"   "}`}), 400, "too_short")
		s.want(s.do(req{method: "POST", path: path, headers: member.bearer(), body: jsonBody(map[string]string{"body": strings.Repeat("a", forum.MaxMessageLen+1)})}), 400, "too_long")
		s.want(s.do(req{method: "POST", path: path, headers: member.bearer(), body: `{"body":5}`}), 400, "bad_json")
		s.want(s.do(req{method: "POST", path: path, headers: outsider.bearer(), body: `{"body":"hello"}`}), 403, "not_a_member")
		s.want(s.do(req{method: "POST", path: path, body: `{"body":"hello"}`}), 401, "")
	})

	t.Run("edit, reactions, pins, read marker, delete", func(t *testing.T) {
		id := s.post(member, s.pub, "first version", 0)
		mp := fmt.Sprintf("/api/v1/messages/%d", id)
		s.want(s.do(req{method: "PATCH", path: mp, headers: lead.bearer(), body: `{"body":"lead's"}`}), 403, "not_author")
		r := s.do(req{method: "PATCH", path: mp, headers: member.bearer(), body: `{"body":"second version"}`})
		s.want(r, 200, "")
		if j := r.json(t); j["edited"] != true || j["body"] != "second version" {
			t.Fatalf("edited %s", r.body)
		}
		s.want(s.do(req{method: "GET", path: mp + "/revisions", headers: lead.bearer()}), 403, "moderators_only")
		r = s.do(req{method: "GET", path: mp + "/revisions", headers: s.admin.bearer()})
		s.want(r, 200, "")
		if items := r.json(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["body"] != "first version" {
			t.Fatalf("revisions %s", r.body)
		}

		r = s.do(req{method: "POST", path: mp + "/reactions/" + url.PathEscape("👍"), headers: lead.bearer()})
		s.want(r, 200, "")
		if rs := r.json(t)["reactions"].([]any); len(rs) != 1 || rs[0].(map[string]any)["count"].(float64) != 1 {
			t.Fatalf("reactions %s", r.body)
		}
		for _, bad := range []string{"a", "%2B1", "%3A%29", url.PathEscape("👍👍")} {
			s.want(s.do(req{method: "POST", path: mp + "/reactions/" + bad, headers: lead.bearer()}), 400, "invalid_emoji")
		}
		s.want(s.do(req{method: "DELETE", path: mp + "/reactions/" + url.PathEscape("👍"), headers: lead.bearer()}), 204, "")
		r = s.do(req{method: "POST", path: mp + "/pin", headers: member.bearer()})
		s.want(r, 200, "")
		if r.json(t)["pinned"] != true {
			t.Fatalf("pin %s", r.body)
		}
		r = s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/channels/%d/pins", s.pub)})
		if items := r.json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("pins %s", r.body)
		}
		s.want(s.do(req{method: "DELETE", path: mp + "/pin", headers: member.bearer()}), 204, "")

		rp := fmt.Sprintf("/api/v1/channels/%d/read", s.pub)
		s.want(s.do(req{method: "POST", path: rp, headers: lead.bearer(), body: fmt.Sprintf(`{"message_id":%d}`, id)}), 204, "")
		s.want(s.do(req{method: "POST", path: rp, headers: lead.bearer(), body: `{"message_id":0}`}), 400, "invalid_message_id")
		r = s.do(req{method: "GET", path: "/api/v1/collaboratives/ct-framework/channels", headers: lead.bearer()})
		if ch := r.json(t)["items"].([]any)[0].(map[string]any); int64(ch["last_read_id"].(float64)) != id || ch["unread"].(float64) != 0 {
			t.Fatalf("after reading %v", ch)
		}

		s.want(s.do(req{method: "DELETE", path: mp, headers: outsider.bearer()}), 403, "not_author")
		s.want(s.do(req{method: "DELETE", path: mp, headers: lead.bearer()}), 204, "")
		s.want(s.do(req{method: "GET", path: mp}), 404, "")
		s.want(s.do(req{method: "DELETE", path: mp, headers: member.bearer()}), 404, "")
	})

	t.Run("archived channels take no messages", func(t *testing.T) {
		id := s.post(member, s.pub, "before archiving", 0)
		cp := fmt.Sprintf("/api/v1/channels/%d", s.pub)
		s.want(s.do(req{method: "PATCH", path: cp, headers: member.bearer(), body: `{"archived":true}`}), 403, "not_a_lead")
		r := s.do(req{method: "PATCH", path: cp, headers: lead.bearer(), body: `{"archived":true,"topic":"Kept for the record"}`})
		s.want(r, 200, "")
		if j := r.json(t); j["archived"] != true || j["topic"] != "Kept for the record" {
			t.Fatalf("archived %s", r.body)
		}
		s.want(s.do(req{method: "POST", path: cp + "/messages", headers: member.bearer(), body: `{"body":"too late"}`}), 409, "channel_archived")
		s.want(s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/messages/%d/reactions/%s", id, url.PathEscape("🎉")), headers: member.bearer()}), 409, "channel_archived")
		s.want(s.do(req{method: "GET", path: cp + "/messages"}), 200, "") // still readable
		s.want(s.do(req{method: "PATCH", path: cp, headers: lead.bearer(), body: `{"archived":false}`}), 200, "")
		s.post(member, s.pub, "open again", 0)
	})
}

// TestChannelPrivacy: every channel and message route answers a signed-in non-member of a
// private collaborative exactly as a missing id, and anonymous readers likewise.
func TestChannelPrivacy(t *testing.T) {
	s := newChannelSite(t)
	msg := s.post(s.member, s.priv, "members only", 0)
	ch := s.priv
	routes := []struct{ method, path, body string }{
		{"GET", "/api/v1/collaboratives/ell-resources/channels", ""},
		{"POST", "/api/v1/collaboratives/ell-resources/channels", `{"name":"x"}`},
		{"GET", fmt.Sprintf("/api/v1/channels/%d", ch), ""},
		{"PATCH", fmt.Sprintf("/api/v1/channels/%d", ch), `{"archived":true}`},
		{"GET", fmt.Sprintf("/api/v1/channels/%d/messages", ch), ""},
		{"POST", fmt.Sprintf("/api/v1/channels/%d/messages", ch), `{"body":"hi"}`},
		{"GET", fmt.Sprintf("/api/v1/channels/%d/pins", ch), ""},
		{"POST", fmt.Sprintf("/api/v1/channels/%d/read", ch), fmt.Sprintf(`{"message_id":%d}`, msg)},
		{"GET", fmt.Sprintf("/api/v1/messages/%d", msg), ""},
		{"PATCH", fmt.Sprintf("/api/v1/messages/%d", msg), `{"body":"x"}`},
		{"DELETE", fmt.Sprintf("/api/v1/messages/%d", msg), ""},
		{"GET", fmt.Sprintf("/api/v1/messages/%d/thread", msg), ""},
		{"GET", fmt.Sprintf("/api/v1/messages/%d/revisions", msg), ""},
		{"POST", fmt.Sprintf("/api/v1/messages/%d/reactions/%s", msg, url.PathEscape("👍")), ""},
		{"DELETE", fmt.Sprintf("/api/v1/messages/%d/reactions/%s", msg, url.PathEscape("👍")), ""},
		{"POST", fmt.Sprintf("/api/v1/messages/%d/pin", msg), ""},
		{"DELETE", fmt.Sprintf("/api/v1/messages/%d/pin", msg), ""},
		{"GET", fmt.Sprintf("/c/ell-resources/channels/%d", ch), ""},
		{"GET", fmt.Sprintf("/c/ell-resources/channels/%d/threads/%d", ch, msg), ""},
	}
	for _, rt := range routes {
		r := s.do(req{method: rt.method, path: rt.path, headers: s.outsider.bearer(), body: rt.body})
		if r.StatusCode != 404 {
			t.Errorf("outsider %s %s: %d %s", rt.method, rt.path, r.StatusCode, r.body)
		}
		if rt.method == "GET" && !strings.HasSuffix(rt.path, "/revisions") { // revisions ask for a sign-in first
			if r := s.do(req{method: "GET", path: rt.path}); r.StatusCode != 404 {
				t.Errorf("anonymous GET %s: %d", rt.path, r.StatusCode)
			}
		}
		if strings.Contains(string(r.body), "members only") || strings.Contains(string(r.body), "general") {
			t.Errorf("%s %s tells: %s", rt.method, rt.path, r.body)
		}
		// A member is let through on the same route (the refusal is about membership).
		if rt.method == "GET" && !strings.Contains(rt.path, "revisions") {
			if r := s.do(req{method: "GET", path: rt.path, headers: s.member.bearer()}); r.StatusCode != 200 {
				t.Errorf("member GET %s: %d %s", rt.path, r.StatusCode, r.body)
			}
		}
	}
	// The admin (a moderator) sees inside.
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/channels/%d/messages", ch), headers: s.admin.bearer()}); r.StatusCode != 200 {
		t.Errorf("admin: %d", r.StatusCode)
	}
}

func TestChannelLive(t *testing.T) {
	s := newChannelSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	topic := forum.TopicChannel(s.priv)

	watcher := mustDial(t, addr, bearerHeader(s.lead))
	if head := watcher.Subscribe(topic); head != 0 {
		t.Fatalf("head %d", head)
	}
	id := s.post(s.member, s.priv, "hello **team**", 0)
	f := watcher.Expect("event", "message.created")
	if d := f.Object(t); f.SeqOr(-1) != 1 || int64(d["id"].(float64)) != id || d["body_html"] != "<p>hello <strong>team</strong></p>\n" ||
		d["author"].(map[string]any)["username"] != "member" {
		t.Fatalf("message.created %+v %s", f, f.Data)
	}
	s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/messages/%d/reactions/%s", id, url.PathEscape("🎉")), headers: s.lead.bearer()})
	if d := watcher.Expect("event", "reaction.added").Object(t); d["emoji"] != "🎉" || int64(d["message_id"].(float64)) != id {
		t.Fatalf("reaction.added %v", d)
	}
	s.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/messages/%d", id), headers: s.member.bearer(), body: `{"body":"hello again"}`})
	if d := watcher.Expect("event", "message.updated").Object(t); d["edited"] != true {
		t.Fatalf("message.updated %v", d)
	}
	s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/messages/%d/pin", id), headers: s.lead.bearer()})
	watcher.Expect("event", "message.pinned")
	s.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/messages/%d", id), headers: s.member.bearer()})
	if d := watcher.Expect("event", "message.deleted").Object(t); int64(d["id"].(float64)) != id {
		t.Fatalf("message.deleted %v", d)
	}

	// Non-members and anonymous readers are refused a private channel's topic, exactly
	// as a channel that does not exist.
	for name, h := range map[string]map[string][]string{"outsider": bearerHeader(s.outsider), "anonymous": nil} {
		c := mustDial(t, addr, h)
		for _, tp := range []string{topic, "channel:99999"} {
			c.Send(map[string]any{"type": "subscribe", "topic": tp})
			f := c.Expect("error")
			if f.Code != "not_found" || f.Topic != tp {
				t.Errorf("%s subscribing to %s: %+v", name, tp, f)
			}
		}
		// A public collaborative's channel is open to every reader.
		c.Subscribe(forum.TopicChannel(s.pub))
	}
}

func TestChannelPage(t *testing.T) {
	s := newChannelSite(t)
	path := fmt.Sprintf("/c/ct-framework/channels/%d", s.pub)
	id := s.post(s.lead, s.pub, "Welcome to the **framework** group", 0)
	s.post(s.member, s.pub, "Thanks!", id)
	s.want(s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/channels/%d/read", s.pub), headers: s.member.bearer(), body: fmt.Sprintf(`{"message_id":%d}`, id)}), 204, "")
	s.post(s.lead, s.pub, "Agenda for **March**", 0)

	r := s.do(req{method: "GET", path: path, cookie: s.member.Cookie})
	s.want(r, 200, "")
	page := string(r.body)
	for _, want := range []string{"#general", "<strong>framework</strong>", `action="` + path + `/messages"`, "1 reply", "New since you last read"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Reading the page moved the marker: the next view has no "new" line.
	if r := s.do(req{method: "GET", path: path, cookie: s.member.Cookie}); strings.Contains(string(r.body), "New since you last read") {
		t.Error("the marker did not move")
	}

	// Posting without JavaScript: success redirects to the message; failure to the page, which shows why.
	form := url.Values{"_csrf": {s.member.CSRF}, "body": {"A message from a form"}}
	r = s.do(req{method: "POST", path: path + "/messages", cookie: s.member.Cookie, contentType: "application/x-www-form-urlencoded", body: form.Encode()})
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), path+"#m") {
		t.Fatalf("post form: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	form.Set("body", "  ")
	r = s.do(req{method: "POST", path: path + "/messages", cookie: s.member.Cookie, contentType: "application/x-www-form-urlencoded", body: form.Encode()})
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !strings.HasPrefix(loc, path+"?form=") {
		t.Fatalf("failed post form: %d %s", r.StatusCode, loc)
	}
	r = s.do(req{method: "GET", path: strings.SplitN(loc, "#", 2)[0], cookie: s.member.Cookie})
	if r.StatusCode != 400 || !strings.Contains(string(r.body), "message-body-error") {
		t.Fatalf("failure page: %d", r.StatusCode)
	}

	// The thread page, a reaction and a pin as forms.
	r = s.do(req{method: "GET", path: fmt.Sprintf("%s/threads/%d", path, id), cookie: s.member.Cookie})
	if r.StatusCode != 200 || !strings.Contains(string(r.body), "Thanks!") || !strings.Contains(string(r.body), `id="reply-form"`) {
		t.Fatalf("thread page: %d", r.StatusCode)
	}
	react := url.Values{"_csrf": {s.member.CSRF}, "emoji": {"👍"}}
	r = s.do(req{method: "POST", path: fmt.Sprintf("%s/messages/%d/reactions", path, id), cookie: s.member.Cookie, contentType: "application/x-www-form-urlencoded", body: react.Encode()})
	if r.StatusCode != 303 {
		t.Fatalf("reaction form: %d", r.StatusCode)
	}
	r = s.do(req{method: "GET", path: path, cookie: s.member.Cookie})
	if !strings.Contains(string(r.body), `aria-pressed="true"`) {
		t.Error("the reaction is not shown as the reader's")
	}
	// The wrong collaborative in the path is no channel.
	if r := s.do(req{method: "GET", path: fmt.Sprintf("/c/ell-resources/channels/%d", s.pub), cookie: s.member.Cookie}); r.StatusCode != 404 {
		t.Errorf("wrong slug: %d", r.StatusCode)
	}
	// Anonymous readers of a public channel read, and are asked to sign in to write.
	r = s.do(req{method: "GET", path: path})
	if r.StatusCode != 200 || strings.Contains(string(r.body), `id="message-form"`) || !strings.Contains(string(r.body), "Sign in") {
		t.Errorf("anonymous page: %d", r.StatusCode)
	}
}

// TestChannelProviders: what channels give the collaborative's home page and its export.
func TestChannelProviders(t *testing.T) {
	s := newChannelSite(t)
	ctx := context.Background()
	id := s.post(s.member, s.priv, "Our **reading list**", 0)
	s.post(s.lead, s.priv, "Adding two titles\nand a link", id)
	access := func(a *account) forum.CollaborativeAccess {
		u, err := s.db.UserByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := s.db.CollaborativeAccess(ctx, "ell-resources", u)
		if err != nil {
			t.Fatal(err)
		}
		return acc
	}
	list, err := s.server.CollaborativeChannels(ctx, access(s.member))
	if err != nil || !strings.Contains(jsonBody(list), `"name":"general"`) {
		t.Fatalf("channels for the home page: %s %v", jsonBody(list), err)
	}
	if _, err := s.server.CollaborativeChannels(ctx, access(s.outsider)); forum.KindOf(err) != forum.ENotFound {
		t.Fatalf("an outsider's list: %v", err)
	}
	files, err := s.server.ChannelExportFiles(ctx, access(s.lead))
	if err != nil {
		t.Fatal(err)
	}
	md, js := string(files["channels/general.md"]), string(files["channels/general.json"])
	if !strings.Contains(md, "# #general") || !strings.Contains(md, "Our **reading list**") || !strings.Contains(md, "> Adding two titles\n> and a link") {
		t.Fatalf("markdown:\n%s", md)
	}
	if !strings.Contains(js, `"reading list`) && !strings.Contains(js, "reading list") {
		t.Fatalf("json: %s", js)
	}
	if _, err := s.server.ChannelExportFiles(ctx, access(s.member)); forum.KindOf(err) != forum.EForbidden {
		t.Fatalf("a member exports: %v", err)
	}
}
