package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// describedByResolves checks that every aria-describedby in a page names elements the page
// has, and returns the page's autofocus count.
func describedByResolves(t *testing.T, page string) int {
	t.Helper()
	for _, m := range regexp.MustCompile(`aria-describedby="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		for _, id := range strings.Fields(m[1]) {
			if !strings.Contains(page, `id="`+id+`"`) {
				t.Fatalf("aria-describedby names %q, which the page lacks", id)
			}
		}
	}
	return strings.Count(page, " autofocus")
}

// TestFailedFormsRedirectToTheirPage: a failed form post answers 303 to the form's own page
// (defect 7), which shows the failure to the one who posted, again on a reload, and to
// nobody else.
func TestFailedFormsRedirectToTheirPage(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker, newcomer, other := s.signup("asker"), s.signup("newcomer"), s.signup("other")
	qid := s.ask(asker, "How do you grade group projects fairly?", "grading")

	// A new member may not vote up yet (15 reputation).
	r := s.postForm(fmt.Sprintf("/posts/%d/vote", qid), newcomer.Cookie, url.Values{"_csrf": {newcomer.CSRF}, "value": {"1"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !regexp.MustCompile(fmt.Sprintf(`^/questions/%d\?form=[0-9a-f]{32}#post-%d$`, qid, qid)).MatchString(loc) {
		t.Fatalf("failed vote: %d %q, want a 303 to the question page", r.StatusCode, loc)
	}
	shown := regexp.MustCompile(`(?s)<div class="post-main">\s*<p class="form-error" role="alert">[^<]*reputation`)
	for i := range 2 { // the redirect, then a reload
		page := s.follow(r, newcomer.Cookie)
		if page.StatusCode != 403 || !shown.Match(page.body) {
			t.Fatalf("GET %d of the failed vote's page: %d, want 403 with the error beside the post", i, page.StatusCode)
		}
	}
	if page := s.follow(r, other.Cookie); page.StatusCode != 200 || shown.Match(page.body) {
		t.Fatalf("another person's GET of that address: %d, shows the failure: %v", page.StatusCode, shown.Match(page.body))
	}
	if page := s.follow(r, ""); page.StatusCode != 200 || shown.Match(page.body) {
		t.Fatalf("an anonymous GET of that address: %d", page.StatusCode)
	}
	if page := s.do(req{method: "GET", path: fmt.Sprintf("/questions/%d?form=%s", qid, strings.Repeat("0", 32)), cookie: newcomer.Cookie}); page.StatusCode != 200 {
		t.Fatalf("an unknown form id: %d", page.StatusCode)
	}

	t.Run("a failure is kept for its page only, and not for long", func(t *testing.T) {
		r := s.postForm(fmt.Sprintf("/posts/%d/vote", qid), newcomer.Cookie, url.Values{"_csrf": {newcomer.CSRF}, "value": {"1"}})
		id := strings.TrimPrefix(regexp.MustCompile(`form=[0-9a-f]+`).FindString(r.Header.Get("Location")), "form=")
		if page := s.do(req{method: "GET", path: "/questions/ask?form=" + id, cookie: newcomer.Cookie}); page.StatusCode != 200 || strings.Contains(string(page.body), `class="form-error"`) {
			t.Fatalf("another page shows the failure: %d", page.StatusCode)
		}
		s.clock.Add(11 * time.Minute)
		if page := s.follow(r, newcomer.Cookie); page.StatusCode != 200 {
			t.Fatalf("an old failure still shows: %d", page.StatusCode)
		}
	})
	t.Run("one session's failures cannot crowd out another's", func(t *testing.T) {
		theirs := s.postForm(fmt.Sprintf("/posts/%d/vote", qid), other.Cookie, url.Values{"_csrf": {other.CSRF}, "value": {"1"}})
		before := s.server.FormFailuresKept()
		for i := range 40 { // forty pages' worth of failing comments
			q := s.ask(asker, fmt.Sprintf("Question number %d about grading rubrics", i), "grading")
			s.postForm(fmt.Sprintf("/posts/%d/comments", q), newcomer.Cookie, url.Values{"_csrf": {newcomer.CSRF}, "body": {"short"}})
		}
		if kept := s.server.FormFailuresKept() - before; kept > 8 {
			t.Fatalf("one session holds %d failures", kept)
		}
		if page := s.follow(theirs, other.Cookie); page.StatusCode != 403 {
			t.Fatalf("another person's failure is gone: %d", page.StatusCode)
		}
	})
	t.Run("anonymous forms too", func(t *testing.T) {
		r := s.postForm("/login", "", url.Values{"login": {"asker"}, "password": {"not the password"}, "next": {"/settings"}})
		if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login?form=") {
			t.Fatalf("failed sign-in: %d %q", r.StatusCode, r.Header.Get("Location"))
		}
		page := s.follow(r, "")
		if page.StatusCode != 401 || !strings.Contains(string(page.body), `value="asker"`) || !strings.Contains(string(page.body), `name="next" value="/settings"`) {
			t.Fatalf("the sign-in page after a failure: %d", page.StatusCode)
		}
	})
}

// TestEachFormKeepsItsOwnFailure: on the question page a comment's error shows beside that
// comment form with its text, not in the answer box; the close form's errors show in the
// close form (defect 2).
func TestEachFormKeepsItsOwnFailure(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	qid := s.ask(asker, "How do you grade group projects fairly?", "grading")
	aid := s.answer(answerer, qid)

	r := s.postForm(fmt.Sprintf("/posts/%d/comments", aid), asker.Cookie, url.Values{"_csrf": {asker.CSRF}, "body": {"Too short"}})
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, fmt.Sprintf("#comment-%d-0", aid)) {
		t.Fatalf("the failed comment goes to %q, not to its form", loc)
	}
	page := s.follow(r, asker.Cookie)
	body := string(page.body)
	form := regexp.MustCompile(fmt.Sprintf(`(?s)<details class="comment-add" open>\s*<summary>Add a comment</summary>\s*<form action="/posts/%d/comments".*?</form>`, aid)).FindString(body)
	if page.StatusCode != 400 || form == "" {
		t.Fatalf("%d: the comment form on the answer is not open", page.StatusCode)
	}
	if !strings.Contains(form, ">Too short</textarea>") || !strings.Contains(form, fmt.Sprintf(`id="comment-%d-0-error"`, aid)) ||
		!strings.Contains(form, "at least 15 characters") || !strings.Contains(form, "autofocus") {
		t.Fatalf("the comment form lacks its text, error or focus:\n%s", form)
	}
	if answerBox := regexp.MustCompile(`(?s)<textarea id="answer-body"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body); answerBox == nil || answerBox[1] != "" {
		t.Fatalf("the answer box: %q", answerBox)
	}
	if strings.Count(body, "at least 15 characters") != 1 || strings.Count(body, "<details class=\"comment-add\" open>") != 1 {
		t.Fatal("the error shows at more than its own form")
	}
	describedByResolves(t, body)

	t.Run("a reply's failure stays with that reply", func(t *testing.T) {
		r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/posts/%d/comments", qid), headers: asker.bearer(),
			body: jsonBody(map[string]any{"body": "Which rubric did you use for this?"})})
		cid := int64(r.json(t)["id"].(float64))
		page := s.postFormFollow(fmt.Sprintf("/posts/%d/comments", qid), answerer.Cookie, url.Values{"_csrf": {answerer.CSRF},
			"parent_id": {fmt.Sprint(cid)}, "body": {"short"}})
		reply := regexp.MustCompile(`(?s)<details class="comment-reply" open><summary>reply</summary>.*?</form>`).FindString(string(page.body))
		if !strings.Contains(reply, fmt.Sprintf(`name="parent_id" value="%d"`, cid)) || !strings.Contains(reply, ">short</textarea>") {
			t.Fatalf("the reply form:\n%s", reply)
		}
	})

	t.Run("the close form shows its errors and what was chosen", func(t *testing.T) {
		page := s.postFormFollow(fmt.Sprintf("/questions/%d/close", qid), admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "reason": {"duplicate"}})
		body := string(page.body)
		form := regexp.MustCompile(`(?s)<details class="close-form" open>.*?</details>`).FindString(body)
		if page.StatusCode != 400 || form == "" {
			t.Fatalf("%d: the close form is not open", page.StatusCode)
		}
		if !strings.Contains(form, `id="close-dup-error"`) || !strings.Contains(form, `value="duplicate" required checked`) ||
			!strings.Contains(form, `aria-describedby="close-dup-error" autofocus`) {
			t.Fatalf("the close form lacks its error or the reason chosen:\n%s", form)
		}
		if n := describedByResolves(t, body); n != 1 {
			t.Fatalf("%d fields have the focus", n)
		}
		page = s.postFormFollow(fmt.Sprintf("/questions/%d/close", qid), admin.Cookie, url.Values{"_csrf": {admin.CSRF}, "reason": {"duplicate"},
			"duplicate_of": {fmt.Sprint(qid)}})
		if !strings.Contains(string(page.body), "cannot duplicate itself") {
			t.Fatal("the store's refusal of the original does not show")
		}
	})
}

// TestAnswerKeptWhenTheQuestionCloses: an answer sent after the question closed shows its
// text on the 409 page, ready to copy (defect 3).
func TestAnswerKeptWhenTheQuestionCloses(t *testing.T) {
	s := newSite(t)
	admin := s.signup("admin")
	asker, answerer := s.signup("asker"), s.signup("answerer")
	qid := s.ask(asker, "How do you grade group projects fairly?", "grading")
	// The answerer opens the page and starts typing; meanwhile a moderator closes it.
	if r := s.do(req{method: "POST", path: fmt.Sprintf("/api/v1/questions/%d/close", qid), headers: admin.bearer(), body: `{"reason":"off_topic"}`}); r.StatusCode != 200 {
		t.Fatalf("close: %d %s", r.StatusCode, r.body)
	}
	text := "We grade each member's part with a rubric & <peer> review, then average the group."
	page := s.postFormFollow(fmt.Sprintf("/questions/%d/answers", qid), answerer.Cookie, url.Values{"_csrf": {answerer.CSRF}, "body": {text}})
	body := string(page.body)
	if page.StatusCode != 409 || !strings.Contains(body, "takes no new answers") {
		t.Fatalf("%d: no question_closed page", page.StatusCode)
	}
	kept := regexp.MustCompile(`<textarea id="answer-kept"[^>]* readonly[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body)
	if kept == nil || kept[1] != "We grade each member&#39;s part with a rubric &amp; &lt;peer&gt; review, then average the group." {
		t.Fatalf("the typed answer is not kept to copy: %q", kept)
	}
	if !strings.Contains(body, `data-copy="answer-kept"`) {
		t.Fatal("no copy button")
	}
	describedByResolves(t, body)
}

// TestEveryFieldErrorAtOnce: forms and the API report every field at fault at once, the
// first one focused, each message linked to its field (defect 8).
func TestEveryFieldErrorAtOnce(t *testing.T) {
	s := newSite(t)
	s.signup("admin")
	asker := s.signup("asker")

	t.Run("sign-up page", func(t *testing.T) {
		page := s.postFormFollow("/signup", "", url.Values{"username": {"a b"}, "email": {"not an address"}, "display_name": {"Ms. Page"},
			"password": {"short"}, "password_confirm": {"shorter"}})
		body := string(page.body)
		for _, f := range []string{"username", "email", "password", "password_confirm"} {
			if !strings.Contains(body, `id="f-`+f+`-error"`) {
				t.Errorf("no error beside %s", f)
			}
		}
		if !strings.Contains(body, `aria-invalid="true" aria-describedby="f-username-error f-username-hint" autofocus>`) {
			t.Error("the first field at fault is not focused, or its message not linked")
		}
		if n := describedByResolves(t, body); n != 1 {
			t.Errorf("%d fields have the focus", n)
		}
	})
	t.Run("sign-up API lists every field", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/auth/signup", body: jsonBody(map[string]string{"username": "a b", "email": "nope", "password": "short"})})
		code, field := r.errorCode(t)
		fields, _ := r.json(t)["error"].(map[string]any)["fields"].([]any)
		var names []string
		for _, f := range fields {
			names = append(names, f.(map[string]any)["field"].(string))
		}
		if r.StatusCode != 400 || code != "invalid_username" || field != "username" || strings.Join(names, " ") != "username email password" {
			t.Fatalf("%d %s %s fields %v", r.StatusCode, code, field, names)
		}
	})
	t.Run("ask page", func(t *testing.T) {
		page := s.postFormFollow("/questions/ask", asker.Cookie, url.Values{"_csrf": {asker.CSRF}, "title": {"Too short"}, "body": {"Also short."}})
		body := string(page.body)
		for _, f := range []string{"title", "body", "tags"} {
			if !strings.Contains(body, `id="f-`+f+`-error"`) {
				t.Errorf("no error beside %s", f)
			}
		}
		if !strings.Contains(body, `id="f-title"`) || !regexp.MustCompile(`<input id="f-title"[^>]* autofocus>`).MatchString(body) {
			t.Error("the title is not focused")
		}
		if !strings.Contains(body, ">Also short.</textarea>") {
			t.Error("the body typed is lost")
		}
		if n := describedByResolves(t, body); n != 1 {
			t.Errorf("%d fields have the focus", n)
		}
	})
	t.Run("edit page", func(t *testing.T) {
		qid := s.ask(asker, "How do you grade group projects fairly?", "grading")
		page := s.postFormFollow(fmt.Sprintf("/posts/%d/edit", qid), asker.Cookie, url.Values{"_csrf": {asker.CSRF}, "revision": {"1"},
			"title": {"Short"}, "body": {"short"}, "tags": {""}, "summary": {""}})
		body := string(page.body)
		for _, f := range []string{"title", "body", "tags"} {
			if !strings.Contains(body, `id="f-`+f+`-error"`) {
				t.Errorf("no error beside %s", f)
			}
		}
		if n := describedByResolves(t, body); n != 1 {
			t.Errorf("%d fields have the focus", n)
		}
	})
	t.Run("settings page", func(t *testing.T) {
		page := s.postFormFollow("/settings/password", asker.Cookie, url.Values{"_csrf": {asker.CSRF}, "current_password": {"wrong one"},
			"new_password": {"short"}, "new_password_confirm": {"other"}})
		body := string(page.body)
		for _, f := range []string{"current_password", "new_password", "new_password_confirm"} {
			if !strings.Contains(body, `id="f-`+f+`-error"`) {
				t.Errorf("no error beside %s", f)
			}
		}
		if !strings.Contains(body, `data-match="f-new_password"`) {
			t.Error("the repeated password does not say what it repeats")
		}
		if n := describedByResolves(t, body); n != 1 {
			t.Errorf("%d fields have the focus", n)
		}
		page = s.postFormFollow("/settings/profile", asker.Cookie, url.Values{"_csrf": {asker.CSRF}, "display_name": {""}, "email": {"nope"}})
		for _, f := range []string{"display_name", "email"} {
			if !strings.Contains(string(page.body), `id="f-`+f+`-error"`) {
				t.Errorf("no error beside %s", f)
			}
		}
	})
}
