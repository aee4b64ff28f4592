// This file: how a run ends — its status and counters, the sync_runs row, failures and
// recovered panics, and the progress reported on the way.

package pipeline

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/sourcegraph/conc/panics"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/load"
)

// buildError records one build's failure for the run's result and its sync_errors row. ref is the
// build the run asked for, so the row names it even when the response had no build_num.
func (s *syncer) buildError(ref extract.BuildRef, stage string, err error, now time.Time) load.SyncError {
	msg := s.redact(err)
	s.failures = append(s.failures, Failure{ProjectSlug: ref.ProjectSlug, BuildNum: ref.BuildNum, Stage: stage, Err: msg})
	return load.SyncError{RunID: s.res.RunID, ProjectSlug: ref.ProjectSlug, BuildNum: ref.BuildNum, Stage: stage, Error: msg, At: now}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// finish settles the result's status and counters.
func (s *syncer) finish(ctx context.Context, err error) {
	s.res.FinishedAt = s.o.Now().UTC()
	s.res.Failures = s.failures
	s.res.Errors = int64(len(s.failures))
	if s.client != nil {
		st := s.client.Stats()
		s.res.Requests, s.res.Retries, s.res.RateLimited = st.Requests, st.Retries, st.RateLimited
		s.res.RequestsByStatus = st.ByStatus
	}
	switch {
	case ctx.Err() != nil:
		s.res.Status = StatusCanceled
	case err != nil:
		s.res.Status = StatusFailed
		s.res.Errors++
	case len(s.failures) > 0 && s.res.Builds == 0 && s.projectsFailed() == s.res.Projects:
		s.res.Status = StatusFailed // nothing could be listed: a bad token, say
	case len(s.failures) > 0:
		s.res.Status = StatusPartial
	default:
		s.res.Status = StatusSuccess
	}
	if s.o.ParquetDir != "" { // without it the dates are only noted for a later export
		s.res.ExportedDates = slices.Sorted(maps.Keys(s.dates))
	}
}

// projectsFailed counts the projects whose build list could not be read.
func (s *syncer) projectsFailed() int {
	n := 0
	for _, f := range s.failures {
		if f.Stage == "list" {
			n++
		}
	}
	return n
}

// run converts the result into the sync_runs row.
func (s *syncer) run() load.Run {
	r := s.res
	return load.Run{
		RunID: r.RunID, Trigger: s.o.Trigger, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		Status: r.Status, Projects: r.Projects, Builds: r.Builds, Steps: r.Steps, Artifacts: r.Artifacts,
		Tests: r.Tests, Requests: r.Requests, Retries: r.Retries, RateLimited: r.RateLimited,
		Errors: r.Errors, ErrorSummary: summarize(r.Failures),
	}
}

func (s *syncer) progress(total, done int64) {
	if s.o.Progress == nil {
		return
	}
	st := s.client.Stats()
	elapsed := s.o.Now().Sub(s.res.StartedAt).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(st.Requests) / elapsed
	}
	s.o.Progress.Update(ProgressState{
		ProjectsDone: s.projectsDone, ProjectsTotal: s.res.Projects, BuildsTotal: total, BuildsDone: done,
		Requests: st.Requests, RateLimited: st.RateLimited, Rate: rate,
	})
}

// catch runs fn and turns a panic in it (or re-raised by a conc pool's Wait) into an error, so
// that the run ends failed and recorded instead of crashing the process.
func (s *syncer) catch(fn func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		v, stack := r, debug.Stack()
		if rec, ok := r.(*panics.Recovered); ok {
			v, stack = rec.Value, rec.Stack
		}
		msg := extract.Redact(fmt.Sprint(v), s.o.Token)
		s.log.Error("sync panicked", "panic", msg, "stack", extract.Redact(string(stack), s.o.Token))
		err = fmt.Errorf("%w: panic: %s", errSync, msg)
	}()
	fn()
	return nil
}

func (s *syncer) redact(err error) string {
	return extract.Redact(err.Error(), s.o.Token)
}

// summarize names what failed, for sync_runs.error_summary and the command's exit message.
func summarize(fs []Failure) string {
	if len(fs) == 0 {
		return ""
	}
	byProject := map[string]int{}
	for _, f := range fs {
		byProject[f.ProjectSlug]++
	}
	var parts []string
	for _, slug := range slices.Sorted(maps.Keys(byProject)) {
		parts = append(parts, fmt.Sprintf("%s (%d)", slug, byProject[slug]))
	}
	first := fs[0]
	where := first.ProjectSlug
	if first.BuildNum != 0 {
		where = fmt.Sprintf("%s#%d", first.ProjectSlug, first.BuildNum)
	}
	return fmt.Sprintf("%d failures in %s; first: %s %s: %s", len(fs), strings.Join(parts, ", "), where, first.Stage, first.Err)
}
