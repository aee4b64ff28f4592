package extract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// limitedServer answers 429 with Retry-After: 1 and a plain-text body beyond limit req/s (token
// bucket with the given burst), like CircleCI's unpublished limiter.
type limitedServer struct {
	lim      *rate.Limiter
	ok, shed atomic.Int64
}

func (s *limitedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.lim.Allow() {
		s.shed.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "Too Many Requests")
		return
	}
	s.ok.Add(1)
	fmt.Fprint(w, `[]`)
}

// hammer calls the client from workers goroutines for d and returns the successful requests/s
// over the last measure of the run (the whole run when measure is d).
func hammer(t *testing.T, c *Client, srv *limitedServer, workers int, d, measure time.Duration) float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var okAtMark int64
	mark := time.AfterFunc(d-measure, func() { okAtMark = srv.ok.Load() })
	defer mark.Stop()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := c.ListProjects(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("request failed: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(srv.ok.Load()-okAtMark) / measure.Seconds()
}

// requireQuietMachine skips a timing test when the scheduler is too late to pace requests: on an
// overloaded machine goroutines wake in clumps and any client bursts past a token bucket.
func requireQuietMachine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("timing test")
	}
	var late time.Duration
	for range 20 {
		start := time.Now()
		time.Sleep(2 * time.Millisecond)
		late = max(late, time.Since(start)-2*time.Millisecond)
	}
	if late > 40*time.Millisecond {
		t.Skipf("machine too loaded for a timing test: a 2ms sleep overran by %v", late)
	}
}

func TestFixedRate(t *testing.T) {
	requireQuietMachine(t)
	const limit = 80.0
	srv := &limitedServer{lim: rate.NewLimiter(limit, 10)}
	c, _ := newTestClient(t, srv.ServeHTTP, func(c *Config) { c.Rate = limit })
	d := 2 * time.Second
	got := hammer(t, c, srv, 16, d, d)
	s := c.Stats()
	share := float64(s.RateLimited) / float64(s.Requests)
	t.Logf("fixed: %.1f req/s of %.0f, %d requests, %d 429s (%.2f%%)", got, limit, s.Requests, s.RateLimited, 100*share)
	if got < 0.9*limit {
		t.Errorf("throughput %.1f req/s, want at least 90%% of %.0f", got, limit)
	}
	if share >= 0.01 {
		t.Errorf("429 share %.2f%%, want under 1%%", 100*share)
	}
}

func TestAdaptiveRate(t *testing.T) {
	requireQuietMachine(t)
	const limit = 80.0
	srv := &limitedServer{lim: rate.NewLimiter(limit, 10)}
	c, _ := newTestClient(t, srv.ServeHTTP, func(c *Config) { c.Rate = 0 })
	d, measure := 8*time.Second, 5*time.Second
	if v, err := time.ParseDuration(os.Getenv("BUILDLAKE_PACER_TEST")); err == nil {
		d, measure = v, v*3/4 // a longer run by hand: BUILDLAKE_PACER_TEST=30s
	}
	got := hammer(t, c, srv, 16, d, measure)
	s := c.Stats()
	share := float64(s.RateLimited) / float64(s.Requests)
	t.Logf("adaptive: %.1f req/s of %.0f over the last %s (%.1f over the whole run), %d requests, %d 429s (%.2f%%), rate now %.1f",
		got, limit, measure, float64(srv.ok.Load())/d.Seconds(), s.Requests, s.RateLimited, 100*share, s.CurrentRate)
	if got < 0.8*limit {
		t.Errorf("sustained throughput %.1f req/s, want at least 80%% of %.0f", got, limit)
	}
	if share >= 0.05 {
		t.Errorf("429 share %.2f%%, want under 5%%", 100*share)
	}
	if s.CurrentRate > 1.5*limit || s.CurrentRate < 0.5*limit {
		t.Errorf("pacer settled at %.1f req/s for a %.0f req/s server", s.CurrentRate, limit)
	}
}
