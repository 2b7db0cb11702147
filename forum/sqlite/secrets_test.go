package sqlite_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"

	"staffroom/forum"
	"staffroom/forum/sqlite"
)

func TestSiteSecret(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "secrets.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	var first []byte
	t.Run("made on first use, concurrent callers agree", func(t *testing.T) {
		got := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() {
				var err error
				if got[i], err = db.SiteSecret(ctx, "image_proxy"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		first = got[0]
		if len(first) != forum.SiteSecretLen || bytes.Equal(first, make([]byte, forum.SiteSecretLen)) {
			t.Fatalf("secret %x", first)
		}
		for _, g := range got {
			if !bytes.Equal(g, first) {
				t.Fatalf("callers got different secrets: %x and %x", g, first)
			}
		}
	})
	t.Run("each name its own", func(t *testing.T) {
		other, err := db.SiteSecret(ctx, "another")
		if err != nil || bytes.Equal(other, first) {
			t.Fatalf("%x, %v", other, err)
		}
	})
	t.Run("kept across restarts", func(t *testing.T) {
		db.Close()
		db, err = sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		again, err := db.SiteSecret(ctx, "image_proxy")
		if err != nil || !bytes.Equal(again, first) {
			t.Fatalf("after reopening: %x, %v; before: %x", again, err, first)
		}
	})
}
