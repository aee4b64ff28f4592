package export

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

var errShard = errors.New("could not parse shard (want K/N with 1 <= K <= N)")

// Shard selects the projects whose stable hash falls in shard K of N, so that N processes
// (CronJob pods, say) split an organization between them. The zero value is unsharded.
type Shard struct{ K, N int }

// ParseShard parses "K/N" (e.g. "2/4"). The empty string is the zero (unsharded) Shard.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("%w: %q", errShard, s)
	}
	k, errK := strconv.Atoi(strings.TrimSpace(ks))
	n, errN := strconv.Atoi(strings.TrimSpace(ns))
	if errK != nil || errN != nil {
		return Shard{}, fmt.Errorf("%w: %q", errShard, s)
	}
	sh := Shard{K: k, N: n}
	if err := sh.validate(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

func (s Shard) validate() error {
	if s == (Shard{}) {
		return nil
	}
	if s.N < 1 || s.K < 1 || s.K > s.N {
		return fmt.Errorf("%w: %d/%d", errShard, s.K, s.N)
	}
	return nil
}

// Sharded reports whether s selects a subset (N > 1 or an explicit 1/1).
func (s Shard) Sharded() bool { return s.N > 0 }

// Contains reports whether the project belongs to shard s: FNV-1a 64 of the slug, mod N, equals
// K-1. The hash is fixed by this definition (not Go's map hash, not DuckDB's hash()), so every
// process, version and machine agrees. The zero Shard contains every project.
func (s Shard) Contains(projectSlug string) bool {
	if !s.Sharded() {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(projectSlug))
	return h.Sum64()%uint64(s.N) == uint64(s.K-1)
}

// Dir is the path element of the shard's files, "shard=K-of-N", or "" when unsharded.
func (s Shard) Dir() string {
	if !s.Sharded() {
		return ""
	}
	return fmt.Sprintf("shard=%d-of-%d", s.K, s.N)
}

// String is "K/N", or "" when unsharded.
func (s Shard) String() string {
	if !s.Sharded() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}
