package main

import (
	"fmt"
	"os"

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
