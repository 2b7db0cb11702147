package mail_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"staffroom/forum"
	smail "staffroom/forum/mail"
	"staffroom/forum/sqlite"
)

// The outbox against a real SMTP server (emersion/go-smtp) on 127.0.0.1, started by each
// test: delivery, retry after a refusal, no loss or duplicate across a restart, bounces.

// server is an SMTP server that keeps what it accepts and refuses as told.
type server struct {
	mu       sync.Mutex
	received []*mail.Message
	raw      []string
	// tempFail refuses the next tempFail messages with 451 at DATA; badRcpt refuses these
	// recipients with 550.
	tempFail int
	badRcpt  map[string]bool
	addr     string
}

type session struct{ s *server }

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(string, *smtp.MailOptions) error {
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.badRcpt[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	}
	return nil
}
func (x *session) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.tempFail > 0 {
		x.s.tempFail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m, err := mail.ReadMessage(bytes.NewReader(body))
	if err != nil {
		return err
	}
	x.s.received = append(x.s.received, m)
	x.s.raw = append(x.s.raw, string(body))
	return nil
}

func startServer(t *testing.T) *server {
	t.Helper()
	s := &server{badRcpt: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *server) messages() []*mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*mail.Message(nil), s.received...)
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a database, the notifier and the mailer, as the server wires them.
type env struct {
	t        *testing.T
	db       *sqlite.DB
	path     string
	clock    *clock
	unsub    *forum.Unsubscribes
	smtp     *smail.SMTP
	notifier *forum.Notifier
	mailer   *forum.Mailer
	acct     *forum.AccountMail
}

func newEnv(t *testing.T, addr string, path string) *env {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "staffroom.db")
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, path: path, clock: &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}}
	e.unsub = &forum.Unsubscribes{Secret: []byte("0123456789abcdef0123456789abcdef"), Now: e.clock.Now}
	e.smtp, err = smail.New(smail.Config{URL: "smtp://" + addr, From: "Staffroom <staffroom@district.example>",
		BaseURL: "https://staffroom.example", SiteName: "Staffroom", Unsubscribes: e.unsub})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.notifier = forum.NewNotifier(db, e.smtp.Domain(), e.clock.Now, quiet)
	e.mailer = forum.NewMailer(db, e.smtp, e.clock.Now, quiet)
	e.acct = &forum.AccountMail{Store: db, Domain: e.smtp.Domain(), Now: e.clock.Now}
	return e
}

func (e *env) user(name string, confirmed bool) *forum.User {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.db.CreateUser(ctx, forum.NewUser{Username: name, Email: name + "@school.example", DisplayName: strings.ToUpper(name[:1]) + name[1:],
		Role: forum.RoleMember}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if confirmed {
		hash := []byte("verify-" + name)
		if err := e.db.CreateEmailVerification(ctx, u.ID, hash, e.clock.Now().Add(time.Hour), forum.OutboxMail{IdemKey: "v-" + name,
			UserID: u.ID, Kind: forum.MailKindVerifyEmail, Data: forum.MailData{Subject: "Confirm"}}, "district.example", e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.db.UseEmailVerification(ctx, hash, e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
		// The confirmation mail itself is not what these tests count.
		due, _ := e.db.DueMail(ctx, e.clock.Now(), 100)
		for _, m := range due {
			if m.Kind == forum.MailKindVerifyEmail {
				e.db.MailSent(ctx, m.ID, e.clock.Now())
			}
		}
	}
	return u
}

// answered has ben answer asker's question and the notifier fan it out: one mail to the
// asker (answers are mailed at once by default).
func (e *env) answered(asker, ben *forum.User, title string) {
	e.t.Helper()
	ctx := context.Background()
	q, err := e.db.CreateQuestion(ctx, forum.NewQuestion{AuthorID: asker.ID, Title: title, Body: "How do you do it?", BodyHTML: "<p>?</p>", Now: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.CreateAnswer(ctx, forum.NewAnswer{QuestionID: q.ID, AuthorID: ben.ID, Body: "Like this, every week.", BodyHTML: "<p>x</p>", Now: e.clock.Now()}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.notifier.Drain(ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) send() int {
	e.t.Helper()
	n, err := e.mailer.SendDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// bodies returns a message's text/plain and text/html parts.
func bodies(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch strings.SplitN(p.Header.Get("Content-Type"), ";", 2)[0] {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
	return text, html
}

func TestDelivery(t *testing.T) {
	srv := startServer(t)
	e := newEnv(t, srv.addr, "")
	asker, ben := e.user("asker", true), e.user("ben", true)
	e.answered(asker, ben, "Exit tickets in grade 7")
	if n := e.send(); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages", len(msgs))
	}
	m := msgs[0]
	if to := m.Header.Get("To"); !strings.Contains(to, "asker@school.example") {
		t.Errorf("To = %q", to)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); subj != "Ben answered your question: Exit tickets in grade 7" {
		t.Errorf("Subject = %q", subj)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@district.example>") {
		t.Errorf("Message-ID = %q", id)
	}
	lu := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<https://staffroom.example/unsubscribe/") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe = %q, -Post = %q", lu, m.Header.Get("List-Unsubscribe-Post"))
	}
	token := strings.TrimSuffix(strings.TrimPrefix(lu, "<https://staffroom.example/unsubscribe/"), ">")
	if id, kind, err := e.unsub.Check(token); err != nil || id != asker.ID || kind != "answer" {
		t.Errorf("the header's token: %d %q %v", id, kind, err)
	}
	text, html := bodies(t, m)
	if !strings.Contains(text, "Ben answered your question: Exit tickets in grade 7") || !strings.Contains(text, "https://staffroom.example/questions/") {
		t.Errorf("text body:\n%s", text)
	}
	if !strings.Contains(html, "<a href=\"https://staffroom.example/questions/") || !strings.Contains(html, "Exit tickets in grade 7") {
		t.Errorf("html body:\n%s", html)
	}
	if n := e.send(); n != 0 || len(srv.messages()) != 1 {
		t.Errorf("sent again: %d", n)
	}
}

func TestRetryAfterRefusal(t *testing.T) {
	srv := startServer(t)
	srv.tempFail = 2
	e := newEnv(t, srv.addr, "")
	asker, ben := e.user("asker", true), e.user("ben", true)
	e.answered(asker, ben, "Retried")
	e.send() // 451: kept, retried in a minute
	if got := len(srv.messages()); got != 0 {
		t.Fatalf("delivered despite the refusal: %d", got)
	}
	e.clock.Add(30 * time.Second)
	if e.send(); len(srv.messages()) != 0 || srv.tempFail != 1 {
		t.Fatalf("retried before its backoff (tries left to refuse: %d)", srv.tempFail)
	}
	e.clock.Add(31 * time.Second)
	e.send() // second 451: the next try waits two minutes
	e.clock.Add(time.Minute)
	e.send()
	if len(srv.messages()) != 0 {
		t.Fatal("retried before the doubled backoff")
	}
	e.clock.Add(time.Minute + time.Second)
	e.send()
	if got := len(srv.messages()); got != 1 {
		t.Fatalf("after the server recovered: %d messages, want 1", got)
	}
}

func TestUnreachableServerKeepsTheMail(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	e := newEnv(t, addr, "")
	asker, ben := e.user("asker", true), e.user("ben", true)
	e.answered(asker, ben, "Kept")
	e.send()
	due, err := e.db.DueMail(context.Background(), e.clock.Now().Add(time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].Attempts != 1 {
		t.Fatalf("the outbox after an unreachable server: %+v, %v", due, err)
	}
	// The server comes back: the same message goes out.
	srv := startServer(t)
	e2 := newEnv(t, srv.addr, e.path)
	e2.clock.Add(2 * time.Minute)
	e2.send()
	if got := srv.messages(); len(got) != 1 || got[0].Header.Get("Message-Id") != "<"+due[0].MessageID+">" {
		t.Fatalf("after the server came back: %d messages", len(got))
	}
}

// TestNoDuplicateAfterRestart: a process that stops in the middle of the outbox leaves
// what it sent marked sent (never sent again) and what it had not sent pending (sent once
// by the next process). A stop between the server's acceptance and the "sent" mark is
// the one window left: the message goes again after MailLease, with the same Message-ID.
func TestNoDuplicateAfterRestart(t *testing.T) {
	srv := startServer(t)
	e := newEnv(t, srv.addr, "")
	asker, ben, cat := e.user("asker", true), e.user("ben", true), e.user("cat", true)
	e.answered(asker, ben, "First")
	e.answered(cat, ben, "Second")
	e.answered(ben, cat, "Third")
	ctx := context.Background()
	due, err := e.db.DueMail(ctx, e.clock.Now(), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due = %d, %v", len(due), err)
	}
	// The first process: sends the first message completely; claims the second and stops
	// before SMTP; hands the third to SMTP and stops before recording it.
	if err := sendOneCompletely(e, due[0]); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if ok, err := e.db.ClaimMail(ctx, due[1].ID, now, now.Add(forum.MailLease)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := e.db.ClaimMail(ctx, due[2].ID, now, now.Add(forum.MailLease)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := e.smtp.Send(ctx, due[2]); err != nil {
		t.Fatal(err)
	}
	e.db.Close()

	// The next process, on the same database.
	e2 := newEnv(t, srv.addr, e.path)
	e2.clock.Add(time.Minute)
	if n := e2.send(); n != 0 {
		t.Fatalf("messages in flight were sent again before their lease ran out: %d", n)
	}
	e2.clock.Add(forum.MailLease)
	if n := e2.send(); n != 2 {
		t.Fatalf("after the lease: sent %d, want the 2 in flight", n)
	}
	e2.clock.Add(time.Hour)
	if n := e2.send(); n != 0 {
		t.Fatalf("sent again: %d", n)
	}
	ids := map[string]int{}
	for _, m := range srv.messages() {
		ids[m.Header.Get("Message-Id")]++
	}
	if len(srv.messages()) != 4 || len(ids) != 3 {
		t.Fatalf("server got %d messages with %d Message-IDs: %v", len(srv.messages()), len(ids), ids)
	}
	if ids["<"+due[0].MessageID+">"] != 1 || ids["<"+due[1].MessageID+">"] != 1 || ids["<"+due[2].MessageID+">"] != 2 {
		t.Errorf("copies by Message-ID: %v (want 1, 1, and 2 of the one accepted but not recorded)", ids)
	}
}

func sendOneCompletely(e *env, m *forum.OutboxMail) error {
	ctx := context.Background()
	now := e.clock.Now()
	if _, err := e.db.ClaimMail(ctx, m.ID, now, now.Add(forum.MailLease)); err != nil {
		return err
	}
	if err := e.smtp.Send(ctx, m); err != nil {
		return err
	}
	return e.db.MailSent(ctx, m.ID, now)
}

func TestBounceStopsMail(t *testing.T) {
	srv := startServer(t)
	srv.badRcpt["asker@school.example"] = true
	e := newEnv(t, srv.addr, "")
	asker, ben := e.user("asker", true), e.user("ben", true)
	e.answered(asker, ben, "Bounced")
	e.send()
	st, err := e.db.MailStatus(context.Background(), asker.ID)
	if err != nil || st.BouncedAt == nil || !strings.Contains(st.Bounce, "550") {
		t.Fatalf("status after a 550 on RCPT: %+v, %v", st, err)
	}
	e.clock.Add(24 * time.Hour)
	if n := e.send(); n != 0 {
		t.Errorf("a bounced message was retried: %d", n)
	}
	e.answered(asker, ben, "Bounced again")
	due, _ := e.db.DueMail(context.Background(), e.clock.Now(), 10)
	if len(due) != 0 {
		t.Errorf("mail queued to a bounced address: %+v", due[0])
	}
}

func TestPasswordResetMail(t *testing.T) {
	srv := startServer(t)
	e := newEnv(t, srv.addr, "")
	u := e.user("newbie", false) // unconfirmed: reset mail goes anyway
	if err := e.acct.SendPasswordReset(context.Background(), u, "the-token", e.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.send()
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	text, _ := bodies(t, msgs[0])
	if !strings.Contains(text, "https://staffroom.example/password-reset/the-token") || msgs[0].Header.Get("List-Unsubscribe") != "" {
		t.Errorf("reset mail:\n%s\nList-Unsubscribe: %q", text, msgs[0].Header.Get("List-Unsubscribe"))
	}
	var data string
	if err := e.db.Reader().QueryRow(`SELECT data FROM mail_outbox WHERE kind = 'password_reset'`).Scan(&data); err != nil || strings.Contains(data, "the-token") {
		t.Errorf("the token stays in the outbox after sending: %q, %v", data, err)
	}
}

func TestNotificationMailOnlyToConfirmedAddresses(t *testing.T) {
	srv := startServer(t)
	e := newEnv(t, srv.addr, "")
	asker, ben := e.user("asker", false), e.user("ben", true)
	e.answered(asker, ben, "Unconfirmed")
	if n := e.send(); n != 0 || len(srv.messages()) != 0 {
		t.Errorf("notification mail to an unconfirmed address: %d", n)
	}
}
