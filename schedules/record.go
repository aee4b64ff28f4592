package schedules

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

var (
	errRecord  = errors.New("could not record the run in sync_runs")
	errRecover = errors.New("could not read the scheduler's state from sync_runs")
)

// recordTimeout bounds the writes made outside a run's context (after a panic, at start-up).
const recordTimeout = 10 * time.Second

// interruptedSummary is the error_summary of a run left "running" by a process that died.
const interruptedSummary = load.InterruptedSummary

// recordPanic makes the panicked run a failed row in sync_runs: it updates the "running" row
// the pipeline wrote at the start of the run, or inserts one when the panic came before it.
func (s *Scheduler) recordPanic(trigger string, start, end time.Time, summary string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	db := s.store.DB()
	var runID string
	err := db.QueryRowContext(ctx, `SELECT run_id FROM sync_runs WHERE trigger = ? AND status = ? AND started_at >= ?
		ORDER BY started_at DESC LIMIT 1`, trigger, pipeline.StatusRunning, start.UTC().Add(-time.Second)).Scan(&runID)
	switch {
	case err == nil:
		_, err = db.ExecContext(ctx, `UPDATE sync_runs SET status = ?, finished_at = ?, errors = coalesce(errors, 0) + 1,
			error_summary = ? WHERE run_id = ?`, pipeline.StatusFailed, end.UTC(), summary, runID)
	case errors.Is(err, sql.ErrNoRows):
		runID = newRunID(start)
		_, err = db.ExecContext(ctx, `INSERT INTO sync_runs (run_id, trigger, started_at, finished_at, status,
			projects, builds_upserted, steps, artifacts, tests, requests, retries, rate_limited, errors, error_summary)
			VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 1, ?)`,
			runID, trigger, start.UTC(), end.UTC(), pipeline.StatusFailed, summary)
	}
	if err != nil {
		return runID, fmt.Errorf("%w: %w", errRecord, err)
	}
	return runID, nil
}

// recoverState marks runs that a dead process left "running" as failed, and seeds /healthz and
// the last-success gauge with each job's last success.
func (s *Scheduler) recoverState(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	db := s.store.DB()
	n, err := s.store.CloseInterruptedRuns(ctx, s.now())
	if err != nil {
		return fmt.Errorf("%w: %w", errRecover, err)
	}
	if n > 0 {
		s.log.Warn("marked runs interrupted by an earlier process as failed", "runs", n)
	}
	rows, err := db.QueryContext(ctx, `SELECT trigger, max(finished_at) FROM sync_runs
		WHERE status = ? AND trigger LIKE 'schedule:%' GROUP BY trigger`, pipeline.StatusSuccess)
	if err != nil {
		return fmt.Errorf("%w: %w", errRecover, err)
	}
	defer rows.Close()
	for rows.Next() {
		var trigger string
		var at sql.NullTime
		if err := rows.Scan(&trigger, &at); err != nil {
			return fmt.Errorf("%w: %w", errRecover, err)
		}
		job := strings.TrimPrefix(trigger, "schedule:")
		if !at.Valid || !s.hasJob(job) {
			continue
		}
		s.health.seed(job, at.Time)
		s.metrics.lastSuccess.WithLabelValues(job).Set(float64(at.Time.UnixMilli()) / 1000)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %w", errRecover, err)
	}
	return nil
}

func (s *Scheduler) hasJob(name string) bool {
	for _, j := range s.cfg.Jobs {
		if j.Name == name {
			return true
		}
	}
	return false
}

// newRunID has the pipeline's run_id form: sortable by start time, unique across processes.
func newRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
