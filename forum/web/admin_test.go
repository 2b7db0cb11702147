package web_test

import (
	"context"
	"strings"
	"testing"

	"staffroom/forum"
)

// The admin area through the real app: who sees it, and each of its actions by page and
// by API.

func TestAdminAreaIsForAdminsOnly(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	member := s.signup("member")
	mod := s.signup("moderator")
	if _, err := s.accounts.SetRole(context.Background(), "moderator", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/admin", "/admin/people", "/admin/invites", "/admin/tags"}
	for _, p := range pages {
		r := s.pageAs(nil, p)
		mustStatus(t, r, 303, "anonymous "+p)
		if !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Fatalf("anonymous %s goes to %q", p, r.Header.Get("Location"))
		}
		for _, a := range []*account{member, mod} {
			r := s.pageAs(a, p)
			mustStatus(t, r, 404, a.Name+" "+p)
			if strings.Contains(string(r.body), "admin-nav") {
				t.Fatalf("the 404 shows the admin menu")
			}
		}
		mustStatus(t, s.pageAs(admin, p), 200, "admin "+p)
	}
	api := []struct{ method, path string }{
		{"GET", "/api/v1/admin/settings"}, {"PATCH", "/api/v1/admin/settings"}, {"GET", "/api/v1/admin/users"},
		{"PATCH", "/api/v1/admin/users/1"}, {"POST", "/api/v1/admin/users/1/reset-link"}, {"GET", "/api/v1/admin/tags"},
		{"POST", "/api/v1/admin/tags"}, {"POST", "/api/v1/admin/tags/x/rename"}, {"POST", "/api/v1/admin/tags/x/merge"},
		{"POST", "/api/v1/invites"}, {"GET", "/api/v1/invites"}, {"DELETE", "/api/v1/invites/1"},
	}
	for _, e := range api {
		mustStatus(t, s.apiAs(nil, e.method, e.path, map[string]any{}), 401, "anonymous "+e.path)
		mustError(t, s.apiAs(mod, e.method, e.path, map[string]any{}), 404, "not_found", "")
	}
	// Forms: a member's post changes nothing; an admin's without the CSRF token is refused.
	r := s.formAs("/admin/settings", member, "site_name", "Taken Over")
	mustStatus(t, r, 404, "a member posts the settings form")
	r = s.do(req{method: "POST", path: "/admin/settings", cookie: admin.Cookie, contentType: "application/x-www-form-urlencoded", body: formOf("site_name", "No Token")})
	mustStatus(t, r, 403, "an admin's form without its CSRF token")
	if name := s.settings.Current().SiteName; name != "Staffroom" {
		t.Fatalf("site name changed to %q", name)
	}
	// The header links admins, and only admins, to the admin area.
	if !strings.Contains(string(s.pageAs(admin, "/").body), `href="/admin"`) {
		t.Fatal("the admin's header has no Admin link")
	}
	if strings.Contains(string(s.pageAs(member, "/").body), `href="/admin"`) {
		t.Fatal("a member's header links to the admin area")
	}
}

func TestFirstAccountIsToldItIsTheAdministrator(t *testing.T) {
	s := newSite(t)
	signUp := func(name string) *response {
		r := s.formAs("/signup", nil, "username", name, "email", name+"@district.org", "password", "correct horse "+name, "password_confirm", "correct horse "+name)
		mustStatus(t, r, 303, "sign up "+name)
		return s.do(req{method: "GET", path: r.Header.Get("Location"), cookie: r.cookie("staffroom_session").Value})
	}
	home := signUp("founder")
	mustStatus(t, home, 200, "welcome page")
	if !strings.Contains(string(home.body), "You are this site’s administrator") || !strings.Contains(string(home.body), `<a class="button button-primary" href="/admin">`) {
		t.Fatalf("the first account's welcome does not say it runs the site and link the admin area: %s", home.body)
	}
	if strings.Contains(string(signUp("second").body), "administrator") {
		t.Fatal("the second account is told it is the administrator")
	}
}

func TestAdminSettings(t *testing.T) {
	s := newSite(t, withSitePrivileges(), withEnv(forum.SiteSettings{Read: forum.ReadPublic}, forum.SettingRead))
	admin := s.signup("founder")
	member := s.signup("member")

	page := s.pageAs(admin, "/admin")
	if !strings.Contains(string(page.body), "Set by STAFFROOM_READ.") || !strings.Contains(string(page.body), `<fieldset class="field choices" disabled>`) {
		t.Fatalf("a setting fixed by the environment is not shown disabled")
	}
	// The form: a new name is in force on the next page; the fixed one is refused by API.
	r := s.formAs("/admin/settings", admin, "site_name", "Lakeview Staffroom", "signup", "open", "signup_domains", "", "privileges", "moderate")
	mustStatus(t, r, 303, "save settings")
	if !strings.Contains(string(s.pageAs(member, "/").body), "<title>Lakeview Staffroom</title>") {
		t.Fatal("the new site name is not in force")
	}
	mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/settings", map[string]any{"read": "members"}), 400, "fixed_by_environment", "read")
	mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/settings", map[string]any{"signup": "domains"}), 400, "no_domains", "signup_domains")
	mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/settings", map[string]any{"signup_domains": []string{"not a domain"}}), 400, "invalid_domain", "signup_domains")
	mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/settings", map[string]any{"privileges": "lax"}), 400, "invalid_privileges", "privileges")
	r = s.formAs("/admin/settings", admin, "site_name", "  ", "signup", "open", "privileges", "moderate")
	mustStatus(t, r, 400, "an empty name")
	if !strings.Contains(string(r.body), `id="f-site_name-error"`) {
		t.Fatal("the error is not beside the field")
	}

	// The privileges preset applies to the next request.
	q := s.apiAs(admin, "POST", "/api/v1/questions", map[string]any{"title": "What do you put in a sub plan binder?",
		"body": "A substitute is coming next week and I want the binder to be useful.", "tags": []string{"planning"}})
	mustStatus(t, q, 201, "ask")
	qid := idStr(int64(q.json(t)["id"].(float64)))
	mustError(t, s.apiAs(member, "POST", "/api/v1/posts/"+qid+"/vote", map[string]any{"value": 1}), 403, "insufficient_reputation", "")
	s.adminSettings(admin, map[string]any{"privileges": "open"})
	mustStatus(t, s.apiAs(member, "POST", "/api/v1/posts/"+qid+"/vote", map[string]any{"value": 1}), 200, "vote under the open preset")

	got := s.apiAs(admin, "GET", "/api/v1/admin/settings", nil).json(t)
	if got["site_name"] != "Lakeview Staffroom" || got["privileges"] != "open" || got["fixed"].([]any)[0] != "read" {
		t.Fatalf("settings = %v", got)
	}
	// Kept in the database: a server started again finds them.
	again := &forum.Settings{Store: s.db, Presets: s.settings.Presets, Now: s.clock.Now}
	if err := again.Load(context.Background()); err != nil || again.Current().SiteName != "Lakeview Staffroom" {
		t.Fatalf("reloaded name %q, %v", again.Current().SiteName, err)
	}
}

func TestAdminPeople(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	rivera := s.signup("mrivera")
	s.signup("okafor")

	list := s.apiAs(admin, "GET", "/api/v1/admin/users?q=RIVERA@DISTRICT", nil).json(t)
	if list["total"].(float64) != 1 || list["items"].([]any)[0].(map[string]any)["username"] != "mrivera" {
		t.Fatalf("search = %v", list)
	}
	if page := s.pageAs(admin, "/admin/people?q=okafor"); !strings.Contains(string(page.body), "okafor@district.org") || strings.Contains(string(page.body), "mrivera@") {
		t.Fatal("the people page does not search")
	}

	t.Run("roles, but never the last admin away", func(t *testing.T) {
		mustStatus(t, s.formAs("/admin/people/"+idStr(rivera.ID)+"/role", admin, "role", "moderator"), 303, "make moderator")
		if u, _ := s.db.UserByID(context.Background(), rivera.ID); u.Role != forum.RoleModerator {
			t.Fatalf("role = %s", u.Role)
		}
		mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/users/"+idStr(admin.ID), map[string]any{"role": "member"}), 409, "last_admin", "")
		r := s.formAs("/admin/people/"+idStr(admin.ID)+"/role", admin, "role", "member")
		mustStatus(t, r, 409, "demote the last admin by the page")
		if !strings.Contains(string(r.body), "only admin") {
			t.Fatal("the page does not say why")
		}
		mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/users/"+idStr(rivera.ID), map[string]any{"role": "boss"}), 400, "invalid_role", "role")
	})

	t.Run("disabling ends every sign-in and stops new ones", func(t *testing.T) {
		second := s.login(rivera)
		r := s.formAs("/admin/people/"+idStr(rivera.ID)+"/disable", admin)
		mustStatus(t, r, 303, "disable")
		for _, a := range []*account{rivera, second} {
			mustStatus(t, s.do(req{method: "GET", path: "/api/v1/me", cookie: a.Cookie}), 401, "a disabled account's session")
		}
		mustStatus(t, s.apiAs(rivera, "GET", "/api/v1/me", nil), 401, "a disabled account's token")
		mustError(t, s.apiAs(nil, "POST", "/api/v1/auth/login", map[string]string{"login": "mrivera", "password": rivera.Passwd}), 403, "account_disabled", "")
		mustError(t, s.apiAs(nil, "POST", "/api/v1/auth/login", map[string]string{"login": "mrivera", "password": "wrong password!"}), 401, "invalid_credentials", "")
		mustError(t, s.apiAs(admin, "POST", "/api/v1/admin/users/"+idStr(rivera.ID)+"/reset-link", nil), 400, "account_disabled", "user")
		mustError(t, s.apiAs(admin, "PATCH", "/api/v1/admin/users/"+idStr(admin.ID), map[string]any{"disabled": true}), 400, "own_account", "user")

		r = s.apiAs(admin, "PATCH", "/api/v1/admin/users/"+idStr(rivera.ID), map[string]any{"disabled": false})
		mustStatus(t, r, 200, "enable")
		mustStatus(t, s.apiAs(nil, "POST", "/api/v1/auth/login", map[string]string{"login": "mrivera", "password": rivera.Passwd}), 200, "sign in again")
	})

	t.Run("a reset link from the people page is shown once", func(t *testing.T) {
		r := s.formAs("/admin/people/"+idStr(rivera.ID)+"/reset-link", admin)
		mustStatus(t, r, 201, "reset link")
		if !strings.Contains(string(r.body), `id="new-link"`) || !strings.Contains(string(r.body), "http://staffroom.test/password-reset/") {
			t.Fatalf("the link is not shown: %s", r.body)
		}
	})
}

func TestAdminInvitationsPage(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	r := s.formAs("/admin/invites", admin, "email", "new.teacher@district.org", "role", "member", "expires_in", "14")
	mustStatus(t, r, 201, "make an invitation")
	body := string(r.body)
	i := strings.Index(body, "http://staffroom.test/invite/")
	if i < 0 || !strings.Contains(body, "new.teacher@district.org") {
		t.Fatalf("the link is not shown: %s", body)
	}
	token := body[i+len("http://staffroom.test/invite/") : i+len("http://staffroom.test/invite/")+43]
	list := s.apiAs(admin, "GET", "/api/v1/invites", nil).json(t)["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("pending = %v", list)
	}
	inv := list[0].(map[string]any)
	if exp := inv["expires_at"].(string); !strings.HasPrefix(exp, "2026-12-08T09:00:00") {
		t.Fatalf("a 14-day link expires at %s", exp)
	}
	mustStatus(t, s.formAs("/admin/invites", admin, "email", "nope", "role", "member", "expires_in", "7"), 400, "a bad address")
	mustStatus(t, s.formAs("/admin/invites/"+idStr(int64(inv["id"].(float64)))+"/withdraw", admin), 303, "withdraw")
	mustStatus(t, s.pageAs(nil, "/invite/"+token), 410, "a withdrawn invitation")
}

func TestAdminTags(t *testing.T) {
	s := newSite(t)
	admin := s.signup("founder")
	asker := s.signup("asker")
	ask := func(title string, tags ...string) {
		mustStatus(t, s.apiAs(asker, "POST", "/api/v1/questions", map[string]any{"title": title,
			"body": "We would like to hear how other schools handle this.", "tags": tags}), 201, "ask")
	}
	// Creating a tag before any question uses it, by the page and by the API.
	mustStatus(t, s.formAs("/admin/tags", admin, "create_name", "Co-Teaching", "create_excerpt", "Two teachers, one classroom."), 303, "create by page")
	if tg, err := s.qa.Tag(context.Background(), "co-teaching"); err != nil || tg.Excerpt != "Two teachers, one classroom." {
		t.Fatalf("created tag = %+v, %v", tg, err)
	}
	mustStatus(t, s.apiAs(admin, "POST", "/api/v1/admin/tags", map[string]any{"name": "sel"}), 201, "create by API")
	mustError(t, s.apiAs(admin, "POST", "/api/v1/admin/tags", map[string]any{"name": "sel"}), 409, "tag_exists", "name")
	r := s.formAs("/admin/tags", admin, "create_name", "two words", "create_excerpt", "")
	mustStatus(t, r, 400, "a bad tag name")
	if !strings.Contains(string(r.body), `id="f-create_name-error"`) || !strings.Contains(string(r.body), `value="two words"`) {
		t.Fatal("the error is not beside the create form's field, or the text is lost")
	}

	ask("How do you plan with a co-teacher across two rooms?", "co-teaching", "planning")
	ask("What goes in a morning meeting?", "morning-meeting", "sel")
	ask("How do you run a morning meeting in 15 minutes?", "morning-meeting")

	mustError(t, s.apiAs(admin, "POST", "/api/v1/admin/tags/sel/rename", map[string]any{"name": "planning"}), 409, "tag_exists", "name")
	r = s.apiAs(admin, "POST", "/api/v1/admin/tags/sel/rename", map[string]any{"name": "social-emotional"})
	mustStatus(t, r, 200, "rename")
	mustStatus(t, s.formAs("/admin/tags/merge", admin, "merge_tag", "morning-meeting", "merge_into", "social-emotional"), 303, "merge by page")
	r = s.formAs("/admin/tags/merge", admin, "merge_tag", "social-emotional", "merge_into", "nothing-here")
	mustStatus(t, r, 404, "merge into nothing")
	if !strings.Contains(string(r.body), `id="f-merge_into-error"`) {
		t.Fatal("the merge error is not beside its field")
	}
	mustStatus(t, s.formAs("/admin/tags/describe", admin, "describe_tag", "social-emotional", "describe_excerpt", "Social and emotional learning."), 303, "describe")

	tg, err := s.qa.Tag(context.Background(), "social-emotional")
	if err != nil || tg.Count != 2 || tg.Excerpt != "Social and emotional learning." {
		t.Fatalf("merged tag = %+v, %v", tg, err)
	}
	list := s.apiAs(nil, "GET", "/api/v1/questions?tag=social-emotional", nil).json(t)
	if list["total"].(float64) != 2 {
		t.Fatalf("the merged tag lists %v questions", list["total"])
	}
	for _, item := range list["items"].([]any) {
		tags := item.(map[string]any)["tags"].([]any)
		for _, name := range tags {
			if name == "sel" || name == "morning-meeting" {
				t.Fatalf("a question still shows %v", tags)
			}
		}
	}
	if drifts, err := s.db.Recount(context.Background(), false); err != nil || len(drifts) != 0 {
		t.Fatalf("recount after admin tag changes: %v, %v", drifts, err)
	}
	page := s.pageAs(admin, "/admin/tags?q=social")
	if !strings.Contains(string(page.body), "social-emotional") || strings.Contains(string(page.body), ">planning<") {
		t.Fatal("the tags page does not search inside names")
	}
}
