package schedules

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for health checks.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestHealthFollowsMaxAge(t *testing.T) {
	cfg := mustValidate(t, "jobs:\n  - {name: inc, cron: '@hourly', max_age: 1h}\n  - {name: nightly, cron: '@daily'}\n")
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := &Scheduler{cfg: cfg, health: newHealth(cfg.Jobs, clock.now(), clock.now), metrics: newMetrics(cfg.Jobs)}
	srv := httptest.NewServer(s.Handler(nil))
	defer srv.Close()

	check := func(wantCode int, wantReason string) healthReport {
		t.Helper()
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r healthReport
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != wantCode {
			t.Fatalf("/healthz = %d, want %d; body %+v", resp.StatusCode, wantCode, r)
		}
		if len(r.Jobs) != 1 || r.Jobs[0].Job != "inc" {
			t.Fatalf("jobs in report = %+v, want only inc (nightly has no max_age)", r.Jobs)
		}
		if !strings.Contains(r.Jobs[0].Reason, wantReason) {
			t.Fatalf("reason %q does not contain %q", r.Jobs[0].Reason, wantReason)
		}
		return r
	}

	// Start-up grace: max_age to succeed.
	check(http.StatusOK, "")
	clock.advance(59 * time.Minute)
	s.health.finished("inc", "failed", clock.now())
	check(http.StatusOK, "")
	clock.advance(2 * time.Minute)
	r := check(http.StatusServiceUnavailable, "no successful run yet, and start-up was 1h1m0s ago, longer than max_age 1h0m0s; last run: failed")
	if r.Status != "unhealthy" || r.Jobs[0].Healthy || r.Jobs[0].LastSuccess != nil {
		t.Fatalf("report = %+v", r)
	}
	s.health.finished("inc", "success", clock.now())
	r = check(http.StatusOK, "")
	if r.Status != "ok" || r.Jobs[0].LastSuccess == nil || r.Jobs[0].LastStatus != "success" {
		t.Fatalf("report = %+v", r)
	}
	clock.advance(30 * time.Minute)
	s.health.finished("inc", "partial", clock.now())
	check(http.StatusOK, "")
	clock.advance(31 * time.Minute)
	check(http.StatusServiceUnavailable, "last success 1h1m0s ago (at 2026-03-01T13:01:00Z) is older than max_age 1h0m0s; last run: partial")
}

func TestHealthSeededSuccessKeepsStartupGrace(t *testing.T) {
	cfg := mustValidate(t, "jobs:\n  - {name: inc, cron: '@hourly', max_age: 1h}\n")
	clock := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	h := newHealth(cfg.Jobs, clock.now(), clock.now)
	h.seed("inc", clock.now().Add(-5*time.Hour)) // last success before a long outage
	if r := h.report(cfg.Jobs); r.Status != "ok" {
		t.Fatalf("right after start-up: %+v", r)
	}
	clock.advance(61 * time.Minute)
	if r := h.report(cfg.Jobs); r.Status != "unhealthy" || !strings.Contains(r.Jobs[0].Reason, "last success 6h1m0s ago") {
		t.Fatalf("after max_age: %+v", r)
	}
}
