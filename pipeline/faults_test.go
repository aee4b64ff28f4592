package pipeline_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/pipeline"
)

// wire watches every HTTP exchange of a sync from the client's side, so a test can show that each
// fault it asked the simulator for really reached the client (a fault test whose faults never
// happen would prove nothing).
type wire struct {
	next http.RoundTripper

	mu        sync.Mutex
	byStatus  map[int]int
	truncated int // the body ended before Content-Length
	timedOut  int // the per-attempt timeout fired while the body stalled
	sent      []sentAt
	admitted  []time.Time // responses other than 429
}

func newWire() *wire {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &wire{next: t, byStatus: map[int]int{}}
}

func (w *wire) client() *http.Client { return &http.Client{Transport: w} }

// RoundTrip forwards req and classifies what comes back.
func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.sent = append(w.sent, sentAt{time.Now(), req.URL.Path})
	w.mu.Unlock()
	resp, err := w.next.RoundTrip(req)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	w.byStatus[resp.StatusCode]++
	if resp.StatusCode != http.StatusTooManyRequests {
		w.admitted = append(w.admitted, time.Now())
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, w: w, ctx: req.Context()}
	return resp, nil
}

func (w *wire) count(status int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byStatus[status]
}

func (w *wire) serverErrors() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for code, c := range w.byStatus {
		if code >= 500 {
			n += c
		}
	}
	return n
}

type sentAt struct {
	at   time.Time
	path string
}

// watchedBody counts bodies that end early: by the attempt's deadline (a slow body) or by the
// connection closing short of Content-Length (a truncated body).
type watchedBody struct {
	io.ReadCloser
	w    *wire
	ctx  context.Context
	done bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && !b.done {
		b.done = true
		b.w.mu.Lock()
		if errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
			b.w.timedOut++
		} else if b.ctx.Err() == nil {
			b.w.truncated++
		}
		b.w.mu.Unlock()
	}
	return n, err
}

// TestFaultMatrixConverges syncs through every kind of fault the issue names (5% 5xx, 2% resets,
// 1% truncated bodies, 1% bodies that stall beyond the request timeout, 3% 429) and expects
// tables identical to a fault-free sync of the same seed, with the retries and 429s recorded.
func TestFaultMatrixConverges(t *testing.T) {
	t.Parallel()
	// Seed 2 draws every fault kind at least once on this small dataset (the test checks it).
	opts := circlecitest.Options{Seed: 2, Projects: 2, BuildsPerProject: 25, Parallelism: 2, TestsPerJob: 4}
	clean := newSim(t, opts)
	opts.Faults = circlecitest.Faults{ServerError: 0.05, Reset: 0.02, Truncate: 0.01, Slow: 0.01, RateLimited: 0.03}
	opts.SlowBodyDelay = 3 * time.Second
	faulty := newSim(t, opts)

	want := openStore(t, filepath.Join(t.TempDir(), "clean.duckdb"))
	defer want.Close()
	syncOnce(t, want, clean, func(o *pipeline.Options) { o.Rate = 1000 }) // no 429s to adapt to

	got := openStore(t, filepath.Join(t.TempDir(), "faulty.duckdb"))
	defer got.Close()
	w := newWire()
	start := time.Now()
	res := syncOnce(t, got, faulty, func(o *pipeline.Options) {
		o.HTTPClient = w.client()
		o.RequestTimeout = time.Second
	})
	if res.Status != pipeline.StatusSuccess {
		t.Errorf("status %q, want success (every fault is retryable): %+v", res.Status, res.Failures)
	}
	// net/http resends a GET whose reused connection closed without a response, so most resets
	// never reach the wire's RoundTrip: count them as the server's faults the client saw no other way.
	resets := int(faulty.Requests()["fault"]) - w.serverErrors() - w.count(429) - w.truncated - w.timedOut
	t.Logf("faulty sync: %s, %d requests, %d retries, %d rate-limited; the client saw %d 5xx, %d 429, %d resets, %d truncated and %d stalled bodies",
		time.Since(start).Round(time.Millisecond), res.Requests, res.Retries, res.RateLimited,
		w.serverErrors(), w.count(429), resets, w.truncated, w.timedOut)
	for kind, n := range map[string]int{"5xx": w.serverErrors(), "429": w.count(429), "reset": resets, "truncated body": w.truncated, "slow body": w.timedOut} {
		if n == 0 {
			t.Errorf("no %s reached the client; the fault matrix is not exercised", kind)
		}
	}

	wantSums, gotSums := tableChecksums(t, want.DB()), tableChecksums(t, got.DB())
	for table, sum := range wantSums {
		if gotSums[table] != sum {
			t.Errorf("%s: checksum %s after faults, %s without", table, gotSums[table], sum)
		}
	}
	var retries, limited int64
	if err := got.DB().QueryRow(`SELECT retries, rate_limited FROM sync_runs WHERE run_id = ?`, res.RunID).Scan(&retries, &limited); err != nil {
		t.Fatal(err)
	}
	if retries == 0 || limited == 0 {
		t.Errorf("sync_runs: retries=%d rate_limited=%d, want both > 0", retries, limited)
	}
	if retries != res.Retries || limited != res.RateLimited {
		t.Errorf("sync_runs: retries=%d rate_limited=%d, result says %d and %d", retries, limited, res.Retries, res.RateLimited)
	}
}
