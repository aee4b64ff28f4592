package pipeline

import (
	"context"
	"time"

	"github.com/buildlake/buildlake/load"
)

// interruptedSummary is the error_summary of a run left "running" by a process that died.
const interruptedSummary = "interrupted: the process stopped during the run"

// closeInterrupted marks the runs that a dead process (kill -9, OOM, power loss) left "running"
// as failed, so sync_runs does not show them running forever. Holding the store proves no other
// run is live: it is the database's only writer, and Sync its only user.
func closeInterrupted(ctx context.Context, store *load.Store, now time.Time) (int64, error) {
	res, err := store.DB().ExecContext(ctx, `UPDATE sync_runs SET status = ?, finished_at = coalesce(finished_at, ?),
		error_summary = ? WHERE status = ?`, StatusFailed, now.UTC(), interruptedSummary, StatusRunning)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
