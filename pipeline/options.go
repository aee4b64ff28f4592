// Package pipeline wires one sync run: fetch (extract) → transform → load, with sync state.
// It is the only package that knows all three stages.
package pipeline

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/buildlake/buildlake/export"
	"github.com/buildlake/buildlake/extract"
)

// Options configure one sync run. The zero value of each field means its documented default.
type Options struct {
	Host        string // CircleCI host, e.g. https://circleci.com; API base is Host + "/api/v1.1"
	Token       string // CircleCI API token; empty reads F/OSS projects only
	Projects    []string
	Since       time.Time // backfill horizon for a first run (or for Full); zero = Now − 90 days
	Full        bool      // re-read every build in the horizon, ignoring the high-water mark
	Concurrency int       // parallel detail/tests/artifacts fetches; default 16
	Rate        float64   // max requests/s; 0 = adaptive
	NoTests     bool
	NoArtifacts bool
	NoSteps     bool
	ParquetDir  string       // when set, export the partitions this run touched
	Shard       export.Shard // only projects whose stable hash falls in this shard; zero = all
	Trigger     string       // recorded in sync_runs.trigger: "cli", "demo", "schedule:<job>"
	Logger      *slog.Logger
	Progress    Progress
	HTTPClient  *http.Client
	Now         func() time.Time
	// RequestTimeout is the per-attempt HTTP timeout; default 30s.
	RequestTimeout time.Duration
}

// Progress receives counts as a run advances (a progress bar on a TTY). Calls come from one
// goroutine at a time.
type Progress interface {
	Update(p ProgressState)
}

// ProgressState is a snapshot of a running sync.
type ProgressState struct {
	ProjectsDone, ProjectsTotal int
	BuildsDone, BuildsTotal     int64
	Requests, RateLimited       int64
	Rate                        float64 // requests/s over the run so far
}

// Result summarizes a finished run; it is what sync_runs records.
type Result struct {
	RunID                           string
	Status                          string // success | partial | failed | canceled
	StartedAt, FinishedAt           time.Time
	Projects                        int
	Builds, Steps, Artifacts, Tests int64
	Requests, Retries, RateLimited  int64
	Errors                          int64
	RequestsByStatus                map[int]int64
	Failures                        []Failure
	ExportedDates                   []string
	// StartPace is where the adaptive pacer started (the zero Pace: slow start from 20
	// requests/s, or a fixed Rate); EndPace where it ended, saved in sync_pace for the next run.
	StartPace, EndPace extract.Pace
}

// Failure is one project's or build's persistent failure in a run.
type Failure struct {
	ProjectSlug string
	BuildNum    int64 // 0 for a project-level failure
	Stage       string
	Err         string
}
