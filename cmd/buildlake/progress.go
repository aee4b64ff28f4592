package main

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/buildlake/buildlake/pipeline"
)

// progressBar shows a sync's projects, builds, request rate and 429s on a terminal. Log lines
// go through logWriter, which clears the bar first so that they never share its line.
type progressBar struct {
	mu   sync.Mutex // orders bar renders and log writes on the terminal
	out  io.Writer
	bar  *progressbar.ProgressBar
	done bool
}

// newProgressBar draws on w at most once per throttle (the last update always shows). The
// spinner turns on updates only: a spinner of its own would draw from another goroutine, past
// the lock that keeps log lines off the bar's line.
func newProgressBar(w io.Writer, throttle time.Duration) *progressBar {
	return &progressBar{out: w, bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("listing builds"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionClearOnFinish(),
	)}
}

// Update implements pipeline.Progress.
func (p *progressBar) Update(s pipeline.ProgressState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	what := "listing"
	if s.BuildsTotal > 0 {
		what = "fetching builds"
	}
	p.bar.Describe(fmt.Sprintf("%s · %d/%d projects · %.0f req/s · %d rate-limited",
		what, s.ProjectsDone, s.ProjectsTotal, s.Rate, s.RateLimited))
	p.bar.ChangeMax64(max(s.BuildsTotal, 1)) // renders, with the description above
	_ = p.bar.Set64(s.BuildsDone)
}

// logWriter is where the sync's log lines go while the bar is shown: each write clears the bar's
// line first; the bar comes back with the next update.
func (p *progressBar) logWriter() io.Writer { return barLogWriter{p} }

type barLogWriter struct{ p *progressBar }

func (w barLogWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	_ = w.p.bar.Clear()
	return w.p.out.Write(b)
}

// finish clears the bar (once) so that what follows starts on a clean line.
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		p.done = true
		_ = p.bar.Finish()
	}
}

// progressLog reports a sync's progress as structured log lines when stderr is not a terminal
// (cron, Kubernetes, systemd): at most one line per interval.
type progressLog struct {
	log   *slog.Logger
	every time.Duration
	last  time.Time
}

// Update implements pipeline.Progress.
func (p *progressLog) Update(s pipeline.ProgressState) {
	if now := time.Now(); now.Sub(p.last) >= p.every || (s.BuildsTotal > 0 && s.BuildsDone == s.BuildsTotal) {
		p.last = now
		p.log.Info("sync progress", "projects_done", s.ProjectsDone, "projects", s.ProjectsTotal, "builds_done", s.BuildsDone, "builds_total", s.BuildsTotal,
			"requests", s.Requests, "requests_per_s", math.Round(s.Rate*10)/10, "rate_limited", s.RateLimited)
	}
}
