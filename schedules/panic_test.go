package schedules

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// runRow is one sync_runs row as the tests read it.
type runRow struct {
	runID, status, summary string
	started, finished      sql.NullTime
	errors                 sql.NullInt64
}

func runsOf(t *testing.T, db *sql.DB, trigger string) []runRow {
	t.Helper()
	rows, err := db.Query(`SELECT run_id, status, coalesce(error_summary, ''), started_at, finished_at, errors
		FROM sync_runs WHERE trigger = ? ORDER BY started_at`, trigger)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []runRow
	for rows.Next() {
		var r runRow
		if err := rows.Scan(&r.runID, &r.status, &r.summary, &r.started, &r.finished, &r.errors); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// countRuns counts trigger's sync_runs rows with status; it takes the store's turn so that it
// does not queue behind (or in front of) a run on the one connection mid-transaction.
func countRuns(t *testing.T, st *started, trigger, status string) int {
	t.Helper()
	st.s.turn <- struct{}{}
	defer func() { <-st.s.turn }()
	var n int
	if err := st.store.DB().QueryRow(`SELECT count(*) FROM sync_runs WHERE trigger = ? AND status = ?`, trigger, status).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A panic that escapes the sync before it recorded anything becomes a failed sync_runs row with
// the token redacted, counts as a failed run, turns /healthz red once max_age has passed, and
// does not stop the schedule.
func TestPanicBeforeRecordingIsRecordedAsFailed(t *testing.T) {
	const token = "s3cret-token-value"
	t.Setenv("BUILDLAKE_TEST_TOKEN", token)
	st := startScheduler(t, `
token_env: BUILDLAKE_TEST_TOKEN
jobs:
  - {name: boom, cron: '@every 1s', max_age: 1s}
`, func(s *Scheduler) {
		s.sync = func(context.Context, *load.Store, pipeline.Options) (pipeline.Result, error) {
			panic("cannot reach circleci with token " + token)
		}
	})
	waitFor(t, 10*time.Second, "two failed runs", func() bool { return countRuns(t, st, "schedule:boom", "failed") >= 2 })
	st.stop(t)

	runs := runsOf(t, st.store.DB(), "schedule:boom")
	for _, r := range runs {
		if r.status != "failed" || !r.started.Valid || !r.finished.Valid || r.errors.Int64 != 1 {
			t.Errorf("run %+v: want failed with start, end and one error", r)
		}
		if r.summary != "panic: cannot reach circleci with token REDACTED" {
			t.Errorf("error_summary = %q", r.summary)
		}
	}
	fams := scrape(t, st.http.URL)
	if v := mustValue(t, fams, "buildlake_runs_total", "job", "boom", "status", "failed"); int(v) != len(runs) {
		t.Errorf("runs_total{failed} = %v, sync_runs has %d", v, len(runs))
	}
	if v := mustValue(t, fams, "buildlake_last_success_timestamp_seconds", "job", "boom"); v != 0 {
		t.Errorf("last success = %v, want 0", v)
	}

	resp, err := http.Get(st.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r healthReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || r.Jobs[0].Job != "boom" ||
		!strings.Contains(r.Jobs[0].Reason, "no successful run yet") || !strings.Contains(r.Jobs[0].Reason, "last run: failed") {
		t.Fatalf("/healthz = %d %+v", resp.StatusCode, r)
	}
}

// A run left "running" by a process that died is marked failed when the next one starts, and
// the last success seeds the gauge.
func TestNewMarksInterruptedRunsFailed(t *testing.T) {
	ctx := context.Background()
	cfg := mustValidate(t, "jobs:\n  - {name: inc, cron: '@hourly', max_age: 1h}\n")
	cfg.DB = t.TempDir() + "/b.duckdb"
	store, err := load.Open(ctx, cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ok := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, err := store.DB().Exec(`INSERT INTO sync_runs (run_id, trigger, started_at, finished_at, status) VALUES
		('a', 'schedule:inc', ?, ?, 'success'), ('b', 'schedule:inc', ?, NULL, 'running'), ('c', 'schedule:gone', ?, ?, 'success')`,
		ok.Add(-time.Minute), ok, ok.Add(time.Hour), ok, ok); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	runs := runsOf(t, store.DB(), "schedule:inc")
	if len(runs) != 2 || runs[1].status != "failed" || runs[1].summary != interruptedSummary || !runs[1].finished.Valid {
		t.Fatalf("runs = %+v", runs)
	}
	if got := s.health.last["inc"]; !got.Equal(ok) {
		t.Fatalf("seeded last success = %v, want %v", got, ok)
	}
	if _, seeded := s.health.last["gone"]; seeded {
		t.Fatal("a job no longer configured was seeded")
	}
}
