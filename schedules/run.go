package schedules

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/pipeline"
)

// runJob is one cron firing of j: jitter, wait for the store, sync, record and count.
func (s *Scheduler) runJob(j *Job) {
	if d := s.jitter(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-s.stopping:
			t.Stop()
			return
		}
	}
	select {
	case s.turn <- struct{}{}:
	case <-s.stopping:
		return
	}
	defer func() { <-s.turn }()
	select {
	case <-s.stopping:
		return // shutdown began while this run waited for its turn
	default:
	}
	s.syncOnce(j)
}

// syncOnce runs the pipeline for j while holding the store, recovering a panic into a failed run.
func (s *Scheduler) syncOnce(j *Job) {
	start, began := s.now(), time.Now()
	o := pipeline.Options{
		Host: s.cfg.Host, Token: s.cfg.token, Projects: j.Projects, Since: j.since.at(start),
		Full: j.Full, Concurrency: j.Concurrency, Rate: j.Rate,
		NoTests: j.NoTests, NoArtifacts: j.NoArtifacts, NoSteps: j.NoSteps,
		ParquetDir: s.cfg.ParquetDir, Trigger: "schedule:" + j.Name,
		Logger: s.log.With("job", j.Name), Now: s.now,
	}
	s.log.Info("run starting", "job", j.Name)
	running := s.metrics.running.WithLabelValues(j.Name)
	running.Set(1)
	defer running.Set(0)

	res, err := s.syncRecovered(j, o, start)
	status := res.Status
	if status == "" || status == pipeline.StatusRunning {
		status = pipeline.StatusSuccess
		if err != nil {
			status = pipeline.StatusFailed
		}
	}
	end := res.FinishedAt
	if end.IsZero() {
		end = s.now()
	}
	res.FinishedAt = end
	elapsed := time.Since(began)
	s.metrics.observe(j.Name, status, elapsed, res)
	s.health.finished(j.Name, status, end)
	attrs := []any{"job", j.Name, "run_id", res.RunID, "status", status, "duration", elapsed.Round(time.Millisecond),
		"builds", res.Builds, "steps", res.Steps, "artifacts", res.Artifacts, "tests", res.Tests,
		"requests", res.Requests, "retries", res.Retries, "rate_limited", res.RateLimited}
	switch {
	case status == pipeline.StatusCanceled:
		s.log.Warn("run finished", attrs...)
	case err != nil:
		s.log.Error("run finished", append(attrs, "err", extract.Redact(err.Error(), s.cfg.token))...)
	default:
		s.log.Info("run finished", attrs...)
	}
}

// syncRecovered calls the pipeline; a panic that escapes it becomes a failed run in sync_runs.
func (s *Scheduler) syncRecovered(j *Job, o pipeline.Options, start time.Time) (res pipeline.Result, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		summary := extract.Redact(fmt.Sprintf("panic: %v", r), s.cfg.token)
		s.log.Error("run panicked", "job", j.Name, "panic", summary,
			"stack", extract.Redact(string(debug.Stack()), s.cfg.token))
		res = pipeline.Result{Status: pipeline.StatusFailed, StartedAt: start, FinishedAt: s.now(), Errors: 1}
		res.RunID, err = s.recordPanic(o.Trigger, start, res.FinishedAt, summary)
		if err != nil {
			s.log.Error("could not record the panicked run", "job", j.Name, "err", err)
		}
		err = fmt.Errorf("%s", summary)
	}()
	return s.sync(s.runCtx, s.store, o)
}
