package load

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var errRun = errors.New("could not record sync run")

// Run is one sync_runs row. Status is running | success | partial | failed | canceled.
// ErrorSummary must already be free of secrets.
type Run struct {
	RunID, Trigger                                                          string
	StartedAt, FinishedAt                                                   time.Time
	Status                                                                  string
	Projects                                                                int
	Builds, Steps, Artifacts, Tests, Requests, Retries, RateLimited, Errors int64
	ErrorSummary                                                            string
}

// StartRun records a run as "running" (replacing a row with the same run_id).
func (s *Store) StartRun(ctx context.Context, r Run) error {
	r.Status = "running"
	r.FinishedAt = time.Time{}
	return s.putRun(ctx, r)
}

// FinishRun records the run's final status and counters (inserting the row if StartRun's is missing).
func (s *Store) FinishRun(ctx context.Context, r Run) error { return s.putRun(ctx, r) }

func (s *Store) putRun(ctx context.Context, r Run) error {
	var fin any
	if !r.FinishedAt.IsZero() {
		fin = r.FinishedAt.UTC()
	}
	var start any
	if !r.StartedAt.IsZero() {
		start = r.StartedAt.UTC()
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO sync_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.RunID, nullString(r.Trigger), start, fin, r.Status, r.Projects, r.Builds, r.Steps, r.Artifacts,
		r.Tests, r.Requests, r.Retries, r.RateLimited, r.Errors, nullString(r.ErrorSummary))
	if err != nil {
		return fmt.Errorf("%w %s: %w", errRun, r.RunID, err)
	}
	return nil
}

// InterruptedSummary is the error_summary CloseInterruptedRuns gives the runs it closes.
const InterruptedSummary = "interrupted: the process stopped during the run"

// CloseInterruptedRuns marks the runs that a dead process (kill -9, OOM, power loss) left
// "running" as "failed", so sync_runs does not show them running forever. Holding the store
// proves no other run is live: it is the database's only writer. It returns how many it closed.
func (s *Store) CloseInterruptedRuns(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE sync_runs SET status = 'failed', finished_at = coalesce(finished_at, ?),
		error_summary = ? WHERE status = 'running'`, now.UTC(), InterruptedSummary)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errRun, err)
	}
	return res.RowsAffected()
}
