// Package schedules runs buildlake as one long-lived process: sync jobs on cron schedules
// (SPEC section 7), with /healthz and Prometheus /metrics on a loopback listener.
//
// The store has one writer connection and DuckDB allows one writer per file, so runs of all jobs
// take turns on a single semaphore around the store: a job never overlaps itself
// (cron.SkipIfStillRunning, skips counted) and never writes at the same time as another job (it
// waits for its turn). Shutdown stops the schedules, lets the run in flight finish within the
// grace period, then cancels it (the pipeline rolls back the open batch) and closes the store.
package schedules
