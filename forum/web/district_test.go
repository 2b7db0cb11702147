package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The district directory and people's profile fields (issue #19), through the real app.

// wantError fails unless r has the status, code and field.
func wantError(t *testing.T, r *response, status int, code, field string) {
	t.Helper()
	if got, gotField := r.errorCode(t); r.StatusCode != status || got != code || gotField != field {
		t.Fatalf("%d %s: want %d %s naming %q", r.StatusCode, r.body, status, code, field)
	}
}

// directorySite is a site whose first account, the admin, made a cluster and two districts.
func directorySite(t *testing.T) (*testSite, *account) {
	t.Helper()
	s := newSite(t)
	admin := s.signup("admin")
	for _, c := range []struct {
		path string
		body any
	}{
		{"/api/v1/clusters", map[string]any{"slug": "great-lakes", "name": "Great Lakes Innovation Cluster", "description": "Around the **lakes**."}},
		{"/api/v1/districts", map[string]any{"name": "Riverside Unified", "state": "mi", "nces_id": "2629940", "enrollment": 18400,
			"locale": "21", "cluster": "great-lakes", "profile": "A *suburban* district."}},
		{"/api/v1/districts", map[string]any{"name": "North Prairie Schools", "state": "NE", "locale": "rural"}},
	} {
		if r := s.post(admin, "POST", c.path, c.body); r.StatusCode != 201 {
			t.Fatalf("POST %s: %d %s", c.path, r.StatusCode, r.body)
		}
	}
	return s, admin
}

func TestDirectoryWritesAreAdminOnly(t *testing.T) {
	s, admin := directorySite(t)
	member := s.signup("member")
	writes := []struct{ method, path string }{
		{"POST", "/api/v1/districts"}, {"PATCH", "/api/v1/districts/riverside-unified"},
		{"POST", "/api/v1/clusters"}, {"PATCH", "/api/v1/clusters/great-lakes"},
	}
	for _, w := range writes {
		t.Run(w.method+" "+w.path, func(t *testing.T) {
			body := jsonBody(map[string]any{"name": "Taken Over", "state": "IL"})
			r := s.do(req{method: w.method, path: w.path, body: body})
			wantError(t, r, 401, "unauthorized", "")
			r = s.post(member, w.method, w.path, map[string]any{"name": "Taken Over", "state": "IL"})
			wantError(t, r, 403, "admin_only", "")
			// Who may not write learns that first, whatever they send.
			r = s.do(req{method: w.method, path: w.path, headers: member.bearer(), body: "{not json"})
			wantError(t, r, 403, "admin_only", "")
		})
	}
	if r := s.do(req{method: "GET", path: "/api/v1/districts/riverside-unified"}); !strings.Contains(string(r.body), `"name":"Riverside Unified"`) {
		t.Fatalf("a refused write changed the district: %s", r.body)
	}
	t.Run("an admin's district comes back whole", func(t *testing.T) {
		r := s.do(req{method: "GET", path: "/api/v1/districts/riverside-unified", headers: admin.bearer()})
		m := r.json(t)
		if r.StatusCode != 200 || m["state"] != "MI" || m["nces_id"] != "2629940" || m["enrollment"] != 18400.0 || m["locale"] != "suburb" ||
			m["locale_code"] != 21.0 || m["cluster"] != "great-lakes" || !strings.Contains(m["profile_html"].(string), "<em>suburban</em>") {
			t.Fatalf("district = %d %s", r.StatusCode, r.body)
		}
	})
}

func TestDirectoryBadInput(t *testing.T) {
	s, admin := directorySite(t)
	district := func(over map[string]any) map[string]any {
		m := map[string]any{"name": "Cedar Valley Schools", "state": "IA"}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name        string
		body        map[string]any
		status      int
		code, field string
	}{
		{"no name", district(map[string]any{"name": "  "}), 400, "too_short", "name"},
		{"a name on two lines", district(map[string]any{"name": "Cedar\nValley"}), 400, "invalid_characters", "name"},
		{"no state", district(map[string]any{"state": ""}), 400, "invalid_state", "state"},
		{"not a state", district(map[string]any{"state": "ZZ"}), 400, "invalid_state", "state"},
		{"a short NCES id", district(map[string]any{"nces_id": "12345"}), 400, "invalid_nces_id", "nces_id"},
		{"negative enrollment", district(map[string]any{"enrollment": -1}), 400, "invalid_enrollment", "enrollment"},
		{"enrollment as words", district(map[string]any{"enrollment": "many"}), 400, "bad_json", "enrollment"},
		{"not a locale", district(map[string]any{"locale": "metro"}), 400, "invalid_locale", "locale"},
		{"not an NCES locale code", district(map[string]any{"locale": "44"}), 400, "invalid_locale", "locale"},
		{"a bad slug", district(map[string]any{"slug": "Cedar Valley!"}), 400, "invalid_slug", "slug"},
		{"an unknown cluster", district(map[string]any{"cluster": "atlantis"}), 400, "unknown_cluster", "cluster"},
		{"a taken slug", district(map[string]any{"slug": "riverside-unified"}), 409, "slug_taken", "slug"},
		{"a taken NCES id", district(map[string]any{"nces_id": "2629940"}), 409, "nces_id_taken", "nces_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, s.post(admin, "POST", "/api/v1/districts", c.body), c.status, c.code, c.field)
		})
	}
	t.Run("patches", func(t *testing.T) {
		wantError(t, s.post(admin, "PATCH", "/api/v1/districts/north-prairie-schools", map[string]any{"nces_id": "2629940"}), 409, "nces_id_taken", "nces_id")
		wantError(t, s.post(admin, "PATCH", "/api/v1/districts/north-prairie-schools", map[string]any{"slug": "riverside-unified"}), 409, "slug_taken", "slug")
		wantError(t, s.post(admin, "PATCH", "/api/v1/districts/north-prairie-schools", map[string]any{"state": "XX"}), 400, "invalid_state", "state")
		wantError(t, s.post(admin, "PATCH", "/api/v1/districts/north-prairie-schools", map[string]any{"name": nil}), 400, "too_short", "name")
		wantError(t, s.post(admin, "PATCH", "/api/v1/districts/atlantis", map[string]any{"name": "Atlantis"}), 404, "not_found", "")
		wantError(t, s.post(admin, "POST", "/api/v1/clusters", map[string]any{"slug": "great-lakes", "name": "Again"}), 409, "slug_taken", "slug")
		wantError(t, s.post(admin, "POST", "/api/v1/clusters", map[string]any{"name": "\u200b"}), 400, "too_short", "name")
		wantError(t, s.post(admin, "PATCH", "/api/v1/clusters/atlantis", map[string]any{"name": "Atlantis"}), 404, "not_found", "")
	})
	t.Run("null empties what may be empty, and nothing else changes", func(t *testing.T) {
		r := s.post(admin, "PATCH", "/api/v1/districts/riverside-unified", map[string]any{"enrollment": nil, "nces_id": nil, "cluster": nil, "locale": nil, "profile": nil})
		m := r.json(t)
		if r.StatusCode != 200 || m["enrollment"] != nil || m["nces_id"] != nil || m["cluster"] != nil || m["locale"] != nil || m["profile_html"] != "" ||
			m["state"] != "MI" || m["name"] != "Riverside Unified" {
			t.Fatalf("patched: %d %s", r.StatusCode, r.body)
		}
		r = s.post(admin, "PATCH", "/api/v1/clusters/great-lakes", map[string]any{"description": nil, "name": "Great Lakes"})
		if m := r.json(t); r.StatusCode != 200 || m["description"] != "" || m["name"] != "Great Lakes" || m["slug"] != "great-lakes" {
			t.Fatalf("patched cluster: %d %s", r.StatusCode, r.body)
		}
	})
}

func TestDirectoryReads(t *testing.T) {
	s, admin := directorySite(t)
	teacher := s.signup("teacher")
	r := s.post(teacher, "PATCH", "/api/v1/me", map[string]any{"district": "riverside-unified", "position": "teacher", "subjects": []string{"math"}})
	if r.StatusCode != 200 {
		t.Fatalf("PATCH /me: %d %s", r.StatusCode, r.body)
	}
	qid := s.ask(teacher, "How do you pace algebra across grade eight?", "algebra")

	list := func(query string) (slugs []string, total float64) {
		t.Helper()
		r := s.do(req{method: "GET", path: "/api/v1/districts" + query})
		if r.StatusCode != 200 {
			t.Fatalf("GET districts%s: %d %s", query, r.StatusCode, r.body)
		}
		m := r.json(t)
		for _, it := range m["items"].([]any) {
			slugs = append(slugs, it.(map[string]any)["slug"].(string))
		}
		return slugs, m["total"].(float64)
	}
	for query, want := range map[string][]string{
		"":                                   {"north-prairie-schools", "riverside-unified"},
		"?q=RIVER":                           {"riverside-unified"},
		"?state=ne":                          {"north-prairie-schools"},
		"?cluster=great-lakes&locale=suburb": {"riverside-unified"},
		"?cluster=great-lakes&locale=rural":  nil,
		"?cluster=no-such-cluster":           nil,
		"?page=2":                            nil,
	} {
		if got, total := list(query); !slices.Equal(got, want) || (query == "?page=2" && total != 2) {
			t.Errorf("districts%s = %v (total %v), want %v", query, got, total, want)
		}
	}
	item := s.do(req{method: "GET", path: "/api/v1/districts?q=riverside"}).json(t)["items"].([]any)[0].(map[string]any)
	for _, k := range []string{"slug", "name", "state", "nces_id", "enrollment", "locale", "cluster"} {
		if _, ok := item[k]; !ok {
			t.Errorf("a directory item has no %q: %v", k, item)
		}
	}
	wantError(t, s.do(req{method: "GET", path: "/api/v1/districts?state=ZZ"}), 400, "invalid_state", "state")
	wantError(t, s.do(req{method: "GET", path: "/api/v1/districts?locale=metro"}), 400, "invalid_locale", "locale")
	wantError(t, s.do(req{method: "GET", path: "/api/v1/districts?page=0"}), 400, "invalid_page", "page")
	wantError(t, s.do(req{method: "GET", path: "/api/v1/districts/atlantis"}), 404, "not_found", "")
	wantError(t, s.do(req{method: "GET", path: "/api/v1/clusters/atlantis"}), 404, "not_found", "")

	t.Run("a district's page: its people's public fields, its questions, its collaboratives", func(t *testing.T) {
		for _, who := range []map[string]string{nil, teacher.bearer(), admin.bearer()} {
			r := s.do(req{method: "GET", path: "/api/v1/districts/riverside-unified", headers: who})
			body := string(r.body)
			if r.StatusCode != 200 || strings.Contains(body, "@district.org") || strings.Contains(body, `"email"`) {
				t.Fatalf("district page leaks an email: %d %s", r.StatusCode, body)
			}
			m := r.json(t)
			people := m["people"].([]any)
			if len(people) != 1 || people[0].(map[string]any)["username"] != "teacher" || people[0].(map[string]any)["position"] != "teacher" || m["people_total"] != 1.0 {
				t.Fatalf("people = %v", m["people"])
			}
			qs := m["questions"].([]any)
			if len(qs) != 1 || qs[0].(map[string]any)["id"] != float64(qid) {
				t.Fatalf("questions = %v", qs)
			}
			if cs, ok := m["collaboratives"].([]any); !ok || len(cs) != 0 {
				t.Fatalf("collaboratives = %#v, want []", m["collaboratives"])
			}
		}
	})
	t.Run("clusters, with their districts", func(t *testing.T) {
		m := s.do(req{method: "GET", path: "/api/v1/clusters"}).json(t)
		items := m["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["district_count"] != 1.0 || items[0].(map[string]any)["people_count"] != 1.0 {
			t.Fatalf("clusters = %v", m)
		}
		r := s.do(req{method: "GET", path: "/api/v1/clusters/great-lakes"})
		c := r.json(t)
		ds := c["districts"].([]any)
		if r.StatusCode != 200 || len(ds) != 1 || ds[0].(map[string]any)["slug"] != "riverside-unified" || c["districts_total"] != 1.0 || len(c["questions"].([]any)) != 1 ||
			strings.Contains(string(r.body), "@district.org") {
			t.Fatalf("cluster = %d %s", r.StatusCode, r.body)
		}
	})
}

func TestPatchMeProfileFields(t *testing.T) {
	s, _ := directorySite(t)
	a := s.signup("coachy")
	r := s.post(a, "PATCH", "/api/v1/me", map[string]any{"district": "riverside-unified", "position": "Coach",
		"subjects": []string{"science", "math", "math"}, "grade_bands": []string{"9-12", "6-8"}, "time_zone": "America/Detroit"})
	u := r.json(t)["user"].(map[string]any)
	if r.StatusCode != 200 || u["position"] != "coach" || fmt.Sprint(u["subjects"]) != "[math science]" || fmt.Sprint(u["grade_bands"]) != "[6-8 9-12]" ||
		u["time_zone"] != "America/Detroit" || u["district"].(map[string]any)["slug"] != "riverside-unified" {
		t.Fatalf("PATCH /me: %d %s", r.StatusCode, r.body)
	}
	pub := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", a.ID)})
	p := pub.json(t)
	if p["position"] != "coach" || p["time_zone"] != "America/Detroit" || fmt.Sprint(p["subjects"]) != "[math science]" || p["email"] != nil {
		t.Fatalf("GET /users/{id}: %s", pub.body)
	}
	if me := s.do(req{method: "GET", path: "/api/v1/me", headers: a.bearer()}).json(t)["user"].(map[string]any); me["position"] != "coach" || me["email"] == nil {
		t.Fatalf("GET /me: %v", me)
	}

	for _, c := range []struct {
		name        string
		body        map[string]any
		code, field string
	}{
		{"a position outside the vocabulary", map[string]any{"position": "janitor"}, "invalid_position", "position"},
		{"a subject outside the vocabulary", map[string]any{"subjects": []string{"math", "astrology"}}, "invalid_subject", "subjects"},
		{"a grade band outside the vocabulary", map[string]any{"grade_bands": []string{"13"}}, "invalid_grade_band", "grade_bands"},
		{"subjects as a string", map[string]any{"subjects": "math"}, "bad_json", "subjects"},
		{"a time zone that does not exist", map[string]any{"time_zone": "Mars/Olympus_Mons"}, "invalid_time_zone", "time_zone"},
		{"the server's own zone", map[string]any{"time_zone": "Local"}, "invalid_time_zone", "time_zone"},
		{"a path for a time zone", map[string]any{"time_zone": "../../etc/passwd"}, "invalid_time_zone", "time_zone"},
		{"a district not in the directory", map[string]any{"district": "atlantis"}, "unknown_district", "district"},
		{"a district that is no slug", map[string]any{"district": "Riverside Unified!"}, "invalid_district", "district"},
		{"a good name with a bad position", map[string]any{"display_name": "Changed", "position": "janitor"}, "invalid_position", "position"},
		{"a good position with an unknown district", map[string]any{"position": "teacher", "district": "atlantis"}, "unknown_district", "district"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, s.post(a, "PATCH", "/api/v1/me", c.body), 400, c.code, c.field)
		})
	}
	after := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", a.ID)}).json(t)
	if after["position"] != "coach" || after["display_name"] == "Changed" || after["district"] == nil {
		t.Fatalf("a refused PATCH changed something: %v", after)
	}

	r = s.post(a, "PATCH", "/api/v1/me", map[string]any{"district": nil, "position": "", "subjects": nil, "grade_bands": []string{}, "time_zone": nil})
	u = r.json(t)["user"].(map[string]any)
	if r.StatusCode != 200 || u["district"] != nil || u["position"] != nil || fmt.Sprint(u["subjects"]) != "[]" || fmt.Sprint(u["grade_bands"]) != "[]" || u["time_zone"] != nil {
		t.Fatalf("clearing: %d %s", r.StatusCode, r.body)
	}
	r = s.post(a, "PATCH", "/api/v1/me", map[string]any{"display_name": "Only The Name"})
	if u := r.json(t)["user"].(map[string]any); r.StatusCode != 200 || u["display_name"] != "Only The Name" {
		t.Fatalf("the old PATCH /me: %d %s", r.StatusCode, r.body)
	}
}

func TestDirectoryPages(t *testing.T) {
	s, _ := directorySite(t)
	a := s.signup("pagey")
	s.post(a, "PATCH", "/api/v1/me", map[string]any{"district": "riverside-unified", "position": "principal", "subjects": []string{"ela"}})
	get := func(path, cookie string) string {
		t.Helper()
		r := s.do(req{method: "GET", path: path, cookie: cookie})
		if r.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, r.StatusCode, r.body)
		}
		return string(r.body)
	}
	t.Run("the directory, filtered and not", func(t *testing.T) {
		page := get("/districts", "")
		for _, want := range []string{`href="/districts" aria-current="page">Districts</a>`, "Riverside Unified", "North Prairie Schools",
			"Great Lakes Innovation Cluster", `<option value="MI">Michigan (1)</option>`, "18,400 students"} {
			if !strings.Contains(page, want) {
				t.Errorf("/districts lacks %q", want)
			}
		}
		page = get("/districts?state=NE&q=prairie", "")
		if strings.Contains(page, "Riverside Unified</a></h3>") || !strings.Contains(page, "North Prairie Schools</a></h3>") ||
			!strings.Contains(page, `<option value="NE" selected>`) {
			t.Errorf("filtered directory: %s", page)
		}
		if r := s.do(req{method: "GET", path: "/districts?state=ZZ"}); r.StatusCode != 400 {
			t.Errorf("a bad filter: %d", r.StatusCode)
		}
	})
	t.Run("a district's and a cluster's pages show people, never emails", func(t *testing.T) {
		for _, path := range []string{"/districts/riverside-unified", "/clusters/great-lakes"} {
			page := get(path, "")
			if !strings.Contains(page, "Teacher pagey") || !strings.Contains(page, "Principal") || strings.Contains(page, "@district.org") {
				t.Errorf("%s: %s", path, page)
			}
			if strings.Contains(page, `id="collaboratives-heading"`) {
				t.Errorf("%s shows a collaboratives section with none to list", path)
			}
		}
		if r := s.do(req{method: "GET", path: "/districts/atlantis"}); r.StatusCode != 404 {
			t.Errorf("a missing district: %d", r.StatusCode)
		}
	})
	t.Run("settings: pick a district, position, subjects, grade bands and zone without JavaScript", func(t *testing.T) {
		page := get("/settings", a.Cookie)
		for _, want := range []string{`<optgroup label="Michigan">`, `<option value="riverside-unified" selected>Riverside Unified</option>`,
			`<option value="principal" selected>Principal</option>`, `name="subjects" value="ela" checked`, `list="time-zones"`} {
			if !strings.Contains(page, want) {
				t.Errorf("/settings lacks %q", want)
			}
		}
		csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
		form := url.Values{"_csrf": {csrf}, "display_name": {"Teacher pagey"}, "email": {"pagey@district.org"}, "profile_fields": {"1"},
			"district": {"north-prairie-schools"}, "position": {"coach"}, "subjects": {"math", "cs"}, "grade_bands": {"3-5"}, "time_zone": {"Mars/Base"}}
		r := s.postForm("/settings/profile", a.Cookie, form)
		if r.StatusCode == 303 { // post/redirect/get: the settings page shows the failure
			r = s.do(req{method: "GET", path: r.Header.Get("Location"), cookie: a.Cookie})
		}
		bad := string(r.body)
		if r.StatusCode != 400 || !strings.Contains(bad, `id="f-time_zone-error"`) || !strings.Contains(bad, `value="Mars/Base"`) ||
			!strings.Contains(bad, `<option value="coach" selected>`) || !strings.Contains(bad, `name="subjects" value="cs" checked`) {
			t.Fatalf("a bad time zone: %d, the form must come back with the error and what was sent:\n%s", r.StatusCode, bad)
		}
		form.Set("time_zone", "America/Chicago")
		if r := s.postForm("/settings/profile", a.Cookie, form); r.StatusCode != 303 {
			t.Fatalf("saving the profile: %d %s", r.StatusCode, r.body)
		}
		u := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", a.ID)}).json(t)
		if u["position"] != "coach" || fmt.Sprint(u["subjects"]) != "[math cs]" || fmt.Sprint(u["grade_bands"]) != "[3-5]" ||
			u["time_zone"] != "America/Chicago" || u["district"].(map[string]any)["slug"] != "north-prairie-schools" {
			t.Fatalf("saved: %v", u)
		}
		// A form without the profile fields (an older page) leaves them alone.
		r = s.postForm("/settings/profile", a.Cookie, url.Values{"_csrf": {csrf}, "display_name": {"Renamed"}, "email": {"pagey@district.org"}})
		if u := s.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d", a.ID)}).json(t); r.StatusCode != 303 || u["position"] != "coach" || u["display_name"] != "Renamed" {
			t.Fatalf("a form without profile fields: %d, %v", r.StatusCode, u)
		}
		profile := get(fmt.Sprintf("/users/%d/pagey", a.ID), "")
		for _, want := range []string{"Instructional coach", "Mathematics, Computer science", "Grades 3–5", "America/Chicago", `href="/districts/north-prairie-schools"`} {
			if !strings.Contains(profile, want) {
				t.Errorf("the profile page lacks %q", want)
			}
		}
	})
}
