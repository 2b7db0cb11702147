package sqlite

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"staffroom/forum"
)

func TestDiagSearch(t *testing.T) {
	if os.Getenv("STAFFROOM_BENCH_DB") == "" {
		t.Skip()
	}
	db, _ := Open(os.Getenv("STAFFROOM_BENCH_DB"))
	defer db.Close()
	ctx := context.Background()
	type r struct {
		q string
		d time.Duration
		n int
		exact bool
	}
	var rs []r
	for _, q := range typicalQueries(300) {
		s := &forum.Searcher{Store: db}
		start := time.Now()
		res, err := s.Search(ctx, nil, forum.SearchInput{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r{q, time.Since(start), res.Total, res.TotalExact})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].d > rs[j].d })
	for _, x := range rs[:25] {
		t.Logf("%-40s %8s total=%d exact=%v", x.q, x.d.Round(time.Microsecond), x.n, x.exact)
	}
	t.Logf("median %s", rs[len(rs)/2].d)
}
