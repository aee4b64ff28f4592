package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func newTestServer(t *testing.T, dbPath string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler(Options{DBPath: dbPath, Now: func() time.Time { return fixtureNow }}))
	t.Cleanup(srv.Close)
	return srv
}

// getJSON fetches path and decodes its JSON body, whatever the status.
func getJSON(t *testing.T, srv *httptest.Server, path string) (int, map[string]any) {
	t.Helper()
	status, v, err := fetchJSON(srv, path)
	if err != nil {
		t.Fatal(err)
	}
	return status, v
}

// fetchJSON is getJSON for goroutines other than the test's (which must not call t.Fatal).
func fetchJSON(srv *httptest.Server, path string) (int, map[string]any, error) {
	res, err := http.Get(srv.URL + path)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		return 0, nil, fmt.Errorf("GET %s: Content-Type %q, body %s", path, ct, body)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		return 0, nil, fmt.Errorf("GET %s: %v in %s", path, err, body)
	}
	return res.StatusCode, v, nil
}

func rowCount(t *testing.T, v map[string]any) int {
	t.Helper()
	rows, ok := v["rows"].([]any)
	if !ok {
		t.Fatalf("no rows in %v", v)
	}
	return len(rows)
}

func TestAPIAnswersEveryCannedQuery(t *testing.T) {
	path := sharedFixture(t)
	srv := newTestServer(t, path)
	_, filters := getJSON(t, srv, "/api/filters")
	names, _ := filters["queries"].([]any)
	if len(names) < 9 {
		t.Fatalf("filters lists %d queries, want the 9 canned ones: %v", len(names), filters)
	}
	for _, n := range names {
		status, v := getJSON(t, srv, "/api/query/"+n.(string)+"?since=2026-01-15&until=2026-03-01")
		if status != http.StatusOK {
			t.Errorf("%s: status %d: %v", n, status, v)
			continue
		}
		if cols, _ := v["columns"].([]any); len(cols) == 0 || v["as_of"] == "" || v["stale"] != false {
			t.Errorf("%s: want columns, as_of and stale=false, got %v", n, v)
		}
	}
	_, trend := getJSON(t, srv, "/api/query/duration-trend?period=week")
	if rowCount(t, trend) == 0 {
		t.Errorf("duration-trend: no rows over the fixture")
	}
	_, k := getJSON(t, srv, "/api/kpis")
	kp := k["kpis"].(map[string]any)
	// 30-day default window: the fixture's builds queued in [now-30d, now).
	want := countRows(t, path, "SELECT count(*) FROM builds WHERE usage_queued_at >= ?::TIMESTAMP",
		sqlTime(fixtureNow.Add(-30*24*time.Hour)))
	if int(kp["builds"].(float64)) != want || kp["flaky_tests"].(float64) != 2 {
		t.Errorf("kpis = %v, want %d builds and 2 flaky tests", kp, want)
	}
	_, kapi := getJSON(t, srv, "/api/kpis?project="+url.QueryEscape(fixtureProjectAPI))
	if got := kapi["kpis"].(map[string]any)["flaky_tests"].(float64); got != 1 {
		t.Errorf("api project: %v flaky tests, want 1", got)
	}
}

func TestAPIRejectsMalformedParameters(t *testing.T) {
	srv := newTestServer(t, sharedFixture(t))
	for _, q := range []string{
		"since=yesterday", "until=2026-13-01", "since=2026-03-01&until=2026-02-01", "period=year",
		"limit=0", "limit=-1", "limit=abc", "limit=10001", "threshold=NaN", "threshold=-3",
		"project=acme", "project=github/acme/api%27%20OR%201=1--", "branch=%00", "nope=1", "project=a&project=b",
	} {
		for _, path := range []string{"/api/query/flaky-tests", "/api/kpis", "/api/flaky-test-builds"} {
			status, v := getJSON(t, srv, path+"?"+q)
			if status != http.StatusBadRequest || v["error"] == nil || v["error"] == "" {
				t.Errorf("%s?%s: status %d body %v, want 400 with an error", path, q, status, v)
			}
		}
	}
	status, v := getJSON(t, srv, "/api/query/no-such-query")
	if status != http.StatusNotFound || v["error"] == nil {
		t.Errorf("unknown query: %d %v, want 404 JSON", status, v)
	}
	status, v = getJSON(t, srv, "/api/nothing")
	if status != http.StatusNotFound || v["error"] == nil {
		t.Errorf("unknown endpoint: %d %v, want 404 JSON", status, v)
	}
}

// countRows runs a count on its own read-only connection (closed before it returns).
func countRows(t *testing.T, path, q string, args ...any) int {
	t.Helper()
	db, err := openReadOnly(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestThresholdZeroIsNotTheDefault: ?threshold=0 asks for every rise; only a missing threshold
// takes duration-regressions' default of 20.
func TestThresholdZeroIsNotTheDefault(t *testing.T) {
	p, err := parseParams(url.Values{"threshold": {"0"}}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	if p.Threshold != 0 || !p.ThresholdSet {
		t.Errorf("threshold=0: Threshold %v, ThresholdSet %v; want 0, true", p.Threshold, p.ThresholdSet)
	}
	p, err = parseParams(url.Values{}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	if p.ThresholdSet {
		t.Errorf("no threshold: ThresholdSet true, want the default")
	}
}
