package sqlite

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/mattn/go-sqlite3"

	"staffroom/forum"
)

// driverName is go-sqlite3 with this store's SQL functions on every connection, the
// writer's (the search triggers call search_fold and search_meta) and the readers' (search
// ranks with search_rank) alike.
const driverName = "sqlite3_staffroom"

func init() {
	// A driver is registered once per process, as database/sql requires; it holds no
	// state of its own.
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: registerFunctions})
}

func registerFunctions(c *sqlite3.SQLiteConn) error {
	if err := c.RegisterFunc("search_fold", searchFold, true); err != nil {
		return fmt.Errorf("register search_fold: %w", err)
	}
	if err := c.RegisterFunc("search_meta", searchMeta, true); err != nil {
		return fmt.Errorf("register search_meta: %w", err)
	}
	// Each connection gets its own ranker: it keeps the parsed weights of the query it
	// runs, and a connection runs one query at a time.
	r := &ranker{}
	if err := c.RegisterFunc("search_rank", r.rank, true); err != nil {
		return fmt.Errorf("register search_rank: %w", err)
	}
	return nil
}

// searchFold is search_fold(text): the text as the index keeps it.
func searchFold(v any) string {
	switch s := v.(type) {
	case string:
		return forum.FoldSearchText(s)
	case []byte:
		return forum.FoldSearchText(string(s))
	}
	return ""
}

// Store tokens: letters only (the porter tokenizer cuts words with digits to 6 bytes),
// ending in "qz" (which no porter rule changes), at most 20 bytes (longer words are cut):
// "z" + kind + 16 letters for 64 bits + "qz".
func storeToken(kind byte, n uint64) string {
	var b [20]byte
	b[0], b[1] = 'z', kind
	i := 2
	if n == 0 {
		b[i] = 'a'
		i++
	}
	var digits [16]byte
	d := 0
	for ; n > 0; n >>= 4 {
		digits[d] = 'a' + byte(n&15)
		d++
	}
	for d > 0 {
		d--
		b[i] = digits[d]
		i++
	}
	b[i], b[i+1] = 'q', 'z'
	return string(b[:i+2])
}

// Tokens of the meta column.
const allToken = "zallqz" // in every document: what a search of filters alone matches

// authorToken is the token of posts by id.
func authorToken(id int64) string { return storeToken('u', uint64(id)) }

// tagToken is the token of questions tagged name (and of their answers): a hash, since
// tags may hold characters that are no part of a word and be longer than a token may.
func tagToken(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return storeToken('t', h.Sum64())
}

// searchMeta is search_meta(author_id, tags): the meta column of a post's document.
func searchMeta(author int64, tags any) string {
	var b strings.Builder
	b.WriteString(allToken)
	b.WriteByte(' ')
	b.WriteString(authorToken(author))
	var list string
	switch t := tags.(type) {
	case string:
		list = t
	case []byte:
		list = string(t)
	}
	for _, tag := range strings.Fields(list) {
		b.WriteByte(' ')
		b.WriteString(tagToken(tag))
	}
	return b.String()
}

// BM25's parameters: k1 how fast repeats of a word stop counting, b how much a long text
// is held against its matches.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// ranker is search_rank(matchinfo(t, 'pcnaly'), weights): BM25 over FTS4's matchinfo.
// weights is "w1,w2,...;i1,i2,..." (the column weights, then each phrase's inverse document
// frequency in the query's order; 0 for a phrase that is a filter, not a word).
type ranker struct {
	last    string
	columns []float64
	idf     []float64
}

func (r *ranker) parse(weights string) {
	if weights == r.last {
		return
	}
	r.last = weights
	cols, idfs, _ := strings.Cut(weights, ";")
	r.columns, r.idf = parseFloats(cols), parseFloats(idfs)
}

func parseFloats(s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			v = 0
		}
		out = append(out, v)
	}
	return out
}

func (r *ranker) rank(mi []byte, weights string) float64 {
	r.parse(weights)
	u := func(i int) float64 {
		if 4*i+4 > len(mi) {
			return 0
		}
		return float64(binary.LittleEndian.Uint32(mi[4*i:]))
	}
	phrases, cols := int(u(0)), int(u(1))
	// p, c, n, then a (cols), l (cols), y (phrases × cols).
	avg, lens, hits := 3, 3+cols, 3+2*cols
	score := 0.0
	for p := range phrases {
		if p >= len(r.idf) || r.idf[p] == 0 {
			continue
		}
		for c := range cols {
			if c >= len(r.columns) || r.columns[c] == 0 {
				continue
			}
			tf := u(hits + p*cols + c)
			if tf == 0 {
				continue
			}
			a := math.Max(1, u(avg+c))
			norm := 1 - bm25B + bm25B*u(lens+c)/a
			score += r.idf[p] * r.columns[c] * tf * (bm25K1 + 1) / (tf + bm25K1*norm)
		}
	}
	return score
}
