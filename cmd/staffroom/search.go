package main

import (
	"context"
	"fmt"
	"time"
)

// backfillSearch indexes, in the background, the posts a database had before it had a
// search index (a site upgraded to this version): newest first, a batch at a time, so the
// site serves meanwhile and recent posts are found first.
func (m *Main) backfillSearch(ctx context.Context) {
	left, err := m.DB.SearchBackfillPending(ctx)
	if err != nil || left == 0 {
		if err != nil && ctx.Err() == nil {
			m.Log.Warn("search index backfill", "err", err)
		}
		return
	}
	m.Log.Info("indexing existing posts for search", "posts_left", left)
	start, last := time.Now(), time.Now()
	err = m.DB.BackfillSearch(ctx, func(left int64) {
		if time.Since(last) >= 10*time.Second {
			last = time.Now()
			m.Log.Info("indexing existing posts for search", "post_ids_left", left)
		}
	})
	if err != nil {
		if ctx.Err() == nil {
			m.Log.Error("search index backfill stopped; it continues at the next start", "err", err)
		}
		return
	}
	m.Log.Info("search index complete", "took", time.Since(start).Round(time.Second).String())
}

func runReindex(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "reindex", "staffroom reindex [--db FILE]")
	dbPath := addDBFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	start, last := time.Now(), time.Now()
	err = db.Reindex(ctx, func(left int64) {
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintf(env.stdout, "%d post ids left (%s)\n", left, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Rebuilt the search index in %s.\n", time.Since(start).Round(time.Millisecond))
	return nil
}
