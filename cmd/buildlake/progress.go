package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/buildlake/buildlake/pipeline"
)

// progressBar shows a sync's builds, request rate and 429s on a terminal.
type progressBar struct {
	bar *progressbar.ProgressBar
}

func newProgressBar(f *os.File) *progressBar {
	return &progressBar{bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("listing builds"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)}
}

// Update implements pipeline.Progress.
func (p *progressBar) Update(s pipeline.ProgressState) {
	p.bar.ChangeMax64(max(s.BuildsTotal, 1))
	p.bar.Describe(fmt.Sprintf("%d projects · %.0f req/s · %d rate-limited", s.ProjectsTotal, s.Rate, s.RateLimited))
	_ = p.bar.Set64(s.BuildsDone)
}

func (p *progressBar) finish() { _ = p.bar.Finish() }

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
		p.log.Info("sync progress", "projects", s.ProjectsTotal, "builds_done", s.BuildsDone, "builds_total", s.BuildsTotal,
			"requests", s.Requests, "requests_per_s", math.Round(s.Rate*10)/10, "rate_limited", s.RateLimited)
	}
}
