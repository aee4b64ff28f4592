package circlecitest

import (
	"fmt"
	"hash/fnv"
	"math"
)

// mix is splitmix64's finalizer: every generated value comes from hashing its coordinates, so a
// build is a pure function of (seed, project, build) and needs no stored state.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// h hashes a seed with integer coordinates.
func h(seed int64, parts ...int64) uint64 {
	x := mix(uint64(seed))
	for _, p := range parts {
		x = mix(x ^ uint64(p))
	}
	return x
}

// unit maps a hash to [0,1).
func unit(x uint64) float64 { return float64(x>>11) / float64(1<<53) }

// expo maps a hash to an exponential variate with mean 1 (capped to keep tails sane).
func expo(x uint64) float64 {
	u := unit(x)
	return math.Min(-math.Log(1-u), 8)
}

// strHash hashes a string into a coordinate.
func strHash(s string) int64 {
	f := fnv.New64a()
	_, _ = f.Write([]byte(s))
	return int64(f.Sum64())
}

// hexID returns n hex digits derived from a hash chain.
func hexID(seed int64, n int, parts ...int64) string {
	out := make([]byte, 0, n+16)
	x := h(seed, parts...)
	for len(out) < n {
		out = fmt.Appendf(out, "%016x", x)
		x = mix(x)
	}
	return string(out[:n])
}

// uuid formats a deterministic UUID-shaped id.
func uuid(seed int64, parts ...int64) string {
	s := hexID(seed, 32, parts...)
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:32]
}

// Coordinate tags keep hash streams for different purposes independent.
const (
	tagProject int64 = iota + 1
	tagSlotKind
	tagBranch
	tagRevision
	tagJitter
	tagFlakyTest
	tagFlakyJob
	tagBroken
	tagQueue
	tagRunQueue
	tagStep
	tagNode
	tagTestTime
	tagSwap
	tagMisc
	tagFault
	tagInfra
	tagTimedout
	tagNoTests
	tagScheduled
)
