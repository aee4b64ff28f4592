package extract_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/extract/circlecitest"
)

func simClient(t *testing.T, o circlecitest.Options) (*circlecitest.Server, *extract.Client) {
	t.Helper()
	o.Seed, o.Projects, o.Days = 3, 1, 5
	o.Now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	srv := circlecitest.NewServer(o)
	t.Cleanup(srv.Close)
	c, err := extract.New(extract.Config{Host: srv.URL, Token: srv.Token})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestListTargetsFirstRunReadsTheHorizon(t *testing.T) {
	srv, c := simClient(t, circlecitest.Options{BuildsPerProject: 250})
	p := srv.Stats().Projects[0]
	tg, err := extract.ListTargets(context.Background(), c, extract.ProjectPlan{ProjectSlug: p.Slug, Since: srv.Now().AddDate(0, 0, -30)})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, b := range p.Builds {
		want = append(want, int64(b.BuildNum))
	}
	slices.Sort(want)
	if !slices.Equal(tg.New, want) {
		t.Fatalf("New has %d builds, want %d (all the simulator serves)", len(tg.New), len(want))
	}
	if wantPages := len(want)/100 + 1; tg.Requests != wantPages {
		t.Errorf("read %d pages, want %d", tg.Requests, wantPages)
	}

	// A horizon in the middle of the history keeps only builds queued after it.
	since := p.Builds[len(p.Builds)/2].QueuedAt
	tg, err = extract.ListTargets(context.Background(), c, extract.ProjectPlan{ProjectSlug: p.Slug, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.New) == 0 || len(tg.New) >= len(want) {
		t.Fatalf("with a mid-history horizon New has %d of %d builds", len(tg.New), len(want))
	}
}

func TestListTargetsIncremental(t *testing.T) {
	srv, c := simClient(t, circlecitest.Options{BuildsPerProject: 250})
	p := srv.Stats().Projects[0]
	var top int64
	var running []int64
	for _, b := range p.Builds {
		top = max(top, int64(b.BuildNum))
		if b.Lifecycle != "finished" && b.Lifecycle != "not_run" {
			running = append(running, int64(b.BuildNum))
		}
	}
	if len(running) == 0 {
		t.Fatal("no unfinished build at now: the test would prove nothing")
	}
	plan := extract.ProjectPlan{ProjectSlug: p.Slug, HighWater: top, Pending: running}
	tg, err := extract.ListTargets(context.Background(), c, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.New) != 0 || len(tg.Pending) != 0 || tg.Requests != 1 {
		t.Fatalf("nothing new: New=%v Pending=%v after %d pages; want none after 1", tg.New, tg.Pending, tg.Requests)
	}
	if !slices.Equal(tg.Waiting, running) {
		t.Fatalf("Waiting=%v, want the still-running %v", tg.Waiting, running)
	}

	srv.Advance(12 * time.Hour)
	tg, err = extract.ListTargets(context.Background(), c, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.New) == 0 {
		t.Fatal("after Advance no new builds were listed")
	}
	for _, n := range tg.New {
		if n <= top {
			t.Fatalf("New has %d, at or below the mark %d", n, top)
		}
	}
	if len(tg.Pending)+len(tg.Waiting) != len(running) || len(tg.Pending) == 0 {
		t.Fatalf("after Advance Pending=%v Waiting=%v; want the finished ones of %v re-read", tg.Pending, tg.Waiting, running)
	}
}
