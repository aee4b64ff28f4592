package dashboards

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// TestSQLInjectionChangesNothing sends classic injection strings in every parameter of every
// endpoint: each must be refused (400) or match nothing, never return extra rows, and the
// database must be unchanged afterwards.
func TestSQLInjectionChangesNothing(t *testing.T) {
	path := sharedFixture(t)
	srv := newTestServer(t, path)
	countsBefore := tableCounts(t, path)
	attacks := []string{
		"main' OR '1'='1", "x'; DROP TABLE builds; --", "'); DELETE FROM tests; --",
		"1; UPDATE builds SET outcome='success'", "' UNION SELECT * FROM builds --",
	}
	endpoints := []string{"/api/kpis", "/api/flaky-test-builds", "/api/flaky-job-builds"}
	for _, q := range []string{"flaky-tests", "flaky-jobs", "duration-trend", "queue-time-trend", "success-rate", "slowest-steps", "mttr", "wasted-time", "duration-regressions"} {
		endpoints = append(endpoints, "/api/query/"+q)
	}
	baseline := map[string]int{}
	for _, ep := range endpoints {
		if ep == "/api/kpis" {
			continue
		}
		status, v := getJSON(t, srv, ep+"?since=2026-01-01")
		if status != http.StatusOK {
			t.Fatalf("%s: baseline status %d %v", ep, status, v)
		}
		baseline[ep] = rowCount(t, v)
	}
	type attempt struct{ ep, param, attack string }
	var attempts []attempt
	for _, ep := range endpoints {
		for _, param := range []string{"since", "until", "project", "branch", "period", "limit", "threshold"} {
			for _, attack := range attacks {
				attempts = append(attempts, attempt{ep, param, attack})
			}
		}
	}
	// A few at a time: concurrent requests share one read-only handle, as a page load does.
	var wg sync.WaitGroup
	work := make(chan attempt)
	for range 4 {
		wg.Go(func() {
			for a := range work {
				checkAttack(t, srv, a.ep, a.param, a.attack, baseline[a.ep])
			}
		})
	}
	for _, a := range attempts {
		work <- a
	}
	close(work)
	wg.Wait()
	if after := tableCounts(t, path); after != countsBefore {
		t.Errorf("table counts changed: before %v, after %v", countsBefore, after)
	}
}

func tableCounts(t *testing.T, path string) [5]int {
	var out [5]int
	for i, table := range []string{"builds", "tests", "steps", "projects", "artifacts"} {
		out[i] = countRows(t, path, "SELECT count(*) FROM "+table)
	}
	out[0] += 1000000 * countRows(t, path, "SELECT count(*) FROM builds WHERE outcome = 'success'")
	return out
}

func checkAttack(t *testing.T, srv *httptest.Server, ep, param, attack string, baseline int) {
	q := url.Values{param: {attack}}
	if param != "since" {
		q.Set("since", "2026-01-01")
	}
	status, v, err := fetchJSON(srv, ep+"?"+q.Encode())
	rows, _ := v["rows"].([]any)
	switch {
	case err != nil:
		t.Error(err)
	case status == http.StatusBadRequest:
		if v["error"] == nil {
			t.Errorf("%s %s=%q: 400 without an error message", ep, param, attack)
		}
	case status == http.StatusOK && param == "branch":
		// Bound as a value, the string is just a branch nobody pushed to.
		if ep == "/api/kpis" {
			if b := v["kpis"].(map[string]any)["builds"].(float64); b != 0 {
				t.Errorf("%s branch=%q: %v builds, want 0", ep, attack, b)
			}
		} else if n := len(rows); n > 0 && ep != "/api/query/mttr" {
			t.Errorf("%s branch=%q: %d rows, want none", ep, attack, n)
		} else if n > baseline {
			t.Errorf("%s branch=%q: %d rows, more than the %d without it", ep, attack, n, baseline)
		}
	default:
		t.Errorf("%s %s=%q: status %d %v, want 400 (or 200 with no rows for branch)", ep, param, attack, status, v)
	}
}
