package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"staffroom/forum"
	"staffroom/realtime"
	"staffroom/realtime/wstest"
)

// Collaboratives (issue #19): starting one, the directory, joining, requests, members and
// roles under the last-lead rule, settings, invitations, export and the live topic,
// through the real app.

// collab starts a collaborative as a through the API.
func (s *testSite) collab(a *account, slug string, visibility string) map[string]any {
	s.t.Helper()
	r := s.apiAs(a, "POST", "/api/v1/collaboratives", map[string]any{"slug": slug, "name": "Group " + slug,
		"description": "We work on *" + slug + "*.", "visibility": visibility})
	mustStatus(s.t, r, 201, "create "+slug)
	return r.json(s.t)
}

func memberPath(slug string, a *account) string {
	return fmt.Sprintf("/api/v1/collaboratives/%s/members/%d", slug, a.ID)
}

func TestCollaborativeCreate(t *testing.T) {
	s, admin := directorySite(t)
	lead := s.signup("lead")
	body := map[string]any{"slug": "ct-framework", "name": "Computational thinking framework",
		"description": "A **framework** for K-12.", "visibility": "public", "cluster": "great-lakes",
		"districts": []string{"riverside-unified", "north-prairie-schools", "riverside-unified"}}
	mustStatus(t, s.apiAs(nil, "POST", "/api/v1/collaboratives", body), 401, "anonymous")
	r := s.apiAs(lead, "POST", "/api/v1/collaboratives", body)
	mustStatus(t, r, 201, "create")
	m := r.json(t)
	leads, _ := m["leads"].([]any)
	districts, _ := m["districts"].([]any)
	if m["slug"] != "ct-framework" || m["visibility"] != "public" || !strings.Contains(m["description_html"].(string), "<strong>framework</strong>") ||
		len(leads) != 1 || leads[0].(map[string]any)["username"] != "lead" || m["my_role"] != "lead" || m["member_count"] != 1.0 ||
		len(districts) != 2 || m["cluster"].(map[string]any)["slug"] != "great-lakes" || m["url"] != "/c/ct-framework" {
		t.Fatalf("created %s", r.body)
	}
	if ch, ok := m["channels"].([]any); !ok || len(ch) != 1 || ch[0].(map[string]any)["name"] != "general" {
		t.Fatalf("channels = %v, want #general alone", m["channels"])
	}
	for _, tc := range []struct {
		name        string
		over        map[string]any
		status      int
		code, field string
	}{
		{"duplicate slug", map[string]any{}, 409, "slug_taken", "slug"},
		{"capitals in the slug", map[string]any{"slug": "CT-Framework"}, 400, "invalid_slug", "slug"},
		{"a short slug", map[string]any{"slug": "ct"}, 400, "invalid_slug", "slug"},
		{"a slug with a space", map[string]any{"slug": "ct framework"}, 400, "invalid_slug", "slug"},
		{"a page's address", map[string]any{"slug": "new"}, 400, "slug_reserved", "slug"},
		{"no name", map[string]any{"slug": "other-group", "name": "  "}, 400, "too_short", "name"},
		{"a bad visibility", map[string]any{"slug": "other-group", "visibility": "secret"}, 400, "invalid_visibility", "visibility"},
		{"an unknown cluster", map[string]any{"slug": "other-group", "cluster": "atlantis"}, 400, "unknown_cluster", "cluster"},
		{"an unknown district", map[string]any{"slug": "other-group", "districts": []string{"atlantis"}}, 400, "unknown_district", "districts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := map[string]any{}
			for k, v := range body {
				b[k] = v
			}
			for k, v := range tc.over {
				b[k] = v
			}
			mustError(t, s.apiAs(admin, "POST", "/api/v1/collaboratives", b), tc.status, tc.code, tc.field)
		})
	}
	if r := s.apiAs(nil, "GET", "/api/v1/collaboratives/other-group", nil); r.StatusCode != 404 {
		t.Fatalf("a refused create stored something: %d", r.StatusCode)
	}
}

func TestCollaborativeDirectoryAndPrivacy(t *testing.T) {
	s, _ := directorySite(t)
	lead, member, outsider := s.signup("lead"), s.signup("member"), s.signup("outsider")
	s.collab(lead, "ct-framework", "public")
	s.collab(lead, "ell-resources", "private")
	mustStatus(t, s.apiAs(lead, "PATCH", "/api/v1/collaboratives/ell-resources", map[string]any{"districts": []string{"riverside-unified"},
		"cluster": "great-lakes"}), 200, "settings")
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/members", map[string]any{"user_id": member.ID}), 201, "add")

	t.Run("a private one is listed by name, description and leads only", func(t *testing.T) {
		m := s.apiAs(outsider, "GET", "/api/v1/collaboratives", nil).json(t)
		items := m["items"].([]any)
		if len(items) != 2 || m["total"] != 2.0 {
			t.Fatalf("list = %v", m)
		}
		for _, it := range items {
			g := it.(map[string]any)
			_, count := g["member_count"]
			_, districts := g["districts"]
			if g["slug"] == "ell-resources" && (count || districts || g["cluster"] != nil || len(g["leads"].([]any)) != 1 || g["description"] == "") {
				t.Fatalf("private listing shows %v", g)
			}
			if g["slug"] == "ct-framework" && !count {
				t.Fatalf("public listing lacks its count: %v", g)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		for q, want := range map[string]int{"": 2, "?q=ELL-RES": 1, "?q=nothing": 0, "?cluster=great-lakes": 1, "?district=riverside-unified": 1,
			"?district=north-prairie-schools": 0} {
			if m := s.apiAs(outsider, "GET", "/api/v1/collaboratives"+q, nil).json(t); m["total"] != float64(want) {
				t.Errorf("%s: %v, want %d", q, m["total"], want)
			}
		}
		if m := s.apiAs(member, "GET", "/api/v1/collaboratives?mine=1", nil).json(t); m["total"] != 1.0 {
			t.Errorf("mine: %v", m)
		}
		mustError(t, s.apiAs(nil, "GET", "/api/v1/collaboratives?mine=1", nil), 401, "unauthorized", "")
		mustError(t, s.apiAs(nil, "GET", "/api/v1/collaboratives?cluster=Bad%20Slug", nil), 400, "invalid_slug", "cluster")
		mustError(t, s.apiAs(nil, "GET", "/api/v1/collaboratives?page=0", nil), 400, "invalid_page", "page")
	})
	t.Run("a private one's insides answer 404 to non-members", func(t *testing.T) {
		for _, who := range []*account{nil, outsider} {
			r := s.apiAs(who, "GET", "/api/v1/collaboratives/ell-resources", nil)
			mustStatus(t, r, 200, "the outside")
			m := r.json(t)
			for _, inside := range []string{"members", "channels", "member_count", "districts", "cluster"} {
				if _, ok := m[inside]; ok {
					t.Fatalf("a non-member sees %s: %s", inside, r.body)
				}
			}
			if m["name"] != "Group ell-resources" || len(m["leads"].([]any)) != 1 {
				t.Fatalf("outside = %s", r.body)
			}
			missing := s.apiAs(who, "GET", "/api/v1/collaboratives/nope-nope/members", nil)
			for _, path := range []string{"/members", "/requests", "/export"} {
				r := s.apiAs(who, "GET", "/api/v1/collaboratives/ell-resources"+path, nil)
				if who == nil && path != "/members" {
					mustStatus(t, r, 401, path)
					continue
				}
				mustError(t, r, 404, "not_found", "")
				if path == "/members" && !bytes.Equal(r.body, bytes.ReplaceAll(missing.body, []byte("nope-nope"), []byte("ell-resources"))) {
					t.Fatalf("%s: %s is not exactly a missing one's %s", path, r.body, missing.body)
				}
			}
			if who != nil {
				mustError(t, s.apiAs(who, "PATCH", "/api/v1/collaboratives/ell-resources", map[string]any{"name": "Mine now"}), 404, "not_found", "")
				mustError(t, s.apiAs(who, "POST", "/api/v1/collaboratives/ell-resources/members", map[string]any{"user_id": who.ID}), 404, "not_found", "")
			}
		}
		r := s.apiAs(member, "GET", "/api/v1/collaboratives/ell-resources", nil)
		m := r.json(t)
		if members, _ := m["members"].([]any); len(members) != 2 || m["my_role"] != "member" || m["member_count"] != 2.0 {
			t.Fatalf("a member sees %s", r.body)
		}
		if r := s.apiAs(member, "GET", "/api/v1/collaboratives/ell-resources/members", nil); r.json(t)["total"] != 2.0 {
			t.Fatalf("members = %s", r.body)
		}
	})
	t.Run("district and cluster pages list them, a private one by name", func(t *testing.T) {
		m := s.apiAs(outsider, "GET", "/api/v1/districts/riverside-unified", nil).json(t)
		cs := m["collaboratives"].([]any)
		if len(cs) != 1 || cs[0].(map[string]any)["slug"] != "ell-resources" || cs[0].(map[string]any)["description"] != "" ||
			cs[0].(map[string]any)["visibility"] != "private" {
			t.Fatalf("district lists %v", cs)
		}
		m = s.apiAs(member, "GET", "/api/v1/clusters/great-lakes", nil).json(t)
		if cs := m["collaboratives"].([]any); len(cs) != 1 || cs[0].(map[string]any)["description"] == "" {
			t.Fatalf("cluster lists to a member %v", cs)
		}
		page := string(s.pageAs(outsider, "/districts/riverside-unified").body)
		if !strings.Contains(page, `<a href="/c/ell-resources">Group ell-resources</a>`) {
			t.Fatalf("district page: %s", page)
		}
	})
}

func TestCollaborativeJoiningAndMembers(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	lead, ana, ben := s.signup("lead"), s.signup("ana"), s.signup("ben")
	s.collab(lead, "ct-framework", "public")
	s.collab(lead, "ell-resources", "private")
	const pub, priv = "/api/v1/collaboratives/ct-framework", "/api/v1/collaboratives/ell-resources"

	t.Run("join a public one at once; twice is 409", func(t *testing.T) {
		mustStatus(t, s.apiAs(nil, "POST", pub+"/join", nil), 401, "anonymous")
		r := s.apiAs(ana, "POST", pub+"/join", nil)
		mustStatus(t, r, 200, "join")
		if m := r.json(t); m["status"] != "joined" || m["role"] != "member" {
			t.Fatalf("join = %s", r.body)
		}
		mustError(t, s.apiAs(ana, "POST", pub+"/join", nil), 409, "already_member", "")
		mustError(t, s.apiAs(ana, "POST", "/api/v1/collaboratives/nope-nope/join", nil), 404, "not_found", "")
	})
	t.Run("ask to join a private one; leads approve or decline", func(t *testing.T) {
		r := s.apiAs(ana, "POST", priv+"/join", nil)
		mustStatus(t, r, 202, "request")
		if r.json(t)["status"] != "requested" {
			t.Fatalf("request = %s", r.body)
		}
		mustError(t, s.apiAs(ana, "POST", priv+"/join", nil), 409, "request_pending", "")
		if m := s.apiAs(ana, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t); m["requested"] != true || m["members"] != nil {
			t.Fatalf("a requester sees %v", m)
		}
		mustStatus(t, s.apiAs(ben, "POST", priv+"/join", nil), 202, "request")
		mustError(t, s.apiAs(ana, "GET", priv+"/requests", nil), 404, "not_found", "")
		r = s.apiAs(lead, "GET", priv+"/requests", nil)
		items := r.json(t)["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["user"].(map[string]any)["username"] != "ana" {
			t.Fatalf("requests = %s", r.body)
		}
		mustStatus(t, s.apiAs(lead, "POST", fmt.Sprintf("%s/requests/%d/approve", priv, ana.ID), nil), 200, "approve")
		mustStatus(t, s.apiAs(lead, "POST", fmt.Sprintf("%s/requests/%d/decline", priv, ben.ID), nil), 200, "decline")
		mustError(t, s.apiAs(lead, "POST", fmt.Sprintf("%s/requests/%d/approve", priv, ben.ID), nil), 404, "no_request", "")
		if m := s.apiAs(ana, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t); m["my_role"] != "member" {
			t.Fatalf("approved: %v", m)
		}
		if m := s.apiAs(ben, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t); m["my_role"] != nil || m["requested"] != false {
			t.Fatalf("declined: %v", m)
		}
		// A member cannot answer requests.
		mustStatus(t, s.apiAs(ben, "POST", priv+"/join", nil), 202, "asking again")
		mustError(t, s.apiAs(ana, "POST", fmt.Sprintf("%s/requests/%d/approve", priv, ben.ID), nil), 403, "not_a_lead", "")
	})
	t.Run("leads add members; bad role, twice, unknown person", func(t *testing.T) {
		mustError(t, s.apiAs(lead, "POST", pub+"/members", map[string]any{"user_id": ben.ID, "role": "owner"}), 400, "invalid_role", "role")
		mustError(t, s.apiAs(lead, "POST", pub+"/members", map[string]any{"user_id": 9999}), 400, "unknown_user", "user_id")
		mustError(t, s.apiAs(ana, "POST", pub+"/members", map[string]any{"user_id": ben.ID}), 403, "not_a_lead", "")
		r := s.apiAs(lead, "POST", pub+"/members", map[string]any{"user_id": ben.ID, "role": "member"})
		mustStatus(t, r, 201, "add")
		if m := r.json(t); m["role"] != "member" || m["user"].(map[string]any)["id"] != float64(ben.ID) {
			t.Fatalf("added %s", r.body)
		}
		mustError(t, s.apiAs(lead, "POST", pub+"/members", map[string]any{"user_id": ben.ID, "role": "member"}), 409, "already_member", "")
		mustError(t, s.apiAs(lead, "POST", pub+"/members", map[string]any{"username": "nobody-here"}), 400, "unknown_user", "username")
		mustStatus(t, s.apiAs(lead, "POST", priv+"/members", map[string]any{"username": "ben", "role": "member"}), 201, "add by name")
		if m := s.apiAs(ben, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t); m["requested"] != false {
			t.Fatalf("adding left the request: %v", m)
		}
	})
	t.Run("the last lead cannot leave, be removed or be demoted", func(t *testing.T) {
		mustError(t, s.apiAs(lead, "DELETE", memberPath("ct-framework", lead), nil), 409, "last_lead", "")
		mustError(t, s.apiAs(admin, "DELETE", memberPath("ct-framework", lead), nil), 409, "last_lead", "")
		mustError(t, s.apiAs(lead, "PATCH", memberPath("ct-framework", lead), map[string]any{"role": "member"}), 409, "last_lead", "")
		mustError(t, s.apiAs(lead, "PATCH", memberPath("ct-framework", ana), map[string]any{"role": "boss"}), 400, "invalid_role", "role")
		mustError(t, s.apiAs(ana, "PATCH", memberPath("ct-framework", ana), map[string]any{"role": "lead"}), 403, "not_a_lead", "")
		r := s.apiAs(lead, "PATCH", memberPath("ct-framework", ana), map[string]any{"role": "lead"})
		mustStatus(t, r, 200, "promote")
		if r.json(t)["role"] != "lead" {
			t.Fatalf("promoted %s", r.body)
		}
		mustStatus(t, s.apiAs(lead, "PATCH", memberPath("ct-framework", lead), map[string]any{"role": "member"}), 200, "step down")
		mustError(t, s.apiAs(ana, "DELETE", memberPath("ct-framework", ana), nil), 409, "last_lead", "")
	})
	t.Run("leave, and leads remove others", func(t *testing.T) {
		mustError(t, s.apiAs(ben, "DELETE", memberPath("ct-framework", lead), nil), 403, "not_a_lead", "")
		mustStatus(t, s.apiAs(lead, "DELETE", memberPath("ct-framework", lead), nil), 204, "leave")
		mustStatus(t, s.apiAs(ana, "DELETE", memberPath("ct-framework", ben), nil), 204, "remove")
		mustError(t, s.apiAs(ana, "DELETE", memberPath("ct-framework", ben), nil), 404, "not_a_member", "user_id")
		m := s.apiAs(nil, "GET", "/api/v1/collaboratives/ct-framework", nil).json(t)
		if m["member_count"] != 1.0 || len(m["leads"].([]any)) != 1 {
			t.Fatalf("after: %v", m)
		}
		// Once out of a private one, leaving it again is answered as for a missing one.
		mustStatus(t, s.apiAs(ana, "DELETE", memberPath("ell-resources", ana), nil), 204, "leave a private one")
		mustError(t, s.apiAs(ana, "DELETE", memberPath("ell-resources", ana), nil), 404, "not_found", "")
	})
}

func TestCollaborativeSettings(t *testing.T) {
	s, _ := directorySite(t)
	lead, ana := s.signup("lead"), s.signup("ana")
	s.collab(lead, "ct-framework", "public")
	mustStatus(t, s.apiAs(ana, "POST", "/api/v1/collaboratives/ct-framework/join", nil), 200, "join")
	mustError(t, s.apiAs(ana, "PATCH", "/api/v1/collaboratives/ct-framework", map[string]any{"name": "Taken over"}), 403, "not_a_lead", "")
	mustError(t, s.apiAs(lead, "PATCH", "/api/v1/collaboratives/ct-framework", map[string]any{"visibility": "hidden"}), 400, "invalid_visibility", "visibility")
	mustError(t, s.apiAs(lead, "PATCH", "/api/v1/collaboratives/ct-framework", map[string]any{"name": nil}), 400, "too_short", "name")
	r := s.apiAs(lead, "PATCH", "/api/v1/collaboratives/ct-framework", map[string]any{"name": "CT framework", "description": "New *words*.",
		"visibility": "private", "cluster": "great-lakes", "districts": []string{"north-prairie-schools"}})
	mustStatus(t, r, 200, "patch")
	m := r.json(t)
	if m["name"] != "CT framework" || m["visibility"] != "private" || !strings.Contains(m["description_html"].(string), "<em>words</em>") ||
		m["cluster"].(map[string]any)["slug"] != "great-lakes" || len(m["districts"].([]any)) != 1 {
		t.Fatalf("patched %s", r.body)
	}
	r = s.apiAs(lead, "PATCH", "/api/v1/collaboratives/ct-framework", map[string]any{"cluster": nil, "districts": nil})
	if m := r.json(t); m["cluster"] != nil || len(m["districts"].([]any)) != 0 || m["name"] != "CT framework" {
		t.Fatalf("cleared %s", r.body)
	}
	// Private now: the member still sees inside, others only the outside.
	if m := s.apiAs(ana, "GET", "/api/v1/collaboratives/ct-framework", nil).json(t); m["members"] == nil {
		t.Fatalf("member lost the inside: %v", m)
	}
	if m := s.apiAs(nil, "GET", "/api/v1/collaboratives/ct-framework", nil).json(t); m["members"] != nil {
		t.Fatalf("anonymous sees inside: %v", m)
	}
}

// exportPart is a registered export part, as the channels or meetings feature adds one.
type exportPart struct{}

func (exportPart) Export(_ context.Context, a forum.CollaborativeAccess, w *forum.ExportWriter) error {
	return w.Markdown("channels/general.md", "# general in "+a.Collaborative.Name+"\n")
}

func TestCollaborativeExport(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	lead, ana, outsider := s.signup("lead"), s.signup("ana"), s.signup("outsider")
	s.collab(lead, "ell-resources", "private")
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/members", map[string]any{"user_id": ana.ID}), 201, "add")
	s.collaboratives.ExportParts = []forum.ExportPart{exportPart{}}

	mustError(t, s.apiAs(ana, "GET", "/api/v1/collaboratives/ell-resources/export", nil), 403, "not_a_lead", "")
	mustError(t, s.apiAs(outsider, "GET", "/api/v1/collaboratives/ell-resources/export", nil), 404, "not_found", "")
	for _, who := range []*account{lead, admin} {
		r := s.apiAs(who, "GET", "/api/v1/collaboratives/ell-resources/export", nil)
		mustStatus(t, r, 200, "export")
		if r.Header.Get("Content-Type") != "application/zip" ||
			r.Header.Get("Content-Disposition") != `attachment; filename="ell-resources-2026-11-24.zip"` {
			t.Fatalf("headers %v", r.Header)
		}
		zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = string(b)
		}
		var doc struct {
			Slug, Name, Visibility string
		}
		if err := json.Unmarshal([]byte(files["ell-resources/collaborative.json"]), &doc); err != nil || doc.Slug != "ell-resources" || doc.Visibility != "private" {
			t.Fatalf("collaborative.json = %q (%v)", files["ell-resources/collaborative.json"], err)
		}
		var members []struct {
			Username string
			Role     string
		}
		if err := json.Unmarshal([]byte(files["ell-resources/members.json"]), &members); err != nil || len(members) != 2 || members[0].Role != "lead" {
			t.Fatalf("members.json = %q", files["ell-resources/members.json"])
		}
		if !strings.Contains(files["ell-resources/README.md"], "# Group ell-resources") || !strings.Contains(files["ell-resources/README.md"], "@ana") {
			t.Fatalf("README = %q", files["ell-resources/README.md"])
		}
		if files["ell-resources/channels/general.md"] != "# general in Group ell-resources\n" {
			t.Fatalf("the registered part is missing: %v", files)
		}
	}
	// The page's button downloads the same zip.
	if r := s.pageAs(lead, "/c/ell-resources/export"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("page export: %d %v", r.StatusCode, r.Header)
	}
}

func TestCollaborativeInvitations(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	lead, ana, member := s.signup("lead"), s.signup("ana"), s.signup("member")
	s.collab(lead, "ell-resources", "private")
	mustStatus(t, s.apiAs(lead, "POST", "/api/v1/collaboratives/ell-resources/members", map[string]any{"user_id": member.ID}), 201, "add")

	mustError(t, s.apiAs(member, "POST", "/api/v1/invites", map[string]any{"collaborative": "ell-resources"}), 403, "not_a_lead", "")
	mustError(t, s.apiAs(ana, "POST", "/api/v1/invites", map[string]any{"collaborative": "ell-resources"}), 404, "not_found", "")
	mustError(t, s.apiAs(lead, "POST", "/api/v1/invites", map[string]any{}), 404, "not_found", "") // the site's are admins'
	mustError(t, s.apiAs(lead, "POST", "/api/v1/invites", map[string]any{"collaborative": "ell-resources", "role": "moderator"}), 400, "invalid_role", "role")

	t.Run("signing up with it makes a member", func(t *testing.T) {
		token, m := s.inviteLink(lead, map[string]any{"collaborative": "ell-resources", "role": "lead"})
		if m["expires_at"] == nil {
			t.Fatalf("invite = %v", m)
		}
		page := string(s.pageAs(nil, "/invite/"+token).body)
		if !strings.Contains(page, "to join the collaborative <strong>ell-resources</strong>") {
			t.Fatalf("invite page: %s", page)
		}
		r := s.signupVia("newbie", "newbie@district.org", token)
		mustStatus(t, r, 201, "signup")
		newbie := grantedAccount(t, r, "newbie")
		if m := s.apiAs(newbie, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t); m["my_role"] != "lead" {
			t.Fatalf("newbie = %v", m)
		}
	})
	t.Run("a signed-in person accepts it on its page", func(t *testing.T) {
		token, _ := s.inviteLink(lead, map[string]any{"collaborative": "ell-resources"})
		page := string(s.pageAs(ana, "/invite/"+token).body)
		if !strings.Contains(page, `action="/invite/`+token+`/join"`) || strings.Contains(page, "Sign out first") {
			t.Fatalf("invite page for a signed-in person: %s", page)
		}
		r := s.formAs("/invite/"+token+"/join", ana)
		if r.StatusCode != 303 || r.Header.Get("Location") != "/c/ell-resources?done=invite_joined" {
			t.Fatalf("accept: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if m := s.apiAs(ana, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t); m["my_role"] != "member" {
			t.Fatalf("ana = %v", m)
		}
		r = s.formAs("/invite/"+token+"/join", member)
		if r.StatusCode != 410 || !strings.Contains(string(r.body), "already been used") {
			t.Fatalf("used twice: %d", r.StatusCode)
		}
	})
	t.Run("the lead's page makes a link", func(t *testing.T) {
		r := s.formAs("/c/ell-resources/invites", lead, "role", "member", "email", "")
		if r.StatusCode != 201 || !strings.Contains(string(r.body), `value="http://staffroom.test/invite/`) {
			t.Fatalf("page invite: %d %.300s", r.StatusCode, r.body)
		}
		r = s.formAs("/c/ell-resources/invites", lead, "role", "member", "email", "not an address")
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="invite-email-error"`) {
			t.Fatalf("a bad address: %d", r.StatusCode)
		}
	})
}

// channelsFake is the channels feature's provider, as it will plug in.
type channelsFake struct{}

func (channelsFake) CollaborativeChannels(_ context.Context, a forum.CollaborativeAccess) ([]forum.ChannelSummary, error) {
	return []forum.ChannelSummary{{ID: 7, Name: "general", Topic: "Everything about " + a.Collaborative.Slug}}, nil
}

func TestCollaborativePages(t *testing.T) {
	s, _ := directorySite(t)
	lead, ana, outsider := s.signup("lead"), s.signup("ana"), s.signup("outsider")
	s.collaboratives.Channels = channelsFake{}

	t.Run("start one through the form", func(t *testing.T) {
		if r := s.pageAs(nil, "/c/new"); r.StatusCode != 303 {
			t.Fatalf("anonymous /c/new: %d", r.StatusCode)
		}
		page := string(s.pageAs(lead, "/c/new").body)
		if !strings.Contains(page, `<option value="great-lakes">`) || !strings.Contains(page, `name="districts" multiple`) {
			t.Fatalf("form: %s", page)
		}
		r := s.formAs("/c/new", lead, "slug", "Bad Slug", "name", "x", "visibility", "public", "districts", "riverside-unified")
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="f-slug-error"`) || !strings.Contains(string(r.body), `id="f-name-error"`) ||
			!strings.Contains(string(r.body), `value="Bad Slug"`) || !strings.Contains(string(r.body), `<option value="riverside-unified" selected>`) {
			t.Fatalf("failed form: %d %s", r.StatusCode, r.body)
		}
		r = s.formAs("/c/new", lead, "slug", "ell-resources", "name", "ELL resources review", "visibility", "private",
			"description", "Reviewing *resources*.", "cluster", "great-lakes", "districts", "riverside-unified", "districts", "north-prairie-schools")
		if r.StatusCode != 303 || r.Header.Get("Location") != "/c/ell-resources?done=collab_created" {
			t.Fatalf("create: %d %s", r.StatusCode, r.body)
		}
		m := s.apiAs(lead, "GET", "/api/v1/collaboratives/ell-resources", nil).json(t)
		if m["visibility"] != "private" || len(m["districts"].([]any)) != 2 {
			t.Fatalf("created %v", m)
		}
	})
	t.Run("a non-member sees the name, description, leads and a request button", func(t *testing.T) {
		r := s.pageAs(outsider, "/c/ell-resources")
		page := string(r.body)
		if r.StatusCode != 200 || !strings.Contains(page, "ELL resources review") || !strings.Contains(page, "<em>resources</em>") ||
			!strings.Contains(page, "Teacher lead") || !strings.Contains(page, "Request to join") {
			t.Fatalf("outside: %d %s", r.StatusCode, page)
		}
		for _, inside := range []string{`id="members-heading"`, "#general", "Riverside Unified", "Lead tools", "data-live-topic"} {
			if strings.Contains(page, inside) {
				t.Fatalf("a non-member sees %q", inside)
			}
		}
		r = s.formAs("/c/ell-resources/join", outsider)
		if r.StatusCode != 303 || r.Header.Get("Location") != "/c/ell-resources?done=join_requested" {
			t.Fatalf("request: %d", r.StatusCode)
		}
		if page := string(s.pageAs(outsider, "/c/ell-resources?done=join_requested").body); !strings.Contains(page, "a lead will answer") {
			t.Fatalf("after asking: %s", page)
		}
		// Asking twice fails on the page, with the reason.
		if r := s.formAs("/c/ell-resources/join", outsider); r.StatusCode != 409 || !strings.Contains(string(r.body), "already asked") {
			t.Fatalf("twice: %d", r.StatusCode)
		}
	})
	t.Run("the lead approves, adds, changes roles", func(t *testing.T) {
		page := string(s.pageAs(lead, "/c/ell-resources").body)
		for _, want := range []string{"Lead tools", "Teacher outsider", fmt.Sprintf(`/c/ell-resources/requests/%d/approve`, outsider.ID),
			`href="/c/ell-resources/channels/7">#general</a>`, "/c/ell-resources/export"} {
			if !strings.Contains(page, want) {
				t.Fatalf("lead's page lacks %q: %s", want, page)
			}
		}
		if r := s.formAs(fmt.Sprintf("/c/ell-resources/requests/%d/approve", outsider.ID), lead); r.StatusCode != 303 {
			t.Fatalf("approve: %d", r.StatusCode)
		}
		r := s.formAs("/c/ell-resources/members", lead, "username", "nobody-here", "role", "member")
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="add-username-error"`) || !strings.Contains(string(r.body), `value="nobody-here"`) {
			t.Fatalf("unknown username: %d %s", r.StatusCode, r.body)
		}
		if r := s.formAs("/c/ell-resources/members", lead, "username", "ana", "role", "member"); r.StatusCode != 303 {
			t.Fatalf("add: %d", r.StatusCode)
		}
		r = s.formAs("/c/ell-resources/members", lead, "username", "ana", "role", "member")
		if r.StatusCode != 409 || !strings.Contains(string(r.body), "already a member") {
			t.Fatalf("add twice: %d", r.StatusCode)
		}
		r = s.formAs(fmt.Sprintf("/c/ell-resources/members/%d/role", lead.ID), lead, "role", "member")
		if r.StatusCode != 409 || !strings.Contains(string(r.body), "needs a lead") {
			t.Fatalf("demote the last lead: %d", r.StatusCode)
		}
		if r := s.formAs(fmt.Sprintf("/c/ell-resources/members/%d/role", ana.ID), lead, "role", "lead"); r.StatusCode != 303 {
			t.Fatalf("promote: %d", r.StatusCode)
		}
		if r := s.formAs(fmt.Sprintf("/c/ell-resources/members/%d/remove", outsider.ID), lead); r.StatusCode != 303 {
			t.Fatalf("remove: %d", r.StatusCode)
		}
		if r := s.formAs("/c/ell-resources/leave", lead); r.StatusCode != 303 {
			t.Fatalf("leave: %d", r.StatusCode)
		}
		page = string(s.pageAs(lead, "/c/ell-resources").body)
		if strings.Contains(page, `id="members-heading"`) || !strings.Contains(page, "Request to join") {
			t.Fatalf("after leaving a private one: %s", page)
		}
	})
	t.Run("settings", func(t *testing.T) {
		mustStatus(t, s.pageAs(outsider, "/c/ell-resources/settings"), 404, "a non-member's settings")
		page := string(s.pageAs(ana, "/c/ell-resources/settings").body)
		if !strings.Contains(page, `value="ELL resources review"`) || !strings.Contains(page, `<option value="riverside-unified" selected>`) {
			t.Fatalf("settings: %s", page)
		}
		r := s.formAs("/c/ell-resources/settings", ana, "name", "", "visibility", "public")
		if r.StatusCode != 400 || !strings.Contains(string(r.body), `id="f-name-error"`) {
			t.Fatalf("bad settings: %d", r.StatusCode)
		}
		r = s.formAs("/c/ell-resources/settings", ana, "name", "ELL resources", "visibility", "public", "description", "Open now.")
		if r.StatusCode != 303 {
			t.Fatalf("settings: %d", r.StatusCode)
		}
		if page := string(s.pageAs(nil, "/c/ell-resources").body); !strings.Contains(page, `id="members-heading"`) || !strings.Contains(page, "Open now.") {
			t.Fatalf("public now: %s", page)
		}
	})
	t.Run("the directory and my collaboratives", func(t *testing.T) {
		s.collab(lead, "ct-framework", "public")
		page := string(s.pageAs(nil, "/c").body)
		if !strings.Contains(page, `<a href="/c/ct-framework">Group ct-framework</a>`) || !strings.Contains(page, "2 collaboratives") {
			t.Fatalf("/c: %s", page)
		}
		page = string(s.pageAs(nil, "/c?q=ell").body)
		if strings.Contains(page, "/c/ct-framework") || !strings.Contains(page, "/c/ell-resources") {
			t.Fatalf("/c?q=ell: %s", page)
		}
		if r := s.pageAs(nil, "/c?mine=1"); r.StatusCode != 303 {
			t.Fatalf("anonymous mine: %d", r.StatusCode)
		}
		page = string(s.pageAs(ana, "/c?mine=1").body)
		if !strings.Contains(page, "My collaboratives</h1>") || strings.Contains(page, "/c/ct-framework\"") || !strings.Contains(page, "/c/ell-resources") {
			t.Fatalf("mine: %s", page)
		}
		if !strings.Contains(page, `<a href="/c?mine=1">My collaboratives</a>`) {
			t.Fatal("no link to my collaboratives in the header")
		}
		if r := s.pageAs(nil, "/c/nope-nope"); r.StatusCode != 404 {
			t.Fatalf("missing: %d", r.StatusCode)
		}
	})
}

func TestCollaborativeLive(t *testing.T) {
	s := newSite(t, withLive(realtime.Config{}))
	addr := s.listen()
	lead, ana, outsider := s.signup("lead"), s.signup("ana"), s.signup("outsider")
	s.collab(lead, "ct-framework", "public")
	s.collab(lead, "ell-resources", "private")

	anon := mustDial(t, addr, nil)
	out := mustDial(t, addr, bearerHeader(outsider))
	mine := mustDial(t, addr, bearerHeader(lead))
	for _, tc := range []struct {
		name  string
		c     *wstest.Client
		topic string
		want  string // subscribed or an error code
	}{
		{"a public one, anonymous", anon, "collaborative:ct-framework", "subscribed"},
		{"a private one, anonymous", anon, "collaborative:ell-resources", "not_found"},
		{"a private one, a non-member", out, "collaborative:ell-resources", "not_found"},
		{"a private one, its lead", mine, "collaborative:ell-resources", "subscribed"},
		{"a missing one", out, "collaborative:nope-nope", "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Send(map[string]any{"type": "subscribe", "topic": tc.topic})
			f := tc.c.Next()
			got := f.Type
			if f.Type == "error" {
				got = f.Code
			}
			if got != tc.want {
				t.Fatalf("subscribe %s: %+v, want %s", tc.topic, f, tc.want)
			}
		})
	}
	t.Run("the home embeds its topic for those who see inside", func(t *testing.T) {
		if page := string(s.pageAs(lead, "/c/ell-resources").body); !strings.Contains(page, `data-live-topic="collaborative:ell-resources"`) {
			t.Fatalf("lead's page is not live: %s", page)
		}
		if page := string(s.pageAs(outsider, "/c/ell-resources").body); strings.Contains(page, "data-live-topic") {
			t.Fatalf("a non-member's page follows the topic: %s", page)
		}
	})
	t.Run("joining and leaving are heard on the topic", func(t *testing.T) {
		mustStatus(t, s.apiAs(ana, "POST", "/api/v1/collaboratives/ct-framework/join", nil), 200, "join")
		f := anon.Expect("event", forum.EventMemberJoined)
		var data struct {
			Collaborative string
			User          struct{ Username string }
			Role          *string
		}
		if err := json.Unmarshal(f.Data, &data); err != nil || data.Collaborative != "ct-framework" || data.User.Username != "ana" ||
			data.Role == nil || *data.Role != "member" || f.Topic != "collaborative:ct-framework" {
			t.Fatalf("joined event %+v: %s", f, f.Data)
		}
		mustStatus(t, s.apiAs(ana, "DELETE", memberPath("ct-framework", ana), nil), 204, "leave")
		f = anon.Expect("event", forum.EventMemberLeft)
		if err := json.Unmarshal(f.Data, &data); err != nil || data.Role != nil {
			t.Fatalf("left event %s", f.Data)
		}
	})
}
