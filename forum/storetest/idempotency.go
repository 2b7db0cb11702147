package storetest

import (
	"context"
	"testing"
	"time"

	"staffroom/forum"
)

// testIdempotency: a key answers its first response for a day, per account; a request in
// flight holds it; a failed one lets a retry run; old keys are pruned.
func testIdempotency(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a, b := MustCreateUser(t, s, "retrier"), MustCreateUser(t, s, "neighbour")
	claim := func(u *forum.User, key string, at time.Time) (*forum.StoredResponse, bool) {
		t.Helper()
		stored, claimed, err := s.ClaimKey(ctx, u.ID, key, at)
		if err != nil {
			t.Fatal(err)
		}
		return stored, claimed
	}
	if stored, claimed := claim(a, "k1", t0); !claimed || stored != nil {
		t.Fatalf("first claim: %v %v", stored, claimed)
	}
	if stored, claimed := claim(a, "k1", t0.Add(time.Second)); claimed || stored != nil {
		t.Fatalf("a claim while the first runs: %v %v; want to wait", stored, claimed)
	}
	if _, claimed := claim(b, "k1", t0); !claimed {
		t.Fatal("keys are per account: another's k1 is not this one's")
	}
	check(t, s.CompleteKey(ctx, b.ID, "k1", 201, []byte(`{"id":8}`)))
	check(t, s.CompleteKey(ctx, a.ID, "k1", 201, []byte(`{"id":7}`)))
	stored, claimed := claim(a, "k1", t0.Add(time.Hour))
	if claimed || stored == nil || stored.Status != 201 || string(stored.Body) != `{"id":7}` {
		t.Fatalf("retry: %+v %v", stored, claimed)
	}
	check(t, s.ReleaseKey(ctx, a.ID, "k1")) // an answered key stays
	if stored, _ := claim(a, "k1", t0.Add(2*time.Hour)); stored == nil {
		t.Fatal("release forgot an answered key")
	}
	if _, claimed := claim(a, "k1", t0.Add(forum.IdempotencyWindow+time.Minute)); !claimed {
		t.Fatal("a key past the window is not claimed anew")
	}

	claim(a, "k2", t0)
	check(t, s.ReleaseKey(ctx, a.ID, "k2"))
	if _, claimed := claim(a, "k2", t0.Add(time.Second)); !claimed {
		t.Fatal("a released key is not claimed again")
	}
	claim(a, "k3", t0)
	if _, claimed := claim(a, "k3", t0.Add(forum.IdempotencyClaimTimeout+time.Second)); !claimed {
		t.Fatal("a claim left unanswered past the timeout still blocks retries")
	}

	n := must(s.PruneIdempotencyKeys(ctx, t0.Add(2*time.Minute))).ok(t)
	if n != 3 { // b's k1, a's k2 and k3 (claimed again at 61 s); a's k1 was claimed anew a day later
		t.Fatalf("pruned %d keys, want 3", n)
	}
	if _, claimed := claim(b, "k1", t0.Add(3*time.Minute)); !claimed {
		t.Fatal("a pruned key still answers its response")
	}
}
