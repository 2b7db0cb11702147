package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"staffroom/forum"
	"staffroom/forum/mail"
	"staffroom/forum/web"
)

// Notifications and mail: their configuration, their wiring, their background work and
// the digest command.

// unsubscribeKeyName names the site secret that signs one-click unsubscribe links.
const unsubscribeKeyName = "unsubscribe"

// MailConfig is the mail part of Config: off unless SMTPURL is set.
type MailConfig struct {
	SMTPURL    string
	MailFrom   string
	DigestHour int
}

// addMailFlags adds the mail flags to fs.
func addMailFlags(fs *flag.FlagSet, c *MailConfig) error {
	fs.StringVar(&c.SMTPURL, "smtp-url", envOr("SMTP_URL", ""), "mail server, smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...; empty: no mail; prefer the variable (STAFFROOM_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", envOr("MAIL_FROM", ""), "sender address of the site's mail, e.g. \"Staffroom <staffroom@district.org>\" (STAFFROOM_MAIL_FROM)")
	hour := envOr("DIGEST_HOUR", strconv.Itoa(forum.DefaultDigestHour))
	var err error
	if c.DigestHour, err = strconv.Atoi(hour); err != nil || c.DigestHour < 0 || c.DigestHour > 23 {
		return fmt.Errorf("STAFFROOM_DIGEST_HOUR must be an hour from 0 to 23, not %q", hour)
	}
	fs.IntVar(&c.DigestHour, "digest-hour", c.DigestHour, "local hour (in each person's time zone) at which digests go out (STAFFROOM_DIGEST_HOUR)")
	return nil
}

// notifyServices is what notifications add to the app.
type notifyServices struct {
	Notes       *forum.Notifications
	Notifier    *forum.Notifier
	Mailer      *forum.Mailer // nil: mail is off
	Digester    *forum.Digester
	AccountMail *forum.AccountMail
	Unsub       *forum.Unsubscribes
}

// openNotifications builds the notification services over m.DB, and mail when configured.
func (m *Main) openNotifications(ctx context.Context) (*notifyServices, error) {
	n := &notifyServices{Notes: &forum.Notifications{Store: m.DB, QA: m.QA, Collaboratives: m.DB, Now: m.Now}}
	var transport *mail.SMTP
	domain := ""
	if m.Config.Mail.SMTPURL != "" {
		if m.Config.Mail.MailFrom == "" {
			return nil, fmt.Errorf("STAFFROOM_MAIL_FROM must be set with STAFFROOM_SMTP_URL: the address mail comes from")
		}
		secret, err := m.DB.SiteSecret(ctx, unsubscribeKeyName)
		if err != nil {
			return nil, err
		}
		n.Unsub = &forum.Unsubscribes{Secret: secret, Now: m.Now}
		transport, err = mail.New(mail.Config{URL: m.Config.Mail.SMTPURL, From: m.Config.Mail.MailFrom, BaseURL: m.BaseURL.String(),
			SiteName: m.Config.SiteName, Unsubscribes: n.Unsub})
		if err != nil {
			return nil, err
		}
		domain = transport.Domain()
		n.Mailer = forum.NewMailer(m.DB, transport, m.Now, m.Log)
		n.AccountMail = &forum.AccountMail{Store: m.DB, Domain: domain, Now: m.Now, Wake: n.Mailer.Wake}
		n.Digester = &forum.Digester{Store: m.DB, Domain: domain, Hour: m.Config.Mail.DigestHour, Now: m.Now, Log: m.Log, Wake: n.Mailer.Wake}
		m.Accounts.ResetMail, m.Accounts.VerifyMail = n.AccountMail, n.AccountMail
	}
	n.Notifier = forum.NewNotifier(m.DB, domain, m.Now, m.Log)
	if n.Mailer != nil {
		n.Notifier.OnMail = n.Mailer.Wake
	}
	n.Notes.Wake = n.Notifier.Wake
	m.DB.OnNotify(n.Notifier.Wake) // a commit that queued fan-out wakes it
	return n, nil
}

// webServices fills in the notification part of the app's services.
func (n *notifyServices) webServices(svc *web.Services, db web.MailStatusSource) {
	svc.Notifications, svc.Unsubscribes = n.Notes, n.Unsub
	if n.AccountMail != nil {
		svc.AccountMail, svc.MailStatus = n.AccountMail, db
	}
}

// run does the background work until ctx ends: fan-out, the outbox, digests.
func (n *notifyServices) run(ctx context.Context) {
	go n.Notifier.Run(ctx)
	if n.Mailer != nil {
		go n.Mailer.Run(ctx)
		go n.Digester.Run(ctx)
	}
}

// runDigest is `staffroom digest --now [--user NAME]`: queues the digests due (all with
// --now) and sends the outbox, then exits.
func runDigest(ctx context.Context, env *cliEnv, args []string) error {
	m := NewMain()
	fs := newFlagSet(env, "digest", "staffroom digest --now [--user NAME] [flags]")
	if err := addServeFlags(fs, &m.Config); err != nil {
		return err
	}
	now := fs.Bool("now", false, "send every digest that has something in it now, whatever the hour")
	user := fs.String("user", "", "only this person's digests (username)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if m.Config.Mail.SMTPURL == "" {
		return &usageError{"staffroom digest: mail is off; set STAFFROOM_SMTP_URL and STAFFROOM_MAIL_FROM"}
	}
	m.Log = newLogger(&m.Config, env.stderr)
	m.Config.Demo = false
	m.Config.Addr = "127.0.0.1:0" // it serves nothing; Open listens, and Close lets go
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	var userID int64
	if *user != "" {
		u, err := m.DB.UserByLogin(ctx, *user)
		if err != nil {
			return fmt.Errorf("no account %q", *user)
		}
		userID = u.ID
	}
	n := m.Notify
	if err := n.Notifier.Drain(ctx); err != nil {
		return err
	}
	queued, err := n.Digester.SendDue(ctx, *now, userID)
	if err != nil {
		return err
	}
	sent, err := n.Mailer.SendDue(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%d digests queued, %d messages sent\n", queued, sent)
	return nil
}
