package extract

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
)

// TestAdaptiveRateLowServerLimits runs the adaptive pacer against the simulator's --rate-limit
// token bucket at limits where a second holds only a few responses. After the first seconds
// (slow start from 20 requests/s overshoots a 2 requests/s server tenfold, and each cut waits
// out a Retry-After pause) it must settle: under 5% of its requests answered 429 and at least
// 80% of the limit admitted, over the last part of the run.
func TestAdaptiveRateLowServerLimits(t *testing.T) {
	for _, tc := range []struct {
		limit       float64
		d, measured time.Duration
	}{
		{limit: 10, d: 16 * time.Second, measured: 10 * time.Second},
		{limit: 2, d: 20 * time.Second, measured: 12 * time.Second},
	} {
		t.Run("", func(t *testing.T) {
			requireQuietMachine(t)
			t.Parallel()
			srv := circlecitest.NewServer(circlecitest.Options{Seed: 1, Projects: 1, BuildsPerProject: 1, RateLimit: tc.limit})
			t.Cleanup(srv.Close)
			c, err := New(Config{Host: srv.URL, Token: srv.Token, RequestTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			before, s := hammerSim(t, c, 16, tc.d, tc.measured)
			reqs, limited := s.Requests-before.Requests, s.RateLimited-before.RateLimited
			share := float64(limited) / float64(reqs)
			tput := float64(reqs-limited) / tc.measured.Seconds()
			t.Logf("limit %.0f/s: over the last %s %d requests, %d answered 429 (%.1f%%), %.2f admitted/s (%.0f%% of the limit); whole run %d requests, %d 429s; rate now %.2f",
				tc.limit, tc.measured, reqs, limited, 100*share, tput, 100*tput/tc.limit, s.Requests, s.RateLimited, s.CurrentRate)
			if share >= 0.05 {
				t.Errorf("limit %.0f/s: %.1f%% of requests got 429, want under 5%%", tc.limit, 100*share)
			}
			if tput < 0.8*tc.limit {
				t.Errorf("limit %.0f/s: %.2f requests/s admitted, want at least 80%% of the limit", tc.limit, tput)
			}
		})
	}
}

// hammerSim lists projects from workers goroutines for d and returns the client's stats at d-measured
// and at the end.
func hammerSim(t *testing.T, c *Client, workers int, d, measured time.Duration) (atMark, end Stats) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	mark := time.AfterFunc(d-measured, func() { mu.Lock(); atMark = c.Stats(); mu.Unlock() })
	defer mark.Stop()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := c.ListProjects(ctx); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("request failed: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return atMark, c.Stats()
}
