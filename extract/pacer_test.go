package extract

import (
	"context"
	"errors"
	"fmt"
	"math"
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

func TestPacerStartsFromPace(t *testing.T) {
	for _, tc := range []struct {
		name      string
		start     Pace
		rate      float64
		slowStart bool
	}{
		{"zero: default slow start", Pace{}, adaptiveStart, true},
		{"unthrottled: slow start from it", Pace{Rate: 150}, 150, true},
		{"throttled: probe from it", Pace{Rate: 75, Throttled: true}, 75, false},
		{"negative ignored", Pace{Rate: -3, Throttled: true}, adaptiveStart, true},
		{"beyond the ceiling ignored", Pace{Rate: 1e9}, adaptiveStart, true},
		{"NaN ignored", Pace{Rate: math.NaN(), Throttled: true}, adaptiveStart, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(0, tc.start)
			if p.rate != tc.rate || float64(p.lim.Limit()) != tc.rate || p.slowStart != tc.slowStart {
				t.Fatalf("newPacer(0, %+v): rate %g (limiter %g), slow start %v; want %g, %v",
					tc.start, p.rate, float64(p.lim.Limit()), p.slowStart, tc.rate, tc.slowStart)
			}
			if got := p.pace(); got.Rate != tc.rate || got.Throttled == tc.slowStart {
				t.Errorf("pace() = %+v right after the start", got)
			}
			// One request's success: slow start adds a request/s; probing adds step/rate.
			p.onSuccess(time.Now())
			grown := p.pace().Rate - tc.rate
			if tc.slowStart && grown != slowStartStep {
				t.Errorf("slow start grew by %g per success, want %g", grown, slowStartStep)
			}
			// Probing adds probeFraction of the rate per second, that is per rate successes.
			if want := probeFraction; !tc.slowStart && math.Abs(grown-want) > 1e-9 {
				t.Errorf("probing from a throttled pace grew by %g per success, want %g", grown, want)
			}
		})
	}
	if got := newPacer(40, Pace{Rate: 75, Throttled: true}).pace(); got != (Pace{}) {
		t.Errorf("a fixed-rate pacer reports %+v, want the zero Pace (it learns nothing)", got)
	}
}

// TestAdaptiveRateResumesFromPace: a client started from an earlier client's Pace runs at the
// server's limit from its first second, where a fresh one spends seconds in slow start.
func TestAdaptiveRateResumesFromPace(t *testing.T) {
	requireQuietMachine(t)
	const limit = 80.0
	srv := &limitedServer{lim: rate.NewLimiter(limit, 10)}
	first, _ := newTestClient(t, srv.ServeHTTP, func(c *Config) { c.Rate = 0 })
	hammer(t, first, srv, 16, 6*time.Second, 3*time.Second)
	learned := first.Pace()
	if !learned.Throttled || learned.Rate < 0.5*limit || learned.Rate > 1.5*limit {
		t.Fatalf("after 6 s against a %.0f req/s server the pacer learned %+v, want a throttled rate near the limit", limit, learned)
	}

	srv2 := &limitedServer{lim: rate.NewLimiter(limit, 10)}
	second, _ := newTestClient(t, srv2.ServeHTTP, func(c *Config) { c.Rate = 0; c.StartPace = learned })
	const d = 3 * time.Second
	got := hammer(t, second, srv2, 16, d, d)
	s := second.Stats()
	share := float64(s.RateLimited) / float64(s.Requests)
	t.Logf("learned %+v; the next client's first %s: %.1f req/s of %.0f, %d requests, %d 429s (%.2f%%)",
		learned, d, got, limit, s.Requests, s.RateLimited, 100*share)
	if got < 0.8*limit {
		t.Errorf("resumed client: %.1f req/s over its first %s, want at least 80%% of %.0f", got, d, limit)
	}
	if share >= 0.02 {
		t.Errorf("resumed client: %.2f%% of requests got 429, want under 2%%", 100*share)
	}
}
