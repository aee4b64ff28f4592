package extract_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/extract/circlecitest"
)

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkExtract lists and fetches every build (details, tests, artifacts) of a simulator with
// a per-request latency and no server limit, at concurrency 16, and reports wall time against
// the ideal requests × latency / 16 (target ≤ 1.2). Two clients: the adaptive pacer (starts at
// 20 req/s and doubles per second, so short runs pay for the ramp) and a fixed --rate of twice
// the ideal rate. Scale with BUILDLAKE_BENCH_PROJECTS, BUILDLAKE_BENCH_BUILDS (per project) and
// BUILDLAKE_BENCH_LATENCY_MS (default 20).
func BenchmarkExtract(b *testing.B) {
	const conc = 16
	latency := time.Duration(benchEnvInt("BUILDLAKE_BENCH_LATENCY_MS", 20)) * time.Millisecond
	srv := circlecitest.NewServer(circlecitest.Options{Seed: 5, Projects: benchEnvInt("BUILDLAKE_BENCH_PROJECTS", 4),
		BuildsPerProject: benchEnvInt("BUILDLAKE_BENCH_BUILDS", 40), Latency: latency})
	b.Cleanup(srv.Close)
	ideal := conc / latency.Seconds()
	for _, mode := range []struct {
		name string
		rate float64
	}{{"adaptive", 0}, {"fixed", 2 * ideal}} {
		b.Run(mode.name, func(b *testing.B) {
			var reqs int64
			for b.Loop() {
				c, err := extract.New(extract.Config{Host: srv.URL, Token: srv.Token, Rate: mode.rate})
				if err != nil {
					b.Fatal(err)
				}
				fetchAll(b, c, conc)
				reqs += c.Stats().Requests
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(reqs)/secs, "req/s")
			b.ReportMetric(secs/(float64(reqs)/ideal), "wall/ideal")
		})
	}
}

// fetchAll does what a first sync's extraction does: list every project, then fetch every build.
func fetchAll(b *testing.B, c *extract.Client, conc int) {
	ctx := context.Background()
	ps, err := c.ListProjects(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var refs []extract.BuildRef
	for _, p := range ps {
		slug := p.VCSType.V + "/" + p.Username.V + "/" + p.Reponame.V
		t, err := extract.ListTargets(ctx, c, extract.ProjectPlan{ProjectSlug: slug})
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range t.All() {
			refs = append(refs, extract.BuildRef{ProjectSlug: slug, BuildNum: n})
		}
	}
	out := make(chan extract.Fetched, conc)
	go func() {
		defer close(out)
		extract.FetchBuilds(ctx, c, refs, extract.FetchOptions{Concurrency: conc}, out)
	}()
	for f := range out {
		if f.Err != nil {
			b.Fatal(f.Err)
		}
	}
}
