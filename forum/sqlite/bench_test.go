package sqlite_test

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
	"staffroom/forum/storetest"
)

// BenchmarkTokenByHash is the read behind every bearer-authenticated request.
func BenchmarkTokenByHash(b *testing.B) {
	t := &testing.T{}
	db := openTestDB(t)
	u := storetest.MustCreateUser(t, db, "bench")
	ctx := context.Background()
	if err := db.CreateToken(ctx, &forum.APIToken{UserID: u.ID, Name: "b", Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := db.TokenByHash(ctx, []byte("0123456789abcdef0123456789abcdef")); err != nil {
			b.Fatal(err)
		}
	}
}
