// Package storetest is the behaviour every forum store must have, as one suite: the SQLite
// store runs it today, and a PostgreSQL store will prove itself against the same tests. It
// is the one place a store's behaviour is specified: every interface forum asks of a store,
// the error codes each documents, counters that stay equal to their rows under concurrent
// writes, and events published only after commit, numbered without gap or repeat.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"staffroom/forum"
)

// Store is everything a complete forum store implements, and the hooks of Tapped.
type Store interface {
	forum.UserStore
	forum.SessionStore
	forum.CommunityStore
	forum.DirectoryStore
	forum.DemoSeeder
	forum.PostStore
	forum.RevisionStore
	forum.CloseStore
	forum.ProfileStore
	forum.IdempotencyStore
	forum.ViewStore
	forum.Recounter
	forum.EventLog
	forum.ThreadVersions
	forum.InviteStore
	forum.PasswordResetStore
	forum.SettingsStore
	forum.PeopleStore
	forum.TagAdminStore
	forum.SearchStore
	forum.RevisionStore // edits move what search finds
	forum.TagSynonymStore
	forum.CollaborativeStore
	forum.MembershipStore
	forum.CollaborativeScopes
	forum.ChannelStore
	forum.MeetingStore
	forum.ModerationStore
	forum.SuggestionStore
	forum.SuspensionStore
	forum.AuditReader
	forum.CommentEditStore
	forum.SpamStore
	forum.NotificationStore
	forum.MailStore
	forum.DigestStore
	Tapped
}

// Tapped is what the suite needs of a store beyond forum's interfaces, to check what no
// request can make happen on purpose: a write that logs its events and then fails. A store
// provides it from its own tests (forum/sqlite's export_test.go), never in production code.
type Tapped interface {
	// PublishTo sends the store's committed events to p, as the wiring's publisher would
	// get them (plain JSON data).
	PublishTo(p forum.Publisher)
	// WriteEvents runs one write that logs events, as a change does, and then commits, or
	// rolls back and returns fail when fail is not nil.
	WriteEvents(ctx context.Context, fail error, events ...forum.Event) error
	// Notify runs one write that describes n through the store's notification seam, as a
	// feature's store does in its transaction.
	Notify(ctx context.Context, n forum.Notification) error
}

// Opener returns a new, empty, migrated store for one test.
type Opener func(t *testing.T) Store

// t0 is the suite's clock: fixed, so stored times can be compared exactly.
var t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("users", func(t *testing.T) { testUsers(t, open) })
	t.Run("sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("tokens", func(t *testing.T) { testTokens(t, open) })
	t.Run("demo", func(t *testing.T) { testDemo(t, open) })
	t.Run("directory", func(t *testing.T) { testDirectory(t, open) })
	t.Run("posts", func(t *testing.T) { testPosts(t, open) })
	t.Run("votes", func(t *testing.T) { testVotes(t, open) })
	t.Run("accept", func(t *testing.T) { testAccept(t, open) })
	t.Run("question list", func(t *testing.T) { testQuestionList(t, open) })
	t.Run("question paging", func(t *testing.T) { testQuestionPaging(t, open) })
	t.Run("unanswered lists open questions", func(t *testing.T) { testUnansweredOpen(t, open) })
	t.Run("questions by title", func(t *testing.T) { testSimilarQuestions(t, open) })
	t.Run("tags by word", func(t *testing.T) { testTagWords(t, open) })
	t.Run("events", func(t *testing.T) { testEvents(t, open) })
	t.Run("thread versions", func(t *testing.T) { testThreadVersions(t, open) })
	t.Run("question interval", func(t *testing.T) { testQuestionInterval(t, open) })
	t.Run("invites", func(t *testing.T) { testInvites(t, open) })
	t.Run("password resets", func(t *testing.T) { testPasswordResets(t, open) })
	t.Run("site settings", func(t *testing.T) { testSiteSettings(t, open) })
	t.Run("people", func(t *testing.T) { testPeople(t, open) })
	t.Run("tag admin", func(t *testing.T) { testTagAdmin(t, open) })
	t.Run("refusals", func(t *testing.T) { testRefusals(t, open) })
	t.Run("comment votes", func(t *testing.T) { testCommentVotes(t, open) })
	t.Run("edits and revisions", func(t *testing.T) { testRevisions(t, open) })
	t.Run("close votes", func(t *testing.T) { testCloseVotes(t, open) })
	t.Run("profiles", func(t *testing.T) { testProfiles(t, open) })
	t.Run("idempotency keys", func(t *testing.T) { testIdempotency(t, open) })
	t.Run("view counts", func(t *testing.T) { testViews(t, open) })
	t.Run("counters under concurrent writes", func(t *testing.T) { testCountersUnderLoad(t, open) })
	t.Run("publish after commit", func(t *testing.T) { testPublishAfterCommit(t, open) })
	t.Run("search", func(t *testing.T) { testSearch(t, open) })
	t.Run("tag synonyms", func(t *testing.T) { testTagSynonyms(t, open) })
	t.Run("search long phrase", func(t *testing.T) { testSearchLongPhrase(t, open) })
	t.Run("collaboratives", func(t *testing.T) { testCollaboratives(t, open) })
	t.Run("moderation", func(t *testing.T) { testModeration(t, open) })
	t.Run("oversight", func(t *testing.T) { testOversight(t, open) })
	t.Run("collaborative members", func(t *testing.T) { testMembership(t, open) })
	t.Run("scoped questions", func(t *testing.T) { testScopedQuestions(t, open) })
	t.Run("channels", func(t *testing.T) { testChannels(t, open) })
	t.Run("meetings", func(t *testing.T) { testMeetings(t, open) })
	t.Run("demo meetings", func(t *testing.T) { testDemoMeetings(t, open) })
	t.Run("notifications", func(t *testing.T) { testNotifications(t, open) })
}

// MustCreateUser creates an account with a derived email, failing the test on error.
func MustCreateUser(t *testing.T, s forum.UserStore, username string) *forum.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), forum.NewUser{
		Username: username, Email: username + "@example.org", DisplayName: "Person " + username,
		PasswordHash: "hash-of-" + username, Role: forum.RoleMember,
	}, t0)
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// result is a store call's value and error, for must.
type result[T any] struct {
	v   T
	err error
}

// must holds a call's result until ok checks its error: must(s.Post(ctx, id, 0, false)).ok(t).
// The suite never passes over an error, in setup least of all: a step that failed
// unnoticed would make what follows test nothing.
func must[T any](v T, err error) result[T] { return result[T]{v, err} }

// ok returns the value, failing the test when the call failed.
func (r result[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// check fails the test when a call that returns only an error failed.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, kind forum.Kind, code string) {
	t.Helper()
	e := forum.AsError(err)
	if e == nil || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("error = %v, want kind %d code %q", err, kind, code)
	}
}

func testUsers(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("first account becomes admin, later ones do not", func(t *testing.T) {
		s := open(t)
		first := MustCreateUser(t, s, "first")
		second := MustCreateUser(t, s, "second")
		if first.Role != forum.RoleAdmin || second.Role != forum.RoleMember {
			t.Fatalf("roles = %s, %s; want admin, member", first.Role, second.Role)
		}
		if first.Reputation != 1 {
			t.Errorf("new users start at reputation 1, got %d", first.Reputation)
		}
		if !first.CreatedAt.Equal(t0) {
			t.Errorf("created_at = %v, want %v", first.CreatedAt, t0)
		}
	})
	t.Run("demo accounts never become admin", func(t *testing.T) {
		s := open(t)
		d, err := s.CreateUser(ctx, forum.NewUser{Username: "demo1", Email: "d@x.invalid", DisplayName: "D", Role: forum.RoleMember, Demo: true}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if d.Role != forum.RoleMember || !d.Demo {
			t.Fatalf("demo account: role %s demo %v", d.Role, d.Demo)
		}
		if u := MustCreateUser(t, s, "realperson"); u.Role != forum.RoleAdmin {
			t.Fatalf("first real account role = %s, want admin", u.Role)
		}
	})
	t.Run("a site whose admins were demoted gives no sign-up admin", func(t *testing.T) {
		s := open(t)
		first := MustCreateUser(t, s, "founder")
		if err := s.SetRole(ctx, first.ID, forum.RoleMember); err != nil {
			t.Fatal(err)
		}
		if u := MustCreateUser(t, s, "newcomer"); u.Role != forum.RoleMember {
			t.Fatalf("a sign-up after the last admin was demoted got role %s, want member", u.Role)
		}
	})
	t.Run("a refused first account leaves the first place open", func(t *testing.T) {
		s := open(t)
		_, err := s.CreateUser(ctx, forum.NewUser{Username: "dup", Email: "dup@example.org", DisplayName: "x", Role: forum.RoleMember, Demo: true}, t0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateUser(ctx, forum.NewUser{Username: "DUP", Email: "real@example.org", DisplayName: "x", Role: forum.RoleMember}, t0)
		wantCode(t, err, forum.EConflict, "username_taken")
		if u := MustCreateUser(t, s, "founder"); u.Role != forum.RoleAdmin {
			t.Fatalf("the first account created got role %s after a refused one, want admin", u.Role)
		}
	})
	t.Run("username and email unique regardless of case", func(t *testing.T) {
		s := open(t)
		MustCreateUser(t, s, "Marisol")
		_, err := s.CreateUser(ctx, forum.NewUser{Username: "marisol", Email: "other@example.org", DisplayName: "x", Role: forum.RoleMember}, t0)
		wantCode(t, err, forum.EConflict, "username_taken")
		_, err = s.CreateUser(ctx, forum.NewUser{Username: "other", Email: "MARISOL@EXAMPLE.ORG", DisplayName: "x", Role: forum.RoleMember}, t0)
		wantCode(t, err, forum.EConflict, "email_taken")
		if n := must(s.CountUsers(ctx)).ok(t); n != 1 {
			t.Fatalf("count = %d after refused duplicates, want 1", n)
		}
	})
	t.Run("lookup by username or email, any case", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "JChen")
		for _, login := range []string{"jchen", "JCHEN", " JChen@Example.org "} {
			got, err := s.UserByLogin(ctx, login)
			if err != nil || got.ID != u.ID {
				t.Fatalf("UserByLogin(%q) = %v, %v", login, got, err)
			}
		}
		_, err := s.UserByLogin(ctx, "nobody")
		wantCode(t, err, forum.ENotFound, "")
		_, err = s.UserByID(ctx, 999)
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("strings are stored literally", func(t *testing.T) {
		s := open(t)
		name := `Robert'); DROP TABLE users;--`
		u, err := s.CreateUser(ctx, forum.NewUser{Username: "bobby", Email: "b@example.org", DisplayName: name, Role: forum.RoleMember}, t0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.UserByID(ctx, u.ID)
		if err != nil || got.DisplayName != name {
			t.Fatalf("display name = %q, %v", got.DisplayName, err)
		}
	})
	t.Run("update profile", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "aisha")
		MustCreateUser(t, s, "taken")
		name := "Aisha Bello"
		got, err := s.UpdateUser(ctx, u.ID, forum.UserUpdate{DisplayName: &name})
		if err != nil || got.DisplayName != name || got.Email != "aisha@example.org" {
			t.Fatalf("update = %+v, %v", got, err)
		}
		email := "Taken@example.org"
		_, err = s.UpdateUser(ctx, u.ID, forum.UserUpdate{Email: &email})
		wantCode(t, err, forum.EConflict, "email_taken")
		got = must(s.UserByID(ctx, u.ID)).ok(t)
		if got.Email != "aisha@example.org" {
			t.Fatalf("email changed to %q by a refused update", got.Email)
		}
	})
	t.Run("set role", func(t *testing.T) {
		s := open(t)
		MustCreateUser(t, s, "admin")
		u := MustCreateUser(t, s, "mod")
		if err := s.SetRole(ctx, u.ID, forum.RoleModerator); err != nil {
			t.Fatal(err)
		}
		if got := must(s.UserByID(ctx, u.ID)).ok(t); got.Role != forum.RoleModerator {
			t.Fatalf("role = %s", got.Role)
		}
		wantCode(t, s.SetRole(ctx, 999, forum.RoleAdmin), forum.ENotFound, "")
	})
	t.Run("racing identical sign-ups: exactly one wins", func(t *testing.T) {
		s := open(t)
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.CreateUser(ctx, forum.NewUser{Username: "racer", Email: "racer@example.org", DisplayName: "R", Role: forum.RoleMember}, t0)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, forum.ErrConflict) {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d sign-ups succeeded, want exactly 1", ok)
		}
	})
	t.Run("racing first sign-ups: exactly one admin", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				MustCreateUser(t, s, fmt.Sprintf("early%d", i))
			}()
		}
		wg.Wait()
		admins := 0
		for i := range 10 {
			u, err := s.UserByLogin(ctx, fmt.Sprintf("early%d", i))
			if err != nil {
				t.Fatal(err)
			}
			if u.Role == forum.RoleAdmin {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("%d admins, want 1", admins)
		}
	})
}

func newSession(userID int64, hash string, at time.Time) *forum.Session {
	return &forum.Session{Hash: []byte(hash), UserID: userID, CSRFToken: "csrf-" + hash, UserAgent: "test", IP: "127.0.0.1", CreatedAt: at, LastSeenAt: at}
}

func testSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("create, find, touch, delete", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "dokafor")
		sess := newSession(u.ID, "h1", t0)
		if err := s.CreateSession(ctx, sess); err != nil || sess.ID == 0 {
			t.Fatalf("create: id %d, %v", sess.ID, err)
		}
		got, gu, err := s.SessionByHash(ctx, []byte("h1"))
		if err != nil || got.ID != sess.ID || gu.ID != u.ID || got.CSRFToken != "csrf-h1" || gu.Username != "dokafor" {
			t.Fatalf("find = %+v %+v %v", got, gu, err)
		}
		later := t0.Add(time.Hour)
		if err := s.TouchSession(ctx, sess.ID, later); err != nil {
			t.Fatal(err)
		}
		if got, _, err = s.SessionByHash(ctx, []byte("h1")); err != nil {
			t.Fatal(err)
		}
		if !got.LastSeenAt.Equal(later) {
			t.Fatalf("last seen = %v, want %v", got.LastSeenAt, later)
		}
		if err := s.DeleteSessionByHash(ctx, []byte("h1")); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.SessionByHash(ctx, []byte("h1"))
		wantCode(t, err, forum.ENotFound, "")
	})
	t.Run("a person revokes only their own sessions", func(t *testing.T) {
		s := open(t)
		a, b := MustCreateUser(t, s, "alice"), MustCreateUser(t, s, "bob")
		sa, sb := newSession(a.ID, "a1", t0), newSession(b.ID, "b1", t0)
		check(t, s.CreateSession(ctx, sa))
		check(t, s.CreateSession(ctx, sb))
		wantCode(t, s.DeleteSession(ctx, a.ID, sb.ID), forum.ENotFound, "")
		if _, _, err := s.SessionByHash(ctx, []byte("b1")); err != nil {
			t.Fatalf("bob's session was deleted by alice: %v", err)
		}
		if err := s.DeleteSession(ctx, a.ID, sa.ID); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListSessions(ctx, a.ID)
		if err != nil || len(list) != 0 {
			t.Fatalf("alice's sessions = %d, %v", len(list), err)
		}
	})
	t.Run("new password ends the other sessions", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "carol")
		for _, h := range []string{"c1", "c2", "c3"} {
			check(t, s.CreateSession(ctx, newSession(u.ID, h, t0)))
		}
		check(t, s.CreateToken(ctx, &forum.APIToken{UserID: u.ID, Name: "script", Hash: []byte("tok"), CreatedAt: t0}))
		if err := s.SetPassword(ctx, u.ID, "new-hash", []byte("c2"), nil); err != nil {
			t.Fatal(err)
		}
		list := must(s.ListSessions(ctx, u.ID)).ok(t)
		if len(list) != 1 || string(list[0].Hash) != "c2" {
			t.Fatalf("sessions left = %d, want only c2", len(list))
		}
		if toks := must(s.ListTokens(ctx, u.ID)).ok(t); len(toks) != 0 {
			t.Fatalf("%d API tokens survive the password change", len(toks))
		}
		got := must(s.UserByID(ctx, u.ID)).ok(t)
		if got.PasswordHash != "new-hash" {
			t.Fatalf("hash = %q", got.PasswordHash)
		}
	})
	t.Run("idle sessions are pruned", func(t *testing.T) {
		s := open(t)
		u := MustCreateUser(t, s, "dave")
		check(t, s.CreateSession(ctx, newSession(u.ID, "old", t0)))
		check(t, s.CreateSession(ctx, newSession(u.ID, "new", t0.Add(48*time.Hour))))
		n, err := s.DeleteIdleSessions(ctx, t0.Add(24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want 1", n, err)
		}
		if _, _, err := s.SessionByHash(ctx, []byte("new")); err != nil {
			t.Fatalf("recent session pruned: %v", err)
		}
	})
}

func testTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a, b := MustCreateUser(t, s, "erin"), MustCreateUser(t, s, "frank")
	tok := &forum.APIToken{UserID: a.ID, Name: "grading script", Hash: []byte("t1"), CreatedAt: t0}
	if err := s.CreateToken(ctx, tok); err != nil || tok.ID == 0 {
		t.Fatalf("create: %v", err)
	}
	got, u, err := s.TokenByHash(ctx, []byte("t1"))
	if err != nil || got.ID != tok.ID || u.ID != a.ID || got.LastUsedAt != nil {
		t.Fatalf("find = %+v %v", got, err)
	}
	if err := s.TouchToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListTokens(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("list = %+v, %v", list, err)
	}
	wantCode(t, s.DeleteToken(ctx, b.ID, tok.ID), forum.ENotFound, "")
	if err := s.DeleteToken(ctx, a.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.TokenByHash(ctx, []byte("t1"))
	wantCode(t, err, forum.ENotFound, "")
}

func testDemo(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("seeds an empty site once", func(t *testing.T) {
		s := open(t)
		seeded, err := s.SeedDemo(ctx, forum.Demo, t0)
		if err != nil || !seeded {
			t.Fatalf("seed = %v, %v", seeded, err)
		}
		c, err := s.Community(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Members != len(forum.Demo.People) || len(c.Districts) != len(forum.Demo.Districts) || len(c.Newest) == 0 {
			t.Fatalf("community = %d members, %d districts", c.Members, len(c.Districts))
		}
		if c.Newest[0].Username != "elena.p" {
			t.Errorf("newest member = %s, want the most recent demo joiner", c.Newest[0].Username)
		}
		again, err := s.SeedDemo(ctx, forum.Demo, t0)
		if err != nil || again {
			t.Fatalf("second seed = %v, %v; want nothing done", again, err)
		}
		for _, p := range forum.Demo.People {
			u, err := s.UserByLogin(ctx, p.Username)
			if err != nil {
				t.Fatal(err)
			}
			if !u.Demo || u.PasswordHash != "" || u.Role == forum.RoleAdmin || u.District == nil {
				t.Fatalf("demo person %s: demo %v hash %q role %s", u.Username, u.Demo, u.PasswordHash, u.Role)
			}
		}
		if u := MustCreateUser(t, s, "firstreal"); u.Role != forum.RoleAdmin {
			t.Fatalf("first real account after the demo: role %s, want admin", u.Role)
		}
	})
	t.Run("never touches a site with accounts", func(t *testing.T) {
		s := open(t)
		MustCreateUser(t, s, "someone")
		seeded, err := s.SeedDemo(ctx, forum.Demo, t0)
		if err != nil || seeded {
			t.Fatalf("seed = %v, %v; want nothing done", seeded, err)
		}
		if n := must(s.CountUsers(ctx)).ok(t); n != 1 {
			t.Fatalf("users = %d", n)
		}
	})
}
