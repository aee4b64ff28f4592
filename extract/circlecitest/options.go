// Package circlecitest is a simulated CircleCI API v1.1 server for tests, demos and benchmarks,
// used like net/http/httptest: NewServer returns a running loopback server whose dataset is
// generated lazily and deterministically from a seed, with the quirks of the real API, writes
// that later reads show, a simulated clock (Advance), and knobs for latency, rate limiting and
// fault injection. It shares no code with package extract on purpose: a fake that reused the
// client's structs would mirror the client's mistakes instead of catching them.
package circlecitest

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Options sizes the generated dataset and sets the server's knobs. Zero values take defaults.
type Options struct {
	Seed               int64
	Projects           int           // default 3
	BuildsPerProject   int           // builds in history at Now, default 200
	Days               int           // history length, default 30
	Parallelism        int           // max nodes per job, default 4
	TestsPerJob        int           // tests per test job, default 40
	WorkflowsPerCommit int           // default 1
	Now                time.Time     // simulated clock start; zero = time.Now().UTC().Truncate(time.Minute)
	Token              string        // zero = random hex
	Latency            time.Duration // added per request
	RateLimit          float64       // requests/s, 0 = none
	Faults             Faults
	SlowBodyDelay      time.Duration // how long a slow body stalls mid-body, default 30s
}

// Faults holds the per-request probability (0..1) of each injected fault kind.
type Faults struct {
	ServerError float64 // 500/502/503 with a body
	Reset       float64 // connection closed without a response
	Truncate    float64 // Content-Length larger than the body written
	Slow        float64 // part of the body, then a stall of SlowBodyDelay
	RateLimited float64 // 429 "Rate limited." with Retry-After, regardless of the token bucket
}

// FaultRate spreads a total fault rate f (0..1) over the fault kinds, as --fault-rate does.
func FaultRate(f float64) Faults {
	if f <= 0 {
		return Faults{}
	}
	if f > 1 {
		f = 1
	}
	return Faults{ServerError: f * 0.4, Reset: f * 0.15, Truncate: f * 0.15, Slow: f * 0.1, RateLimited: f * 0.2}
}

func (f Faults) total() float64 {
	return f.ServerError + f.Reset + f.Truncate + f.Slow + f.RateLimited
}

func (o Options) withDefaults() Options {
	if o.Projects <= 0 {
		o.Projects = 3
	}
	if o.BuildsPerProject <= 0 {
		o.BuildsPerProject = 200
	}
	if o.Days <= 0 {
		o.Days = 30
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 4
	}
	if o.TestsPerJob <= 0 {
		o.TestsPerJob = 40
	}
	if o.WorkflowsPerCommit <= 0 {
		o.WorkflowsPerCommit = 1
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC().Truncate(time.Minute)
	}
	o.Now = o.Now.UTC()
	if o.Token == "" {
		o.Token = randomToken()
	}
	if o.SlowBodyDelay <= 0 {
		o.SlowBodyDelay = 30 * time.Second
	}
	return o
}

func randomToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
