package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/buildlake/buildlake/pipeline"
)

// The terminal bar names the phase, projects done of total, the request rate and the 429s; a log
// line written while it is shown clears the bar's line first instead of sharing it.
func TestProgressBarAndLogLinesShareTheTerminal(t *testing.T) {
	var term bytes.Buffer
	bar := newProgressBar(&term, 0)
	log := slog.New(slog.NewTextHandler(bar.logWriter(), nil))

	bar.Update(pipeline.ProgressState{ProjectsDone: 1, ProjectsTotal: 3})
	if out := term.String(); !strings.Contains(out, "listing · 1/3 projects") {
		t.Fatalf("listing bar: %q", out)
	}
	log.Info("project listed", "project", "github/acme/api")
	bar.Update(pipeline.ProgressState{ProjectsDone: 2, ProjectsTotal: 3, BuildsTotal: 40, BuildsDone: 25,
		Requests: 120, RateLimited: 4, Rate: 35.4})
	out := term.String()
	if !strings.Contains(out, "fetching builds · 2/3 projects · 35 req/s · 4 rate-limited") || !strings.Contains(out, "(25/40)") {
		t.Fatalf("fetching bar: %q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "project listed") {
			continue
		}
		// What the terminal shows of this line is what follows its last carriage return.
		shown := line[strings.LastIndex(line, "\r")+1:]
		if !strings.HasPrefix(shown, "time=") {
			t.Errorf("log line shares the bar's line: %q", shown)
		}
	}
	bar.finish()
	bar.finish() // idempotent: runSync calls it before the summary and again on return
}
