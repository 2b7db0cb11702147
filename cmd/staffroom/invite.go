package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"staffroom/forum"
)

// runInvite makes an invitation on the command line and prints its link: the way to let
// the first people into a site whose sign-up is closed, or to script a roll-out.
func runInvite(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "invite", "staffroom invite [--db FILE] [--base-url URL] [--email ADDRESS] [--role member|moderator] [--expires 168h]")
	dbPath := addDBFlag(fs)
	baseURL := fs.String("base-url", envOr("BASE_URL", ""), "public URL of the site, the start of the printed link (STAFFROOM_BASE_URL; default http:// + STAFFROOM_ADDR)")
	email := fs.String("email", "", "the invited person's address: the account is made with it (default: anyone with the link)")
	role := fs.String("role", "member", "member or moderator")
	expires := fs.Duration("expires", forum.DefaultInviteTTL, "how long the link works, from 1h to 2160h (90 days)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	base, err := inviteBase(*baseURL)
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	inv, token, err := (&forum.Invitations{Store: db, Now: time.Now}).Create(ctx, nil, forum.InviteInput{Email: *email, Role: *role, TTL: *expires})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, base+"/invite/"+token)
	who := "anyone who opens it"
	if inv.Email != "" {
		who = inv.Email
	}
	fmt.Fprintf(env.stderr, "An invitation for %s as %s: it works once, until %s.\n", who, inv.Role, inv.ExpiresAt.Local().Format("2 January 2006 15:04 MST"))
	return nil
}

// inviteBase is the site's public address without a trailing slash, as the server
// works it out (Config.check).
func inviteBase(flagValue string) (string, error) {
	c := Config{BaseURL: flagValue, Addr: envOr("ADDR", "127.0.0.1:8080")}
	if c.BaseURL == "" {
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return "", fmt.Errorf("address %q must be host:port", c.Addr)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return "", fmt.Errorf("base URL %q must be an http or https URL like https://staffroom.example.org", c.BaseURL)
	}
	return strings.TrimSuffix(c.BaseURL, "/"), nil
}
