package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"staffroom/forum"
	"staffroom/forum/sqlite"
)

// mailbox is an SMTP server on 127.0.0.1 that keeps what it is sent.
type mailbox struct {
	mu   sync.Mutex
	msgs []*mail.Message
	addr string
}

type mailboxSession struct{ b *mailbox }

func (s *mailboxSession) Reset()                               {}
func (s *mailboxSession) Logout() error                        { return nil }
func (s *mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailboxSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(body))
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, m)
	s.b.mu.Unlock()
	return nil
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	b := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{b}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return b
}

// `staffroom digest --now --user NAME` queues that person's digest and sends it: their
// unread notifications of daily kinds, with a one-click unsubscribe from digests.
func TestDigestCommand(t *testing.T) {
	box := startMailbox(t)
	path := filepath.Join(t.TempDir(), "digest.db")
	ctx := context.Background()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	mk := func(name string) *forum.User {
		u, err := db.CreateUser(ctx, forum.NewUser{Username: name, Email: name + "@school.example", DisplayName: "Teacher " + name, Role: forum.RoleMember}, now)
		if err != nil {
			t.Fatal(err)
		}
		hash := []byte("v-" + name)
		if err := db.CreateEmailVerification(ctx, u.ID, hash, now.Add(time.Hour), forum.OutboxMail{IdemKey: "v-" + name, UserID: u.ID,
			Kind: forum.MailKindVerifyEmail, Data: forum.MailData{Subject: "Confirm"}}, "school.example", now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UseEmailVerification(ctx, hash, now); err != nil {
			t.Fatal(err)
		}
		return u
	}
	reader, other, asker := mk("reader"), mk("other"), mk("asker")
	if _, err := db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: asker.ID, Title: "Seed question", Body: "x", BodyHTML: "x", Tags: []string{"grading"}, Now: now}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*forum.User{reader, other} {
		if _, err := db.Follow(ctx, u.ID, forum.FollowTag, "grading", now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := forum.NewNotifier(db, "", time.Now, nil).Store.ExpandNotifications(ctx, 100, "", now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: asker.ID, Title: "Retakes in a standards-based gradebook?", Body: "How many?", BodyHTML: "x",
		Tags: []string{"grading"}, Now: now}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out, errOut bytes.Buffer
	code := run(ctx, []string{"digest", "--now", "--user", "reader", "--db", path, "--smtp-url", "smtp://" + box.addr,
		"--mail-from", "Staffroom <staffroom@district.example>", "--base-url", "https://staffroom.example"}, nil, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	// The verification mails made above were queued too: they go out with the digest.
	if !strings.HasPrefix(out.String(), "1 digests queued") {
		t.Errorf("output: %q", out.String())
	}
	var digests []*mail.Message
	for _, m := range box.msgs {
		if strings.Contains(m.Header.Get("Subject"), "summary") {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 || !strings.Contains(digests[0].Header.Get("To"), "reader@school.example") {
		t.Fatalf("digests: %d of %d messages", len(digests), len(box.msgs))
	}
	body, _ := io.ReadAll(digests[0].Body)
	if !strings.Contains(string(body), "Retakes in a standards-based gradebook?") || !strings.HasPrefix(digests[0].Header.Get("List-Unsubscribe"), "<https://staffroom.example/unsubscribe/") {
		t.Errorf("digest:\n%s\nList-Unsubscribe: %s", body, digests[0].Header.Get("List-Unsubscribe"))
	}

	// Without mail configured the command says so.
	code = run(ctx, []string{"digest", "--now", "--db", path}, nil, &out, &errOut)
	if code != exitUsage {
		t.Errorf("without mail: exit %d", code)
	}
}
