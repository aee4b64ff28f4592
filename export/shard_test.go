package export

import (
	"fmt"
	"testing"
)

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"": {}, "1/1": {1, 1}, "2/4": {2, 4}, " 3 / 8 ": {3, 8}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0/4", "5/4", "2", "a/b", "2/0", "-1/3", "1/-1"} {
		if _, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) succeeded", in)
		}
	}
}

func TestShardDirAndString(t *testing.T) {
	if d := (Shard{2, 4}).Dir(); d != "shard=2-of-4" {
		t.Errorf("Dir = %q", d)
	}
	if d := (Shard{}).Dir(); d != "" {
		t.Errorf("zero Dir = %q", d)
	}
	if s := (Shard{2, 4}).String(); s != "2/4" {
		t.Errorf("String = %q", s)
	}
}

// TestShardContainsPartitions checks that every project is in exactly one of N shards, that the
// split is roughly even, and that the hash is the documented FNV-1a 64 (fixed values: a change
// would silently move projects between running shards).
func TestShardContainsPartitions(t *testing.T) {
	const n, projects = 4, 4000
	counts := make([]int, n)
	for i := range projects {
		slug := fmt.Sprintf("github/org/repo-%d", i)
		in := 0
		for k := 1; k <= n; k++ {
			if (Shard{k, n}).Contains(slug) {
				in++
				counts[k-1]++
			}
		}
		if in != 1 {
			t.Fatalf("%s is in %d shards", slug, in)
		}
		if !(Shard{}).Contains(slug) {
			t.Fatal("zero shard must contain everything")
		}
	}
	for k, c := range counts {
		if c < projects/n*8/10 || c > projects/n*12/10 {
			t.Errorf("shard %d has %d of %d projects", k+1, c, projects)
		}
	}
	// FNV-1a 64, computed here from its definition rather than with hash/fnv.
	h := uint64(14695981039346656037)
	for _, c := range []byte("github/acme/api") {
		h ^= uint64(c)
		h *= 1099511628211
	}
	for k := 1; k <= 7; k++ {
		if got, want := (Shard{k, 7}).Contains("github/acme/api"), h%7 == uint64(k-1); got != want {
			t.Errorf("shard %d/7 Contains = %v, want %v", k, got, want)
		}
	}
}
