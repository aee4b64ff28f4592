package schedules

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/dashboards"
	"github.com/buildlake/buildlake/load"
)

// TestRunServesDashboard starts the scheduler as `buildlake schedule` does (RunOptions.Dashboard
// wired like cmd/buildlake/schedule.go) and reads the dashboard from its listener: the page, a
// JSON endpoint answered from the scheduler's own store, and a bad parameter (400, JSON error).
func TestRunServesDashboard(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "buildlake.duckdb")
	// One finished build, so the KPIs prove the dashboard reads the scheduler's database.
	store, err := load.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.DB().ExecContext(ctx, `INSERT INTO builds (project_slug, build_num, status, outcome, queued_at, build_time_millis)
		VALUES ('github/acme/api', 1, 'success', 'success', now()::TIMESTAMP - INTERVAL 1 HOUR, 60000)`)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	// The only job runs once a day, first a day after start: no run starts while the test reads.
	cfg := mustValidate(t, fmt.Sprintf("db: %s\nlisten: 127.0.0.1:0\njobs:\n  - {name: incremental, cron: '@every 24h'}\n", db))

	rctx, cancel := context.WithCancel(ctx)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(rctx, cfg, RunOptions{
			Logger: testLogger(t),
			Ready:  func(a string) { addr <- a },
			Dashboard: func(store *load.Store) http.Handler {
				return dashboards.Handler(dashboards.Options{
					DBPath: cfg.DB,
					OpenDB: func(context.Context) (*sql.DB, error) { return store.DB(), nil },
				})
			},
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("Run returned before serving: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("scheduler never became ready")
	}

	get := func(path string) (int, string, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), string(body)
	}

	status, ct, body := get("/")
	if status != http.StatusOK || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `id="chart-duration"`) {
		t.Errorf("GET /: %d %s, want the dashboard page; body starts %.200q", status, ct, body)
	}
	if status, _, body := get("/assets/app.js"); status != http.StatusOK || !strings.Contains(body, "buildlake") {
		t.Errorf("GET /assets/app.js: %d", status)
	}

	status, ct, body = get("/api/kpis?since=7d")
	var k struct {
		KPIs struct {
			Builds                int64    `json:"builds"`
			MedianDurationSeconds *float64 `json:"median_duration_seconds"`
		} `json:"kpis"`
	}
	if err := json.Unmarshal([]byte(body), &k); status != http.StatusOK || ct != "application/json" || err != nil {
		t.Fatalf("GET /api/kpis: %d %s %v: %s", status, ct, err, body)
	}
	if k.KPIs.Builds != 1 || k.KPIs.MedianDurationSeconds == nil || *k.KPIs.MedianDurationSeconds != 60 {
		t.Errorf("GET /api/kpis: %s, want the one 60 s build", body)
	}

	status, ct, body = get("/api/query/success-rate?period=fortnight")
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); status != http.StatusBadRequest || ct != "application/json" || err != nil || !strings.Contains(e.Error, "period") {
		t.Errorf("bad period: %d %s %q, want 400 with a JSON error naming the parameter", status, ct, body)
	}

	// /healthz and /metrics still belong to the scheduler, beside the dashboard.
	if status, _, body := get("/healthz"); status != http.StatusOK && status != http.StatusServiceUnavailable || !strings.Contains(body, "{") {
		t.Errorf("GET /healthz: %d %q", status, body)
	}
	if status, _, body := get("/metrics"); status != http.StatusOK || !strings.Contains(body, "buildlake_") {
		t.Errorf("GET /metrics: %d", status)
	}
}
