package schedules

import (
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
)

// Against a simulator that answers some requests with 429, 5xx and resets, the API series count
// every attempt by its answer, the 429s and the retries, and agree with sync_runs.
func TestMetricsCountRateLimitsAndRetries(t *testing.T) {
	sim := circlecitest.NewServer(circlecitest.Options{Seed: 4, Projects: 1, BuildsPerProject: 8,
		Faults: circlecitest.Faults{RateLimited: 0.1, ServerError: 0.06, Reset: 0.04}})
	defer sim.Close()
	st := startScheduler(t, simConfig(t, sim)+"jobs:\n  - {name: inc, cron: '@every 1s', rate: 1000}\n", nil)
	waitFor(t, 20*time.Second, "a finished run", func() bool {
		v, _ := value(scrape(t, st.http.URL), "buildlake_run_duration_seconds", "job", "inc")
		return v >= 1
	})
	st.stop(t)

	var requests, retries, limited float64
	if err := st.store.DB().QueryRow(`SELECT sum(requests), sum(retries), sum(rate_limited) FROM sync_runs`).Scan(&requests, &retries, &limited); err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, st.http.URL)
	byCode := map[string]float64{}
	var total float64
	for _, m := range fams["buildlake_api_requests_total"].GetMetric() {
		byCode[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		total += m.GetCounter().GetValue()
	}
	if total != requests || byCode["200"] == 0 || byCode["429"] != limited {
		t.Errorf("api_requests_total by code %v (sum %v); sync_runs: %v requests, %v rate limited", byCode, total, requests, limited)
	}
	if limited == 0 || retries == 0 {
		t.Fatalf("the simulator injected no 429s or no retries happened (%v, %v): the test proves nothing", limited, retries)
	}
	if v := mustValue(t, fams, "buildlake_api_rate_limited_total"); v != limited {
		t.Errorf("rate_limited_total = %v, want %v", v, limited)
	}
	if v := mustValue(t, fams, "buildlake_api_retries_total"); v != retries {
		t.Errorf("retries_total = %v, want %v", v, retries)
	}
}

// A run waiting out its jitter does not hold up shutdown, and never starts once shutdown began
// (a run would have recorded a row in sync_runs, failed or not: nothing listens on the host).
func TestJitterIsCancelledByShutdown(t *testing.T) {
	st := startScheduler(t, "host: http://127.0.0.1:9\njitter: 1h\ngrace_period: 20s\njobs:\n  - {name: inc, cron: '@every 1s'}\n", nil)
	time.Sleep(1300 * time.Millisecond) // one firing is now in its (up to 1h) jitter delay
	start := time.Now()
	st.stop(t)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("shutdown took %s with a run in its jitter delay", took)
	}
	var runs int
	if err := st.store.DB().QueryRow(`SELECT count(*) FROM sync_runs`).Scan(&runs); err != nil || runs != 0 {
		t.Errorf("%d runs started despite a 1h jitter (%v)", runs, err)
	}
	for range 1000 {
		if d := st.s.jitter(); d < 0 || d > time.Hour {
			t.Fatalf("jitter %s outside [0, 1h]", d)
		}
	}
}
