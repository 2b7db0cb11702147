// Package mail delivers Staffroom's mail outbox over SMTP. It renders each message's
// plain-text and HTML bodies from its embedded templates, builds the MIME message with
// github.com/wneessen/go-mail (with the outbox's fixed Message-ID, and for notification
// mail the List-Unsubscribe and List-Unsubscribe-Post headers of RFC 8058), and tells
// forum's Mailer which refusals are permanent and which are bounces.
package mail

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"staffroom/forum"
)

// sendTimeout bounds one SMTP conversation: a server that hangs delays the outbox, never
// holds it.
const sendTimeout = 30 * time.Second

//go:embed templates
var templateFiles embed.FS

// Config is what the transport needs.
type Config struct {
	// URL is smtp://user:pass@host:587 (STARTTLS when the server offers it) or
	// smtps://user:pass@host:465 (implicit TLS).
	URL      string
	From     string // an address, with or without a display name
	BaseURL  string // the site's public address, for links
	SiteName string
	// Unsubscribes signs the one-click unsubscribe links of notification mail.
	Unsubscribes *forum.Unsubscribes
}

// SMTP is the forum.MailTransport of a real mail server.
type SMTP struct {
	cfg    Config
	from   *mail.Address
	host   string
	opts   []gomail.Option
	texts  map[string]*texttemplate.Template
	htmls  map[string]*htmltemplate.Template
	now    func() time.Time
	domain string
}

// New checks the configuration and parses the templates.
func New(cfg Config) (*SMTP, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("STAFFROOM_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("STAFFROOM_MAIL_FROM %q is not an email address: %w", cfg.From, err)
	}
	s := &SMTP{cfg: cfg, from: from, host: u.Hostname(), now: time.Now}
	s.domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	port := 587
	s.opts = []gomail.Option{gomail.WithTimeout(sendTimeout), gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	if u.Scheme == "smtps" {
		port = 465
		s.opts = []gomail.Option{gomail.WithTimeout(sendTimeout), gomail.WithSSL()}
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("STAFFROOM_SMTP_URL: bad port %q", p)
		}
	}
	s.opts = append(s.opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	if err := s.parse(); err != nil {
		return nil, err
	}
	return s, nil
}

// Domain is the sender address's domain: the right side of every Message-ID.
func (s *SMTP) Domain() string { return s.domain }

func (s *SMTP) parse() error {
	s.texts, s.htmls = map[string]*texttemplate.Template{}, map[string]*htmltemplate.Template{}
	for _, name := range []string{"notice", "password_reset", "verify_email", "digest"} {
		t, err := texttemplate.ParseFS(templateFiles, "templates/"+name+".txt")
		if err != nil {
			return err
		}
		h, err := htmltemplate.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return err
		}
		s.texts[name], s.htmls[name] = t, h
	}
	return nil
}

// view is what the templates see.
type view struct {
	Site            string
	Subject         string
	Data            forum.MailData
	URL             string // the message's main link, absolute
	Expires         string
	SettingsURL     string
	UnsubscribeURL  string
	UnsubscribeWhat string
	Notices         []link
	Questions       []question
}

type link struct{ Text, Title, URL string }

type question struct {
	Title, URL     string
	Answers, Score int
}

// template picks a message's templates by kind.
func templateFor(kind string) string {
	switch kind {
	case forum.MailKindPasswordReset, forum.MailKindVerifyEmail:
		return kind
	case forum.MailKindDigestDaily, forum.MailKindDigestWeekly:
		return "digest"
	}
	return "notice"
}

// Message builds the MIME message of m: what Send hands to the server. Tests read it.
func (s *SMTP) Message(m *forum.OutboxMail) (*gomail.Msg, error) {
	base := strings.TrimSuffix(s.cfg.BaseURL, "/")
	v := view{Site: s.cfg.SiteName, Subject: m.Data.Subject, Data: m.Data, SettingsURL: base + "/settings/notifications"}
	switch m.Kind {
	case forum.MailKindPasswordReset:
		v.URL = base + "/password-reset/" + m.Data.Token
	case forum.MailKindVerifyEmail:
		v.URL = base + "/verify-email/" + m.Data.Token
	default:
		v.URL = base + m.Data.Path
	}
	if !m.Data.Expires.IsZero() {
		v.Expires = m.Data.Expires.UTC().Format("2 January 2006 15:04 UTC")
	}
	for _, n := range m.Data.Notices {
		v.Notices = append(v.Notices, link{Text: n.Text, Title: n.Title, URL: base + n.Path})
	}
	for _, q := range m.Data.Questions {
		v.Questions = append(v.Questions, question{Title: q.Title, URL: base + q.Path, Answers: q.Answers, Score: q.Score})
	}
	if m.Data.Unsubscribe != "" && s.cfg.Unsubscribes != nil && m.UserID != 0 {
		v.UnsubscribeURL = base + "/unsubscribe/" + s.cfg.Unsubscribes.Token(m.UserID, m.Data.Unsubscribe)
		v.UnsubscribeWhat = forum.UnsubscribeLabel(m.Data.Unsubscribe)
	}
	name := templateFor(m.Kind)
	var text, html bytes.Buffer
	if err := s.texts[name].Execute(&text, v); err != nil {
		return nil, fmt.Errorf("render %s text: %w", name, err)
	}
	if err := s.htmls[name].ExecuteTemplate(&html, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s html: %w", name, err)
	}
	msg := gomail.NewMsg()
	if err := msg.FromFormat(s.fromName(), s.from.Address); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, &forum.MailRefusal{Permanent: true, Bounce: true, Err: fmt.Errorf("address %q: %w", m.To, err)}
	}
	msg.Subject(m.Data.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if v.UnsubscribeURL != "" {
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+v.UnsubscribeURL+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

func (s *SMTP) fromName() string {
	if s.from.Name != "" {
		return s.from.Name
	}
	return s.cfg.SiteName
}

// Send implements forum.MailTransport: one SMTP conversation per message. A 5xx refusal is
// permanent (a bounce when it refuses the recipient); everything else (4xx, an unreachable
// server, a timeout) is temporary and retried by the Mailer.
func (s *SMTP) Send(ctx context.Context, m *forum.OutboxMail) error {
	msg, err := s.Message(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return &forum.MailRefusal{Permanent: true, Err: err}
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return &forum.MailRefusal{Permanent: true, Bounce: se.Reason == gomail.ErrSMTPRcptTo, Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("mail server %s unreachable: %w", s.host, err)
	}
	return err
}
